"""The pages whose tables and words changed for Spanish, opened in Chromium in a Spanish session.

Each page is opened as a role that may see it, from the Spanish navigation, and must show its Spanish title, no
exception, and none of the English words the AppTest walks once found on it (states, verdicts, deadlines,
'withheld') in its text. Table cells are drawn on a canvas the page text does not hold: the AppTest walk
(``tests/app/test_spanish_cells.py``) reads those; the screenshots under ``artifacts/browser/pages_es/`` show them.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo.i18n import translate
from geo.labels import PAGE_WORDS, ROLE_WORDS
from tests.browser import drive
from tests.browser.conftest import App, screenshot

#: (role, department, page, English that must not show on it in Spanish)
VISITS = [
    ("liaison", "Transportation (LADOT)", "liaison", ["days left", "overdue", "signed on time", "no sign needed"]),
    ("liaison", "Transportation (LADOT)", "inbox", ["no contractor registered", "sent late"]),
    ("planner", None, "nexus", ["Affected private parcels", "Administration hours per chargeable parcel"]),
    ("planner", None, "events", ["too few events to say", "citywide"]),
    ("planner", None, "gaps", ["(owner not public)", "surveillance"]),
    ("public", None, "public", ["withheld"]),
]


#: Pages whose heading is not their navigation title.
HEADINGS = {"public": "City property protected under Executive Directive 17"}


@pytest.mark.parametrize(("role", "department", "page_name", "english"), VISITS, ids=[v[2] for v in VISITS])
def test_a_page_reads_in_spanish_in_the_browser(app: App, new_context, role, department, page_name, english) -> None:
    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, f"{app.url}/?lang=es")
    drive.open_sidebar(page)
    if drive.has(page, "demo_role"):
        drive.select(page, "demo_role", translate(ROLE_WORDS[role], "es"))
        if department is not None and drive.has(page, "demo_dept"):
            drive.select(page, "demo_dept", department)
    title = translate(PAGE_WORDS[page_name], "es")
    drive.wait_idle(page)
    links = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title)
    if links.count():  # the public view is the public's only page: no navigation
        drive.nav(page, title)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    heading = translate(HEADINGS.get(page_name, PAGE_WORDS[page_name]), "es")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    body = page.locator('[data-testid="stMain"]').inner_text()
    left = [w for w in english if w in body]
    screenshot(page, f"pages_es/{page_name}")
    assert not left, f"{page_name} in Spanish still shows: {left}"
    guard.check()
