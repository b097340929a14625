"""AppTest: a click inside a district, off every incident, sets the session's one district selector.

The map's click reaches the app as st_folium does it: the map's value under its key, then the map's
``on_change`` callback (run before the script), so the sidebar selector drawn next shows the district.
"""
from __future__ import annotations

import shapely
from streamlit.testing.v1 import AppTest

from geo import schema


def _script() -> None:
    import streamlit as st

    from geo.access.roles import Actor
    from ui import state
    from ui.data import current_store, load_frames
    from ui.district import chosen_district, district_picker
    from ui.map_clicks import district_on_click

    state.init_state()
    frames = load_frames(*current_store())
    if "clicked" in st.session_state:  # as streamlit-folium does on a click: the value, then the callback
        st.session_state["incident_map"] = st.session_state.pop("clicked")
        district_on_click("incident_map", frames.districts, [(frames.incidents, "incident_id", 60.0)])()
    district_picker(sorted(frames.districts["district"].astype(int)), Actor("cole", "council_office", district=14))
    st.write(f"district={chosen_district()}")


def _shown(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("district="))


def _click(lon: float, lat: float, *, tip: str | None, count: int) -> dict[str, object]:
    here = {"lat": lat, "lng": lon}
    return {"last_clicked": here, "last_object_clicked": here, "last_object_clicked_tooltip": tip,
            "last_object_clicked_count": count}


def test_clicking_a_district_sets_the_one_selector_and_all_districts_is_one_click_away(sample_store):
    districts = sample_store.read_layer(schema.DISTRICTS)
    incidents = sample_store.read_layer(schema.INCIDENTS)
    other = districts[districts[schema.DISTRICT].astype(int) == 5].iloc[0]
    spot = other.geometry.representative_point()
    assert shapely.distance(incidents.geometry.to_numpy(), spot).min() > 0.001  # no incident here (~100 m clear)
    at = AppTest.from_function(_script, default_timeout=120).run()
    assert not at.exception, at.exception
    assert _shown(at) == "district=14" and at.selectbox(key="district").value == 14  # a council office's own
    at.session_state["clicked"] = _click(spot.x, spot.y, tip=f"District\t5\nName\t{other[schema.DISTRICT_NAME]}",
                                         count=1)
    at.run()
    assert not at.exception, at.exception
    assert _shown(at) == "district=5" and at.selectbox(key="district").value == 5
    assert at.query_params["district"] in ("5", ["5"])  # shared links carry it
    # a click on an incident inside district 14 leaves the district alone
    hit = incidents[incidents[schema.COUNCIL_DISTRICT] == 14].iloc[0].geometry
    at.session_state["clicked"] = _click(hit.x, hit.y, tip="Incident\tINC-1", count=2)
    at.run()
    assert _shown(at) == "district=5"
    # "All districts": one click on the sidebar's button
    at.button(key="district_show_all").click().run()
    assert _shown(at) == "district=None" and at.selectbox(key="district").value == 0
