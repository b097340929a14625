"""Map search: address, AIN/APN, site id and name; parcel numbers only for roles that may receive them."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import schema
from geo.analysis.search import ADDRESS, PARCEL, SITE, build_index, find


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({schema.SITE_ID: ["LA-0001", "LA-0002"], schema.NAME: ["Main Street Lot", "Elm Park"],
                             schema.ADDRESS: ["200 N Main St", None], schema.AINS: ["5150001001", "5150001002;515"]},
                            geometry=[box(-118.24, 34.05, -118.239, 34.051), box(-118.3, 34.1, -118.29, 34.11)],
                            crs=4326)


def _parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({schema.AIN: ["5150001001", "5432001012", "5432001013"],
                             schema.APN: ["5150-001-001", "5432-001-012", "5432-001-013"],
                             schema.SITUS_ADDRESS: ["200 N MAIN ST", "1234 W Sunset Blvd", None],
                             schema.SITUS_ZIP: ["90012", "90026", None]},
                            geometry=[box(-118.24, 34.05, -118.239, 34.051), box(-118.26, 34.07, -118.259, 34.071),
                                      box(-118.27, 34.08, -118.269, 34.081)], crs=4326)


@pytest.fixture(scope="module")
def index():
    return build_index(_sites(), _parcels(), parcel_ids=True)


def test_site_id_and_name_find_the_site_first(index):
    hit = find(index, "la-0002").iloc[0]
    assert (hit["kind"], hit["ref"]) == (SITE, "LA-0002")
    assert find(index, "elm park")["ref"].tolist() == ["LA-0002"]
    assert hit["minx"] <= hit["lon"] <= hit["maxx"] and hit["miny"] <= hit["lat"] <= hit["maxy"]


def test_address_words_in_any_case_and_punctuation(index):
    hits = find(index, "1234 w. sunset")
    assert hits["ref"].tolist() == ["5432001012"]
    both = find(index, "200 n main")
    assert both["kind"].tolist() == [SITE, PARCEL]  # the City site before the parcel under it


def test_apn_with_dashes_and_ain_digits_find_the_parcel(index):
    assert find(index, "5432-001-013")["ref"].tolist() == ["5432001013"]
    assert find(index, "5432001012")["ref"].iloc[0] == "5432001012"
    assert find(index, "5150001002")["ref"].tolist() == ["LA-0002"]  # a site by one of its AINs


def test_nothing_found_and_empty_queries():
    index = build_index(_sites(), _parcels(), parcel_ids=True)
    assert find(index, "no such place").empty and find(index, "  ").empty
    assert find(build_index(_sites().iloc[:0], _parcels().iloc[:0], parcel_ids=True), "main").empty


def test_without_parcel_ids_addresses_only_and_no_ain_anywhere():
    index = build_index(_sites().iloc[:0], _parcels(), parcel_ids=False)
    assert set(index["kind"]) == {ADDRESS} and len(index) == 2  # the parcel without an address is not searchable
    assert not index[["ref", "label", "text"]].apply(lambda c: c.str.contains("5432")).any().any()
    assert find(index, "5432-001-012").empty
    assert find(index, "sunset")["label"].tolist() == ["1234 W Sunset Blvd"]


def test_place_of_a_table_row():
    from geo.analysis.search import place_of

    place = place_of(_sites(), schema.SITE_ID, "LA-0002")
    assert place is not None and place["ref"] == "LA-0002" and place["minx"] <= place["lon"] <= place["maxx"]
    assert place_of(_sites(), schema.SITE_ID, "nope") is None


def test_full_width_digits_and_letters_from_a_phone_keyboard_find_the_same_place(index):
    assert find(index, "５４３２－００１－０１３")["ref"].tolist() == ["5432001013"]
    assert find(index, "ＬＡ－０００２").iloc[0]["ref"] == "LA-0002"
