"""Driving Streamlit widgets by their stable keys (``.st-key-<key>``) and the folium map in its iframe."""
from __future__ import annotations

import contextlib
import re
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Locator, Page, expect

from geo.labels import ROLE_WORDS

RERUN_TIMEOUT_MS = 90_000
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def key(page: Page, name: str) -> Locator:
    """The element container Streamlit marks with the widget key ``name``."""
    return page.locator(f".st-key-{name}")


def wait_idle(page: Page, *, started_ms: int = 1_000) -> None:
    """Wait for the script run an interaction triggered (if any) to finish."""
    app = page.locator('[data-testid="stApp"]')
    with contextlib.suppress(AssertionError):  # the rerun was quick, or none was needed
        expect(app).to_have_attribute("data-test-script-state", "running", timeout=started_ms)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=RERUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=RERUN_TIMEOUT_MS)


def open_app(page: Page, url: str) -> None:
    """Load the app and wait for its first run."""
    page.goto(url)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=RERUN_TIMEOUT_MS)
    wait_idle(page)


def has(page: Page, name: str) -> bool:
    """True when a widget with key ``name`` is on the page now."""
    return key(page, name).count() > 0


def _pick(page: Page, name: str, typed: str, option: str | re.Pattern[str]) -> None:
    # a rerun still drawing (late on a loaded machine) would replace the open list under the click
    wait_idle(page, started_ms=300)
    box = key(page, name).get_by_role("combobox")
    box.click()
    box.fill(typed)  # long option lists are virtualised: filter first, then the option is rendered
    opt = page.get_by_role("option", name=option, exact=True) if isinstance(option, str) else \
        page.get_by_role("option", name=option)
    opt.first.click()


def select(page: Page, name: str, option: str | re.Pattern[str], *, typed: str | None = None) -> None:
    """Choose ``option`` in the selectbox keyed ``name`` (typing ``typed``, default the option, to find it)."""
    _pick(page, name, typed if typed is not None else str(option if isinstance(option, str) else ""), option)
    wait_idle(page)


def multiselect(page: Page, name: str, options: list[str]) -> None:
    """Add ``options`` to the multiselect keyed ``name``."""
    for opt in options:
        _pick(page, name, opt, opt)
        page.keyboard.press("Escape")
        wait_idle(page)


def radio(page: Page, name: str, label: str) -> None:
    """Pick ``label`` in the radio keyed ``name``."""
    key(page, name).get_by_text(label, exact=True).click()
    wait_idle(page)


def fill(page: Page, name: str, text: str) -> None:
    """Type ``text`` into the text or number input keyed ``name`` and commit it."""
    box = key(page, name).locator("input")
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def as_of(page: Page, day: str) -> None:
    """Set the session's one as-of date (YYYY-MM-DD) in the sidebar."""
    open_sidebar(page)
    box = key(page, "as_of").locator("input")
    box.fill(day)
    box.press("Enter")
    page.keyboard.press("Escape")  # close the calendar popover
    wait_idle(page)


def nav(page: Page, title: str) -> None:
    """Open the page ``title`` from the sidebar navigation."""
    open_sidebar(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=re.compile(re.escape(title))).click()
    wait_idle(page)


#: An element of the current run: while a rerun draws, Streamlit keeps the previous run's copy on the page
#: marked ``data-stale="true"`` until the run ends, so a label can briefly match twice.
LIVE = '[data-testid="stElementContainer"]:not([data-stale="true"]) '


def metric(page: Page, label: str) -> str:
    """The value shown by the metric labelled ``label`` (the current run's, never a stale copy)."""
    box = page.locator(LIVE + '[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def as_role(page: Page, role: str, *, department: str | None = None, district: int | None = None) -> None:
    """In demo sign-in mode, act as ``role`` (a no-op when the app has no role picker)."""
    if not has(page, "demo_role"):
        return
    if district is not None:  # the demo council office's own district comes from the URL (one district widget)
        open_app(page, f"{page.url.split('?')[0]}?district={district}")
    open_sidebar(page)
    select(page, "demo_role", ROLE_WORDS[role])  # the picker shows roles as people name them
    if department is not None and has(page, "demo_dept"):
        select(page, "demo_dept", department)


def map_frame(page: Page) -> Frame:
    """The Leaflet map's frame, once the map has loaded and is styled.

    A rerun can replace the map's iframe after we found it, so the live frame is looked up again
    in short slices until the whole rerun timeout has passed.
    """
    deadline = time.monotonic() + RERUN_TIMEOUT_MS / 1000
    last: Exception | None = None
    while time.monotonic() < deadline:
        handle = page.locator(MAP_IFRAME).first.element_handle(timeout=RERUN_TIMEOUT_MS)
        frame = handle.content_frame() if handle else None
        if frame is None or frame.is_detached():
            page.wait_for_timeout(200)
            continue
        try:
            frame.wait_for_function("() => window.map && window.map._loaded && window.L", timeout=10_000)
            # streamlit-folium inserts the stylesheets dynamically: wait until leaflet.css is applied
            frame.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-container')).overflow"
                                    " === 'hidden'", timeout=10_000)
            return frame
        except PlaywrightError as exc:  # timed out on a frame that was replaced, or detached mid-wait
            last = exc
    raise AssertionError(f"the map did not load within {RERUN_TIMEOUT_MS / 1000:.0f} s: {last}")


def click_map(page: Page, frame: Frame, point: dict[str, float]) -> None:
    """Click the map at a container point (x, y inside the map), as a user would."""
    page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()  # a click below the fold would hit nothing
    box = page.locator(MAP_IFRAME).first.bounding_box()
    offset = frame.evaluate("() => { const r = window.map.getContainer().getBoundingClientRect();"
                            " return {x: r.left, y: r.top}; }")
    page.mouse.click(box["x"] + offset["x"] + point["x"], box["y"] + offset["y"] + point["y"])


# JavaScript run inside the map frame: find GeoJSON features by a property and report where they are.
FEATURE_POINT_JS = """
([prop, value]) => {
  const out = [];
  window.map.eachLayer(l => {
    if (!l.feature || !l.feature.properties) return;
    if (value !== null && String(l.feature.properties[prop]) !== String(value)) return;
    if (value === null && !(prop in l.feature.properties)) return;
    const ll = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
    const p = window.map.latLngToContainerPoint(ll);
    out.push({x: p.x, y: p.y, props: l.feature.properties, fill: l.options.fillColor || null,
              marker: !!l.getLatLng});
  });
  return out;
}
"""


def open_sidebar(page: Page) -> None:
    """Expand the sidebar when it is collapsed (phones start with it closed)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    if box is None or box["x"] < 0 or box["width"] < 10:
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_function("() => { const r = document.querySelector('[data-testid=stSidebar]')"
                               ".getBoundingClientRect(); return r.left >= 0 && r.width > 10; }")
        page.wait_for_timeout(400)  # the slide-in transition


def close_sidebar(page: Page) -> None:
    """Collapse the sidebar if it is open (on a phone it covers the page)."""
    box = page.locator('[data-testid="stSidebar"]').bounding_box()
    if box is not None and box["x"] >= 0 and box["width"] >= 10:
        page.locator('[data-testid="stSidebar"]').hover()
        page.locator('[data-testid="stSidebarCollapseButton"] button, [data-testid="stSidebarCollapseButton"]')\
            .first.click()
        page.wait_for_function("() => { const r = document.querySelector('[data-testid=stSidebar]')"
                               ".getBoundingClientRect(); return r.right <= 1 || r.width < 10; }")
        page.wait_for_timeout(400)


def on_top(loc: Locator) -> bool:
    """True when nothing covers the centre of ``loc`` (what a tap there would reach)."""
    return bool(loc.evaluate("el => { const r = el.getBoundingClientRect();"
                             " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                             " return hit !== null && (hit === el || el.contains(hit)); }"))
