"""Format detection by content, CRS options and CRS contradictions."""
from __future__ import annotations

import codecs
import json
import re
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.config import ImportLimits
from geo.errors import CRSError, GeoDataError, UnsafeFileError
from geo.io import readers, scan
from geo.io.budget import Budget, ImportCancelled


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


# --- text encodings -------------------------------------------------------------------------
ROWS = "id,name\n1,Café Olé\n2,Señor Ünal\n"


@pytest.mark.parametrize(("data", "named"), [
    (ROWS.encode("utf-8"), "UTF-8"),
    (codecs.BOM_UTF8 + ROWS.encode("utf-8"), "UTF-8 with byte-order mark"),
    (codecs.BOM_UTF16_LE + ROWS.encode("utf-16-le"), "UTF-16 (little-endian, with byte-order mark)"),
    (codecs.BOM_UTF16_BE + ROWS.encode("utf-16-be"), "UTF-16 (big-endian, with byte-order mark)"),
    (ROWS.encode("cp1252"), "Latin-1 (Windows-1252)"),
], ids=["utf8", "utf8-bom", "utf16le", "utf16be", "latin1"])
def test_text_encodings_are_recognised_read_and_said(tmp_path, data, named):
    (tmp_path / "t.csv").write_bytes(data)
    raw = readers.read_source(tmp_path / "t.csv")
    assert list(raw.frame.columns) == ["id", "name"]
    assert list(raw.frame["name"]) == ["Café Olé", "Señor Ünal"]
    assert f"text encoding: {named}" in raw.notes


@pytest.mark.parametrize(("data", "pattern"), [
    (ROWS.encode("utf-32"), r"text encoding is UTF-32 \(little-endian\)"),
    (ROWS.encode("utf-16-le"), r"text encoding is UTF-16 \(little-endian\) without a byte-order mark"),
    (ROWS.encode("utf-16-be"), r"text encoding is UTF-16 \(big-endian\) without a byte-order mark"),
    (b"+/v8" + ROWS.encode("utf-7"), r"text encoding is UTF-7"),
    (b"id,name\n1,\xff\x01\x02\n", r"not text in any encoding StageMap reads \(control byte 0x01"),
], ids=["utf32", "utf16le-no-bom", "utf16be-no-bom", "utf7", "control-bytes"])
def test_other_encodings_are_refused_by_name(tmp_path, data, pattern):
    (tmp_path / "t.csv").write_bytes(data)
    with pytest.raises(GeoDataError, match=pattern):
        readers.read_source(tmp_path / "t.csv")


def test_utf16_geojson_is_read(tmp_path):
    (tmp_path / "p.geojson").write_bytes(codecs.BOM_UTF16_LE + _pts().to_json().encode("utf-16-le"))
    raw = readers.read_source(tmp_path / "p.geojson")
    assert list(raw.frame["id"]) == ["a", "b"] and raw.fmt == readers.GEOJSON
    assert "text encoding: UTF-16 (little-endian, with byte-order mark)" in raw.notes


# --- only the columns a kind uses ---------------------------------------------------------
def test_only_the_kinds_columns_are_read_but_all_are_named(tmp_path):
    extra = {f"Filler{i}": range(2) for i in range(50)}
    g = _pts().assign(AIN=["5161003990", "5161003991"], SitusFullAddress=["1 A St", "2 B St"], SQFTmain1=[1, 2],
                      SQFTmain2=[3, 4], **extra)
    g.to_parquet(tmp_path / "p.parquet")
    raw = readers.read_source(tmp_path / "p.parquet", kind="parcels")
    assert set(raw.frame.columns) == {"AIN", "SitusFullAddress", "SQFTmain1", "SQFTmain2"}
    assert len(raw.columns) == 55 and "Filler49" in raw.columns
    assert "read 4 of the file's 55 columns; the other 51 are not used by this import" in raw.notes
    assert set(readers.read_source(tmp_path / "p.parquet").frame.columns) == set(g.columns) - {"geometry"}


# --- GeoPackages: real tables only, every query under a budget -----------------------------
def _gpkg(path, *sql):
    _pts().assign(AIN=["5161003990", "5161003991"]).to_file(path, layer="real", driver="GPKG")
    con = sqlite3.connect(path)
    con.executescript(";".join(sql))
    con.commit()
    con.close()
    return path


def test_gpkg_reads_the_real_table_and_names_the_views_it_skipped(tmp_path):
    path = _gpkg(tmp_path / "v.gpkg", "CREATE VIEW v AS SELECT * FROM real",
                 "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('v', 'features', 'v', 4326)")
    raw = readers.read_source(path)
    assert list(raw.frame["AIN"]) == ["5161003990", "5161003991"] and raw.crs == "EPSG:4326"
    assert any("not read: v (a view)" in n for n in raw.notes)


def test_gpkg_virtual_table_is_never_read(tmp_path):
    path = _gpkg(tmp_path / "vt.gpkg", "CREATE VIRTUAL TABLE vt USING rtree(id, minx, maxx)",
                 "DELETE FROM gpkg_contents", "DELETE FROM gpkg_geometry_columns",
                 "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('vt', 'features', 'vt', 4326)")
    with pytest.raises(GeoDataError, match=r"no feature table to read \(found vt \(a virtual table\)\)"):
        readers.read_source(path)


def test_gpkg_queries_stop_at_their_budget_and_on_cancel(tmp_path):
    n = 60_000
    path = tmp_path / "big.gpkg"
    gpd.GeoDataFrame({"AIN": [f"51610{i:05d}" for i in range(n)]}, crs=4326,
                     geometry=shapely.points(np.full(n, -118.24), np.full(n, 34.05))).to_file(
        path, layer="real", driver="GPKG", SPATIAL_INDEX="NO")
    with pytest.raises(UnsafeFileError, match=r"reading took longer than the 0 s limit \(reading real\)"):
        readers.read_source(path, limits=ImportLimits(max_read_seconds=0.0))  # the SQLite handler stops the SELECT
    with pytest.raises(ImportCancelled, match=r"big\.gpkg: import cancelled"):
        readers.read_source(path, budget=Budget(ImportLimits(), "big.gpkg", cancelled=lambda: True))
    assert len(readers.read_source(path).frame) == n  # with the default budget it reads
    many = _gpkg(tmp_path / "many.gpkg", *(f"CREATE VIEW v{i} AS SELECT {i}" for i in range(3_000)))
    with pytest.raises(UnsafeFileError, match=r"a query on the file ran past its 0 s budget \(listing the tables\)"):
        readers.read_source(many, limits=ImportLimits(max_query_seconds=0.0))
    assert readers.read_source(many).crs == "EPSG:4326"


def test_read_time_budget_stops_a_read(tmp_path):
    _pts().to_file(tmp_path / "p.geojson")
    with pytest.raises(UnsafeFileError, match=r"p\.geojson: reading took longer than the 0 s limit"):
        readers.read_source(tmp_path / "p.geojson", limits=ImportLimits(max_read_seconds=0.0))


# --- the byte scans agree with a parser ----------------------------------------------------
def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=10)
VALUES = st.recursive(st.none() | st.integers() | st.text(max_size=12), lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(NAMES, inner, max_size=2), max_leaves=6)


@settings(max_examples=100, deadline=None)
@given(props=st.lists(st.dictionaries(NAMES, VALUES, max_size=5), max_size=12), chunk=st.integers(2, 300),
       ascii_only=st.booleans(), pretty=st.booleans())
def test_json_scan_finds_what_a_parser_finds(props, chunk, ascii_only, pretty):
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4326"}},
           "features": [{"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [1, 2]}}
                        for p in props]}
    data = json.dumps(doc, ensure_ascii=ascii_only, indent=1 if pretty else None).encode()
    found = scan.scan_json([data[i:i + chunk] for i in range(0, len(data), chunk)], limits=ImportLimits(),
                           budget=Budget(ImportLimits(), "x"), label="x")
    assert found.features == len(props)
    assert found.names == list(dict.fromkeys(k for p in props for k in p))
    assert found.max_depth == _depth(doc)


@settings(max_examples=100, deadline=None)
@given(lengths=st.lists(st.integers(0, 60), min_size=1, max_size=40), chunk=st.integers(1, 50))
def test_line_scan_names_the_first_line_over_the_limit(lengths, chunk):
    data = b"".join(b"x" * n + b"\n" for n in lengths)
    limits = ImportLimits(max_line_bytes=40)
    over = [i for i, n in enumerate(lengths) if n + 1 > 40]
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    if not over:
        assert scan.scan_lines(chunks, sep=b",", limits=limits, budget=Budget(limits, "t"), label="t").lines == len(lengths)
        return
    with pytest.raises(UnsafeFileError, match=rf"t: line {over[0] + 1} is "):
        scan.scan_lines(chunks, sep=b",", limits=limits, budget=Budget(limits, "t"), label="t")


# --- at the limit passes, one over is refused (columns, bytes per value), every format -----------
def _table(n_cols: int, value: str = "v") -> gpd.GeoDataFrame:
    cols = {f"c{i}": [value] for i in range(n_cols - 1)}
    return gpd.GeoDataFrame({"id": ["a"], **cols}, geometry=[shapely.Point(-118.24, 34.05)], crs="EPSG:4326")


def _write(fmt: str, g: gpd.GeoDataFrame, folder) -> object:
    if fmt == "csv":
        pd.DataFrame(g.drop(columns="geometry")).to_csv(folder / "t.csv", index=False)
        return folder / "t.csv"
    if fmt == "xlsx":
        pd.DataFrame(g.drop(columns="geometry")).to_excel(folder / "t.xlsx", index=False)
        return folder / "t.xlsx"
    if fmt == "parquet":
        g.to_parquet(folder / "t.parquet")
        return folder / "t.parquet"
    g.to_file(folder / f"t.{fmt}", driver={"geojson": "GeoJSON", "gpkg": "GPKG", "fgb": "FlatGeobuf"}[fmt])
    return folder / f"t.{fmt}"


FORMATS = ["csv", "xlsx", "parquet", "geojson", "gpkg", "fgb"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_at_the_limit_pass_and_one_more_is_refused(tmp_path, fmt):
    limits = ImportLimits(max_columns=20)
    (tmp_path / "ok").mkdir()
    (tmp_path / "over").mkdir()
    assert len(readers.read_source(_write(fmt, _table(20), tmp_path / "ok"), limits=limits).columns) == 20
    with pytest.raises(UnsafeFileError, match=r"(21 columns|more than 20 properties), over the limit of 20"):
        readers.read_source(_write(fmt, _table(21), tmp_path / "over"), limits=limits)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_a_value_at_the_byte_limit_passes_and_one_byte_more_is_refused(tmp_path, fmt):
    limits = ImportLimits(max_field_bytes=5_000, max_line_bytes=10_000)
    (tmp_path / "ok").mkdir()
    (tmp_path / "over").mkdir()
    raw = readers.read_source(_write(fmt, _table(2, "x" * 5_000), tmp_path / "ok"), limits=limits)
    assert raw.frame["c0"].str.len().tolist() == [5_000]
    with pytest.raises(UnsafeFileError, match=r"5,000"):
        readers.read_source(_write(fmt, _table(2, "x" * 5_001), tmp_path / "over"), limits=limits)
