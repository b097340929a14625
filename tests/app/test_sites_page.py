"""AppTest: the Site list (A.1) page determines sites, draws parts and marks them; refusals show and save nothing."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from geo import schema
from tests.app.test_overview_page import APP

RAP = "Recreation and Parks (RAP)"


def _sites_page(role: str = "liaison", dept: str | None = RAP) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_name"] = "ana"
    at.session_state["demo_role"] = role
    if dept:
        at.session_state["demo_dept"] = dept
    at.run()
    return at.switch_page("app_pages/sites.py").run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_liaison_sees_their_sites_and_parts_and_determines_one(sample_store):
    at = _sites_page()
    assert not at.exception, at.exception
    parks = sample_store.read_layer(schema.SITES)
    n_parks = int((parks[schema.OWNING_DEPT] == RAP).sum())
    n_parts = len(sample_store.read_parts())
    assert _metric(at, "Sites") == f"{n_parks:,}" and _metric(at, "Parts") == f"{n_parts:,}"
    control = sample_store.read_control().set_index(schema.SITE_ID)
    pending = next(s for s in parks.loc[parks[schema.OWNING_DEPT] == RAP, schema.SITE_ID] if s not in control.index)
    at.selectbox(key="sit_site").set_value(pending).run()
    next(r for r in at.radio if r.label == "A.1 determination").set_value("candidate")
    next(b for b in at.button if b.label == "Save determination").click().run()
    assert not at.exception, at.exception
    row = sample_store.read_control().set_index(schema.SITE_ID).loc[pending]
    assert (row[schema.DETERMINATION], row[schema.VERSION], row[schema.DETERMINED_BY]) == ("candidate", 1, "ana")
    assert any(f"Site {pending}: saved as version 1" in s.value for s in at.success)


def test_not_a_candidate_without_a_reason_is_refused_and_nothing_is_saved(sample_store):
    at = _sites_page()
    site = at.selectbox(key="sit_site").value
    before = sample_store.read_control()
    next(r for r in at.radio if r.label == "A.1 determination").set_value("not_candidate")
    next(t for t in at.text_input if t.label == "Reason").set_value("")
    next(b for b in at.button if b.label == "Save determination").click().run()
    assert not at.exception
    assert any("needs a reason" in e.value for e in at.error), [e.value for e in at.error]
    assert sample_store.read_control().equals(before), site


def test_drawing_a_part_on_a_park(sample_store):
    at = _sites_page()
    parts = sample_store.read_parts()
    sites = sample_store.read_layer(schema.SITES)
    park = next(s for s in sites.loc[sites[schema.OWNING_DEPT] == RAP, schema.SITE_ID]
                if s not in set(parts[schema.SITE_ID]))
    at.selectbox(key="sit_site").set_value(park).run()
    x0, y0, x1, y1 = sites.set_index(schema.SITE_ID).loc[park, "geometry"].bounds
    wkt = (f"POLYGON (({x0} {y0}, {x0 + (x1 - x0) / 3} {y0}, {x0 + (x1 - x0) / 3} {y0 + (y1 - y0) / 3}, "
           f"{x0} {y0 + (y1 - y0) / 3}, {x0} {y0}))")
    next(t for t in at.text_area if t.label.startswith("Outline")).set_value(wkt)
    next(t for t in at.text_input if t.label == "Name").set_value("Lot **B** <b>x</b>")
    next(b for b in at.button if b.label == "Add part").click().run()
    assert not at.exception, at.exception
    new = sample_store.read_parts().set_index(schema.PART_ID).loc[f"{park}-P01"]
    assert new[schema.PART_NAME] == "Lot **B** <b>x</b>" and new[schema.PART_TYPE] == "parking_lot"
    assert any(f"A part of {park}: saved as version 1" in s.value for s in at.success)


def test_a_planner_picks_any_department(sample_store):
    at = _sites_page(role="planner", dept=None)
    assert not at.exception
    at.selectbox(key="sit_dept").set_value("Transportation (LADOT)").run()
    assert not at.exception and _metric(at, "Parts") == "0"


def _free_park(store) -> tuple[str, tuple[float, float, float, float]]:
    parts, sites = store.read_parts(), store.read_layer(schema.SITES)
    park = next(s for s in sites.loc[sites[schema.OWNING_DEPT] == RAP, schema.SITE_ID] if s not in set(parts[schema.SITE_ID]))
    return park, sites.set_index(schema.SITE_ID).loc[park, "geometry"].bounds


def test_a_part_drawn_on_the_map_is_saved_and_the_drawing_is_then_forgotten(sample_store):
    at = _sites_page()
    park, (x0, y0, x1, y1) = _free_park(sample_store)
    at.selectbox(key="sit_site").set_value(park).run()
    ring = [[x0, y0], [x0 + (x1 - x0) / 4, y0], [x0 + (x1 - x0) / 4, y0 + (y1 - y0) / 4], [x0, y0 + (y1 - y0) / 4],
            [x0, y0]]
    drawing = json.dumps({"geometry": {"coordinates": [ring], "type": "Polygon"}, "properties": {}, "type": "Feature"},
                         sort_keys=True)
    at.session_state["sit_drawing"] = {"site": park, "geojson": drawing}  # what the map's drawing tool returned
    at.run()
    assert any("A shape drawn on the map is ready" in i.value for i in at.info)
    assert any("department asset type 'RAP" in c.value for c in at.caption)  # the rule that decided the category
    next(s for s in at.selectbox if s.label == "Part type").set_value("yard")
    next(b for b in at.button if b.label == "Add part").click().run()
    assert not at.exception, at.exception
    new = sample_store.read_parts().set_index(schema.PART_ID).loc[f"{park}-P01"]
    assert new[schema.PART_TYPE] == "yard" and new[schema.AREA_SQFT] > 0
    assert any(f"A part of {park}: saved as version 1" in s.value for s in at.success)
    assert at.session_state["sit_drawing"] is None and at.session_state["sit_drawing_used"] == drawing


def test_adding_a_part_with_nothing_drawn_or_pasted_says_what_to_do(sample_store):
    at = _sites_page()
    park, _ = _free_park(sample_store)
    at.selectbox(key="sit_site").set_value(park).run()
    next(b for b in at.button if b.label == "Add part").click().run()
    assert not at.exception, at.exception
    assert any("nothing drawn on the map" in e.value for e in at.error), [e.value for e in at.error]
    assert park not in set(sample_store.read_parts()[schema.SITE_ID])
