"""``stagemap tiles``: build the parcel vector tiles of the store's data version (and prepare the app's analysis)."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import TextIO

from geo.services.analysis import persist_for_app
from geo.services.tiles import build_parcel_tiles, tile_state
from geo.store import Store
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store


class ProgressBar:
    """A one-line text progress bar on stderr: ``[#####.....]  48 %  step  (12 s)``."""

    def __init__(self, label: str, *, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.width, self.stream = label, width, stream or sys.stderr
        self.t0 = time.perf_counter()
        self._last = ""

    def __call__(self, fraction: float, step: str) -> None:
        """Redraw the bar at ``fraction`` (0-1) with the current ``step``."""
        f = min(max(fraction, 0.0), 1.0)
        filled = round(f * self.width)
        line = (f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {f * 100:3.0f} %  "
                f"{step[:60]:<60} ({time.perf_counter() - self.t0:,.0f} s)")
        if line != self._last:
            self.stream.write(line)
            self.stream.flush()
            self._last = line

    def done(self) -> None:
        """End the bar's line."""
        self.stream.write("\n")
        self.stream.flush()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tiles build`` and ``tiles status``."""
    ap = sub.add_parser("tiles", help="parcel vector tiles (PMTiles) for the Parcel review map")
    verbs = ap.add_subparsers(dest="tiles_command", required=True)
    build = verbs.add_parser("build", help="build the archive of the current data version (after an import)")
    build.add_argument("--force", action="store_true", help="rebuild even if this version's archive exists")
    build.add_argument("--no-analysis", action="store_true",
                       help="do not also prepare (persist) today's analysis for the app")
    add_store(build)
    add_user(build)
    build.set_defaults(func=run_build)
    status = verbs.add_parser("status", help="show the archives and any build in progress")
    add_store(status)
    status.set_defaults(func=run_status)


def run_build(args: argparse.Namespace) -> int:
    """Build the tiles with a progress bar; then persist today's analysis unless asked not to."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    bar = ProgressBar("tiles   ")
    archive = build_parcel_tiles(store, actor, force=args.force, progress=bar)
    bar.done()
    print(f"parcel tiles of data version {archive.version}: {archive.parcels:,} parcels, "
          f"{archive.bytes / 1e6:,.1f} MB, built in {archive.build_s:,.1f} s -> {archive.url}")
    if not args.no_analysis:
        _prepare_analysis(store)
    return EXIT_OK


def _prepare_analysis(store: Store) -> None:
    bar = ProgressBar("analysis")
    if persist_for_app(store, progress=bar):
        bar.done()
        print(f"analysis of data version {store.data_version()} as of {dt.date.today()} saved for the app")
    else:
        print(f"analysis of data version {store.data_version()} as of {dt.date.today()} was already saved")


def run_status(args: argparse.Namespace) -> int:
    """Print the archive of the current version, the one shown, and any build in progress."""
    state = tile_state(open_cli_store(args))
    print(f"data version {state.version}: " + (f"archive ready ({state.current.bytes / 1e6:,.1f} MB, "
          f"{state.current.parcels:,} parcels)" if state.current else "no archive"))
    if state.stale and state.shown is not None:
        print(f"the app shows the archive of data version {state.shown.version} until then")
    if state.building is not None:
        print(f"building: {state.building.fraction * 100:.0f} % ({state.building.step}), process {state.building.pid}")
    if state.failed:
        print(f"the last build failed: {state.failed}")
    return EXIT_OK
