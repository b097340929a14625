"""Format detection by content, CRS options and CRS contradictions."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import CRSError, GeoDataError
from geo.io import readers


def _pts(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.Point(-118.24, 34.05), shapely.Point(-118.25, 34.06)],
                            crs="EPSG:4326").to_crs(crs)


@pytest.mark.parametrize(("name", "writer", "fmt"), [
    ("x.geojson", lambda g, p: g.to_file(p), readers.GEOJSON),
    ("x.gpkg", lambda g, p: g.to_file(p, driver="GPKG"), readers.GPKG),
    ("x.fgb", lambda g, p: g.to_file(p, driver="FlatGeobuf"), readers.FLATGEOBUF),
    ("x.parquet", lambda g, p: g.to_parquet(p), readers.PARQUET),
    ("x.csv", lambda g, p: p.write_text("id,LAT,LON\na,34.05,-118.24\n"), readers.CSV),
], ids=["geojson", "gpkg", "fgb", "parquet", "csv"])
def test_detect_and_read(tmp_path, name, writer, fmt):
    path = tmp_path / name
    writer(_pts(), path)
    assert readers.detect_format(path) == fmt
    raw = readers.read_source(path)
    assert raw.fmt == fmt and "id" in raw.frame.columns
    if fmt != readers.CSV:
        assert raw.crs == "EPSG:4326" and len(raw.geometry) == 2


def test_content_wins_over_a_missing_extension(tmp_path):
    path = tmp_path / "download"
    _pts().to_file(path, driver="GeoJSON")
    assert readers.detect_format(path) == readers.GEOJSON


def test_lying_extension(tmp_path):
    _pts().to_file(tmp_path / "a.fgb", driver="FlatGeobuf")
    (tmp_path / "a.geojson").write_bytes((tmp_path / "a.fgb").read_bytes())
    with pytest.raises(GeoDataError, match=r"extension \.geojson says GeoJSON, but the content is FlatGeobuf"):
        readers.detect_format(tmp_path / "a.geojson")


def test_crs_option_parsing():
    assert readers.parse_crs_option("2229") == "EPSG:2229" and readers.parse_crs_option("epsg:4269") == "EPSG:4269"
    assert readers.parse_crs_option(None) is None
    with pytest.raises(CRSError, match="not a known CRS"):
        readers.parse_crs_option("feet")


def test_missing_crs_suggests_2229(tmp_path):
    g = _pts("EPSG:2229")
    with pytest.warns(UserWarning, match="crs"):
        g.set_crs(None, allow_override=True).to_file(tmp_path / "nocrs.fgb", driver="FlatGeobuf")
    with pytest.raises(CRSError, match=r"no CRS .*look like EPSG:2229.*--crs 2229"):
        readers.read_source(tmp_path / "nocrs.fgb")
    assert readers.read_source(tmp_path / "nocrs.fgb", crs="2229").crs == "EPSG:2229"


def test_geojson_crs_is_implied_so_crs_option_overrides(tmp_path):
    data = json.loads(_pts("EPSG:2229").to_json(to_wgs84=False))
    data.pop("crs", None)
    (tmp_path / "feet.geojson").write_text(json.dumps(data))
    assert readers.read_source(tmp_path / "feet.geojson").crs == "EPSG:4326"
    assert readers.read_source(tmp_path / "feet.geojson", crs="2229").crs == "EPSG:2229"


@pytest.mark.parametrize(("crs", "pattern"), [
    ("EPSG:3857", r"look like EPSG:3857, but the file's CRS is EPSG:4326"),
    ("EPSG:2229", r"look like EPSG:2229"),
])
def test_explain_outside(crs, pattern):
    geoms = np.asarray(_pts(crs).geometry.array, dtype=object)
    err = readers.explain_outside(geoms, "EPSG:4326", label="x", tabular=False)
    assert isinstance(err, CRSError) and re.search(pattern, str(err))


def test_to_display_reprojects_4269_and_rounds():
    g = _pts("EPSG:4269")
    out = readers.reproject_to_display(np.asarray(g.geometry.array, dtype=object), "EPSG:4269")
    xy = shapely.get_coordinates(out)
    assert np.allclose(xy, [[-118.24, 34.05], [-118.25, 34.06]], atol=1e-5)
    assert np.allclose(xy * 1e7, np.round(xy * 1e7))


def test_city_hall_feet_round_trip():
    out = readers.reproject_to_display(np.array([shapely.Point(6_488_151, 1_842_013)], dtype=object), "EPSG:2229")
    assert abs(out[0].x + 118.2427) < 1e-4 and abs(out[0].y - 34.0537) < 1e-4


def test_where_labels(tmp_path):
    (tmp_path / "a.csv").write_text("id\n1\n2\n")
    raw = readers.read_source(tmp_path / "a.csv")
    assert list(raw.where(np.array([0, 1]))) == ["row 2", "row 3"]
    _pts().to_file(tmp_path / "b.geojson")
    assert list(readers.read_source(tmp_path / "b.geojson").where(np.array([0]))) == ["feature 1"]
