"""What every ``stagemap`` verb shares: exit codes, the store option, and who is acting (a named account)."""
from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from geo.access.accounts import load_accounts
from geo.access.roles import Actor
from geo.config import accounts_path
from geo.errors import AccessDenied, GeoDataError
from geo.intake.bulk_status import BulkStatusReport
from geo.messages import M
from geo.store import Store, open_store
from stagemap_cli.say import USER_ENV, say

EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICT, EXIT_DENIED = 0, 1, 2, 3, 4


def add_store(p: argparse.ArgumentParser) -> None:
    """Add ``--store``."""
    p.add_argument("--store", help="store path or postgresql:// URL (default $STAGEMAP_STORE or data/stagemap.gpkg)")


def add_user(p: argparse.ArgumentParser) -> None:
    """Add ``--user`` and ``--users``: the account the command acts as."""
    p.add_argument("--user", help=f"your account name in the accounts file (default ${USER_ENV})")
    p.add_argument("--users", help="accounts file (default $STAGEMAP_USERS or data/users.json)")


def add_out_dir(p: argparse.ArgumentParser) -> None:
    """Add a required ``--out`` directory."""
    p.add_argument("--out", required=True, help="output directory")


def os_user() -> str:
    """Return the operating-system user running the command (recorded with every CLI write)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def cli_actor(args: argparse.Namespace, store: Store | None = None) -> Actor:
    """Return the account this command acts as; its role and department come from the accounts file.

    ``--user NAME`` (or ``$STAGEMAP_USER``) must name an account. With no accounts file at all,
    the command acts as the *local operator* (an admin, recorded with the OS user) but only on
    a store that is empty or holds the synthetic sample: real data always needs an account.

    Raises
    ------
    AccessDenied
        When the account does not exist, or no account is named where one is needed.
    """
    path = accounts_path(getattr(args, "users", None))
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV) or "").strip()
    accounts = load_accounts(path)
    who = os_user()
    if name:
        account = accounts.get(name)
        if account is None:
            raise AccessDenied(M("No account {account} in {path}. An admin creates it with "
                                 "`stagemap user add {name} --role ROLE`, or give your own --user.",
                                 account=repr(name), path=str(path), name=name))
        base = account.actor()
        return Actor(base.name, base.role, base.department, base.district, source="cli", os_user=who)
    if accounts:
        raise AccessDenied(M("Say who you are: --user NAME (an account in {path}) or ${env}. "
                             "Role and department come from the account.", path=str(path), env=USER_ENV))
    if store is not None and store.is_synthetic() is False:
        raise AccessDenied(M("Store {store} holds real City data: act as a named account. Create one with "
                             "`stagemap user add NAME --role admin` (accounts file {path}), then pass --user NAME.",
                             store=store.display_url, path=str(path)))
    return Actor(f"local operator ({who})", "admin", source="cli", os_user=who)


def open_cli_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """Open the store named by ``--store`` (it must exist unless ``create``)."""
    return open_store(getattr(args, "store", None), create=create)


def out_dir(path: str) -> Path:
    """Return ``path`` as an existing directory (created when missing).

    Raises
    ------
    GeoDataError
        When ``path`` is a file.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise GeoDataError(M("--out {out} is a file; give a directory.", out=str(out)))
    out.mkdir(parents=True, exist_ok=True)
    return out


def sheet_exit(report: BulkStatusReport) -> int:
    """Print a sheet import's per-row report; exit 0 when a row applied, 3 on conflicts only, else 2."""
    say(report.summary())
    if report.count("applied"):
        return EXIT_OK
    return EXIT_CONFLICT if report.count("conflict") else EXIT_REJECTED
