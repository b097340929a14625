"""``stagemap audit verify|head|checkpoint``: walk the chain and check the state it binds; sign its head.

Exit codes: 0 ok, 1 the chain, the state or a checkpoint's signature does not verify, 2 bad input
(an unreadable checkpoint, no signing key), 4 denied.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.config import checkpoint_key
from geo.services.audit import (
    ChainNotVerified,
    CheckpointForged,
    audit_head,
    read_checkpoint,
    verify_state,
    write_checkpoint,
)
from geo.store.verify import StateReport
from stagemap_cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
)

NOTES_SHOWN = 10
FIX = ("Each finding is a change made outside StageMap (or a removed entry): restore the named rows or "
       "entries from a backup taken before it, and treat the store as tampered with until then.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit verify``, ``audit head`` and ``audit checkpoint``."""
    aup = sub.add_parser("audit", help="audit log")
    asub = aup.add_subparsers(dest="audit_command", required=True)
    av = asub.add_parser("verify", help="walk the hash chain and check the state against it; exit 1 on any finding")
    anchor = av.add_mutually_exclusive_group()
    anchor.add_argument("--head", help="SEQ:HASH printed earlier by `stagemap audit head` and kept elsewhere")
    anchor.add_argument("--checkpoint", help="a signed checkpoint written by `stagemap audit checkpoint` "
                                             "(key from $STAGEMAP_CHECKPOINT_KEY or $STAGEMAP_CHECKPOINT_KEY_FILE)")
    add_store(av)
    add_user(av)
    av.set_defaults(func=run_verify)
    ah = asub.add_parser("head", help="print the chain head (SEQ:HASH) to keep outside the store")
    add_store(ah)
    add_user(ah)
    ah.set_defaults(func=run_head)
    ac = asub.add_parser("checkpoint", help="verify, then write the chain head signed with the checkpoint key")
    ac.add_argument("--out", required=True, help="checkpoint file to write (keep it outside the store)")
    add_store(ac)
    add_user(ac)
    ac.set_defaults(func=run_checkpoint)


def print_report(report: StateReport) -> bool:
    """Print every problem to stderr and the summary and head to stdout; return whether all verified."""
    for problem in report.problems():
        print(f"FINDING {problem}", file=sys.stderr)
    for note in report.unverified[:NOTES_SHOWN]:
        print(f"note: {note}")
    if len(report.unverified) > NOTES_SHOWN:
        print(f"note: ... and {len(report.unverified) - NOTES_SHOWN} more rows or layers not checked")
    if report.chain_break is not None:
        print(f"audit chain BROKEN at {report.chain_break} ({report.entries} entries read)", file=sys.stderr)
    else:
        print(f"audit chain ok: {report.entries} entries verified")
    rows = sum(n for table, n in report.checked.items() if table != "audit_log")
    if report.findings:
        print(f"state does NOT match the audit chain: {len(report.findings)} findings in {rows} rows checked. {FIX}",
              file=sys.stderr)
    else:
        print(f"state ok: {rows} rows match their history and audit entries "
              f"({', '.join(f'{t} {n}' for t, n in report.checked.items() if t != 'audit_log')})")
    seq, digest = report.head
    print(f"head: {seq}:{digest}")
    return report.ok


def run_verify(args: argparse.Namespace) -> int:
    """Verify the chain (against a head or a signed checkpoint) and the state it binds."""
    head = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            print(f"error: --head {args.head!r} is not SEQ:HASH as printed by `stagemap audit head`", file=sys.stderr)
            return EXIT_REJECTED
        head = (int(seq), digest)
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    if args.checkpoint:
        try:
            checkpoint = read_checkpoint(Path(args.checkpoint), checkpoint_key())
        except CheckpointForged as exc:
            print(f"checkpoint BROKEN: {exc}", file=sys.stderr)
            return EXIT_ERROR
        if checkpoint.store != store.display_url:
            print(f"warning: checkpoint {args.checkpoint} was taken of store {checkpoint.store}, "
                  f"this is {store.display_url}", file=sys.stderr)
        print(f"checkpoint signature ok: entry {checkpoint.seq} at {checkpoint.time}")
        head = checkpoint.head
    return EXIT_OK if print_report(verify_state(store, actor, head=head)) else EXIT_ERROR


def run_head(args: argparse.Namespace) -> int:
    """Print ``SEQ:HASH`` of the last entry."""
    store = open_cli_store(args)
    seq, digest = audit_head(store, cli_actor(args, store))
    print(f"{seq}:{digest}")
    return EXIT_OK


def run_checkpoint(args: argparse.Namespace) -> int:
    """Verify the chain and state, then write the signed checkpoint of the head."""
    key = checkpoint_key()
    store = open_cli_store(args)
    try:
        checkpoint, _ = write_checkpoint(store, cli_actor(args, store), Path(args.out), key)
    except ChainNotVerified as exc:
        print_report(exc.report)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"checkpoint written to {args.out}: entry {checkpoint['seq']}:{checkpoint['entry_hash']} of "
          f"{checkpoint['store']} at {checkpoint['time']}; keep it outside the store")
    return EXIT_OK
