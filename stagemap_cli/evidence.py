"""``stagemap evidence verify``: re-hash every stored evidence original (records and admin)."""
from __future__ import annotations

import argparse
import sys

from geo.services.evidence import verify_evidence
from stagemap_cli.common import EXIT_ERROR, EXIT_OK, add_store, add_user, cli_actor, open_cli_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``evidence verify``."""
    ep = sub.add_parser("evidence", help="evidence files")
    esub = ep.add_subparsers(dest="evidence_command", required=True)
    ev = esub.add_parser("verify", help="re-hash every stored original; exit 1 naming any mismatch")
    add_store(ev)
    add_user(ev)
    ev.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Verify every file; print mismatches to stderr."""
    store = open_cli_store(args)
    report = verify_evidence(store, cli_actor(args, store))
    for m in report.mismatches:
        print(f"MISMATCH {m}", file=sys.stderr)
    if not report.ok:
        print(f"evidence verify FAILED: {len(report.mismatches)} of {report.checked} files do not match their "
              "recorded SHA-256; restore them from the WORM copy and tell the records custodian.", file=sys.stderr)
        return EXIT_ERROR
    print(f"evidence ok: {report.checked} files match their recorded SHA-256")
    return EXIT_OK
