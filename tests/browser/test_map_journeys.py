"""Browser journeys on the maps (issue 15): a planner clicks a table row and the map flies there; the report
form's pin follows typed coordinates and reports a drag, latitude and longitude side by side on a phone; an
intersection search flies to the crossing (a street layer imported through the real import path); a click
inside a district picks it."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from playwright.sync_api import expect

from geo import schema
from geo.services.imports import import_file
from geo.store import open_store
from tests.actors import ADMIN
from tests.app.test_intersection_search import crossing_streets
from tests.browser import drive
from tests.browser.conftest import App, _ensure_assets, screenshot, serve

BOUNDS_JS = "() => { const b = window.map.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
CENTER_JS = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"
PIN_JS = """() => { let at = null; window.map.eachLayer(l => {
  if (l.options && l.options.icon && String(l.options.icon.options.className || '').includes('stagemap-report-pin'))
    at = [l.getLatLng().lat, l.getLatLng().lng]; }); return at; }"""
FOUND_JS = """() => { let hit = null; window.map.eachLayer(l => {
  if (l.options && l.options.className === 'stagemap-found') hit = l; });
  return hit && window.map.getBounds().contains(hit.getLatLng()) ? [hit.getLatLng().lat, hit.getLatLng().lng] : null; }"""


@pytest.fixture(scope="module")
def street_app(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> Iterator[tuple[App, str, object]]:
    """The app on a sample copy with Main St and 1st St imported (the real import path) crossing at a City site."""
    _ensure_assets()
    tmp = tmp_path_factory.mktemp("browser_streets")
    seeded = tmp / "seed.gpkg"
    shutil.copy(sample_master, seeded)
    store = open_store(str(seeded), create=False)
    site = store.read_layer(schema.SITES).iloc[5]
    corner = site.geometry.representative_point()
    report = import_file(store, ADMIN, schema.STREETS, crossing_streets(tmp / "streets.geojson", corner.x, corner.y))
    assert report.n_accepted == 4
    with serve(tmp, seeded, env={"STAGEMAP_AUTH": "demo"}) as app:  # serves its own copy of the seeded store
        yield app, str(site[schema.SITE_ID]), corner


def _inside(bounds: list[float], lat: float, lon: float) -> bool:
    south, west, north, east = bounds
    return south <= lat <= north and west <= lon <= east


def test_planner_clicks_a_table_row_and_the_map_flies_there(street_app, new_context) -> None:
    app, _, _ = street_app
    store = open_store(str(app.store), create=False)
    ctx, guard = new_context(width=1440, height=900)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "planner")
    drive.nav(page, "Parcel review")
    frame = drive.map_frame(page)
    before = frame.evaluate(CENTER_JS)
    grid = drive.key(page, "rev_table")
    grid.scroll_into_view_if_needed()
    box = grid.locator('[data-testid="stDataFrameResizable"], canvas').first.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * 2 + 17)  # the row-selection cell of the third row
    drive.wait_idle(page)
    heading = page.get_by_role("heading", name=re.compile(r"^(City site|parcel) ")).first
    expect(heading).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)  # the row's panel opened
    kind, record = re.match(r"^(City site|parcel) (.+?):", heading.inner_text()).groups()
    layer, column = (schema.SITES, schema.SITE_ID) if kind == "City site" else (schema.PARCELS, schema.AIN)
    frame_of = store.read_layer(layer)
    spot = frame_of[frame_of[column].astype(str) == record].geometry.iloc[0].representative_point()
    frame = drive.map_frame(page)
    frame.wait_for_function(f"({FOUND_JS})() !== null", timeout=drive.RERUN_TIMEOUT_MS)
    after = frame.evaluate(CENTER_JS)
    assert after != before and after[2] > before[2], (before, after)  # flew in
    assert _inside(frame.evaluate(BOUNDS_JS), spot.y, spot.x), "the map does not show the row's site"
    screenshot(page, "planner_table_row_flies_map")
    guard.check()


def test_report_pin_follows_typed_point_and_a_drag_fills_the_form_on_a_phone(street_app, new_context) -> None:
    app, _, _ = street_app
    ctx, guard = new_context(width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "liaison", department="Transportation (LADOT)")
    drive.nav(page, "Report an incident")
    drive.close_sidebar(page)
    lat_box, lon_box = drive.key(page, "rep_lat"), drive.key(page, "rep_lon")
    a, b = lat_box.bounding_box(), lon_box.bounding_box()
    assert abs(a["y"] - b["y"]) < 4 and b["x"] >= a["x"] + a["width"] - 1, (a, b)  # one row on a 390 px phone
    drive.fill(page, "rep_lat", "34.061200")
    drive.fill(page, "rep_lon", "-118.301500")
    frame = drive.map_frame(page)
    frame.wait_for_function(f"() => {{ const p = ({PIN_JS})(); return p && Math.abs(p[0] - 34.0612) < 1e-6 "
                            "&& Math.abs(p[1] + 118.3015) < 1e-6; }", timeout=drive.RERUN_TIMEOUT_MS)
    assert frame.evaluate("() => document.querySelectorAll('.stagemap-district-label').length") > 0
    assert frame.locator(".stagemap-banner").count() == 1  # the synthetic label
    screenshot(page, "report_pin_typed_phone")

    pin = frame.locator(".stagemap-report-pin")
    pin.scroll_into_view_if_needed()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 6 * step, y + 4 * step)
    page.mouse.up()
    drive.wait_idle(page)
    expect(lat_box.locator("input")).not_to_have_value("34.061200", timeout=drive.RERUN_TIMEOUT_MS)
    lat, lon = float(lat_box.locator("input").input_value()), float(lon_box.locator("input").input_value())
    assert lat < 34.0612 and lon > -118.3015  # dropped south-east of where it was
    frame = drive.map_frame(page)
    frame.wait_for_function(f"() => {{ const p = ({PIN_JS})(); return p && Math.abs(p[0] - {lat}) < 1e-6; }}",
                            timeout=drive.RERUN_TIMEOUT_MS)
    screenshot(page, "report_pin_dragged_phone")
    # a typed point outside the view: the map pans there (the pin is in view, not off the edge)
    assert not drive.map_frame(page).evaluate("() => window.map.getBounds().contains([34.58, -118.12])")
    drive.fill(page, "rep_lat", "34.580000")
    drive.fill(page, "rep_lon", "-118.120000")
    frame = drive.map_frame(page)
    frame.wait_for_function(f"() => {{ const p = ({PIN_JS})(); return p && Math.abs(p[0] - 34.58) < 1e-6 "
                            "&& Math.abs(p[1] + 118.12) < 1e-6; }", timeout=drive.RERUN_TIMEOUT_MS)
    frame.wait_for_function("() => { const m = window.map; if (!m) return false; "
                            "return m.getBounds().contains([34.58, -118.12]); }", timeout=drive.RERUN_TIMEOUT_MS)
    guard.check()


def test_intersection_search_flies_to_the_crossing(street_app, new_context) -> None:
    app, site_id, corner = street_app
    ctx, guard = new_context(width=1440, height=900)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "planner")
    drive.nav(page, "Parcel review")
    drive.fill(page, "review_search", "Main St & 1st St")
    expect(page.get_by_role("heading", name=re.compile(rf"^City site {re.escape(site_id)}\b")).first).to_be_visible(
        timeout=drive.RERUN_TIMEOUT_MS)  # the site at the corner: its panel opens
    frame = drive.map_frame(page)
    frame.wait_for_function(f"({FOUND_JS})() !== null", timeout=drive.RERUN_TIMEOUT_MS)
    lat, lon = frame.evaluate(FOUND_JS)
    assert shapely.Point(lon, lat).distance(corner) < 1e-6  # ringed at the crossing
    assert _inside(frame.evaluate(BOUNDS_JS), corner.y, corner.x) and frame.evaluate(CENTER_JS)[2] >= 15
    screenshot(page, "intersection_search_found")
    guard.check()


def test_a_click_inside_a_district_picks_it(street_app, new_context) -> None:
    app, _, _ = street_app
    store = open_store(str(app.store), create=False)
    districts = store.read_layer(schema.DISTRICTS)
    incidents = store.read_layer(schema.INCIDENTS)
    # the district whose inner point lies farthest from any incident: a click there lands on no feature
    inner = shapely.point_on_surface(districts.geometry.to_numpy())
    clear = [shapely.distance(incidents.geometry.to_numpy(), p).min() for p in inner]
    pick = max(range(len(inner)), key=clear.__getitem__)
    number, spot = int(districts[schema.DISTRICT].iloc[pick]), inner[pick]
    ctx, guard = new_context(width=1440, height=900)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "planner")
    drive.nav(page, "Incident map")
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value("All districts")
    drive.key(page, "inc_mode").get_by_text("By district", exact=True).click()  # districts, no points over them
    drive.wait_idle(page)
    frame = drive.map_frame(page)
    point = frame.evaluate("([lat, lng]) => window.map.latLngToContainerPoint([lat, lng])", [spot.y, spot.x])
    drive.click_map(page, frame, point)
    drive.wait_idle(page)
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value(f"District {number}",
                                                                             timeout=drive.RERUN_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(rf"district={number}\b"))
    screenshot(page, "district_clicked")
    drive.open_sidebar(page)
    drive.key(page, "district_show_all").get_by_role("button").click()  # all districts, one click away
    drive.wait_idle(page)
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value("All districts")
    guard.check()
