"""Site category rules on the hand-made town and on single-rule frames."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.analysis.classify import classify_sites, normalize_use_code, park_overlap_share
from geo.errors import CRSError
from tests.geo import town


def _one(**cols) -> gpd.GeoDataFrame:
    base = {schema.ASSET_TYPE: None, schema.USE_CODE: None, schema.USE_DESCRIPTION: None, schema.BLDG_SQFT: None, schema.YEAR_BUILT: None}
    base.update(cols)
    return gpd.GeoDataFrame({k: [v] for k, v in base.items()}, geometry=[town.box(0, 0, 100, 100)], crs=town.CRS)


def test_town_categories_and_sources():
    sites = town.sites()
    out = classify_sites(sites, parks=town.parks())
    assert out.index.equals(sites.index)
    got = dict(zip(sites[schema.SITE_ID], zip(out["category"], out["category_source"])))
    assert got == town.EXPECTED_CATEGORY


def test_basis_names_the_rule_in_words():
    out = classify_sites(town.sites(), parks=town.parks()).set_index(town.sites()[schema.SITE_ID])["category_basis"]
    assert out["S1"] == "department asset type 'LADOT lot' -> parking lot"
    assert out["S2"] == ("use code 2700 is 27xx (parking); building area 15,000 sq ft on a 5,000 sq ft lot (300 % of it, "
                         ">= 50%): a structure -> parking garage")
    assert out["S3"] == "site area 100 % inside park boundaries (>= 50%)"
    assert out["S4"] == "use code 880V ends in V (vacant), no building -> vacant lot"
    assert out["S5"].startswith("use code 8800 is public (80xx-88xx)")
    assert out["S7"] == "description mentions parking; no building area -> parking lot"


@pytest.mark.parametrize(("cols", "expected"), [
    ({schema.USE_CODE: "3800"}, ("parking_lot", "use_code")),
    ({schema.USE_CODE: "2710", schema.YEAR_BUILT: 1988}, ("parking_lot", "use_code")),  # a year alone is no structure
    ({schema.USE_CODE: "2710", schema.BLDG_SQFT: 0.0, schema.YEAR_BUILT: 1988}, ("parking_lot", "use_code")),
    ({schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "Parking structure"}, ("parking_garage", "description")),
    ({schema.USE_CODE: "6100"}, ("park", "use_code")),
    ({schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "Neighborhood park"}, ("park", "description")),
    ({schema.USE_CODE: "100V"}, ("vacant_lot", "use_code")),
    ({schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "Vacant land"}, ("vacant_lot", "description")),
    ({schema.USE_CODE: "8900"}, ("other", "none")),
    ({schema.ASSET_TYPE: "RAP park", schema.USE_CODE: "2700"}, ("park", "asset")),
    ({schema.ASSET_TYPE: "LADOT garage"}, ("parking_garage", "asset")),
    ({schema.ASSET_TYPE: "vacant lot"}, ("vacant_lot", "asset")),
    ({schema.ASSET_TYPE: "GSD facility"}, ("facility", "asset")),
    ({schema.ASSET_TYPE: "mystery", schema.USE_CODE: "880V"}, ("vacant_lot", "use_code")),
    ({schema.USE_CODE: 8800}, ("facility", "use_code")),
])
def test_each_rule(cols, expected):
    out = classify_sites(_one(**cols))
    assert (out["category"].iloc[0], out["category_source"].iloc[0]) == expected


def test_parking_beats_park_overlay():
    parks = gpd.GeoDataFrame(geometry=[town.box(-10, -10, 110, 110)], crs=town.CRS)
    out = classify_sites(_one(**{schema.USE_CODE: "2700"}), parks=parks)
    assert out["category"].iloc[0] == "parking_lot"


def test_overlap_share_dissolves_overlapping_parks():
    parks = gpd.GeoDataFrame(geometry=[town.box(0, 0, 60, 100), town.box(30, 0, 60, 100)], crs=town.CRS)
    share = park_overlap_share(_one(), parks=parks)
    assert share.iloc[0] == pytest.approx(0.6)
    assert classify_sites(_one(), parks=parks)["category"].iloc[0] == "park"


def test_normalize_use_code():
    got = normalize_use_code(pd.Series([" 100", "880v", None, "27"]))
    assert got.tolist() == ["0100", "880V", "", "0027"]


def test_inputs_unchanged_and_crs_checked():
    sites = town.sites()
    before = sites.copy()
    classify_sites(sites, parks=town.parks())
    pd.testing.assert_frame_equal(sites, before)
    with pytest.raises(CRSError, match="expected CRS EPSG:2229"):
        classify_sites(sites.to_crs(4326))
    with pytest.raises(CRSError, match="park_overlap_share"):
        classify_sites(sites, parks=town.parks().set_crs(None, allow_override=True))


def test_empty_and_multipolygon():
    empty = town.sites().iloc[:0]
    assert classify_sites(empty).empty
    multi = _one(**{schema.USE_CODE: "2700"}).set_geometry(
        [shapely.MultiPolygon([town.box(0, 0, 10, 10), town.box(20, 0, 30, 10)])], crs=town.CRS)
    assert classify_sites(multi)["category"].iloc[0] == "parking_lot"
