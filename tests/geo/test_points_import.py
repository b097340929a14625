"""Places of concern and freeway ramps: importable point layers that the risk model reads from the store."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.errors import SchemaError
from geo.io.points import place_type_of
from geo.services.analysis import analyze_store
from geo.services.imports import import_file
from stagemap_cli.main import main
from tests.actors import ADMIN
from tests.conftest import canonical_frame

LOT = shapely.box(-118.2440, 34.0500, -118.2430, 34.0510)  # a ~300 ft lot near City Hall


@pytest.mark.parametrize(("text", "kind"), [
    ("Home Depot #6612", "home_improvement"), ("LOWE'S OF VAN NUYS", "home_improvement"),
    ("Day Laborer Center", "day_labor_site"), ("Sparkle Car Wash", "car_wash"), ("Swap Meet", "swap_meet"),
    ("Stanley Mosk Courthouse", "courthouse"), ("Walmart Supercenter", "big_box_store"),
    ("Union Station", "transit_hub"), ("car_wash", "car_wash"), ("Taqueria", "other"), (None, "other"),
])
def test_place_types_from_words(text, kind):
    assert place_type_of(pd.Series([text], dtype=object)).iloc[0] == kind


def test_places_geojson_without_a_type_column_and_ramps_csv(store, tmp_path):
    places = gpd.GeoDataFrame({"name": ["Home Depot #1", "Sparkle Car Wash", "Corner store"], "OBJECTID": [1, 2, 3]},
                              geometry=[shapely.Point(-118.2435, 34.0512), shapely.Point(-118.25, 34.06),
                                        shapely.Point(-118.26, 34.07)], crs="EPSG:4326")
    places.to_file(tmp_path / "places.geojson")
    report = import_file(store, ADMIN, "places", tmp_path / "places.geojson")
    assert report.n_accepted == 3 and "types read from the names" in report.summary()
    got = store.read_layer(schema.PLACES).set_index(schema.PLACE_ID)
    assert got[schema.PLACE_TYPE].to_dict() == {"1": "home_improvement", "2": "car_wash", "3": "other"}
    pd.DataFrame({"ramp_id": ["R1", "R2", "R3"], "type": ["On", "exit", "on/off"], "freeway": ["I-10"] * 3,
                  "LAT": [34.0515, 34.06, 0], "LON": [-118.2425, -118.25, 0]}).to_csv(tmp_path / "ramps.csv", index=False)
    report = import_file(store, ADMIN, "ramps", tmp_path / "ramps.csv")
    assert (report.n_accepted, len(report.rejected)) == (2, 1)
    assert "row 4" in report.summary() and "LAPD's code for a missing location" in report.summary()
    ramps = store.read_layer(schema.RAMPS).set_index(schema.RAMP_ID)
    assert ramps[schema.RAMP_TYPE].to_dict() == {"R1": "on", "R2": "off"} and set(ramps[schema.ROUTE]) == {"I-10"}


def test_imported_layers_feed_the_risk_factors_in_words(store, tmp_path, cli_accounts):
    sites = canonical_frame(schema.SITES, [LOT], site_id="LOT-1", owning_dept="Transportation (LADOT)",
                            area_sqft=1.0, site_origin="asset_list", is_synthetic=False)
    store.write_layers({schema.SITES: sites})
    before = analyze_store(store, as_of=dt.date(2026, 3, 10)).sites.iloc[0]
    assert "no places-of-concern layer loaded" in before["risk_factors"]
    gpd.GeoDataFrame({"name": ["Home Depot #1"]}, geometry=[shapely.Point(-118.2435, 34.0512)],
                     crs="EPSG:4326").to_file(tmp_path / "p.geojson")
    assert main(["import", "places", str(tmp_path / "p.geojson"), "--store", str(store.path), "--user", "admin"]) == 0
    pd.DataFrame({"id": ["R1"], "LAT": [34.0515], "LON": [-118.2425]}).to_csv(tmp_path / "r.csv", index=False)
    assert main(["import", "ramps", str(tmp_path / "r.csv"), "--store", str(store.path), "--user", "admin"]) == 0
    after = analyze_store(store, as_of=dt.date(2026, 3, 10)).sites.iloc[0]
    assert "nearest place of concern (home improvement) 73 ft away (<= 660 ft): +10" in after["risk_factors"]
    assert "nearest freeway ramp" in after["risk_factors"] and "(<= 1,320 ft): +10" in after["risk_factors"]
    assert after["risk_score"] == before["risk_score"] + 20


def test_a_points_file_without_locations_is_refused_whole(store, tmp_path):
    pd.DataFrame({"name": ["Home Depot"]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(SchemaError, match="no geometry and no latitude/longitude columns"):
        import_file(store, ADMIN, "places", tmp_path / "bad.csv")
    assert store.read_layer(schema.PLACES).empty
