"""``python -m bench.browser``: first paint, pan and zoom in headless Chromium, ours vs naive folium (W8).

Each view is rendered to HTML (self-hosted assets, no tiles), served on loopback and opened in
Debian's Chromium (software rendering, 1280x800) by Playwright. Timestamps come from
``requestAnimationFrame`` (PERFORMANCE.md 6, W8): paint is the second frame after the map
script, measured from navigation start; pan is ``panBy([300, 300])`` and zoom ``setZoom(z +/- 1)``
without animation, each until two frames later (median of several). The naive baseline draws
the same features the folium default way (SVG, full geometry, every column, incidents as
``folium.Marker`` in a ``MarkerCluster``) in the same run. Budgets (paint <= 1 s, pan <= 50 ms,
zoom <= 250 ms) are logged, never gated; the ratios naive / ours are the targets.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
from folium.plugins import MarkerCluster

from bench.app_maps import N_BENCH_INCIDENTS, bench_incidents
from bench.sections import write_section
from geo import schema
from geo.analysis.analyze import analyze
from geo.analysis.incident_filters import counts_by_district
from geo.analysis.lod import AGGREGATE, ALL, MapView, choose_detail, rows_in_view, snap_bounds
from geo.analysis.review import review_frame
from geo.store import open_store
from layers.assets import check_installed, localize, vendor_dir
from layers.incidents import incident_map
from layers.review_map import review_map

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
BUDGET_PAINT_MS, BUDGET_PAN_MS, BUDGET_ZOOM_MS = 1_000, 50, 250
PAINT_TIMEOUT_MS = 180_000
NAIVE_MARKER_CAP = 10_000  # folium.Marker per incident: beyond this the naive page takes minutes
STREET = MapView(15, snap_bounds((-118.272, 34.040, -118.217, 34.067)))  # around City Hall, as bench.app_maps
STREET16 = MapView(16, snap_bounds((-118.2565, 34.0470, -118.2290, 34.0605)))  # the same centre one level in

PROBE = """
<script>
(function () {
  var m = Object.values(window).find(function (v) { return v instanceof L.Map; });
  window.__map = m;
  requestAnimationFrame(function () { requestAnimationFrame(function () { window.__paint = performance.now(); }); });
})();
</script>
"""
INTERACT_JS = """
async ([kind, reps]) => {
  const m = window.__map;
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const out = [];
  const z0 = m.getZoom();
  for (let i = 0; i < reps; i++) {
    await frames();
    const t = performance.now();
    if (kind === 'pan') { const d = i % 2 ? -300 : 300; m.panBy([d, d], {animate: false}); }
    else { m.setZoom(i % 2 ? z0 : Math.min(z0 + 1, m.getMaxZoom()), {animate: false}); }
    await frames();
    out.push(performance.now() - t);
  }
  return out;
}
"""


@dataclass(frozen=True)
class Timing:
    """One page's figures in Chromium (milliseconds) and its HTML size."""

    paint_ms: float
    pan_ms: float
    zoom_ms: float
    html_bytes: int
    build_s: float


@dataclass(frozen=True)
class BrowserRow:
    """One view measured ours and naive, side by side."""

    dataset: str
    view: str
    features: int
    ours: Timing
    naive: Timing | None
    naive_features: int

    def ratio(self, attr: str) -> float | None:
        """naive / ours for ``attr`` (paint_ms, pan_ms, zoom_ms)."""
        if self.naive is None:
            return None
        return getattr(self.naive, attr) / max(getattr(self.ours, attr), 1e-3)

    @property
    def within_budget(self) -> bool:
        """Whether ours meets PERFORMANCE.md section 1 (logged, not gated)."""
        return (self.ours.paint_ms <= BUDGET_PAINT_MS and self.ours.pan_ms <= BUDGET_PAN_MS
                and self.ours.zoom_ms <= BUDGET_ZOOM_MS)


class _Server:
    """Loopback HTTP server: bench pages at /bench/, the vendor folder at /app/static/vendor/."""

    def __init__(self, root: Path) -> None:
        (root / "app" / "static").mkdir(parents=True, exist_ok=True)
        link = root / "app" / "static" / "vendor"
        if not link.exists():
            link.symlink_to(vendor_dir().resolve(), target_is_directory=True)
        (root / "bench").mkdir(exist_ok=True)
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish(self, name: str, html: str) -> str:
        (self.root / "bench" / name).write_text(html, encoding="utf-8")
        return f"{self.url}/bench/{name}"

    def close(self) -> None:
        self.httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def page_html(build: Callable[[], folium.Map]) -> tuple[str, float]:
    """Build and render a map with self-hosted assets and the timing probe; return (html, build seconds)."""
    t0 = time.perf_counter()
    fmap = build()
    localize(fmap, "local")
    html = fmap.get_root().render()
    secs = time.perf_counter() - t0
    return html.replace("</html>", PROBE + "</html>"), secs


def measure(browser: object, url: str, *, html_bytes: int, build_s: float, reps: int = 6) -> Timing:
    """Open ``url`` in a fresh context and time paint, pan and zoom."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
              else r.abort())
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="load", timeout=PAINT_TIMEOUT_MS)
        page.wait_for_function("() => window.__paint !== undefined", timeout=PAINT_TIMEOUT_MS)
        paint = float(page.evaluate("() => window.__paint"))
        pan = statistics.median(page.evaluate(INTERACT_JS, ["pan", reps]))
        zoom = statistics.median(page.evaluate(INTERACT_JS, ["zoom", reps]))
    finally:
        ctx.close()
    return Timing(paint, pan, zoom, html_bytes, build_s)


def naive_polygons(frame: gpd.GeoDataFrame, fields: list[str]) -> folium.Map:
    """The naive baseline for polygons: folium defaults (SVG), full geometry, every column, a tooltip."""
    fmap = folium.Map(location=[34.05, -118.25], zoom_start=STREET.zoom, tiles=None)
    fmap.options["max_zoom"] = 19
    if len(frame):
        fmap.fit_bounds([[frame.total_bounds[1], frame.total_bounds[0]], [frame.total_bounds[3], frame.total_bounds[2]]])
        folium.GeoJson(frame.to_json(default=str), tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(fmap)
    return fmap


def naive_markers(incidents: gpd.GeoDataFrame) -> folium.Map:
    """The naive baseline for incidents: one ``folium.Marker`` with a popup per incident in a MarkerCluster."""
    fmap = folium.Map(location=[34.05, -118.3], zoom_start=10, tiles=None)
    fmap.options["max_zoom"] = 19
    cluster = MarkerCluster().add_to(fmap)
    for pt, iid in zip(incidents.geometry, incidents[schema.INCIDENT_ID]):
        folium.Marker([pt.y, pt.x], popup=str(iid)).add_to(cluster)
    return fmap


def views(store_path: str) -> tuple[list[tuple[str, int, Callable, Callable, int]], list[str]]:
    """Return the heaviest views the budgets allow on a store: (name, features, ours, naive, naive features)."""
    store = open_store(store_path, create=False)
    parcels, incidents, districts = store.read_layer(schema.PARCELS), store.read_layer(schema.INCIDENTS), \
        store.read_layer(schema.DISTRICTS)
    res = analyze(parcels, store.read_layer(schema.SITES), incidents, store.read_status(), store.read_overrides(),
                  districts=districts, parks=store.read_layer(schema.PARKS), as_of=dt.date(2026, 11, 1))
    review = review_frame(res, parcels)
    synthetic = bool(store.is_synthetic())
    # the heaviest drawn view: z15 if its parcels fit the feature cap, else one level in (z16)
    street = STREET
    idx = rows_in_view(review, street)
    detail = choose_detail(len(review), view=street, n_in_view=len(idx))
    if detail == AGGREGATE:
        street = STREET16
        idx = rows_in_view(review, street)
        detail = choose_detail(len(review), view=street, n_in_view=len(idx))
    shown = review if detail == ALL else (review.iloc[idx] if detail != AGGREGATE else review.iloc[:0])
    notes = [f"{Path(store_path).name}: {len(parcels):,} parcels, {len(incidents):,} incidents; review at "
             f"z{street.zoom} around City Hall: {len(idx):,} records in view, detail '{detail}', {len(shown):,} drawn"]
    fields = ["record_id", "kind", "category"]
    out = [(f"Parcel review, street z{street.zoom} ({detail})", len(shown),
            lambda: review_map(shown, districts=districts, aggregate=None, view=street if detail != ALL else None,
                               synthetic=synthetic, note="bench"),
            lambda: naive_polygons(shown, fields), len(shown))]
    counts = counts_by_district(incidents, districts)
    out.append((f"Incident map, clusters, all {len(incidents):,} store incidents", len(incidents),
                lambda: incident_map(incidents, districts, counts, mode="clusters", synthetic=synthetic),
                lambda: naive_markers(incidents.iloc[:NAIVE_MARKER_CAP]), min(len(incidents), NAIVE_MARKER_CAP)))
    return out, notes


def heavy_incident_views(districts: gpd.GeoDataFrame) -> list[tuple[str, int, Callable, Callable | None, int]]:
    """Incident clusters at 10k (ours and naive, same points) and at the budget maximum of 100k (ours only)."""
    heavy = bench_incidents(districts, N_BENCH_INCIDENTS)
    out = []
    for n in (NAIVE_MARKER_CAP, N_BENCH_INCIDENTS):
        part = heavy.iloc[:n]
        counts = counts_by_district(part, districts)
        naive = (lambda part=part: naive_markers(part)) if n <= NAIVE_MARKER_CAP else None
        out.append((f"Incident map, clusters, {n:,} incidents" + (" (budget maximum)" if n == N_BENCH_INCIDENTS else ""),
                    n, lambda part=part, counts=counts: incident_map(part, districts, counts, mode="clusters",
                                                                     synthetic=True),
                    naive, n if naive else 0))
    return out


def run_browser_bench(stores: dict[str, str], *, reps: int = 6, heavy_incidents: bool = True,
                      write: bool = True, log: Callable[[str], None] = print) -> list[BrowserRow]:
    """Measure every view on each store (label -> path); write the BENCHMARKS.md section when ``write``.

    Wiring for bench/run.py: ``from bench.browser import run_browser_bench`` then
    ``run_browser_bench({"sample": sample_path, "800k": large_path})``.
    """
    from playwright.sync_api import sync_playwright

    problems = check_installed()
    if problems:
        raise RuntimeError(f"map assets not installed ({problems[0]}...): python -m tools.install_assets")
    rows: list[BrowserRow] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="stagemap-browser-bench-") as tmp, sync_playwright() as pw:
        server = _Server(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for label, path in stores.items():
                t0 = time.perf_counter()
                todo, view_notes = views(path)
                notes += [f"{label}: {n} (analysis {time.perf_counter() - t0:.1f} s)" for n in view_notes]
                if heavy_incidents and label == list(stores)[-1]:
                    todo += heavy_incident_views(open_store(path, create=False).read_layer(schema.DISTRICTS))
                for i, (view, nfeat, ours_build, naive_build, naive_n) in enumerate(todo):
                    timings = []
                    for kind, build in (("ours", ours_build), ("naive", naive_build)):
                        if build is None:
                            timings.append(None)
                            continue
                        html, secs = page_html(build)
                        url = server.publish(f"{label}-{i}-{kind}.html", html)
                        try:
                            timings.append(measure(browser, url, html_bytes=len(html.encode()), build_s=secs, reps=reps))
                        except Exception as exc:
                            notes.append(f"{label} / {view} / {kind}: not measured ({type(exc).__name__}: "
                                         f"{str(exc).splitlines()[0][:120]})")
                            timings.append(None)
                    if timings[0] is None:
                        continue
                    row = BrowserRow(label, view, nfeat, timings[0], timings[1], naive_n)
                    rows.append(row)
                    log(_line(row))
        finally:
            browser.close()
            server.close()
    if write:
        write_section("browser", _markdown(rows, notes, reps))
    for n in notes:
        log(n)
    return rows


def _fmt_ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:,.1f}x"


def _line(r: BrowserRow) -> str:
    o, n = r.ours, r.naive
    naive = f"naive paint {n.paint_ms:,.0f} pan {n.pan_ms:,.1f} zoom {n.zoom_ms:,.1f} ms" if n else "naive -"
    return (f"{r.dataset:>7} | {r.view:<58} ours paint {o.paint_ms:,.0f} pan {o.pan_ms:,.1f} zoom {o.zoom_ms:,.1f} ms"
            f" ({o.html_bytes / 1e6:.2f} MB) | {naive}")


def _markdown(rows: list[BrowserRow], notes: list[str], reps: int) -> list[str]:
    lines = ["## Browser interaction budgets (W8): paint, pan, zoom in headless Chromium", "",
             f"Run `python -m bench.browser` (`run_browser_bench`). Date {dt.date.today()}; Debian Chromium headless, "
             f"--disable-gpu (software rendering), {VIEWPORT['width']}x{VIEWPORT['height']}, no tiles, self-hosted "
             f"Leaflet 1.9.3. Paint = second animation frame after the map script, from navigation start; pan = "
             f"panBy([300,300]) and zoom = setZoom(z +/- 1) without animation until two frames later, median of {reps}. "
             "Naive = the same features drawn the folium default way (SVG, full geometry, every column; incidents as "
             f"folium.Marker in a MarkerCluster, at most {NAIVE_MARKER_CAP:,}). Budgets (paint <= 1 s, pan <= 50 ms, "
             "zoom <= 250 ms) are logged, not gated; ratios are naive / ours in the same run. Two frames at 60 Hz are "
             "~33 ms, the floor of the pan and zoom figures; on 2 vCPUs runs differ by up to ~40 %.", "",
             "| Data | View | Features | HTML | Paint (ms) | Pan (ms) | Zoom (ms) | Naive features | Naive HTML | "
             "Naive paint | Naive pan | Naive zoom | Paint ratio | Pan ratio | Zoom ratio | Within budget |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        o, n = r.ours, r.naive
        naive = (f"{r.naive_features:,} | {n.html_bytes / 1e6:.2f} MB | {n.paint_ms:,.0f} | {n.pan_ms:,.1f} | "
                 f"{n.zoom_ms:,.1f}") if n else "- | - | not measured | - | -"
        lines.append(f"| {r.dataset} | {r.view} | {r.features:,} | {o.html_bytes / 1e6:.2f} MB | {o.paint_ms:,.0f} | "
                     f"{o.pan_ms:,.1f} | {o.zoom_ms:,.1f} | {naive} | {_fmt_ratio(r.ratio('paint_ms'))} | "
                     f"{_fmt_ratio(r.ratio('pan_ms'))} | {_fmt_ratio(r.ratio('zoom_ms'))} | "
                     f"{'yes' if r.within_budget else '**NO**'} |")
    return [*lines, "", *[f"- {n}" for n in notes]]


def _ensure_store(path: Path, parcels: int | None) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [str(Path(sys.executable).parent / "stagemap"), "sample", "--store", str(path)]
        subprocess.run(cmd + (["--parcels", str(parcels)] if parcels else []), check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    """Measure the sample and (unless --no-large) an 800k-parcel store; record the section in BENCHMARKS.md."""
    p = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.splitlines()[0])
    p.add_argument("--sample-store", default="/tmp/stagemap-bench/browser-sample.gpkg")
    p.add_argument("--large-store", default="/tmp/stagemap-bench/browser-800k.gpkg")
    p.add_argument("--large-parcels", type=int, default=800_000)
    p.add_argument("--no-large", action="store_true")
    p.add_argument("--reps", type=int, default=6)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    stores = {"sample": str(_ensure_store(Path(args.sample_store), None))}
    if not args.no_large:
        stores["800k"] = str(_ensure_store(Path(args.large_store), args.large_parcels))
    rows = run_browser_bench(stores, reps=args.reps, write=not args.no_write)
    return 0 if rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
