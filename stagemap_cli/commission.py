"""``stagemap report commission``: the Police Commission's monthly Section B PDF (internal, or --public)."""
from __future__ import annotations

import argparse

from geo.analysis.asof import parse_as_of
from geo.i18n import LANGUAGES
from geo.messages import M
from geo.services.commission import write_commission, write_commission_public
from stagemap_cli.common import EXIT_OK, add_out_dir, add_store, add_user, cli_actor, open_cli_store, out_dir
from stagemap_cli.say import say


def register_report(rsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report commission`` to the ``report`` verbs."""
    cp = rsub.add_parser("commission", help="Section B: LAPD scene duties, public reports, referrals and cadence "
                                            "for the Police Commission and the Mayor (internal; --public: suppressed)")
    cp.add_argument("--month", required=True, help="YYYY-MM")
    cp.add_argument("--as-of", help="YYYY-MM-DD: cadence and overdue referrals counted to it; the public version "
                                    "needs the month closed by it (default today, Los Angeles)")
    cp.add_argument("--public", action="store_true", help="the public version: published once, suppressed at k=11")
    cp.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the PDF: en (default) or es")
    add_out_dir(cp)
    add_store(cp)
    add_user(cp)
    cp.set_defaults(func=run_commission)


def run_commission(args: argparse.Namespace) -> int:
    """Write the month's Commission PDF (internal, or the public version)."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    writer = write_commission_public if args.public else write_commission
    path = writer(store, actor, month=args.month, as_of=parse_as_of(args.as_of), out=out_dir(args.out), lang=args.lang)
    say(M("commission report {month} written to {path} ({scope})", month=args.month, path=str(path),
          scope=M("PUBLIC, suppressed") if args.public else M("INTERNAL")))
    return EXIT_OK
