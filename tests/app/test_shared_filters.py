"""AppTest: page filters live in the URL; a shared URL restores the same filters in a new session."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP

ROOT = Path(APP).parent


def _session(role: str, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()
    assert not at.exception, at.exception
    return at


def _params(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def test_incident_filters_round_trip_through_the_url(sample_store):
    first = _session("planner", "incidents")
    first.radio(key="inc_period").set_value("Last N days").run()
    first.number_input(key="inc_last_days").set_value(45).run()
    first.multiselect(key="inc_verification").select("lapd_confirmed").run()
    first.selectbox(key="district").set_value(5).run()
    first.text_input(key="incidents_search").input("near").run()
    shared = _params(first)
    assert {"period": "Last N days", "days": "45", "verification": "lapd_confirmed", "district": "5",
            "q": "near"}.items() <= shared.items()
    second = _session("planner", "incidents", **shared)  # another browser opens the shared link
    assert second.radio(key="inc_period").value == "Last N days"
    assert second.number_input(key="inc_last_days").value == 45
    assert second.multiselect(key="inc_verification").value == ["lapd_confirmed"]
    assert second.selectbox(key="district").value == 5
    assert second.text_input(key="incidents_search").value == "near"
    shown = [m.value for m in first.metric if m.label == "Incidents shown"]
    assert shown == [m.value for m in second.metric if m.label == "Incidents shown"]


def test_review_filters_and_bad_values_in_a_link(sample_store):
    at = _session("planner", "review", category="parking_lot,not_a_category", tier="high", owner="private", use="27")
    assert at.multiselect(key="rev_categories").value == ["parking_lot"]  # an unknown value is dropped, not an error
    assert at.multiselect(key="rev_tiers").value == ["high"]
    assert at.text_input(key="rev_use_code").value == "27"
    gaps = _session("planner", "gaps", high="1")
    assert gaps.toggle(key="gap_high_only").value is True
