"""``stagemap measures add|update|list``: the day-15 board measures (Airport, Harbor, Recreation and Parks).

The board report (`stagemap report board`) lists them with the sign and barrier figures.
Exit codes: 0 ok, 2 bad input, 3 stale version, 4 denied.
"""
from __future__ import annotations

import argparse

from geo.messages import M
from geo.services import measures
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``measures`` verbs."""
    mp = sub.add_parser("measures", help="day-15 board measures of the police departments on City property")
    msub = mp.add_subparsers(dest="measures_command", required=True)
    add = msub.add_parser("add", help="record a measure")
    add.add_argument("--department", required=True)
    add.add_argument("--type", required=True, help="patrol, access_control, signage, training, reporting_protocol, "
                                                   "coordination_with_lapd or other")
    add.add_argument("--description", required=True)
    add.add_argument("--start", help="start date, YYYY-MM-DD")
    add.add_argument("--sites", help="site ids covered, separated by ';' (blank: all)")
    add.add_argument("--status", default="in_place", help="planned, in_place or ended")
    up = msub.add_parser("update", help="change a measure (status, description, dates, sites)")
    up.add_argument("measure_id")
    up.add_argument("--department", required=True)
    up.add_argument("--version", type=int, required=True)
    up.add_argument("--status")
    up.add_argument("--description")
    up.add_argument("--start")
    up.add_argument("--sites")
    ls = msub.add_parser("list", help="the recorded measures")
    ls.add_argument("--department")
    for p, func in ((add, run_add), (up, run_update), (ls, run_list)):
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)


def _show(row: dict[str, object]) -> int:
    say(M("{measure} {department}: {kind}, {status}, from {start} (version {version})", measure=row["measure_id"],
          department=row["department"], kind=row["measure_type"], status=row["status"],
          start=row["start_date"] or "-", version=row["version"]))
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    return _show(measures.save_measure(store, cli_actor(args, store), args.department,
                                       {"measure_type": args.type, "description": args.description,
                                        "start_date": args.start, "site_ids": args.sites, "status": args.status}))


def run_update(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    changes = {k: v for k, v in (("status", args.status), ("description", args.description),
                                 ("start_date", args.start), ("site_ids", args.sites)) if v is not None}
    return _show(measures.save_measure(store, cli_actor(args, store), args.department, changes,
                                       measure_id=args.measure_id, expect_version=args.version))


def run_list(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = measures.measures(store, cli_actor(args, store), args.department)
    say(frame.to_string(index=False) if len(frame) else M("no measures recorded"))
    return EXIT_OK
