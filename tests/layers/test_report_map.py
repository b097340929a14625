"""The report form's map: district outlines with their labels, the synthetic banner, and a draggable pin."""
from __future__ import annotations

import re

import folium
import shapely

from geo import schema
from geo.config import SYNTHETIC_SOURCE
from layers.report_map import PIN_CLASS, report_map, report_pin
from tests.conftest import canonical_frame


def _districts():
    return canonical_frame(schema.DISTRICTS, [shapely.box(-118.5, 34.0, -118.4, 34.1),
                                              shapely.box(-118.4, 34.0, -118.3, 34.1)],
                           district=[3, 14], district_name=["West", "Downtown"])


def test_report_map_outlines_and_labels_districts_and_says_synthetic():
    html = report_map(_districts(), synthetic=True).get_root().render()
    assert re.findall(r"CD (\d+)", html) == ["3", "14"]
    assert "stagemap-banner" in html and SYNTHETIC_SOURCE in html
    real = report_map(_districts(), synthetic=False).get_root().render()
    assert "stagemap-banner" not in real and SYNTHETIC_SOURCE not in real


def test_pin_sits_at_the_point_is_draggable_and_reports_its_drop():
    group = report_pin(34.05, -118.25, title="Drag me")
    pins = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    assert len(pins) == 1 and pins[0].location == [34.05, -118.25]
    assert pins[0].options["draggable"] is True
    fmap = folium.Map(location=[34.05, -118.3], zoom_start=10)
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert PIN_CLASS in html
    name = pins[0].get_name()
    # on dragend the pin fires a click at its new place: streamlit-folium returns it as last_object_clicked
    assert re.search(rf"{name}\.on\('dragend'.*?fire\('click', \{{latlng: pin\.getLatLng\(\)", html, re.S)
