"""AppTest: on the Incident map, reports confirmed as one event count once and the event's reports show on click."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.access.roles import Actor
from geo.intake.reports import IncidentReport
from geo.services import events
from geo.services.intake import submit_incident
from tests.actors import RECORDS
from tests.app.test_overview_page import APP
from ui import state


def _incident_map(selected: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "records"
    at.session_state[state.INC_PERIOD] = "All"
    if selected:
        at.session_state[state.SELECTED_INCIDENT] = selected
    at.run()
    at = at.switch_page("app_pages/incidents.py").run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Incidents shown").replace(",", ""))


def test_a_confirmed_event_counts_once_and_shows_its_reports(sample_store):
    made = [submit_incident(sample_store, Actor("rex", "records"),
                            IncidentReport("staging_area", 34.0001, -118.3001 + k * 0.0003, f"2026-03-02T10:{k}0",
                                           source)).incident_id for k, source in enumerate(("contractor", "public"))]
    before = _shown(_incident_map())
    events.confirm(sample_store, RECORDS, made)
    after = _incident_map(made[0])
    assert _shown(after) == before - 1  # two reports, one event
    assert any("One event, 2 reports" in c.value for c in after.caption), [c.value for c in after.caption]
    listed = {str(v) for df in after.dataframe for v in df.value.to_numpy().ravel()}
    assert set(made) <= listed  # both reports of the event are listed under it
