"""AppTest: the Overview charts signs and barriers done over time, per department or district, against the deadlines."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from layers.palette import INK, PALETTE
from tests.app.test_overview_page import APP


def _charts(at: AppTest) -> list[dict[str, object]]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _progress(at: AppTest) -> list[dict[str, object]]:
    """The progress charts: those drawing a "Done" line (the signs, then the barriers)."""
    return [s for s in _charts(at) if "Done" in json.dumps(s)]


def test_signs_and_barriers_over_time_city_then_per_department_and_district(sample_store):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = "planner"
    at.run()
    assert not at.exception, at.exception
    city = _progress(at)
    assert len(city) == 2, [list(s) for s in _charts(at)]  # signs posted, barriers closed and locked
    for spec in city:
        line, goal, *deadlines = spec["layer"]
        assert line["mark"]["color"] == PALETTE["done"] and goal["mark"]["color"] == INK
        assert len(deadlines) == 2  # the A.1 determination and sign deadlines
    at.session_state["progress_by"] = "department"
    at.run()
    by_dept = _progress(at)
    assert len(by_dept) == 2 and all(s["facet"]["field"] == "Group" for s in by_dept)
    at.session_state["progress_by"] = "district"
    at.run()
    assert all(s["facet"]["field"] == "Group" for s in _progress(at))
    assert not at.exception, at.exception
