"""AppTest: a sign packet's /?site= link opens the page that shows the site to each signed-in role."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import schema
from tests.app.test_overview_page import APP


def _open(role: str, site: str, dept: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    if dept:
        at.session_state["demo_dept"] = dept
    at.query_params["site"] = site
    return at.run()


def test_planner_lands_on_the_site_in_parcel_review(sample_store):
    at = _open("planner", "SYN-SITE-0007")
    assert not at.exception
    assert any(t.value == "Parcel review" for t in at.title)
    assert any(s.value.startswith("City site SYN-SITE-0007") for s in at.subheader)


def test_liaison_lands_on_their_site_and_council_office_on_the_map(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    site = sites.iloc[11]
    at = _open("liaison", site[schema.SITE_ID], dept=site[schema.OWNING_DEPT])
    assert not at.exception
    assert any(t.value.startswith("Liaison") for t in at.title)
    assert at.selectbox(key="selected_site").value == site[schema.SITE_ID]
    at.run()  # a rerun keeps the page (the link's page stays the front page)
    assert any(t.value.startswith("Liaison") for t in at.title)
    council = _open("council_office", site[schema.SITE_ID])
    assert not council.exception
    assert council.text_input(key="overview_search").value == site[schema.SITE_ID]
