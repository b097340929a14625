"""``stagemap tiles``: build the parcel vector tiles of the store's data version (and prepare the app's analysis)."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import TextIO

from geo.messages import M
from geo.services.analysis import persist_for_app
from geo.services.tiles import build_parcel_tiles, tile_state
from geo.store import Store
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say, text


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
                f"{text(step)[:60]:<60} ({time.perf_counter() - self.t0:,.0f} s)")
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
    say(M("parcel tiles of data version {version}: {parcels:,} parcels, {mb:,.1f} MB, built in {seconds:,.1f} s -> "
          "{url}", version=archive.version, parcels=archive.parcels, mb=archive.bytes / 1e6, seconds=archive.build_s,
          url=archive.url))
    if not args.no_analysis:
        _prepare_analysis(store)
    return EXIT_OK


def _prepare_analysis(store: Store) -> None:
    bar = ProgressBar("analysis")
    if persist_for_app(store, progress=bar):
        bar.done()
        say(M("analysis of data version {version} as of {day} saved for the app", version=store.data_version(),
              day=dt.date.today()))
    else:
        say(M("analysis of data version {version} as of {day} was already saved", version=store.data_version(),
              day=dt.date.today()))


def run_status(args: argparse.Namespace) -> int:
    """Print the archive of the current version, the one shown, and any build in progress."""
    state = tile_state(open_cli_store(args))
    say(M("data version {version}: {archive}", version=state.version, archive=M(
        "archive ready ({mb:,.1f} MB, {parcels:,} parcels)", mb=state.current.bytes / 1e6, parcels=state.current.parcels)
        if state.current else M("no archive")))
    if state.stale and state.shown is not None:
        say(M("the app shows the archive of data version {version} until then", version=state.shown.version))
    if state.building is not None:
        say(M("building: {percent:.0f} % ({step}), process {pid}", percent=state.building.fraction * 100,
              step=state.building.step, pid=state.building.pid))
    if state.failed:
        say(M("the last build failed: {why}", why=state.failed))
    return EXIT_OK
