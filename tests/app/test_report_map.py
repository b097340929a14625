"""AppTest: the report form's pin follows the typed point; latitude and longitude sit in one row."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP


def _walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def map_args(at: AppTest) -> dict:
    """Return the arguments the page gave its (first) map: the map's script, the pin's layer."""
    for element in _walk(at.main):
        proto = getattr(element, "proto", None)
        if type(element).__name__ == "UnknownElement" and proto is not None and \
                "streamlit_folium" in str(getattr(proto, "component_name", "")):
            return json.loads(proto.json_args)
    raise AssertionError("no map on the page")


def test_pin_follows_typed_coordinates_and_the_pair_stays_in_one_row(sample_store):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = "liaison"
    at.session_state["demo_dept"] = "Transportation (LADOT)"
    at.run()
    at.switch_page("app_pages/report.py").run()
    assert not at.exception, at.exception
    args = map_args(at)
    assert "stagemap-report-pin" in args["feature_group"] and "draggable" in args["feature_group"]
    assert "dragend" in args["feature_group"]
    assert "stagemap-district-label" in args["script"] and "SYNTHETIC DEMO DATA" in str(args)
    # typed outside the form: the page reruns at once and the pin moves there (no submit needed)
    at.number_input(key="rep_lat").set_value(34.101234).run()
    at.number_input(key="rep_lon").set_value(-118.301234).run()
    assert not at.exception, at.exception
    group = map_args(at)["feature_group"]
    assert "34.101234" in group and "-118.301234" in group
    lat_box = at.number_input(key="rep_lat")
    assert lat_box.label == "Latitude" and at.number_input(key="rep_lon").label == "Longitude"
    # both numbers in one st.columns row that does not wrap on a phone
    row = next(b for b in _walk(at.main) if getattr(b, "type", "") == "flex_container"
               and any(getattr(c, "key", None) == "rep_lat" for c in _walk(b)))
    assert any(getattr(c, "key", None) == "rep_lon" for c in _walk(row))
    assert row.proto.flex_container.wrap is False

