"""Every page loads in Chromium with nothing fetched from outside localhost, no failed request, no JS error."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, WebSocket, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser import drive
from tests.browser.conftest import ARTIFACTS, App, screenshot


def test_every_page_loads_offline_and_clean(app: App, new_context) -> None:
    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, app.url)
    drive.as_role(page, "admin")
    titles = [t.strip().split("\n")[-1].strip() for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
    assert len(titles) >= 6, titles
    maps = drew = 0
    for title in titles:
        drive.nav(page, title)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        if page.locator(drive.MAP_IFRAME).count():
            frame = drive.map_frame(page)
            # the self-hosted Leaflet is styled (leaflet.css applied) and drew something, or has nothing to draw
            assert frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-container'))"
                                  ".overflow === 'hidden'"), f"{title}: leaflet.css not applied"
            drawn = frame.evaluate("() => { let n = 0; window.map.eachLayer(l => { if (l.feature || l._latlng "
                                   "|| l._heat || l.getLayers) n++; }); return n; }")
            drew += drawn > 0
            srcs = frame.evaluate("() => [...document.scripts].map(s => s.src).filter(Boolean)"
                                  ".concat([...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href))")
            assert srcs and all("/app/static/vendor/" in s or "/component/" in s for s in srcs), srcs
            maps += 1
        guard.check()
    assert maps >= 4 and drew >= 4, f"{maps} pages showed a map, {drew} drew layers on it"
    screenshot(page, "pages_last")
    guard.check()


def test_standalone_export_opens_with_no_network(app: App, new_context, tmp_path) -> None:
    from stagemap_cli import main

    out = tmp_path / "incidents.html"
    assert main(["map", "--layer", "incidents", "--out", str(out), "--tiles", "none", "--store", str(app.store)]) == 0
    ctx, guard = new_context()
    page = ctx.new_page()
    page.goto(out.as_uri())
    page.wait_for_function("() => Object.values(window).some(v => v instanceof L.Map && v._loaded)")
    page.wait_for_function("() => document.querySelectorAll('.marker-cluster, .leaflet-overlay-pane canvas').length")
    screenshot(page, "standalone_export")
    guard.check()


def _count_runs(page: Page) -> list[str]:
    """Record every script run the server starts for this page (a ``new_session`` message opens each run)."""
    runs: list[str] = []

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:
                return
            if msg.WhichOneof("type") == "new_session":
                runs.append(msg.new_session.page_script_hash)

    def on_socket(ws: WebSocket) -> None:
        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return runs


def test_parcel_review_runs_once_on_a_fresh_load(app: App, new_context) -> None:
    """No grey-out and redraw: a fresh load of Parcel review runs the script once, its map included."""
    ctx, guard = new_context()
    page = ctx.new_page()
    runs = _count_runs(page)
    drive.open_app(page, app.url)  # the demo's first role is a planner, who may open Parcel review
    assert len(runs) == 1, f"the first page ran {len(runs)} times"
    runs.clear()
    drive.nav(page, "Parcel review")  # (a direct /review load makes Streamlit probe /review/_stcore/: 404s)
    expect(page.get_by_role("heading", name="Parcel review")).to_be_visible()
    drive.map_frame(page)  # the map mounted and reported its first state
    drive.wait_idle(page, started_ms=3_000)  # a rerun the map's first report would trigger starts in this time
    assert len(runs) == 1, f"opening Parcel review ran the script {len(runs)} times"
    # the user's own move is still reported: zooming in runs the page (its level of detail follows the view)
    frame = drive.map_frame(page)
    frame.locator(".leaflet-container").hover()
    page.mouse.wheel(0, -400)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "running",
                                                                     timeout=drive.RERUN_TIMEOUT_MS)
    drive.wait_idle(page)
    assert len(runs) >= 2
    guard.check()


#: role -> the pages shown as that role (each page as a role that may see it: its everyday user)
PAGE_ROLES: dict[str, list[tuple[str, str]]] = {
    "planner": [("overview", "Overview"), ("review", "Parcel review"), ("sites", "Site list (A.1)"),
                ("nexus", "Nexus study")],
    "liaison": [("liaison", "Liaison"), ("report", "Report an incident"), ("inbox", "Inbox")],
    "council_office": [("incidents", "Incident map"), ("gaps", "Gap analysis")],
    "records": [("events", "Events and effects"), ("registers", "Registers"), ("commission", "Commission (Section B)")],
    "admin": [("data", "Data")],
    "public": [("public", "Public view")],
}
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
CONTROLS = (".leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-scale, .leaflet-control-attribution, "
            ".leaflet-draw, .leaflet-control-geocoder, .stagemap-search, .stagemap-basemap-note")
LEGEND_BOXES_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const legend = document.querySelector('.stagemap-legend-box');
  if (!legend) { return null; }
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return {map: box(document.querySelector('.leaflet-container')), legend: box(legend), open: legend.open,
          controls: [...document.querySelectorAll(CONTROLS)].filter(shown).map(e => ({name: e.className, ...box(e)}))};
}""".replace("CONTROLS", json.dumps(CONTROLS))


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 0.5 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 0.5


def _legend_clear(frame, where: str) -> list[str]:
    """Measure the legend against every map control, folded and unfolded; return what is wrong."""
    problems: list[str] = []
    for _state in ("as loaded", "opened"):
        boxes = frame.evaluate(LEGEND_BOXES_JS)
        if boxes is None:
            return problems
        legend, cmap = boxes["legend"], boxes["map"]
        if not (legend["l"] >= cmap["l"] - 0.5 and legend["r"] <= cmap["r"] + 0.5 and legend["t"] >= cmap["t"] - 0.5
                and legend["b"] <= cmap["b"] + 0.5):
            problems.append(f"{where} ({_state}): legend {legend} leaves the map {cmap}")
        problems += [f"{where} ({_state}): legend covers {c['name']}" for c in boxes["controls"] if _overlaps(legend, c)]
        if not boxes["open"]:
            frame.locator(".stagemap-legend-box > summary").click()
            frame.wait_for_function("() => document.querySelector('.stagemap-legend-box').open")
        else:
            break
    return problems


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_at_desktop_and_phone_size_with_legends_clear_of_the_controls(app: App, new_context, size) -> None:
    """Screenshots of every page (as its everyday role) at 1440x900 and 390x844, saved under
    artifacts/browser/pages/; on every map the legend (folded or opened) covers no control and stays on the map;
    opening any page runs its script once."""
    width, height = SIZES[size]
    ctx, guard = new_context(width=width, height=height)
    page = ctx.new_page()
    runs = _count_runs(page)
    drive.open_app(page, app.url)
    (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    reruns: list[str] = []
    folded = opened = 0
    for role, pages in PAGE_ROLES.items():
        drive.as_role(page, role, department="Transportation (LADOT)")
        for name, title in pages:
            if role != "public":  # the public sees one page: no navigation, it is shown
                runs.clear()
                drive.nav(page, title)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            if size == "phone":
                drive.close_sidebar(page)
            has_map = page.locator(drive.MAP_IFRAME).count() > 0
            if has_map:
                drive.map_frame(page)  # loaded and styled before the shot
            drive.wait_idle(page)
            if role != "public" and len(runs) != 1:
                reruns.append(f"{name} {size}: opening it ran the script {len(runs)} times")
            screenshot(page, f"pages/{name}_{size}")  # as a user first sees it (legend folded on a small map)
            if has_map:
                frame = drive.map_frame(page)
                was_open = frame.evaluate("() => { const l = document.querySelector('.stagemap-legend-box');"
                                          " return l ? l.open : null; }")
                folded += was_open is False
                opened += was_open is True
                problems += _legend_clear(frame, f"{name} {size}")
            guard.check()
    assert not problems, "\n".join(problems)
    assert not reruns, "\n".join(reruns)  # no page draws, greys out and draws again when opened
    if size == "phone":
        assert folded and not opened, "on a phone every legend starts folded"
    else:
        assert opened, "on a desktop the large maps' legends start open"
