"""AppTest: the incident map page renders, and each filter changes what is shown."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP, small_store  # noqa: F401  (fixture)


def _page(at: AppTest) -> AppTest:
    return at.switch_page("app_pages/incidents.py").run()


def _shown(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Incidents shown")


def test_incident_page_filters_change_the_count(small_store):  # noqa: F811
    at = _page(AppTest.from_file(APP, default_timeout=60).run())
    assert not at.exception
    assert _shown(at) == "2"
    at.selectbox(key="district").set_value(1).run()  # the session's one district selector
    assert _shown(at) in {"0", "1", "2"}
    at.selectbox(key="district").set_value(0).run()  # all districts
    at.multiselect(key="inc_types").select("arrest").run()
    assert _shown(at) == "0"
    assert any("No incidents match: widen or clear the type" in i.value for i in at.info)  # says why
    at.multiselect(key="inc_types").unselect("arrest").run()
    at.multiselect(key="inc_verification").select("unverified").run()
    assert _shown(at) == "2"
    at.radio(key="inc_period").set_value("Last N days").run()
    at.number_input(key="inc_last_days").set_value(1).run()
    assert not at.exception and _shown(at) == "0"  # counted back from the as-of date (today), not the latest incident
    latest = small_store.read_layer("incidents")["occurred_at"].max().tz_convert("America/Los_Angeles").date()
    at.session_state["as_of"] = latest
    at.run()
    assert not at.exception and _shown(at) == "2"


def test_incident_page_switches_views_and_shows_a_selected_incident(small_store):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["selected_incident"] = "SYN-2025-000001"
    at = _page(at)
    assert any(h.value == "Incident SYN-2025-000001" for h in at.subheader)
    for mode in ("heat", "choropleth", "clusters"):
        at.session_state["inc_mode"] = mode
        at.run()
        assert not at.exception
