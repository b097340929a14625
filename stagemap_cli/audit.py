"""``stagemap audit verify|head|checkpoint``: walk the chain and check the state it binds; sign its head.

Exit codes: 0 ok, 1 the chain, the state or a checkpoint's signature does not verify, 2 bad input
(an unreadable checkpoint, no signing key), 4 denied.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from geo.config import checkpoint_key
from geo.messages import M, join, message_of
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
from stagemap_cli.say import say

NOTES_SHOWN = 10
FIX = M("Each finding is a change made outside StageMap (or a removed entry): restore the named rows or "
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
        say(M("FINDING {finding}", finding=problem), err=True)
    for note in report.unverified[:NOTES_SHOWN]:
        say(M("note: {note}", note=note))
    if len(report.unverified) > NOTES_SHOWN:
        say(M("note: ... and {count} more rows or layers not checked", count=len(report.unverified) - NOTES_SHOWN))
    if report.chain_break is not None:
        say(M("audit chain BROKEN at {where} ({count} entries read)", where=report.chain_break.message(),
              count=report.entries), err=True)
    else:
        say(M("audit chain ok: {count} entries verified", count=report.entries))
    rows = sum(n for table, n in report.checked.items() if table != "audit_log")
    if report.findings:
        say(M("state does NOT match the audit chain: {count} findings in {rows} rows checked. {fix}",
              count=len(report.findings), rows=rows, fix=FIX), err=True)
    else:
        say(M("state ok: {rows} rows match their history and audit entries ({tables})", rows=rows,
              tables=join([f"{t} {n}" for t, n in report.checked.items() if t != "audit_log"], sep=", ")))
    seq, digest = report.head
    say(M("head: {seq}:{digest}", seq=seq, digest=digest))
    return report.ok


def run_verify(args: argparse.Namespace) -> int:
    """Verify the chain (against a head or a signed checkpoint) and the state it binds."""
    head = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            say(M("error: --head {head} is not SEQ:HASH as printed by `stagemap audit head`", head=repr(args.head)),
                err=True)
            return EXIT_REJECTED
        head = (int(seq), digest)
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    if args.checkpoint:
        try:
            checkpoint = read_checkpoint(Path(args.checkpoint), checkpoint_key())
        except CheckpointForged as exc:
            say(M("checkpoint BROKEN: {error}", error=message_of(exc)), err=True)
            return EXIT_ERROR
        if checkpoint.store != store.display_url:
            say(M("warning: checkpoint {checkpoint} was taken of store {taken}, this is {store}",
                  checkpoint=args.checkpoint, taken=checkpoint.store, store=store.display_url), err=True)
        say(M("checkpoint signature ok: entry {seq} at {time}", seq=checkpoint.seq, time=checkpoint.time))
        head = checkpoint.head
    return EXIT_OK if print_report(verify_state(store, actor, head=head)) else EXIT_ERROR


def run_head(args: argparse.Namespace) -> int:
    """Print ``SEQ:HASH`` of the last entry."""
    store = open_cli_store(args)
    seq, digest = audit_head(store, cli_actor(args, store))
    say(f"{seq}:{digest}")
    return EXIT_OK


def run_checkpoint(args: argparse.Namespace) -> int:
    """Verify the chain and state, then write the signed checkpoint of the head."""
    key = checkpoint_key()
    store = open_cli_store(args)
    try:
        checkpoint, _ = write_checkpoint(store, cli_actor(args, store), Path(args.out), key)
    except ChainNotVerified as exc:
        print_report(exc.report)
        say(M("error: {error}", error=message_of(exc)), err=True)
        return EXIT_ERROR
    say(M("checkpoint written to {out}: entry {seq}:{digest} of {store} at {time}; keep it outside the store",
          out=args.out, seq=checkpoint["seq"], digest=checkpoint["entry_hash"], store=checkpoint["store"],
          time=checkpoint["time"]))
    return EXIT_OK
