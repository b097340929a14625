"""AppTest: an officer report from the form carries every B.1-B.6 field; a contradictory scene stores nothing."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import duties
from tests.app.test_overview_page import APP

ANSWERS = {duties.CAMERA_ACTIVATED: "yes", duties.VIDEO_PRESERVED: "yes", duties.SUPERVISOR_IDENTIFIED: "yes",
           duties.DEESCALATION: "yes", duties.BYSTANDERS_INFORMED: "no", duties.INJURIES: "yes",
           duties.AID_SUMMONED: "yes", duties.PUBLIC_REPORT: "yes"}
TEXTS = {duties.VIDEO_REF: "DEMS-2026-55", duties.SUPERVISOR_NAME: "J. Doe", duties.SUPERVISOR_BADGE: "ICE-7781",
         duties.AID_TO: "LAFD paramedics", duties.REPORT_NUMBER: "260412345"}


def _form(texts: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "records"
    at.session_state["rep_lat"], at.session_state["rep_lon"] = 34.05, -118.25
    at.run()
    at.switch_page("app_pages/report.py").run()
    assert not at.exception, at.exception
    at.checkbox(key="rep_scene_attended").check()
    for field, word in ANSWERS.items():
        at.radio(key=f"rep_scene_{field}").set_value(word)
    for field, text in texts.items():
        at.text_input(key=f"rep_scene_{field}").input(text)
    next(b for b in at.button if b.label == "Submit report").click().run()
    assert not at.exception, at.exception
    return at


def test_the_officer_form_stores_every_scene_field(sample_store):
    at = _form(TEXTS)
    assert any("Scene record saved (version 1)" in s.value for s in at.success), [s.value for s in at.success]
    [row] = sample_store.read_scenes().to_dict("records")
    assert {k: duties.flag(row[k]) for k in ANSWERS} == {k: v == "yes" for k, v in ANSWERS.items()}
    assert {k: row[k] for k in TEXTS} == TEXTS
    assert sample_store.verify_state().ok


def test_a_contradictory_scene_stores_no_incident(sample_store):
    before = len(sample_store.read_layer("incidents"))
    at = _form({k: v for k, v in TEXTS.items() if k != duties.SUPERVISOR_BADGE})
    assert at.error and "supervisor_badge" in at.error[0].value
    assert len(sample_store.read_layer("incidents")) == before and sample_store.read_scenes().empty
