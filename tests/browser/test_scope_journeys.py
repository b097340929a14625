"""Browser journeys (issue 15): a council office lands on its own district and finds an address by search; a
shared URL restores the same filters in a second browser context."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from geo import schema
from geo.store import open_store
from tests.browser import drive
from tests.browser.conftest import App, screenshot

FOUND_JS = """() => { let hit = null; window.map.eachLayer(l => {
  if (l.options && l.options.className === 'stagemap-found') hit = l; });
  return hit && window.map.getBounds().contains(hit.getLatLng()) ? [hit.getLatLng().lat, hit.getLatLng().lng] : null; }"""
CENTER_JS = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"


def _metric_text(page: Page, label: str):
    return page.locator(drive.LIVE + '[data-testid="stMetric"]').filter(has_text=re.compile(f"^{re.escape(label)}")) \
        .locator('[data-testid="stMetricValue"]')


def test_council_office_lands_on_its_district_and_finds_an_address(app: App, new_context) -> None:
    store = open_store(str(app.store), create=False)
    districts = store.read_layer(schema.DISTRICTS).to_crs(4326)
    parcels = store.read_layer(schema.PARCELS)
    district = int(parcels[schema.COUNCIL_DISTRICT].dropna().astype(int).value_counts().index[0])
    minx, miny, maxx, maxy = districts[districts[schema.DISTRICT].astype(int) == district].total_bounds
    address = str(parcels.loc[parcels[schema.COUNCIL_DISTRICT] == district, schema.SITUS_ADDRESS].dropna().iloc[0])

    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "council_office", district=district)
    drive.nav(page, "Incident map")
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value(f"District {district}")  # landed on its own district
    frame = drive.map_frame(page)
    frame.wait_for_function("() => window.map && window.map._loaded", timeout=drive.RERUN_TIMEOUT_MS)
    lat, lon, zoom = frame.evaluate(CENTER_JS)
    assert miny <= lat <= maxy and minx <= lon <= maxx, "the map is not zoomed to the office's district"
    screenshot(page, "council_lands_on_district")

    drive.fill(page, "incidents_search", address.split(" - ")[-1])  # e.g. "near Westlake": words, any case
    frame = drive.map_frame(page)
    frame.wait_for_function(f"({FOUND_JS})() !== null", timeout=drive.RERUN_TIMEOUT_MS)
    found_lat, found_lon = frame.evaluate(FOUND_JS)
    diag = frame.evaluate("() => [window.map.getZoom(), window.map.getSize(), window.map.getBounds().toBBoxString()]")
    assert diag[0] > zoom, diag  # flew in from the district view
    assert 33.5 < found_lat < 34.9 and -119 < found_lon < -117.6
    expect(page.get_by_text(re.compile(r"\bAIN\b"))).to_have_count(0)  # a council office sees no parcel numbers
    screenshot(page, "council_found_address")

    drive.open_sidebar(page)
    drive.key(page, "district_show_all").get_by_role("button").click()  # all districts, one click away
    drive.wait_idle(page)
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value("All districts")
    guard.check()


def test_a_shared_url_restores_the_filters_in_another_browser(app: App, new_context) -> None:
    ctx_a, guard_a = new_context()
    page_a = ctx_a.new_page()
    drive.open_app(page_a, app.url)
    drive.as_role(page_a, "planner")
    drive.nav(page_a, "Incident map")
    drive.radio(page_a, "inc_period", "Last N days")
    drive.fill(page_a, "inc_last_days", "400")
    drive.open_sidebar(page_a)
    drive.select(page_a, "district", "District 14")
    drive.multiselect(page_a, "inc_verification", ["Corroborated"])
    expect(page_a).to_have_url(re.compile(r"district=14"))
    shared = page_a.url
    assert "period=Last" in shared and "days=400" in shared and "verification=corroborated" in shared
    shown = _metric_text(page_a, "Incidents shown").inner_text()

    ctx_b, guard_b = new_context()  # a colleague opens the link in their own browser
    page_b = ctx_b.new_page()
    drive.open_app(page_b, shared)
    expect(page_b.get_by_role("heading", name="Incident map")).to_be_visible()
    expect(drive.key(page_b, "district").get_by_role("combobox")).to_have_value("District 14")
    expect(drive.key(page_b, "inc_last_days").locator("input")).to_have_value("400")
    expect(drive.key(page_b, "inc_verification")).to_contain_text("Corroborated")
    expect(_metric_text(page_b, "Incidents shown")).to_have_text(shown, timeout=drive.RERUN_TIMEOUT_MS)
    screenshot(page_b, "shared_url_restored")
    guard_a.check()
    _forget_deep_link_probe(guard_b, "incidents")
    guard_b.check()


def _forget_deep_link_probe(guard, page_path: str) -> None:
    """Streamlit, opened on a page's own address, first probes ``/<page>/_stcore/...`` for its base path (404)
    and then uses the root: those two misses (and their console lines) are expected; anything else still fails."""
    probe = [f for f in guard.failed if f"/{page_path}/_stcore/" in f and f.startswith("HTTP 404")]
    guard.failed[:] = [f for f in guard.failed if f not in probe]
    for _ in probe:
        missing = "console.error: Failed to load resource: the server responded with a status of 404 (Not Found)"
        if missing in guard.errors:
            guard.errors.remove(missing)


def test_liaison_on_a_phone_finds_the_nearest_site_takes_a_photo_and_sees_it(app: App, new_context) -> None:
    from geo.analysis.nearby import nearest
    from tests.geo.test_intake import jpeg

    store = open_store(str(app.store), create=False)
    sites = store.read_layer(schema.SITES)
    dept = str(sites[schema.OWNING_DEPT].value_counts().index[0])
    mine = sites[sites[schema.OWNING_DEPT] == dept]
    spot = mine.iloc[3].geometry.representative_point()
    site_id = str(nearest(mine, spot.y, spot.x, limit=1)[schema.SITE_ID].iloc[0])

    ctx, guard = new_context(width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.open_sidebar(page)
    drive.as_role(page, "liaison", department=dept)
    drive.nav(page, "Liaison")
    drive.close_sidebar(page)
    page.get_by_text("Sites near me", exact=True).click()
    drive.fill(page, "lia_near_text", f"{spot.y:.6f}, {spot.x:.6f}")  # as copied from the phone's map app
    expect(drive.key(page, "selected_site").get_by_role("combobox")).to_have_value(
        re.compile(f"^{re.escape(site_id)} .* ft away$"))
    form = page.locator('[data-testid="stForm"]')
    form.scroll_into_view_if_needed()
    expect(form).to_be_visible()
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "sign.jpg", "mimeType": "image/jpeg", "buffer": jpeg(lat=spot.y, lon=spot.x)}])
    form.get_by_role("radiogroup", name="Sign").get_by_text("Posted", exact=True).click()
    form.get_by_role("button", name="Save").click()
    drive.wait_idle(page)
    expect(page.get_by_text(re.compile(f"^Saved {re.escape(site_id)}: version"))).to_be_visible(
        timeout=drive.RERUN_TIMEOUT_MS)  # a lasting confirmation
    expect(page.locator('[data-testid="stImage"]').first).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    expect(page.get_by_text(re.compile("GPS: inside site"))).to_be_visible()
    screenshot(page, "liaison_phone_photo_saved")
    guard.check()
