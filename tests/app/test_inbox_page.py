"""AppTest: the Inbox shows a department's A.3 alerts to its liaison only, and acknowledging is recorded."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.access.roles import Actor
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from tests.app.test_overview_page import APP

LADOT = "Transportation (LADOT)"


def _open(role: str, dept: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_name"] = "ana"
    at.session_state["demo_role"] = role
    if dept:
        at.session_state["demo_dept"] = dept
    at.run()
    return at.switch_page("app_pages/inbox.py").run()


def _report_on(store, dept: str) -> str:
    sites = store.read_layer("sites")
    point = sites[sites["owning_dept"] == dept].geometry.iloc[0].representative_point()
    rep = IncidentReport("staging_area", point.y, point.x, "2026-03-01T09:00", "contractor",
                         reporter_name="Jane Reporter", description="<script>alert(1)</script>")
    return submit_incident(store, Actor("rex", "records"), rep).incident_id


def test_a_liaison_sees_and_acknowledges_their_departments_alert(sample_store):
    incident = _report_on(sample_store, LADOT)
    at = _open("liaison", LADOT)
    assert not at.exception, at.exception
    assert at.title[0].value == "Inbox: A.3 alerts"
    assert next(m.value for m in at.metric if m.label == "Unread") == "1"
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert incident.split("-")[-1] in shown and "Jane" not in shown and "<script" not in shown
    next(b for b in at.button if b.label == "Acknowledge").click().run()
    assert not at.exception, at.exception
    row = sample_store.read_alerts().iloc[0]
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "ana"
    assert any(e["action"] == "alert.acknowledge" for e in sample_store.read_audit())


def test_another_departments_liaison_sees_nothing_of_it(sample_store):
    _report_on(sample_store, LADOT)
    at = _open("liaison", "Recreation and Parks (RAP)")
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == "Unread") == "0"
    assert any("No alerts" in i.value for i in at.info)


def test_notices_and_measures_tabs_register_and_record(sample_store):
    rap = next(d for d in sample_store.read_layer("sites")["owning_dept"].unique() if "Recreation and Parks" in d)
    at = _open("liaison", rap)
    assert not at.exception, at.exception
    next(t for t in at.text_input if t.label == "Contractor").set_value("Acme <i>Parking</i>")
    next(t for t in at.text_input if t.label == "Contract number").set_value("RAP-7")
    next(b for b in at.button if b.label == "Register").click().run()
    assert not at.exception, at.exception
    register = sample_store.read_workflow_rows("contractor_notices")
    assert list(register["contractor"]) == ["Acme <i>Parking</i>"] and register.iloc[0]["updated_by"] == "ana"
    next(t for t in at.text_area if t.label == "Description").set_value("Ranger patrols of parking lots")
    next(b for b in at.button if b.label == "Record measure").click().run()
    assert not at.exception, at.exception
    assert list(sample_store.read_workflow_rows("board_measures")["description"]) == ["Ranger patrols of parking lots"]
    assert sample_store.verify_state().ok
