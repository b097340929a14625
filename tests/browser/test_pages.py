"""Every page loads in Chromium with nothing fetched from outside localhost, no failed request, no JS error."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import drive
from tests.browser.conftest import App, screenshot


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
