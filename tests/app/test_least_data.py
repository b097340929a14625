"""Least data per role, at the source: every page, every role; the HTML of every map and every table is scanned.

AppTest's element tree holds the map iframes' HTML (the component arguments) and every dataframe,
so scanning it sees what the browser would receive, not only what is drawn.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.access.roles import PAGES, ROLES, can_view
from geo.access.roles import Actor as _Actor
from geo.analysis.analyze import analyze
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text

ROOT = Path(APP).parent
DEPT, DISTRICT = "Transportation (LADOT)", 14
EXISTING = [p for p in PAGES if (ROOT / "app_pages" / f"{p}.py").exists()]
RISK_WORDS = ("risk_score", "final_tier", "risk_factors", "Overdue signs", "protection_detail", "sign_overdue_days")
CELLS = [(r, p) for r in ROLES for p in EXISTING
         if can_view(_Actor("x", r, DEPT if r == "liaison" else None), p)]
SCANNED: dict[str, int] = {}


@pytest.fixture(scope="module")
def denied(sample_master):
    """The ids and words each role must never receive, computed from the store (independently of the pages)."""
    from geo.store import open_store

    store = open_store(str(sample_master))
    sites, parcels, incidents = store.read_layer("sites"), store.read_layer("parcels"), store.read_layer("incidents")
    res = analyze(parcels, sites, incidents, store.read_status(), store.read_overrides(), as_of=dt.date.today())
    unprotected = set(res.sites.loc[res.sites["protection"] != "protected", schema.SITE_ID])
    city_ains = {a for ains in sites[schema.AINS].dropna() for a in str(ains).split(";")}
    private_ains = set(parcels[schema.AIN]) - city_ains
    other_dept = set(sites.loc[sites[schema.OWNING_DEPT] != DEPT, schema.SITE_ID])
    return {"incident ids": set(incidents[schema.INCIDENT_ID]), "private parcel AINs": private_ains,
            "other departments' sites": other_dept, "unprotected sites": unprotected, "risk fields": set(RISK_WORDS)}


RULES = {  # role -> the denied groups, written out from the access matrix
    "planner": (),
    "admin": (),
    "council_office": ("private parcel AINs",),
    "liaison": ("incident ids", "private parcel AINs", "other departments' sites"),
    "records": ("private parcel AINs", "unprotected sites", "risk fields"),
    "public": ("incident ids", "private parcel AINs", "unprotected sites", "risk fields"),
}


def _page(role: str, page: str) -> str:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["demo_dept"] = DEPT
    at.session_state["demo_district"] = DISTRICT
    at.run()
    if page != "overview" or role == "public":
        at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()
    assert not at.exception, (role, page, at.exception)
    return all_text(at)


def _found(text: str, values: set[str]) -> list[str]:
    if not values:
        return []
    tokens = set(re.findall(r"[A-Za-z0-9_\-]+", text))
    return sorted(v for v in values if v in tokens or (len(v) > 12 and v in text))


@pytest.mark.parametrize(("role", "page"), CELLS, ids=[f"{r}-{p}" for r, p in CELLS])
def test_a_page_ships_only_what_the_role_may_read(sample_store, denied, role, page):
    text = _page(role, page)
    leaks = {group: _found(text, denied[group])[:5] for group in RULES[role]}
    leaks = {g: v for g, v in leaks.items() if v}
    assert not leaks, f"{role} on {page} received {leaks}"
    SCANNED[f"{role}-{page}"] = len(text)


def test_the_scan_sees_the_map_payload(sample_store, denied):
    """The scan is not blind: a planner's overview map carries the incident ids (so a leak would be seen)."""
    text = _page("planner", "overview")
    from geo.store import open_store

    stored = open_store(str(sample_store.url)).read_layer("incidents")
    drawn = set(stored.loc[stored[schema.RELEVANCE] != schema.GENERAL_CRIME, schema.INCIDENT_ID])  # context: not drawn
    assert drawn and len(_found(text, drawn)) == len(drawn)
