"""``stagemap events propose|confirm|split|show``: one event, many reports (records and admin).

Exit codes: 0 ok, 2 bad input, 3 stale version, 4 denied.
"""
from __future__ import annotations

import argparse

from geo.analysis.events import EventRules
from geo.messages import M
from geo.services import events
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``events`` verbs."""
    ep = sub.add_parser("events", help="reports of one event: proposals, confirm, split")
    esub = ep.add_subparsers(dest="events_command", required=True)
    pr = esub.add_parser("propose", help="list reports proposed as one event and not yet decided")
    pr.add_argument("--distance-ft", type=float, default=EventRules.distance_ft, help="reports within this distance")
    pr.add_argument("--window-hours", type=float, default=EventRules.window_hours, help="and this time window")
    co = esub.add_parser("confirm", help="confirm that two or more reports are one event")
    co.add_argument("incident_ids", nargs="+")
    co.add_argument("--note")
    sp = esub.add_parser("split", help="split a report out of its event")
    sp.add_argument("incident_id")
    sp.add_argument("--note")
    sh = esub.add_parser("show", help="the reports of one confirmed event")
    sh.add_argument("event_id")
    for p, func in ((pr, run_propose), (co, run_confirm), (sp, run_split), (sh, run_show)):
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)


def run_propose(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = events.proposals(store, cli_actor(args, store), EventRules(args.distance_ft, args.window_hours))
    say(frame.to_string(index=False) if len(frame) else M("no open proposals"))
    return EXIT_OK


def run_confirm(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    event = events.confirm(store, cli_actor(args, store), args.incident_ids, note=args.note)
    say(M("{event}: {count} reports confirmed as one event", event=event, count=len(set(args.incident_ids))))
    return EXIT_OK


def run_split(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    row = events.split(store, cli_actor(args, store), args.incident_id, note=args.note)
    say(M("{incident}: split out, counted as its own event (version {version})", incident=row["incident_id"],
          version=row["version"]))
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = events.event_reports(store, cli_actor(args, store), args.event_id)
    say(frame.to_string(index=False) if len(frame) else M("no confirmed event with that id"))
    return EXIT_OK
