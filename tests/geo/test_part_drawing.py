"""A site part drawn on the map: the map's GeoJSON becomes a checked EPSG:4326 polygon saved like a pasted one."""
from __future__ import annotations

import json

import pytest
import shapely

from geo import schema
from geo.analysis.selection import latest_drawing
from geo.errors import AccessDenied, InvalidGeometryError, SchemaError
from geo.io.parts import drawn_geometry
from geo.services import sites as site_service
from tests.actors import ADMIN, liaison
from tests.conftest import canonical_frame

RAP = "Recreation and Parks (RAP)"
PARK = shapely.box(-118.250, 34.050, -118.248, 34.052)
RING = [[-118.2500, 34.0500], [-118.2494, 34.0500], [-118.2494, 34.0505], [-118.2500, 34.0505], [-118.2500, 34.0500]]
#: What Leaflet.draw's rectangle tool returns through streamlit-folium.
RECTANGLE = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [RING]}}


@pytest.mark.parametrize("drawing", [
    RECTANGLE, RECTANGLE["geometry"], json.dumps(RECTANGLE), [{"type": "Feature", "properties": {},
                                                               "geometry": {"type": "Point", "coordinates": [0, 0]}},
                                                              RECTANGLE],
], ids=["feature", "geometry", "text", "all drawings: the last"])
def test_a_drawn_polygon_in_every_shape_the_map_returns(drawing):
    geom = drawn_geometry(drawing, label="lot")
    assert geom.geom_type == "Polygon" and geom.equals(shapely.Polygon(RING))


@pytest.mark.parametrize(("drawing", "error", "words"), [
    (None, SchemaError, "nothing drawn on the map"),
    ([], SchemaError, "nothing drawn on the map"),
    ({"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": RING}},
     InvalidGeometryError, "the drawing is a LineString, not a polygon"),
    ({"type": "Feature", "properties": {"radius": 40.0}, "geometry": {"type": "Point", "coordinates": RING[0]}},
     InvalidGeometryError, "a circle was drawn"),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"}}, SchemaError, "not GeoJSON"),
    (42, SchemaError, "is a int, not GeoJSON"),
])
def test_a_drawing_that_is_no_polygon_is_refused_saying_what_to_draw(drawing, error, words):
    with pytest.raises(error, match=words):
        drawn_geometry(drawing, label="lot")


def test_latest_drawing_prefers_the_active_one_and_is_stable_text():
    assert latest_drawing(None) is None and latest_drawing({"last_active_drawing": None, "all_drawings": None}) is None
    active = latest_drawing({"last_active_drawing": RECTANGLE, "all_drawings": []})
    assert active is not None and json.loads(active) == RECTANGLE
    assert latest_drawing({"last_active_drawing": dict(reversed(RECTANGLE.items()))}) == active  # keys sorted
    assert latest_drawing({"last_active_drawing": None, "all_drawings": [RECTANGLE]}) == active
    assert latest_drawing({"last_active_drawing": {"type": "Feature"}}) is None


@pytest.fixture
def park(any_store):
    sites = canonical_frame(schema.SITES, [PARK], site_id=["PARK-1"], owning_dept=[RAP], area_sqft=1.0,
                            site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    return any_store


def test_a_drawn_part_is_saved_trimmed_and_measured_like_a_pasted_one(park):
    drawn = site_service.add_drawn_part(park, liaison(RAP), "PARK-1", part_type="parking_lot",
                                        drawing=json.dumps(RECTANGLE), name="Lot A")
    pasted = site_service.add_part(park, liaison(RAP), "PARK-1", part_type="parking_lot",
                                   geometry=shapely.to_wkt(shapely.Polygon(RING)), name="Lot B")
    parts = park.read_parts().set_index(schema.PART_ID)
    assert parts.loc[drawn[schema.PART_ID], schema.GEOMETRY_WKT] == parts.loc[pasted[schema.PART_ID],
                                                                               schema.GEOMETRY_WKT]
    assert parts.loc[drawn[schema.PART_ID], schema.AREA_SQFT] == pytest.approx(
        parts.loc[pasted[schema.PART_ID], schema.AREA_SQFT]) and parts[schema.AREA_SQFT].iloc[0] > 10_000
    assert parts.loc[drawn[schema.PART_ID], schema.VERSION] == 1


def test_a_drawing_outside_the_site_or_by_another_department_saves_nothing(park):
    away = {"type": "Polygon", "coordinates": [[[x + 0.01, y] for x, y in RING]]}
    with pytest.raises(InvalidGeometryError, match="outside its site"):
        site_service.add_drawn_part(park, ADMIN, "PARK-1", part_type="yard", drawing=away)
    with pytest.raises(SchemaError, match="nothing drawn"):
        site_service.add_drawn_part(park, ADMIN, "PARK-1", part_type="yard", drawing=None)
    with pytest.raises(AccessDenied):
        site_service.add_drawn_part(park, liaison("Transportation (LADOT)"), "PARK-1", part_type="yard",
                                    drawing=RECTANGLE)
    assert park.read_parts().empty
