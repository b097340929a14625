"""``stagemap audit verify|head``: walk the hash-chained audit log; print its head to keep elsewhere."""
from __future__ import annotations

import argparse
import sys

from geo.services.audit import audit_head, verify_audit
from stagemap_cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit verify`` and ``audit head``."""
    aup = sub.add_parser("audit", help="audit log")
    asub = aup.add_subparsers(dest="audit_command", required=True)
    av = asub.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken entry")
    av.add_argument("--head", help="SEQ:HASH printed earlier by `stagemap audit head` and kept elsewhere")
    add_store(av)
    add_user(av)
    av.set_defaults(func=run_verify)
    ah = asub.add_parser("head", help="print the chain head (SEQ:HASH) to keep outside the store")
    add_store(ah)
    add_user(ah)
    ah.set_defaults(func=run_head)


def run_verify(args: argparse.Namespace) -> int:
    """Verify the chain and say where it breaks."""
    head = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            print(f"error: --head {args.head!r} is not SEQ:HASH as printed by `stagemap audit head`", file=sys.stderr)
            return EXIT_REJECTED
        head = (int(seq), digest)
    store = open_cli_store(args)
    n, broken = verify_audit(store, cli_actor(args, store), head=head)
    if broken is not None:
        print(f"audit chain BROKEN at {broken} ({n} entries read)", file=sys.stderr)
        return EXIT_ERROR
    print(f"audit chain ok: {n} entries verified")
    return EXIT_OK


def run_head(args: argparse.Namespace) -> int:
    """Print ``SEQ:HASH`` of the last entry."""
    store = open_cli_store(args)
    seq, digest = audit_head(store, cli_actor(args, store))
    print(f"{seq}:{digest}")
    return EXIT_OK
