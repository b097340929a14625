"""Every parcel from vector tiles in Chromium: a 100k-parcel store, a district panned at zoom 14, a click, its panel."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from playwright.sync_api import expect

from geo import schema
from geo.access.roles import Actor
from geo.services.analysis import persist_for_app
from geo.services.tiles import build_parcel_tiles, store_tile_location
from geo.store import open_store
from tests.browser import drive
from tests.browser.conftest import REPO, TILES_LOADED_JS, _ensure_assets, screenshot, serve

N_PARCELS = 100_000
PAINTED_JS = """([lat, lon]) => {
  // the pixel under the parcel, read from the tile canvas that holds it: drawn, not blank
  const l = window.stagemapParcelTiles, map = window.map;
  const p = map.latLngToContainerPoint([lat, lon]);
  for (const t of Object.values(l._tiles)) {
    const r = t.el.getBoundingClientRect(), c = map.getContainer().getBoundingClientRect();
    const x = p.x + c.left - r.left, y = p.y + c.top - r.top;
    if (x >= 0 && y >= 0 && x < r.width && y < r.height) {
      const px = t.el.getContext("2d").getImageData(Math.floor(x * t.el.width / r.width),
                                                     Math.floor(y * t.el.height / r.height), 1, 1).data;
      return px[3] > 0;
    }
  }
  return false;
}"""


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic store of about 100k parcels (City scale is 800k), built once for this module."""
    path = tmp_path_factory.mktemp("tiles_big") / "big.gpkg"
    subprocess.run([sys.executable, "-c", "import sys; from stagemap_cli import main; sys.exit(main(sys.argv[1:]))",
                    "sample", "--store", str(path), "--parcels", str(N_PARCELS)],
                   check=True, cwd=REPO, capture_output=True, timeout=900)
    return path


def _target(store_path: Path) -> tuple[str, int, float, float]:
    """A private parcel in the busiest district, not part of a site: (AIN, district, lat, lon inside it)."""
    store = open_store(str(store_path), create=False)
    parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN, schema.COUNCIL_DISTRICT, schema.USE_CODE])
    site_ains = {a for s in store.read_layer(schema.SITES)[schema.AINS] for a in str(s).split(";")}
    district = int(parcels[schema.COUNCIL_DISTRICT].value_counts().index[0])
    mine = parcels[(parcels[schema.COUNCIL_DISTRICT] == district) & ~parcels[schema.AIN].isin(site_ains)
                   & ~parcels[schema.USE_CODE].fillna("").str[:2].isin([str(n) for n in range(80, 89)])]
    row = mine.iloc[len(mine) // 2]
    inside = shapely.point_on_surface(row.geometry)
    return str(row[schema.AIN]), district, inside.y, inside.x


def test_a_planner_pans_a_district_at_zoom_14_sees_tiled_parcels_and_opens_one(tmp_path, big_store, new_context):
    _ensure_assets()
    with serve(tmp_path, big_store, env={"STAGEMAP_AUTH": "demo", "STAGEMAP_PARCEL_TILES": "off"}) as app:
        store = open_store(str(app.store), create=False)
        assert len(store.read_layer(schema.PARCELS, columns=[schema.AIN])) >= N_PARCELS
        archive = build_parcel_tiles(store, Actor("tile test", "planner", source="cli"))  # served from ./static/tiles
        folder = store_tile_location(store).archive_dir
        persist_for_app(store)
        try:
            ain, district, lat, lon = _target(app.store)
            ctx, guard = new_context()
            page = ctx.new_page()
            ranges: list[tuple[int, str | None]] = []
            page.on("response", lambda r: ranges.append((r.status, r.request.headers.get("range")))
                    if archive.file in r.url else None)
            drive.open_app(page, app.url)
            drive.as_role(page, "planner")
            drive.nav(page, "Parcel review")
            drive.select(page, "district", f"District {district}")
            drive.wait_idle(page, started_ms=5_000)  # on a loaded machine the district's rerun can start late
            frame = drive.map_frame(page)
            frame.wait_for_function("() => !!window.stagemapParcelTiles", timeout=drive.RERUN_TIMEOUT_MS)
            frame.evaluate("([lat, lon]) => window.map.setView([lat, lon], 14, {animate: false})", [lat, lon])
            for dx, dy in ((350, 0), (0, 250), (-350, 0), (0, -250)):  # across the district, back to the parcel
                frame.wait_for_function(TILES_LOADED_JS, timeout=drive.RERUN_TIMEOUT_MS)
                frame.evaluate("([dx, dy]) => window.map.panBy([dx, dy], {animate: false})", [dx, dy])
            frame.wait_for_function(TILES_LOADED_JS, timeout=drive.RERUN_TIMEOUT_MS)
            assert frame.evaluate("() => window.map.getZoom()") == 14
            assert frame.evaluate(PAINTED_JS, [lat, lon]), "the parcel's pixel is blank: no tile drew it"
            found = frame.evaluate("([lat, lon]) => { const out = []; window.stagemapParcelTiles"
                                   ".queryTileFeaturesDebug(lon, lat).forEach(hs => hs.forEach(h => "
                                   "out.push(String(h.feature.props.ain)))); return out; }", [lat, lon])
            assert ain in found, found
            assert ranges and all(status == 206 and rng and rng.startswith("bytes=") for status, rng in ranges), ranges

            point = frame.evaluate("([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon])
            drive.click_map(page, frame, point)
            drive.wait_idle(page)
            expect(page.get_by_role("heading", name=re.compile(rf"parcel {re.escape(ain)}\b"))).to_be_visible(
                timeout=drive.RERUN_TIMEOUT_MS)
            expect(page.get_by_text("Incidents within 250 m, 90 days")).to_be_visible()
            screenshot(page, "parcel_tiles_zoom14_panel")
            guard.check()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
