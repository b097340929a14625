"""Council districts carry their number as a label inside each district, toggled with the outlines."""
from __future__ import annotations

import re

import folium
import shapely

from geo import schema
from layers.features import districts_layer
from tests.conftest import canonical_frame


def test_each_district_is_labelled_inside_itself_and_the_label_takes_no_clicks():
    # a U-shaped district: its centroid lies outside it, the label must not
    u_shape = shapely.Polygon([(-118.30, 34.00), (-118.20, 34.00), (-118.20, 34.10), (-118.22, 34.10),
                               (-118.22, 34.02), (-118.28, 34.02), (-118.28, 34.10), (-118.30, 34.10)])
    square = shapely.box(-118.50, 34.00, -118.40, 34.10)
    districts = canonical_frame(schema.DISTRICTS, [u_shape, square], district=[14, 3],
                                district_name=["<b>Downtown</b>", "West"])
    fmap = folium.Map(location=[34.05, -118.3], zoom_start=10)
    districts_layer(districts, name="Council districts").add_to(fmap)
    html = fmap.get_root().render()
    assert re.findall(r"CD (\d+)", html) == ["14", "3"]
    assert "<b>Downtown</b>" not in html.split("stagemap-district-label")[1]  # labels carry the number only
    markers = [c for c in fmap._children.values() for c in c._children.values() if isinstance(c, folium.Marker)]
    assert len(markers) == 2 and all(m.options.get("interactive") is False for m in markers)
    lat, lon = markers[0].location
    assert u_shape.contains(shapely.Point(lon, lat)) and not u_shape.contains(u_shape.centroid)
