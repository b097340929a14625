"""``stagemap boundaries list|use``: the stored boundary sets and which one of each kind is current."""
from __future__ import annotations

import argparse

from geo.messages import M
from geo.services.boundaries import boundary_sets, make_current
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say

KINDS = ("council_districts", "lapd_divisions", "neighborhood_councils")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``boundaries list`` and ``boundaries use``."""
    bp = sub.add_parser("boundaries", help="boundary sets with vintages: list them, switch the current one")
    bsub = bp.add_subparsers(dest="boundaries_command", required=True)
    ls = bsub.add_parser("list", help="every stored set, its vintage and whether it is current")
    ls.add_argument("--kind", choices=KINDS)
    add_store(ls)
    ls.set_defaults(func=run_list)
    use = bsub.add_parser("use", help="make a stored set current: every parcel, site and incident is re-assigned "
                                      "(admins)")
    use.add_argument("set_id", help="the set's id, as `stagemap boundaries list` shows it")
    add_store(use)
    add_user(use)
    use.set_defaults(func=run_use)


def run_list(args: argparse.Namespace) -> int:
    """Print the stored sets."""
    sets = boundary_sets(open_cli_store(args), args.kind)
    if not len(sets):
        say(M("no boundary sets stored; import one with `stagemap import districts FILE`"))
        return EXIT_OK
    for _, row in sets.iterrows():
        mark = "*" if row["is_current"] else " "
        say(M("{mark} {set_id}  ({kind}, vintage {vintage}, {features} features, imported {at} by {by})", mark=mark,
              set_id=row["set_id"], kind=row["kind"],
              vintage=row["vintage"] if isinstance(row["vintage"], str) else M("not given"),
              features=int(row["features"]), at=str(row["imported_at"])[:10], by=row["imported_by"]))
    say(M("* = current"))
    return EXIT_OK


def run_use(args: argparse.Namespace) -> int:
    """Switch the current set and print how many rows moved."""
    store = open_cli_store(args)
    say(make_current(store, cli_actor(args, store), args.set_id).summary())
    return EXIT_OK
