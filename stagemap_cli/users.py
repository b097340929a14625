"""``stagemap user add|remove|list``: local accounts for the embedded deployment (admins)."""
from __future__ import annotations

import argparse
import getpass
import sys

from geo.access.accounts import load_accounts
from geo.access.roles import Actor
from geo.config import accounts_path
from geo.i18n import LANGUAGE_NAMES
from geo.messages import M, join
from geo.services.admin import delete_account, list_accounts, save_account
from stagemap_cli.common import EXIT_OK, add_user, cli_actor, os_user
from stagemap_cli.say import say

ROLE_CHOICES = ("planner", "liaison", "council_office", "records", "admin")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``user add``, ``user remove`` and ``user list``."""
    up = sub.add_parser("user", help="local accounts for the embedded deployment (admins)")
    usub = up.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="create or replace an account (password read from stdin or a prompt)")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=ROLE_CHOICES)
    ua.add_argument("--department", help="required for liaisons")
    ua.add_argument("--district", type=int, help="council office's district")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add_user(ua)
    ua.set_defaults(func=run_add)
    ur = usub.add_parser("remove", help="delete an account")
    ur.add_argument("name")
    add_user(ur)
    ur.set_defaults(func=run_remove)
    ul = usub.add_parser("list", help="list accounts: name, role, scope, saved language (never passwords)")
    add_user(ul)
    ul.set_defaults(func=run_list)


def admin_actor(args: argparse.Namespace) -> Actor:
    """Return who manages accounts: a named admin, or the local operator while no admin account exists yet."""
    accounts = load_accounts(accounts_path(args.users))
    if not any(a.role == "admin" for a in accounts.values()) and not (args.user or "").strip():
        who = os_user()
        return Actor(f"local operator ({who})", "admin", source="cli", os_user=who)
    return cli_actor(args)


def run_add(args: argparse.Namespace) -> int:
    """Create or replace an account."""
    actor = admin_actor(args)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    acc = save_account(accounts_path(args.users), actor, args.name, password, role=args.role,
                       department=args.department, district=args.district)
    say(M("account {name} ({role}) saved to {path} by {by}", name=acc.name, role=acc.role,
          path=str(accounts_path(args.users)), by=actor.name))
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    """Delete an account."""
    delete_account(accounts_path(args.users), admin_actor(args), args.name)
    say(M("account {name} removed", name=args.name))
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """List accounts: name, role, scope and the language each reads StageMap in (``-``: not chosen, English)."""
    for acc in list_accounts(accounts_path(args.users), admin_actor(args)):
        scope = acc.department or (M("district {district}", district=acc.district) if acc.district else "")
        language = f"{acc.language} ({LANGUAGE_NAMES.get(acc.language, acc.language)})" if acc.language else "-"
        say(join([acc.name, acc.role, scope, language], sep="\t"))
    return EXIT_OK
