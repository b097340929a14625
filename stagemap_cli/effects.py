"""``stagemap effects``: did signs work? Before/after (difference in differences), internal CSV.

Exit codes: 0 ok, 2 bad input, 4 denied.
"""
from __future__ import annotations

import argparse
import datetime as dt

from geo.analysis.before_after import EffectRules
from geo.analysis.timefmt import today_local
from geo.io.export import export_name
from geo.services.effects import effect_csv, effect_tables
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store, out_dir
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``effects``."""
    p = sub.add_parser("effects", help="before/after at protected sites vs unprotected ones (internal)")
    p.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD (default today)")
    p.add_argument("--radius-ft", type=float, default=EffectRules.radius_ft)
    p.add_argument("--window-days", type=int, default=EffectRules.window_days)
    p.add_argument("--min-events", type=int, default=EffectRules.min_events)
    p.add_argument("--out", help="write the summary CSV into this directory")
    add_store(p)
    add_user(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    as_of = args.as_of or today_local()
    rules = EffectRules(args.radius_ft, args.window_days, args.min_events)
    summary, _ = effect_tables(store, actor, as_of=as_of, rules=rules)
    say(summary[summary["scope"] != "site"].to_string(index=False))
    if args.out:
        path = out_dir(args.out) / export_name(f"before_after_{as_of}", "csv", synthetic=bool(store.is_synthetic()))
        path.write_bytes(effect_csv(store, actor, as_of=as_of, rules=rules))
        say(str(path))
    return EXIT_OK
