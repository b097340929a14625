"""``stagemap notices add|sent|ack|list|clock|letter|import``: the A.3 contractor-notice register and its clock.

Exit codes: 0 ok, 2 bad input (or every imported row invalid), 3 stale version, 4 denied.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from geo.analysis.notice_clock import clock_summary
from geo.analysis.timefmt import today_local
from geo.messages import M
from geo.services import notices
from stagemap_cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
    out_dir,
)
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``notices`` verbs."""
    np_ = sub.add_parser("notices", help="A.3 contractor notices: register, sent, acknowledged, day-15 clock")
    nsub = np_.add_subparsers(dest="notices_command", required=True)
    add = nsub.add_parser("add", help="register a contractor's contract with the sites it operates")
    add.add_argument("--department", required=True)
    add.add_argument("--contractor", required=True)
    add.add_argument("--contract", required=True, help="contract number")
    add.add_argument("--sites", help="site ids the contractor operates, separated by ';'")
    sent = nsub.add_parser("sent", help="record the written notice sent (date, method, the document sent)")
    sent.add_argument("--department", required=True)
    sent.add_argument("--contract", required=True)
    sent.add_argument("--on", required=True, help="date sent, YYYY-MM-DD")
    sent.add_argument("--method", required=True, help="email, mail, hand_delivery, portal or other")
    sent.add_argument("--document", help="the notice file sent (its SHA-256 is recorded)")
    sent.add_argument("--version", type=int, required=True, help="the version you read (`notices list`)")
    ack = nsub.add_parser("ack", help="record the contractor's acknowledgement")
    ack.add_argument("--department", required=True)
    ack.add_argument("--contract", required=True)
    ack.add_argument("--on", required=True, help="date acknowledged, YYYY-MM-DD")
    ack.add_argument("--by", required=True, help="who acknowledged (name at the contractor)")
    ack.add_argument("--version", type=int, required=True)
    ls = nsub.add_parser("list", help="the register")
    ls.add_argument("--department")
    ck = nsub.add_parser("clock", help="the day-15 clock: notices on time, late or missing")
    ck.add_argument("--department")
    ck.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD (default today)")
    lt = nsub.add_parser("letter", help="write the notice letter PDF of one contract")
    lt.add_argument("notice_id")
    lt.add_argument("--out", required=True, help="output directory")
    im = nsub.add_parser("import", help="apply a CSV/XLSX register (per-row report)")
    im.add_argument("path")
    for p, func in ((add, run_add), (sent, run_sent), (ack, run_ack), (ls, run_list), (ck, run_clock),
                    (lt, run_letter), (im, run_import)):
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)


def _print_row(row: dict[str, object]) -> int:
    say(M("{notice} {department} / {contractor} contract {contract}: sent {sent} ({method}), acknowledged {ack} by "
          "{by} (version {version})", notice=row["notice_id"], department=row["department"],
          contractor=row["contractor"], contract=row["contract_number"], sent=row["sent_on"] or "-",
          method=row["sent_method"] or "-", ack=row["acknowledged_on"] or "-", by=row["acknowledged_by"] or "-",
          version=row["version"]))
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    return _print_row(notices.save_notice(store, cli_actor(args, store), args.department,
                                          {"contractor": args.contractor, "contract_number": args.contract,
                                           "site_ids": args.sites}))


def run_sent(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    document = Path(args.document).read_bytes() if args.document else None
    return _print_row(notices.save_notice(store, cli_actor(args, store), args.department,
                                          {"contract_number": args.contract, "sent_on": args.on,
                                           "sent_method": args.method}, expect_version=args.version,
                                          document=document))


def run_ack(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    return _print_row(notices.save_notice(store, cli_actor(args, store), args.department,
                                          {"contract_number": args.contract, "acknowledged_on": args.on,
                                           "acknowledged_by": args.by}, expect_version=args.version))


def run_list(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = notices.notices(store, cli_actor(args, store), args.department)
    say(frame.to_string(index=False) if len(frame) else M("no contracts registered"))
    return EXIT_OK


def run_clock(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = notices.clock(store, cli_actor(args, store), as_of=args.as_of or today_local(), department=args.department)
    say(frame.to_string(index=False))
    say()
    say(clock_summary(frame).to_string(index=False))
    return EXIT_OK


def run_letter(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    data = notices.letter(store, cli_actor(args, store), args.notice_id)
    path = out_dir(args.out) / f"a3_notice_{args.notice_id}.pdf"
    path.write_bytes(data)
    say(str(path))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    report = notices.import_notices(store, cli_actor(args, store), args.path)
    say(report.summary())
    return EXIT_OK if report.count("added") + report.count("updated") else EXIT_REJECTED
