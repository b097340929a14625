"""AppTest: records confirm reports as one event; planners see the before/after with its method."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.access.roles import Actor
from geo.intake.reports import IncidentReport
from geo.services import events
from geo.services.intake import submit_incident
from tests.actors import RECORDS
from tests.app.test_overview_page import APP


def _open(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_name"] = "rex"
    at.session_state["demo_role"] = role
    at.run()
    return at.switch_page("app_pages/events.py").run()


def test_records_confirm_two_reports_as_one_event(sample_store):
    made = [submit_incident(sample_store, Actor("rex", "records"),
                            IncidentReport("staging_area", 34.0001, -118.3001 + k * 0.0003, f"2026-03-02T10:{k}0",
                                           source)).incident_id for k, source in enumerate(("contractor", "public"))]
    group = events.proposals(sample_store, RECORDS).set_index("incident_id").loc[made[0], "proposed_event"]
    at = _open("records")
    assert not at.exception, at.exception
    at.selectbox(key="event_pick").set_value(group).run()
    at.multiselect(key="event_ids").set_value(made).run()
    next(b for b in at.button if b.label == "Confirm as one event").click().run()
    assert not at.exception, at.exception
    links = events.links(sample_store)
    assert set(links["incident_id"]) >= set(made) and set(links["decision"]) == {"confirmed"}


def test_planners_see_the_before_after_and_the_method(sample_store):
    at = _open("planner")
    assert not at.exception, at.exception
    assert at.title[0].value == "Events and effects"
    assert any("difference in differences" in c.value for c in at.caption)
    assert any("Records users confirm" in i.value for i in at.info)
