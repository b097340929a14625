"""Drawing a site part in Chromium: a liaison clicks a polygon inside a park on the Site list map and saves it."""
from __future__ import annotations

import re

import shapely
from playwright.sync_api import expect

from geo import schema
from geo.store import open_store
from tests.browser import drive
from tests.browser.conftest import App, screenshot

RAP = "Recreation and Parks (RAP)"
#: The park's south-west and north-east quarter points as map container pixels.
CORNERS_JS = """(b) => { const p = (lat, lng) => window.map.latLngToContainerPoint([lat, lng]);
  const sw = p(b[1] + (b[3] - b[1]) * 0.3, b[0] + (b[2] - b[0]) * 0.3);
  const ne = p(b[1] + (b[3] - b[1]) * 0.6, b[0] + (b[2] - b[0]) * 0.6);
  return {x0: sw.x, y0: sw.y, x1: ne.x, y1: ne.y}; }"""


def test_a_liaison_draws_a_polygon_and_saves_it_as_a_part(app: App, new_context) -> None:
    store = open_store(str(app.store), create=False)
    sites, parts = store.read_layer(schema.SITES), store.read_parts()
    park = sites[(sites[schema.OWNING_DEPT] == RAP) & (sites[schema.ASSET_TYPE] == "RAP park")
                 & ~sites[schema.SITE_ID].isin(parts[schema.SITE_ID])].iloc[-1]
    site_id, bounds = str(park[schema.SITE_ID]), list(park.geometry.bounds)

    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "liaison", department=RAP)
    drive.nav(page, "Site list (A.1)")
    drive.select(page, "sit_site", re.compile(f"^{re.escape(site_id)} "), typed=site_id)
    frame = drive.map_frame(page)
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = page.locator(drive.MAP_IFRAME).first.bounding_box()
    at = frame.evaluate("() => { const r = window.map.getContainer().getBoundingClientRect();"
                        " return {x: r.left, y: r.top}; }")
    c = frame.evaluate(CORNERS_JS, bounds)
    ox, oy = box["x"] + at["x"], box["y"] + at["y"]
    for x, y in ((c["x0"], c["y0"]), (c["x1"], c["y0"]), (c["x1"], c["y1"]), (c["x0"], c["y1"]), (c["x0"], c["y0"])):
        page.mouse.click(ox + x, oy + y)  # the last click on the first vertex closes the polygon
        page.wait_for_timeout(150)
    drive.wait_idle(page)
    expect(page.get_by_text("A shape drawn on the map is ready")).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    screenshot(page, "part_drawn")
    page.get_by_role("button", name="Add part").click()
    drive.wait_idle(page)
    expect(page.get_by_text(f"A part of {site_id}: saved as version 1")).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    screenshot(page, "part_saved")
    saved = open_store(str(app.store), create=False).read_parts()
    row = saved[saved[schema.SITE_ID] == site_id].iloc[0]
    assert row[schema.PART_TYPE] == "parking_lot" and row[schema.AREA_SQFT] > 0
    part = shapely.from_wkt(row[schema.GEOMETRY_WKT])  # stored as WKT in EPSG:4326, inside its park
    assert part.geom_type == "Polygon" and shapely.area(shapely.difference(part, park.geometry)) < 1e-3 * part.area
    guard.check()
