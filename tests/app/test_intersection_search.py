"""AppTest: with a street layer imported, the map search finds "Main St & 1st St", flies there and opens the site."""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import shapely
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.services.imports import import_file
from tests.actors import ADMIN
from tests.app.test_overview_page import APP
from tests.app.test_report_map import map_args

ROOT = Path(APP).parent


def crossing_streets(path: Path, lon: float, lat: float) -> Path:
    """Write Main St and 1st St (LA field names, in block segments) crossing at (``lon``, ``lat``), as GeoJSON."""
    d = 0.004
    frame = gpd.GeoDataFrame(
        {"ASSETID": [9001, 9002, 9003, 9004], "STDIR": ["N", None, None, "S"],
         "STNAME": ["MAIN", "1ST", "1ST", "MAIN"], "STSFX": ["ST", "ST", "ST", "ST"],
         "CLASS": ["Major Highway - Class II", "Collector Street", "Collector Street", "Local Street - Standard"],
         "is_synthetic": [True] * 4},  # the sample store takes synthetic layers only
        geometry=[shapely.LineString([(lon, lat), (lon, lat + d)]),
                  shapely.LineString([(lon - d, lat), (lon, lat)]),
                  shapely.LineString([(lon, lat), (lon + d, lat)]),
                  shapely.LineString([(lon + 0.05, lat - d), (lon + 0.05, lat + d)])], crs=4326)
    frame.to_file(path, driver="GeoJSON")
    return path


def test_an_intersection_is_found_flown_to_and_the_nearest_site_opens(sample_store, tmp_path):
    sites = sample_store.read_layer(schema.SITES)
    site = sites.iloc[5]
    here = site.geometry.representative_point()
    report = import_file(sample_store, ADMIN, schema.STREETS, crossing_streets(tmp_path / "streets.geojson",
                                                                                here.x, here.y))
    assert report.n_accepted == 4
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = "planner"
    at.run()
    at.switch_page(str(ROOT / "app_pages" / "gaps.py")).run()
    at.text_input(key="gaps_search").input("main street and first").run()
    assert not at.exception, at.exception
    assert at.session_state["selected_site"] == site[schema.SITE_ID]  # the site at the corner: its panel
    script = map_args(at)["script"]
    assert "stagemap-found" in script and "N MAIN ST &amp; 1ST ST" in script  # ringed, labelled (escaped)
    fits = re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", script, re.S)
    assert len(fits) == 1  # one view: the crossing's
    (south, west), (north, east) = json.loads(fits[0])
    assert south < here.y < north and west < here.x < east  # the map flies to the crossing
    at.text_input(key="gaps_search").input("Main St & Nowhere Rd").run()
    assert any(c.value.startswith("Nothing matches") for c in at.caption)
