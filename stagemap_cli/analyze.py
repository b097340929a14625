"""``stagemap analyze``: classify sites, score risk, snap incidents, find gaps; tables to files (internal)."""
from __future__ import annotations

import argparse

from geo.services.analysis import ENGINES, run_analysis
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import language, say
from stagemap_cli.tiles import ProgressBar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``analyze``."""
    ap = sub.add_parser("analyze", help="classify sites, score staging risk, snap incidents, find gaps")
    ap.add_argument("--out", required=True, help="output directory for GeoParquet and CSV tables")
    ap.add_argument("--as-of", help="analysis date YYYY-MM-DD: every window and deadline counts to it (default: today, "
                                    "Los Angeles; never the latest incident)")
    ap.add_argument("--ramps", help="optional point file of freeway ramps")
    ap.add_argument("--engine", choices=ENGINES, default="single",
                    help="single: one process (default); dask: partitioned on dask-geopandas, identical results")
    ap.add_argument("--workers", type=int, default=2, help="--engine dask: processes of the local cluster (default 2)")
    ap.add_argument("--scheduler", metavar="ADDRESS",
                    help="--engine dask: an existing Dask scheduler (tcp://host:8786) instead of a local cluster")
    add_store(ap)
    add_user(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the analysis with a progress bar and print its summary (the run is also saved for the app)."""
    store = open_cli_store(args)
    bar = ProgressBar("analysis")
    summary = run_analysis(store, cli_actor(args, store), out_dir=args.out, as_of=args.as_of, ramps_path=args.ramps,
                           engine=args.engine, workers=args.workers, scheduler=args.scheduler, progress=bar,
                           lang=language())
    bar.done()
    say(summary)
    return EXIT_OK
