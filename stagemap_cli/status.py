"""``stagemap status set|history|import``: a site's sign and gate status, one save or a liaison's sheet."""
from __future__ import annotations

import argparse

from geo import schema
from geo.messages import M
from geo.services.status import import_status, save_site_status
from stagemap_cli.common import (
    EXIT_OK,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
    sheet_exit,
)
from stagemap_cli.say import history_value, say

SIGN_ARGS = {"posted": "posted", "missing": "none", "damaged": "damaged", "unknown": "unknown"}
GATE_ARGS = {"locked": "closed_locked", "unlocked": "closed_unlocked", "open": "open", "none": "no_gate"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``status set``, ``status history`` and ``status import``."""
    stp = sub.add_parser("status", help="read or change a site's sign and gate status")
    ssub = stp.add_subparsers(dest="status_command", required=True)
    ss = ssub.add_parser("set", help="save a status change based on the version you saw")
    ss.add_argument("site_id")
    ss.add_argument("--sign", choices=sorted(SIGN_ARGS), help="posted, missing or damaged")
    ss.add_argument("--gate", choices=sorted(GATE_ARGS), help="locked, unlocked, open or none")
    ss.add_argument("--posted-on", help="date the sign was posted, YYYY-MM-DD")
    ss.add_argument("--inspected-on", help="date of inspection, YYYY-MM-DD")
    ss.add_argument("--note")
    ss.add_argument("--expect-version", type=int, required=True, help="the version your change is based on")
    add_store(ss)
    add_user(ss)
    ss.set_defaults(func=run_set)
    sh = ssub.add_parser("history", help="every saved version of a site's status")
    sh.add_argument("site_id")
    add_store(sh)
    sh.set_defaults(func=run_history)
    si = ssub.add_parser("import", help="apply a liaison's CSV/XLSX of status rows, each with its version")
    si.add_argument("path")
    add_store(si)
    add_user(si)
    si.set_defaults(func=run_import)


def run_set(args: argparse.Namespace) -> int:
    """Save one change as the named account (liaisons: their own department's sites only)."""
    changes: dict[str, object] = {}
    if args.sign:
        changes[schema.SIGN_STATUS] = SIGN_ARGS[args.sign]
    if args.gate:
        changes[schema.GATE_STATUS] = GATE_ARGS[args.gate]
    if args.posted_on:
        changes[schema.SIGN_POSTED_ON] = args.posted_on
    if args.inspected_on:
        changes[schema.LAST_INSPECTED] = args.inspected_on
    if args.note is not None:
        changes[schema.STATUS_NOTE] = args.note
    store = open_cli_store(args)
    new = save_site_status(store, cli_actor(args, store), args.site_id, changes, expect_version=args.expect_version)
    say(M("saved {site} version {version}: sign {sign}, gate {gate}", site=args.site_id, version=new[schema.VERSION],
          sign=new[schema.SIGN_STATUS], gate=new[schema.GATE_STATUS]))
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    """Print every saved version of one site's status."""
    for edit in open_cli_store(args).status_history(args.site_id):
        say(edit.describe(value=history_value))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """Apply a sheet row by row and print the per-row report."""
    store = open_cli_store(args)
    return sheet_exit(import_status(store, cli_actor(args, store), args.path))
