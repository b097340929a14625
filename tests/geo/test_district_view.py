"""The session's district as a view: the outline's bounds and the rows inside it."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import schema
from geo.analysis.district_view import district_bounds, in_district


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({schema.DISTRICT: [1, 2]}, geometry=[box(-118.5, 34.0, -118.4, 34.1),
                                                                 box(-118.3, 34.0, -118.2, 34.2)], crs=4326)


def test_bounds_are_the_chosen_outline_and_none_means_all():
    assert district_bounds(_districts(), 2) == (-118.3, 34.0, -118.2, 34.2)
    assert district_bounds(_districts(), None) is None
    assert district_bounds(_districts(), 9) is None  # an unknown district zooms nowhere rather than failing
    assert district_bounds(_districts().to_crs(2229), 1) == pytest.approx((-118.5, 34.0, -118.4, 34.1), abs=1e-6)


def test_rows_in_the_district_keep_every_row_for_all():
    frame = gpd.GeoDataFrame({schema.COUNCIL_DISTRICT: pd.array([1, 2, None], dtype="Int64")},
                             geometry=[Point(0, 0)] * 3, crs=4326)
    assert list(in_district(frame, 2).index) == [1]
    assert len(in_district(frame, None)) == 3
    assert len(in_district(frame.drop(columns=schema.COUNCIL_DISTRICT), 2)) == 3  # no district column: nothing to cut
