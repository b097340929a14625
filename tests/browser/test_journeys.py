"""User journeys in Chromium: Planning (filter, detail, GeoJSON export), Liaison (mark a sign, conflict), Council."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pandas as pd
from playwright.sync_api import Page, expect

from geo import schema
from geo.analysis.analyze import AnalysisResult
from geo.analysis.incident_filters import IncidentFilter, filter_incidents, local_dates
from geo.analysis.labels import label
from geo.analysis.timefmt import today_local
from geo.services.analysis import analyze_store
from geo.store import open_store
from layers.style import SIGN_COLORS
from tests.browser import drive
from tests.browser.conftest import App, screenshot


@functools.cache
def _analysis(store: Path) -> AnalysisResult:
    # the same inputs the app analyses (determinations, site parts, places), as of today in Los Angeles
    return analyze_store(open_store(str(store), create=False), as_of=today_local())


MODE_LABELS = {"heat": "Heat map", "choropleth": "By district", "clusters": "Clusters"}  # the view's buttons


def _wait_map(page: Page, condition_js: str, arg: object = None) -> object:
    """Wait until ``condition_js`` (a function of ``arg``) holds in the current map's frame; return the frame."""
    frame = drive.map_frame(page)
    frame.wait_for_function(condition_js, arg=arg, timeout=drive.RERUN_TIMEOUT_MS)
    return frame


# --- Planning -------------------------------------------------------------------------------------------------
def test_planning_filter_detail_export(app: App, new_context) -> None:
    sites = _analysis(app.store).sites
    high_lots = sites[(sites["category"] == "parking_lot") & (sites["final_tier"] == "high")]
    assert len(high_lots), "the sample has no high-risk parking lot"
    district = int(high_lots[schema.COUNCIL_DISTRICT].value_counts().index[0])

    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "planner")
    drive.nav(page, "Parcel review")
    drive.multiselect(page, "rev_categories", [label("parking_lot", "category")])  # options read as people read them
    drive.multiselect(page, "rev_tiers", [label("high", "final_tier")])
    drive.select(page, "district", f"District {district}")
    matched = int(drive.metric(page, "Matching records").replace(",", ""))
    expected_sites = set(high_lots[high_lots[schema.COUNCIL_DISTRICT] == district][schema.SITE_ID])
    assert matched >= len(expected_sites) > 0

    # open a site's detail by clicking it on the map, as a planner would
    frame = _wait_map(page, "() => { let n = 0; window.map.eachLayer(l => { if (l.feature && "
                            "l.feature.properties.kind === 'City site') n++; }); return n > 0; }")
    hits = [h for h in frame.evaluate(drive.FEATURE_POINT_JS, ["kind", "City site"]) if not h["marker"]]
    assert {h["props"]["record_id"] for h in hits} <= expected_sites | {h["props"]["record_id"] for h in hits}
    target = hits[0]
    drive.click_map(page, frame, target)
    drive.wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile(f"City site {re.escape(target['props']['record_id'])}")))\
        .to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    expect(page.get_by_text("Why this score")).to_be_visible()

    # export the filtered set as GeoJSON and read the file
    drive.key(page, "rev_export").get_by_role("button").click()
    drive.wait_idle(page)
    with page.expect_download(timeout=drive.RERUN_TIMEOUT_MS) as dl:
        page.get_by_role("button", name="GeoJSON", exact=True).click()
    path = dl.value.path()
    assert dl.value.suggested_filename.endswith(".geojson")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    feats = data["features"]
    assert len(feats) == matched
    props = pd.DataFrame([f["properties"] for f in feats])
    assert set(props["category"]) == {"parking_lot"}
    assert set(props[schema.COUNCIL_DISTRICT].astype(int)) == {district}
    city = props[props["kind"] == "City site"]
    assert set(city["final_tier"]) == {"high"}
    assert set(city["record_id"]) == expected_sites
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in feats)
    lon, lat = _first_xy(feats[0]["geometry"])
    assert -119 < lon < -117.5 and 33.5 < lat < 34.9  # EPSG:4326, Los Angeles
    screenshot(page, "planning_journey")
    guard.check()


def _first_xy(geom: dict) -> tuple[float, float]:
    coords = geom["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return float(coords[0]), float(coords[1])


# --- Liaison --------------------------------------------------------------------------------------------------
MARKER_FILL_JS = """
(siteId) => {
  let fill = null;
  window.map.eachLayer(l => { if (l.getLatLng && l.feature && l.feature.properties.site_id === siteId)
    fill = l.options.fillColor; });
  return fill;
}
"""


def _liaison_page(page: Page, url: str, dept: str, site_id: str, user: str) -> None:
    drive.open_app(page, url)
    drive.as_role(page, "liaison", department=dept)
    if drive.has(page, "user_name"):
        drive.fill(page, "user_name", user)
    drive.nav(page, "Liaison")
    if drive.has(page, "lia_dept"):
        drive.select(page, "lia_dept", dept)
    drive.select(page, "selected_site", re.compile(f"^{re.escape(site_id)} "), typed=site_id)
    expect(page.locator('[data-testid="stForm"]')).to_be_visible()


def _mark_sign(page: Page, status: str) -> None:
    form = page.locator('[data-testid="stForm"]')
    form.get_by_role("radiogroup", name="Sign").get_by_text(label(status, schema.SIGN_STATUS), exact=True).click()
    form.get_by_role("button", name="Save").click()
    drive.wait_idle(page)


def test_liaison_marks_sign_and_second_user_chooses_between_both_values(app: App, new_context) -> None:
    sites = _analysis(app.store).sites
    dept = str(sites[schema.OWNING_DEPT].value_counts().index[0])
    unsigned = sites[(sites[schema.OWNING_DEPT] == dept) & (sites[schema.SIGN_STATUS] == "none")]
    site_id = str(unsigned[schema.SITE_ID].iloc[0])

    ctx_a, guard_a = new_context()
    ctx_b, guard_b = new_context()
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    _liaison_page(page_a, app.url, dept, site_id, "Liaison A")
    _liaison_page(page_b, app.url, dept, site_id, "Liaison B")  # B loads the same version before A saves

    signed_before = int(drive.metric(page_a, "Signed").replace(",", ""))
    frame = drive.map_frame(page_a)
    frame.wait_for_function(f"() => ({MARKER_FILL_JS})({json.dumps(site_id)}) !== null")
    assert frame.evaluate(MARKER_FILL_JS, site_id) == SIGN_COLORS["none"]

    _mark_sign(page_a, "posted")
    expect(page_a.get_by_text(re.compile(r"Version \d+, last saved by Liaison A"))).to_be_visible(
        timeout=drive.RERUN_TIMEOUT_MS)
    # the KPI of the finished rerun (a loaded machine can still show the previous run's copy for a while)
    expect(page_a.locator(drive.LIVE + '[data-testid="stMetric"]').filter(
        has=page_a.locator('[data-testid="stMetricLabel"]', has_text=re.compile(r"^Signed$")))
           .locator('[data-testid="stMetricValue"]')).to_have_text(f"{signed_before + 1:,}",
                                                                   timeout=drive.RERUN_TIMEOUT_MS)
    _wait_map(page_a, f"() => ({MARKER_FILL_JS})({json.dumps(site_id)}) === {json.dumps(SIGN_COLORS['posted'])}")
    screenshot(page_a, "liaison_journey_saved")

    _mark_sign(page_b, "damaged")
    # both changed the sign: nothing is saved until B chooses, seeing both values side by side
    expect(page_b.get_by_text(re.compile(f"Site {re.escape(site_id)} changed since you loaded it")))\
        .to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    expect(page_b.get_by_text("Nothing was saved", exact=False)).to_be_visible()
    expect(page_b.get_by_text("Yours: damaged")).to_be_visible()
    expect(page_b.get_by_text("Saved since: posted")).to_be_visible()
    expect(page_b.get_by_role("button", name="Save my choices")).to_be_visible()
    screenshot(page_b, "liaison_journey_conflict")
    status = open_store(str(app.store), create=False).read_status().set_index(schema.SITE_ID).loc[site_id]
    assert status[schema.SIGN_STATUS] == "posted" and status[schema.UPDATED_BY] == "Liaison A"
    guard_a.check()
    guard_b.check()


def test_liaison_page_on_a_phone(app: App, new_context) -> None:
    sites = _analysis(app.store).sites
    dept = str(sites[schema.OWNING_DEPT].value_counts().index[0])
    ctx, guard = new_context(width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.open_sidebar(page)
    drive.as_role(page, "liaison", department=dept)
    drive.nav(page, "Liaison")
    drive.wait_idle(page)
    drive.close_sidebar(page)
    drive.map_frame(page)
    width = page.evaluate("() => window.innerWidth")
    assert width == 390
    for what, loc in (("map", page.locator(drive.MAP_IFRAME).first),
                      ("site list", page.locator('[data-testid="stDataFrame"]').first),
                      ("marking form", page.locator('[data-testid="stForm"]').first),
                      ("save button", page.locator('[data-testid="stForm"]').get_by_role("button", name="Save"))):
        loc.scroll_into_view_if_needed()
        expect(loc).to_be_visible()
        box = loc.bounding_box()
        assert box is not None, what
        assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, f"{what} sticks out sideways: {box}"
        assert drive.on_top(loc), f"{what} is covered by something else"
    scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"horizontal scrolling: scrollWidth {scroll_width} > {width}"
    page.locator('[data-testid="stForm"]').first.scroll_into_view_if_needed()
    screenshot(page, "liaison_mobile")
    guard.check()


# --- Council --------------------------------------------------------------------------------------------------
CLUSTER_JS = "() => { let n = 0; window.map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) n++; }); return n; }"
HEAT_JS = "() => document.querySelectorAll('canvas.leaflet-heatmap-layer').length > 0"
CHORO_JS = ("() => { let n = 0; window.map.eachLayer(l => { if (l.feature && 'incidents' in l.feature.properties) "
            "n++; }); return n; }")
# Bring one clustered incident into view (zooming as needed) and report its container point and tooltip.
SHOW_INCIDENT_JS = """
async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let group = null;
  window.map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) group = l; });
  for (const marker of group.getLayers().slice(0, 25)) {
    window.map.setView(marker.getLatLng(), window.map.getMaxZoom(), {animate: false});
    await frames();
    await new Promise(r => setTimeout(r, 300));
    if (window.map.hasLayer(marker)) {  // drawn on its own, not inside a cluster
      const p = window.map.latLngToContainerPoint(marker.getLatLng());
      return {x: p.x, y: p.y, label: marker.getTooltip() ? marker.getTooltip().getContent() : ''};
    }
  }
  return null;
}
"""


def test_council_incident_views_and_click(app: App, new_context) -> None:
    st = open_store(str(app.store), create=False)
    incidents = st.read_layer(schema.INCIDENTS)
    latest = local_dates(incidents[schema.OCCURRED_AT]).max()
    recent = filter_incidents(incidents, IncidentFilter(last_days=30, as_of=latest))
    district = int(recent[schema.COUNCIL_DISTRICT].value_counts().index[0])
    expected = filter_incidents(incidents, IncidentFilter(districts=(district,), last_days=30, as_of=latest))
    assert len(expected)

    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "council_office", district=district)
    drive.as_of(page, latest.isoformat())  # the sample's data end before today: count as of its last day
    drive.nav(page, "Incident map")
    expect(drive.key(page, "district").get_by_role("combobox")).to_have_value(f"District {district}")  # lands on its own district
    drive.radio(page, "inc_period", "Last N days")
    drive.fill(page, "inc_last_days", "30")
    expect(page.locator(drive.LIVE + '[data-testid="stMetric"]').filter(has_text=re.compile("^Incidents shown"))
           .locator('[data-testid="stMetricValue"]')).to_have_text(f"{len(expected):,}", timeout=drive.RERUN_TIMEOUT_MS)

    _wait_map(page, f"() => ({CLUSTER_JS})() > 0")
    for mode, check in (("heat", HEAT_JS), ("choropleth", f"() => ({CHORO_JS})() > 0"),
                        ("clusters", f"() => ({CLUSTER_JS})() > 0")):
        drive.key(page, "inc_mode").get_by_role("radio", name=MODE_LABELS[mode], exact=True).click()
        drive.wait_idle(page)
        _wait_map(page, check)
        screenshot(page, f"council_{mode}")

    frame = drive.map_frame(page)
    hit = frame.evaluate(SHOW_INCIDENT_JS)
    assert hit, "no single incident marker could be brought into view"
    incident_id = re.split(r"<br>", hit["label"])[0]
    assert incident_id in set(expected[schema.INCIDENT_ID])
    drive.click_map(page, frame, hit)
    drive.wait_idle(page)
    expect(page.get_by_role("heading", name=f"Incident {incident_id}")).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    screenshot(page, "council_journey")
    guard.check()
