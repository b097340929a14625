"""``stagemap retention run|report|hold|release``: reporter-contact expiry and legal holds."""
from __future__ import annotations

import argparse

from geo import duties
from geo.analysis.asof import parse_as_of
from geo.messages import M
from geo.services import retention
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``retention run``, ``retention report``, ``retention hold`` and ``retention release``."""
    rp = sub.add_parser("retention", help="reporter contacts expire after the retention period unless on legal hold")
    rsub = rp.add_subparsers(dest="retention_command", required=True)
    run = rsub.add_parser("run", help="delete the reporter contacts past the period (not those on hold)")
    rep = rsub.add_parser("report", help="list the reporter contacts expiring next (ids only, never the contact)")
    rep.add_argument("--within", type=int, default=30, help="days ahead (default 30)")
    for p in (run, rep):
        p.add_argument("--as-of", help="YYYY-MM-DD (default today, Los Angeles)")
        p.add_argument("--days", type=int, default=duties.CONTACT_RETENTION_DAYS,
                       help=f"retention period in days (default {duties.CONTACT_RETENTION_DAYS}, "
                            "$STAGEMAP_CONTACT_RETENTION_DAYS)")
    hold = rsub.add_parser("hold", help="place a legal hold on an incident's contacts and evidence")
    hold.add_argument("incident_id")
    hold.add_argument("--reason", required=True, help="the matter or order the hold serves")
    rel = rsub.add_parser("release", help="release a legal hold (it stays on record)")
    rel.add_argument("hold_id")
    rel.add_argument("--reason", required=True)
    for p, func in ((run, run_run), (rep, run_report), (hold, run_hold), (rel, run_release)):
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)


def run_run(args: argparse.Namespace) -> int:
    """Delete expired, unheld reporter contacts and say how many."""
    store = open_cli_store(args)
    out = retention.run_retention(store, cli_actor(args, store), as_of=parse_as_of(args.as_of), days=args.days)
    say(M("{deleted} reporter contact(s) deleted (created before {cutoff}); {kept} kept on legal hold",
          deleted=len(out.deleted), cutoff=out.cutoff, kept=len(out.kept_on_hold)))
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    """Print the contacts expiring within ``--within`` days."""
    store = open_cli_store(args)
    due = retention.retention_report(store, cli_actor(args, store), as_of=parse_as_of(args.as_of),
                                     within=args.within, days=args.days)
    for r in due.itertuples(index=False):
        say(M("{contact}\t{incident}\texpires {expires}\t{days} day(s)\t{hold}", contact=r.contact_id,
              incident=r.incident_id, expires=r.expires_on, days=r.days_left,
              hold=M("HOLD {hold}", hold=str(r.hold_id)) if isinstance(r.hold_id, str) else ""))
    say(M("{count} contact(s) expire within {days} days", count=len(due), days=args.within))
    return EXIT_OK


def run_hold(args: argparse.Namespace) -> int:
    """Place a legal hold."""
    store = open_cli_store(args)
    hold_id = retention.place_hold(store, cli_actor(args, store), args.incident_id, args.reason)
    say(M("legal hold {hold} placed on {incident}", hold=hold_id, incident=args.incident_id))
    return EXIT_OK


def run_release(args: argparse.Namespace) -> int:
    """Release a legal hold."""
    store = open_cli_store(args)
    retention.release_hold(store, cli_actor(args, store), args.hold_id, args.reason)
    say(M("legal hold {hold} released", hold=args.hold_id))
    return EXIT_OK
