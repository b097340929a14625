"""AppTest: the Commission page shows the cadence and rates, records edit a scene and move a referral; planners can't open it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo import duties, schema
from geo.analysis.relevance import enforcement_incidents
from geo.services import scenes
from tests.actors import RECORDS
from tests.app.test_overview_page import APP

PAGE = "app_pages/commission.py"


def _open(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.run()
    return at


def test_records_see_rates_and_move_a_referral(sample_store):
    incidents = enforcement_incidents(sample_store.read_layer(schema.INCIDENTS))
    inc = str(incidents.sort_values(schema.OCCURRED_AT)[schema.INCIDENT_ID].iloc[-1])
    scenes.save_scene(sample_store, RECORDS, inc, {duties.CAMERA_ACTIVATED: "yes"}, expect_version=0)
    sent = dt.date(2020, 1, 1)
    rid = str(scenes.send_referral(sample_store, RECORDS, inc, recipient="district_attorney",
                                   sent_on=sent)[duties.REFERRAL_ID])
    at = _open("records")
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert "Police Commission: Section B duties" in [t.value for t in at.title]
    assert any("Cadence (weekly when more than" in m.value for m in [*at.info, *at.warning])
    assert {m.label: m.value for m in at.metric}["Referrals overdue"] == "1"
    at.button(key="com_pdf_internal").click().run()
    assert not at.exception, at.exception
    assert [e["action"] for e in sample_store.read_audit()][-1] == "export.report.commission"
    at.selectbox(key="com_ref_id").set_value(rid)
    next(s for s in at.selectbox if s.label == "To state").set_value("acknowledged")
    next(b for b in at.button if b.label == "Move referral").click().run()
    assert not at.exception, at.exception
    assert any("is now acknowledged" in s.value for s in at.success), [e.value for e in at.error]
    assert scenes.referral_of(sample_store, rid)[duties.REFERRAL_STATUS] == "acknowledged"
    at.selectbox(key="com_hold_incident").set_value(inc)
    next(t for t in at.text_input if t.label == "Reason for the hold (required)").input("DA subpoena 26-114")
    next(b for b in at.button if b.label == "Place legal hold").click().run()
    assert any("Legal hold HOLD-" in s.value for s in at.success), [e.value for e in at.error]
    assert list(sample_store.read_holds()["incident_id"]) == [inc]
    assert sample_store.verify_state().ok


def test_planners_cannot_open_the_commission_page(sample_store):
    at = _open("planner")
    direct = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=60)
    direct.session_state["auth_actor"] = at.session_state["auth_actor"]
    direct.run()
    assert any("cannot open the commission page" in e.value for e in direct.error)
