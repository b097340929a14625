"""``stagemap report monthly|board|sign-packet``: the directive's reports as PDF (and CSV)."""
from __future__ import annotations

import argparse
import datetime as dt

from geo.errors import GeoDataError
from geo.i18n import LANGUAGES
from geo.messages import M
from geo.services.reports import write_board, write_monthly, write_sign_packets
from stagemap_cli.commission import register_report as register_commission
from stagemap_cli.common import EXIT_OK, add_out_dir, add_store, add_user, cli_actor, open_cli_store, out_dir
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report monthly``, ``report board`` and ``report sign-packet``."""
    rp = sub.add_parser("report", help="the directive's reports as PDF (and CSV)")
    rsub = rp.add_subparsers(dest="report_command", required=True)
    mo = rsub.add_parser("monthly", help="B.8 monthly aggregated report (public tier, suppressed)")
    mo.add_argument("--month", required=True, help="YYYY-MM")
    mo.add_argument("--as-of", help="YYYY-MM-DD: a month is published once it has closed by this date "
                                    "(default today, Los Angeles)")
    bo = rsub.add_parser("board", help="department board measures report (internal)")
    bo.add_argument("--department", required=True, help="e.g. Airport, Harbor, 'Recreation and Parks'")
    bo.add_argument("--as-of", help="YYYY-MM-DD: deadlines and windows counted to it (default today, Los Angeles)")
    sp = rsub.add_parser("sign-packet", help="printable sign and site profile, one PDF per site (and one combined "
                                             "PDF per department)")
    which = sp.add_mutually_exclusive_group(required=True)
    which.add_argument("--site")
    which.add_argument("--department")
    sp.add_argument("--base-url", help="StageMap address for the QR codes (default $STAGEMAP_PUBLIC_URL, "
                                       "$STAGEMAP_BASE_URL or http://localhost:8501)")
    for p in (mo, sp, bo):
        p.add_argument("--lang", choices=LANGUAGES, default="en",
                       help="language of the PDF: en (default) or es; the sign itself is always bilingual")
    for p in (mo, bo, sp):
        add_out_dir(p)
        add_store(p)
        add_user(p)
    mo.set_defaults(func=run_monthly)
    register_commission(rsub)
    bo.set_defaults(func=run_board)
    sp.set_defaults(func=run_sign_packet)


def run_monthly(args: argparse.Namespace) -> int:
    """Write the month's B.8 report as PDF and CSV."""
    store = open_cli_store(args)
    out = out_dir(args.out)
    write_monthly(store, cli_actor(args, store), month=args.month, out=out, as_of=parse_date(args.as_of),
                  lang=args.lang)
    done = M("monthly report {month} written to {out} (PDF and CSV, suppressed at k=11)", month=args.month, out=str(out))
    say(M("{done} SYNTHETIC", done=done) if store.is_synthetic() else done)
    return EXIT_OK


def run_board(args: argparse.Namespace) -> int:
    """Write a department's board report as PDF."""
    store = open_cli_store(args)
    path = write_board(store, cli_actor(args, store), department=args.department, as_of=parse_date(args.as_of),
                       out=out_dir(args.out), lang=args.lang)
    say(M("board report written to {path} (INTERNAL)", path=str(path)))
    return EXIT_OK


def run_sign_packet(args: argparse.Namespace) -> int:
    """Write one sign-packet PDF per site, and one combined print file per department."""
    store = open_cli_store(args)
    out = out_dir(args.out)
    paths = write_sign_packets(store, cli_actor(args, store), site_id=args.site, department=args.department,
                               out=out, base_url=args.base_url, lang=args.lang)
    combined = [p for p in paths if "sign_packets_" in p.name]
    say(M("{packets} sign packet(s) and {combined} combined print file(s) written to {out}",
          packets=len(paths) - len(combined), combined=len(combined), out=str(out)))
    return EXIT_OK


def parse_date(text: str | None) -> dt.date | None:
    """Return ``--as-of`` as a date (``None`` when not given).

    Raises
    ------
    GeoDataError
        When the text is not YYYY-MM-DD.
    """
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise GeoDataError(M("--as-of {text} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-10.",
                             text=repr(text))) from exc
