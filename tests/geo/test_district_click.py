"""Clicking a district filters: a new click inside an outline, off every feature, chooses that district."""
from __future__ import annotations

import shapely

from geo import schema
from geo.analysis.district_click import district_at, district_clicked
from tests.conftest import canonical_frame

WEST, EAST = shapely.box(-118.5, 34.0, -118.4, 34.1), shapely.box(-118.4, 34.0, -118.3, 34.1)


def _districts():
    return canonical_frame(schema.DISTRICTS, [WEST, EAST], district=[3, 14],
                           district_name=["Demo zone 3", "Demo zone 14"])


def _sites():
    return canonical_frame(schema.SITES, [shapely.box(-118.351, 34.049, -118.349, 34.051)], site_id=["S-1"])


def _click(lon, lat, *, tip=None, on_object=True):
    here = {"lat": lat, "lng": lon}
    return {"last_clicked": here, "last_object_clicked": here if on_object else None,
            "last_object_clicked_tooltip": tip, "last_object_clicked_count": 1}


def test_point_in_which_district():
    assert district_at(_districts(), -118.45, 34.05) == 3
    assert district_at(_districts(), -118.35, 34.05) == 14
    assert district_at(_districts(), -118.4, 34.05) == 3  # on the shared edge: the lower number, every time
    assert district_at(_districts(), -117.0, 34.05) is None


def test_a_new_click_on_the_outline_chooses_the_district_once():
    event = _click(-118.33, 34.02, tip="District\t14\nName\tDemo zone 14")
    number, seen = district_clicked(event, None, _districts(), [(_sites(), schema.SITE_ID, 150.0)])
    assert number == 14
    assert district_clicked(event, seen, _districts())[0] is None  # the same click on a rerun: used once
    bare = _click(-118.45, 34.05, on_object=False)  # a click where no object is drawn at all
    assert district_clicked(bare, seen, _districts())[0] == 3


def test_a_click_on_a_feature_chooses_nothing():
    on_site = _click(-118.35, 34.05, tip="Site\tS-1\nName\tYard")  # the site's own tooltip
    assert district_clicked(on_site, None, _districts(), [(_sites(), schema.SITE_ID, 150.0)])[0] is None
    # an incident's tooltip with a date ending in -14 is not district 14's outline
    tip = "Incident\tINC-9\nDate\t2026-11-14"
    assert district_clicked(_click(-118.33, 34.02, tip=tip), None, _districts())[0] is None
    # no tooltip (a heat map): still off when a feature of the page lies within the distance
    near = _click(-118.3505, 34.0505, on_object=False)
    assert district_clicked(near, None, _districts(), [(_sites(), schema.SITE_ID, 150.0)])[0] is None
    assert district_clicked(near, None, _districts())[0] == 14


def test_outside_every_district_or_no_click_chooses_nothing():
    assert district_clicked(_click(-117.0, 34.05), None, _districts())[0] is None
    assert district_clicked(None, None, _districts())[0] is None
    assert district_clicked({"last_clicked": None}, None, _districts())[0] is None
