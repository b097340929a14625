"""``stagemap analyze``: classify sites, score risk, snap incidents, find gaps; tables to files (internal)."""
from __future__ import annotations

import argparse

from geo.services.analysis import run_analysis
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``analyze``."""
    ap = sub.add_parser("analyze", help="classify sites, score staging risk, snap incidents, find gaps")
    ap.add_argument("--out", required=True, help="output directory for GeoParquet and CSV tables")
    ap.add_argument("--as-of", help="analysis date YYYY-MM-DD (default: latest incident date in the store)")
    ap.add_argument("--ramps", help="optional point file of freeway ramps")
    add_store(ap)
    add_user(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the analysis and print its summary."""
    store = open_cli_store(args)
    print(run_analysis(store, cli_actor(args, store), out_dir=args.out, as_of=args.as_of, ramps_path=args.ramps))
    return EXIT_OK
