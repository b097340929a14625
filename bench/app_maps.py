"""``python -m bench.app_maps``: page map payloads and build times at City scale (W6, W7).

For every page's map at the heaviest view the app allows, the HTML bytes and the Python build
time (construct plus render, as st_folium does) are measured beside a naive folium map of the
same city view (SVG, every parcel with all its columns, incidents as ``folium.Marker``). The
naive map of 800k parcels would be hundreds of MB, so it is built on a slice and scaled
linearly (bytes and time are linear in features); the slice size is printed. Targets:
HTML <= 10 MB per map, naive / ours >= 20x on the initial city view (asserted); build
<= 0.5 s (logged). W6 compares a warm rerun's data access with st.cache_resource against the
unpickling a st.cache_data hit would cost.
"""
from __future__ import annotations

import argparse
import datetime as dt
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.sections import write_section
from geo import schema
from geo.analysis.analyze import analyze
from geo.analysis.incident_filters import counts_by_district
from geo.analysis.lod import MapView, choose_detail, rows_in_view, snap_bounds
from geo.analysis.review import review_frame
from geo.crs import feet_to_lonlat
from geo.store import open_store
from layers.incidents import incident_map
from layers.overview import store_overview_map
from layers.review_map import review_map
from layers.site_map import site_map

MAX_HTML = 10_000_000
NAIVE_SLICE = 25_000
N_BENCH_INCIDENTS = 100_000


@dataclass(frozen=True)
class MapRow:
    """One measured map view."""

    view: str
    features: int
    html_bytes: int
    build_s: float
    naive_bytes: float | None = None
    naive_s: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.naive_bytes is None else self.naive_bytes / self.html_bytes

    @property
    def ok(self) -> bool:
        return self.html_bytes <= MAX_HTML and (self.ratio is None or self.ratio >= 20)


def _render(build) -> tuple[int, float, int]:
    t0 = time.perf_counter()
    fmap = build()
    html = fmap.get_root().render()
    return len(html.encode()), time.perf_counter() - t0, html.count('"type": "Feature"')


def naive_city_map(parcels: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> tuple[float, float, str]:
    """Return (bytes, seconds) of a naive folium map of every parcel and incident, scaled from a slice."""
    part = parcels.iloc[:NAIVE_SLICE]
    inc = incidents.iloc[:min(len(incidents), 5_000)]

    def build() -> folium.Map:
        fmap = folium.Map(location=[34.05, -118.3], zoom_start=10)
        folium.GeoJson(part.to_json(default=str), tooltip=folium.GeoJsonTooltip(fields=["ain", "use_code"])).add_to(fmap)
        for pt, iid in zip(inc.geometry, inc[schema.INCIDENT_ID]):
            folium.Marker([pt.y, pt.x], popup=str(iid)).add_to(fmap)
        return fmap

    nbytes, secs, _ = _render(build)
    scale_p = len(parcels) / len(part)
    scale_i = len(incidents) / max(len(inc), 1)
    # parcels dominate; scale each part by its own factor using a parcels-only measurement
    pbytes, psecs, _ = _render(lambda: folium.GeoJson(part.to_json(default=str)).add_to(folium.Map()))
    return (pbytes * scale_p + (nbytes - pbytes) * scale_i, psecs * scale_p + (secs - psecs) * scale_i,
            f"{len(part):,} parcels and {len(inc):,} markers built, scaled x{scale_p:,.0f} / x{scale_i:,.0f}")


def bench_incidents(districts: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic incidents clustered around City Hall (for the heaviest incident view)."""
    i = np.arange(n, dtype=np.uint64)
    z = (i * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(11)
    u = (z % np.uint64(1_000_003)).astype(float) / 1_000_003
    v = ((z // np.uint64(1_000_003)) % np.uint64(999_983)).astype(float) / 999_983
    x = 6_488_151 + (u - 0.5) * 120_000
    y = 1_842_013 + (v - 0.5) * 120_000
    lon, lat = feet_to_lonlat(x, y)
    return gpd.GeoDataFrame({
        schema.INCIDENT_ID: [f"B-{k}" for k in range(n)], schema.INCIDENT_TYPE: "staging_area",
        schema.VERIFICATION: np.where(u < 0.5, "unverified", "corroborated"),
        schema.OCCURRED_AT: pd.Timestamp("2026-06-01", tz="UTC"), schema.COUNCIL_DISTRICT: 1,
    }, geometry=shapely.points(lon, lat), crs="EPSG:4326")


def run(store_url: str) -> tuple[list[MapRow], list[str]]:
    """Measure every page map on the store at ``store_url``."""
    notes: list[str] = []
    store = open_store(store_url, create=False)
    t0 = time.perf_counter()
    parcels, sites = store.read_layer(schema.PARCELS), store.read_layer(schema.SITES)
    incidents, districts = store.read_layer(schema.INCIDENTS), store.read_layer(schema.DISTRICTS)
    status = store.read_status()
    notes.append(f"store read: {len(parcels):,} parcels in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    res = analyze(parcels, sites, incidents, status, store.read_overrides(), districts=districts,
                  as_of=dt.date(2026, 11, 1))
    review = review_frame(res, parcels)
    notes.append(f"analysis + review frame: {time.perf_counter() - t0:.1f} s (cached once per store version in the app)")
    synthetic = bool(store.is_synthetic())
    rows: list[MapRow] = []
    naive_b, naive_s, how = naive_city_map(parcels, incidents)
    notes.append(f"naive city map: {how}: {naive_b / 1e6:,.0f} MB, {naive_s:,.1f} s")

    def add(view: str, build, naive: bool = True) -> None:
        nbytes, secs, feats = _render(build)
        rows.append(MapRow(view, feats, nbytes, secs, naive_b if naive else None, naive_s if naive else None))

    add("Overview, city", lambda: store_overview_map(sites=sites, status=status, parcels=parcels,
                                                    incidents=incidents, districts=districts, synthetic=synthetic))
    detail = choose_detail(len(review), view=None, n_in_view=None)
    add(f"Parcel review, city ({detail})", lambda: review_map(review.iloc[:0], districts=districts,
                                                              aggregate=counts_by_district(review, districts),
                                                              view=None, synthetic=synthetic, note="bench"))
    street = MapView(15, snap_bounds((-118.272, 34.040, -118.217, 34.067)))
    idx = rows_in_view(review, street)
    shown = review.iloc[idx] if choose_detail(len(review), view=street, n_in_view=len(idx)) == "view" else review.iloc[:0]
    notes.append(f"street view z15 around City Hall: {len(idx):,} records in view ({len(shown):,} drawn)")
    add("Parcel review, street z15", lambda: review_map(shown, districts=districts, aggregate=None, view=street,
                                                        synthetic=synthetic, note="bench"), naive=False)
    street16 = MapView(16, snap_bounds((-118.2565, 34.0470, -118.2290, 34.0605)))
    idx16 = rows_in_view(review, street16)
    shown16 = review.iloc[idx16] if choose_detail(len(review), view=street16, n_in_view=len(idx16)) == "view" \
        else review.iloc[:0]
    notes.append(f"street view z16 around City Hall: {len(idx16):,} records in view ({len(shown16):,} drawn)")
    add("Parcel review, street z16", lambda: review_map(shown16, districts=districts, aggregate=None, view=street16,
                                                        synthetic=synthetic, note="bench"), naive=False)
    for dept in sorted(res.sites[schema.OWNING_DEPT].unique())[:1]:
        mine = res.sites[res.sites[schema.OWNING_DEPT] == dept]
        add(f"Liaison ({dept})", lambda mine=mine: site_map(mine, color_by="sign", fields=[schema.SITE_ID, schema.NAME],
                                                           aliases=["Site", "Name"], synthetic=synthetic))
    gaps = res.sites[res.sites["protection"] != "protected"]
    add("Gap analysis", lambda: site_map(gaps, color_by="tier", fields=[schema.SITE_ID, schema.NAME], aliases=["Site", "Name"],
                                         synthetic=synthetic, districts=districts))
    heavy = bench_incidents(districts, N_BENCH_INCIDENTS)
    counts = counts_by_district(heavy, districts)
    for mode in ("clusters", "heat", "choropleth"):
        add(f"Incident map, {N_BENCH_INCIDENTS:,} incidents, {mode}" + (" (over the point cap: heat map)"
                                                                       if mode == "clusters" else ""),
            lambda mode=mode: incident_map(heavy, districts, counts, mode=mode, synthetic=synthetic))
    notes += w6_cache(parcels)
    return rows, notes


def w6_cache(parcels: gpd.GeoDataFrame) -> list[str]:
    """Return W6 figures: a st.cache_data hit unpickles the frame; a st.cache_resource hit does not."""
    blob = pickle.dumps(parcels, protocol=pickle.HIGHEST_PROTOCOL)
    t0 = time.perf_counter()
    pickle.loads(blob)
    unpickle = time.perf_counter() - t0
    shared = {"k": parcels}
    t0 = time.perf_counter()
    for _ in range(1000):
        shared["k"]
    hit = (time.perf_counter() - t0) / 1000
    rerun = _warm_rerun_seconds()
    return [f"W6: st.cache_data hit on {len(parcels):,} parcels = unpickle {len(blob) / 1e6:,.0f} MB in "
            f"{unpickle:.2f} s; st.cache_resource hit {hit * 1e6:.1f} µs ({unpickle / max(hit, 1e-9):,.0f}x); "
            f"measured warm rerun of the Gap page after a toggle: {rerun}"]


def _warm_rerun_seconds() -> str:
    code = (
        "import time; from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=600); at.run()\n"
        "at.switch_page('app_pages/gaps.py').run()\n"
        "t = time.perf_counter(); at.toggle(key='gap_high_only').set_value(True).run(); a = time.perf_counter() - t\n"
        "t = time.perf_counter(); at.toggle(key='gap_high_only').set_value(False).run(); b = time.perf_counter() - t\n"
        "print(f'{min(a, b):.2f} s (page work included)')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1],
                         env={**__import__("os").environ, "STAGEMAP_AUTH": "demo"}, timeout=900)
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else "not measured"


def main(argv: list[str] | None = None) -> int:
    """Run the page-map benchmark on a store and record it in BENCHMARKS.md."""
    p = argparse.ArgumentParser(prog="python -m bench.app_maps")
    p.add_argument("--store", default="/tmp/stagemap-bench/app800k.gpkg")
    p.add_argument("--parcels", type=int, default=800_000)
    args = p.parse_args(argv)
    path = Path(args.store)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(Path(sys.executable).parent / "stagemap"), "sample", "--parcels", str(args.parcels),
                        "--store", str(path)], check=True)
    __import__("os").environ["STAGEMAP_STORE"] = str(path)
    rows, notes = run(str(path))
    lines = ["## Page maps at City scale (W6, W7)", "", f"Store: {path.name}. " + " ".join(notes[:2]), "",
             "| View | Features drawn | HTML | Build (s) | Naive city map | Naive / ours | Met |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        naive = f"{r.naive_bytes / 1e6:,.0f} MB" if r.naive_bytes else "-"
        ratio = f"{r.ratio:,.0f}x" if r.ratio else "-"
        lines.append(f"| {r.view} | {r.features:,} | {r.html_bytes / 1e6:.2f} MB | {r.build_s:.2f} | {naive} | "
                     f"{ratio} | {'yes' if r.ok else '**NO**'} |")
        print(f"{r.view:<48} {r.features:>7,} feats {r.html_bytes / 1e6:7.2f} MB {r.build_s:6.2f} s "
              f"{ratio:>8} {'met' if r.ok else 'MISSED'}", flush=True)
    lines += ["", *[f"- {n}" for n in notes[2:]], "",
              "Targets: HTML <= 10 MB per map and naive / ours >= 20x (asserted); Python build <= 0.5 s (logged)."]
    write_section("app-maps", lines)
    for n in notes:
        print(n)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
