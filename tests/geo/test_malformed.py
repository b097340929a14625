"""Malformed-upload corpus: each file goes through the real CLI against a store holding real data.

Every case must exit 2 with a one-line error naming the problem (and the feature or row), and
leave the store byte-for-byte unchanged (row counts and a checksum of every table).
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from geo.services.imports import import_file
from geo.store import open_store
from stagemap_cli.main import main
from tests.actors import ADMIN
from tests.geo.test_importers import (
    CITY_HALL,
    county_parcels,
    districts,
    lapd_row,
    square,
    truncated_shapefile_frame,
    write_lapd,
    write_zip_shapefile,
)

Case = Callable[[Path], tuple[str, Path, list[str]]]


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """A store already holding real districts, parcels, derived sites and incidents."""
    root = tmp_path_factory.mktemp("real")
    store = open_store(str(root / "real.gpkg"))
    districts().to_file(root / "d.geojson")
    county_parcels().to_file(root / "p.geojson")
    write_lapd(root / "lapd.csv", [lapd_row("250104567", "03/01/2025 12:00:00 AM", "100", "34.0539", "-118.2425")])
    for kind, name in (("districts", "d.geojson"), ("parcels", "p.geojson"), ("incidents", "lapd.csv")):
        import_file(store, ADMIN, kind, root / name)
    return store


def snapshot(store) -> tuple[dict[str, int], str]:
    """Return the store's layer counts and a SHA-256 over every row of every table."""
    digest = hashlib.sha256()
    con = sqlite3.connect(store.url)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    finally:
        con.close()
    return store.counts(), digest.hexdigest()


# --- builders ---------------------------------------------------------------------------
def _geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(geometry: dict | None, **props: object) -> dict:
    return {"type": "Feature", "properties": {"AIN": "5161003990", **props}, "geometry": geometry}


def _poly(lon: float, lat: float, d: float = 0.0004) -> dict:
    return shapely.geometry.mapping(square(lon, lat, d))


def _zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _patch_central(path: Path, *, flags: int | None = None, sizes: tuple[int, int] | None = None) -> Path:
    """Rewrite fields of every central-directory header (flag bits, compressed/uncompressed size)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        if flags is not None:
            data[at + 8:at + 10] = struct.pack("<H", struct.unpack("<H", data[at + 8:at + 10])[0] | flags)
        if sizes is not None:
            data[at + 20:at + 28] = struct.pack("<II", *sizes)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


LON, LAT = CITY_HALL
ONE_POLY = _poly(LON, LAT)


def c_shp_no_prj(t: Path):
    return "parcels", write_zip_shapefile(truncated_shapefile_frame(), t / "noprj.zip", drop=(".prj",)), []


def c_shp_no_shx(t: Path):
    return "parcels", write_zip_shapefile(truncated_shapefile_frame(), t / "noshx.zip", drop=(".shx",)), []


def c_shp_no_dbf(t: Path):
    return "parcels", write_zip_shapefile(truncated_shapefile_frame(), t / "nodbf.zip", drop=(".dbf",)), []


def c_feet_in_geojson(t: Path):
    text = county_parcels().to_crs("EPSG:2229").to_json(to_wgs84=False)
    path = t / "feet.geojson"
    data = json.loads(text)
    data.pop("crs", None)
    path.write_text(json.dumps(data))
    return "parcels", path, []


def c_swapped_geojson(t: Path):
    poly = shapely.box(LAT, LON, LAT + 0.0004, LON + 0.0004)
    return "parcels", _geojson(t / "swapped.geojson", [_feature(shapely.geometry.mapping(poly))]), []


def c_swapped_csv(t: Path):
    path = t / "swapped.csv"
    path.write_text("id,occurred_at,LAT,LON\nA,2025-05-01,-118.2427,34.0537\nB,2025-05-02,-118.2428,34.0538\n")
    return "incidents", path, []


def c_outside_county(t: Path):
    return "parcels", _geojson(t / "sf.geojson", [_feature(_poly(-122.42, 37.77))]), []


def c_all_null(t: Path):
    return "parcels", _geojson(t / "null.geojson", [_feature(None), _feature(None, AIN="5161003991")]), []


def c_empty_geoms(t: Path):
    empty = {"type": "Polygon", "coordinates": []}
    return "parcels", _geojson(t / "empty_geom.geojson", [_feature(empty), _feature(empty, AIN="5161003991")]), []


def c_mixed_types(t: Path):
    pt = {"type": "Point", "coordinates": [LON, LAT]}
    return "parcels", _geojson(t / "mixed.geojson", [_feature(ONE_POLY), _feature(pt, AIN="5161003991")]), []


def c_nan_coords(t: Path):
    path = t / "nan.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"AIN":"5161003990"},'
                    f'"geometry":{{"type":"Polygon","coordinates":[[[{LON},{LAT}],[NaN,{LAT}],[{LON},34.06],[{LON},{LAT}]]]}}}}]}}')
    return "parcels", path, []


def c_nonnumeric_coords(t: Path):
    return "incidents", _geojson(t / "abc.geojson", [
        {"type": "Feature", "properties": {"id": "X1", "occurred_at": "2025-05-01"},
         "geometry": {"type": "Point", "coordinates": ["a", "b"]}}]), []


def c_nonnumeric_csv(t: Path):
    path = t / "abc.csv"
    path.write_text("id,occurred_at,LAT,LON\nA,2025-05-01,north,west\n")
    return "incidents", path, []


def c_truncated_json(t: Path):
    path = t / "truncated.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [_feature(ONE_POLY)]})[:70])
    return "parcels", path, []


def c_empty_file(t: Path):
    path = t / "empty.geojson"
    path.write_bytes(b"")
    return "parcels", path, []


def c_text_as_geojson(t: Path):
    path = t / "notes.geojson"
    path.write_text("These are the parcels we discussed on Tuesday.\n")
    return "parcels", path, []


def c_lying_extension(t: Path):
    county_parcels().to_file(t / "real.gpkg", driver="GPKG")
    path = t / "parcels.csv"
    path.write_bytes((t / "real.gpkg").read_bytes())
    return "parcels", path, []


def c_binary_junk(t: Path):
    path = t / "junk.fgb"
    path.write_bytes(bytes(range(256)) * 4)
    return "parcels", path, []


def c_zip_bomb(t: Path):
    return "parcels", _zip(t / "bomb.zip", {"parcels.geojson": b" " * 5_000_000}), []


def c_too_many_entries(t: Path):
    return "parcels", _zip(t / "many.zip", {f"part{i}.txt": b"x" for i in range(60)}), []


def c_uncompressed_over_limit(t: Path):
    path = _zip(t / "huge.zip", {"parcels.geojson": b"{}" * 10}, method=zipfile.ZIP_STORED)
    # over the CLI's 4 GB and the app's 200 MB, at a ratio (84:1) under the 100:1 limit
    return "parcels", _patch_central(path, sizes=(50_000_000, 4_200_000_000)), []


def c_zip_slip(t: Path):
    return "parcels", _zip(t / "slip.zip", {"../../etc/cron.d/x.geojson": b"{}"}), []


def c_absolute_entry(t: Path):
    return "parcels", _zip(t / "abs.zip", {"/tmp/parcels.geojson": b"{}"}), []


def c_nested_zip(t: Path):
    inner = _zip(t / "inner.zip", {"a.geojson": b"{}"}).read_bytes()
    return "parcels", _zip(t / "nested.zip", {"data.bin": inner}), []


def c_encrypted_zip(t: Path):
    path = _zip(t / "locked.zip", {"parcels.geojson": b'{"type":"FeatureCollection","features":[]}'})
    return "parcels", _patch_central(path, flags=0x1), []


def c_bad_dates(t: Path):
    path = t / "dates.csv"
    path.write_text("id,occurred_at,LAT,LON\nA,yesterday,34.05,-118.24\nB,31/31/2025,34.05,-118.24\n")
    return "incidents", path, []


def c_future_dates(t: Path):
    path = t / "future.csv"
    path.write_text("id,occurred_at,LAT,LON\nA,2099-01-01T10:00,34.05,-118.24\n")
    return "incidents", path, []


def c_ain_99(t: Path):
    return "parcels", _geojson(t / "ain99.geojson", [_feature(ONE_POLY, AIN="9912345678")]), []


def c_no_ain_column(t: Path):
    return "parcels", _geojson(t / "noain.geojson", [{"type": "Feature", "properties": {"Owner": "X"},
                                                       "geometry": ONE_POLY}]), []


def c_collapsed_polygons(t: Path):
    line = {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON + 0.002, LAT], [LON, LAT]]]}
    return "parcels", _geojson(t / "collapsed.geojson", [_feature(line)]), []


def c_latlon_zero(t: Path):
    return "incidents", write_lapd(t / "zeros.csv", [
        lapd_row("250100001", "03/01/2025 12:00:00 AM", "100", "0", "0"),
        lapd_row("250100002", "03/01/2025 12:00:00 AM", "200", "0", "0")]), []


def c_synthetic_into_real(t: Path):
    return "parcels", _geojson(t / "demo.geojson", [_feature(ONE_POLY, AIN="9999001001", is_synthetic=True)]), []


def c_multilayer_gpkg(t: Path):
    path = t / "two.gpkg"
    county_parcels().to_file(path, layer="parcels")
    districts().to_file(path, layer="districts")
    return "parcels", path, []


def c_points_as_parcels(t: Path):
    pt = {"type": "Point", "coordinates": [LON, LAT]}
    return "parcels", _geojson(t / "points.geojson", [_feature(pt)]), []


def c_crs_conflict(t: Path):
    county_parcels().to_crs("EPSG:2229").to_file(t / "ft.gpkg")
    return "parcels", t / "ft.gpkg", ["--crs", "3857"]


def c_no_location_columns(t: Path):
    path = t / "noloc.csv"
    path.write_text("id,occurred_at,address\nA,2025-05-01,200 N Spring St\n")
    return "incidents", path, []


def c_sites_no_department(t: Path):
    path = t / "assets.csv"
    path.write_text("AIN,name\n5161003900,City Hall\n")
    return "sites", path, []


def c_district_out_of_range(t: Path):
    return "districts", _geojson(t / "cd99.geojson", [{"type": "Feature", "properties": {"District": 99},
                                                       "geometry": ONE_POLY}]), []


def c_empty_collection(t: Path):
    return "parcels", _geojson(t / "none.geojson", []), []


def c_bad_crs_option(t: Path):
    county_parcels().to_file(t / "ok.geojson")
    return "parcels", t / "ok.geojson", ["--crs", "EPSG:99999999"]


CASES: list[tuple[str, Case, str]] = [
    ("shapefile-zip-without-prj", c_shp_no_prj, r"noprj\.zip: no CRS .*EPSG:2229.*--crs 2229"),
    ("shapefile-zip-without-shx", c_shp_no_shx, r"parcels\.shp has no \.shx file"),
    ("shapefile-zip-without-dbf", c_shp_no_dbf, r"parcels\.shp has no \.dbf file"),
    ("feet-inside-geojson", c_feet_in_geojson, r"look like EPSG:2229, but the file's CRS is EPSG:4326"),
    ("swapped-lat-lon-geojson", c_swapped_geojson, r"latitude and longitude look swapped"),
    ("swapped-lat-lon-csv", c_swapped_csv, r"swapped.*swap the LAT and LON columns"),
    ("outside-la-county", c_outside_county, r"no feature lies inside the LA County envelope"),
    ("all-null-geometry", c_all_null, r"all 2 were rejected: feature 1 \(AIN 5161003990\): geometry is null"),
    ("empty-geometries", c_empty_geoms, r"feature 1 \(AIN 5161003990\): geometry is (empty|null)"),
    ("mixed-point-polygon", c_mixed_types, r"mixed geometry types \(1 Point, 1 Polygon; e\.g\. features 2\)"),
    ("nan-coordinates", c_nan_coords, r"feature 1 \(AIN 5161003990\): coordinate \(nan, 34\.0537\) is not a finite number"),
    ("non-numeric-coordinates-geojson", c_nonnumeric_coords, r"feature 1 \(id X1\): geometry is null .*not numbers"),
    ("non-numeric-lat-lon-csv", c_nonnumeric_csv, r"row 2 \(id A\): LAT 'north' is not a number"),
    ("truncated-json", c_truncated_json, r"truncated\.geojson: .*(could not be read|cannot be opened)"),
    ("empty-file", c_empty_file, r"empty\.geojson: the file is empty \(0 bytes\)"),
    ("text-file-named-geojson", c_text_as_geojson, r"extension \.geojson says GeoJSON, but the content is plain text"),
    ("lying-extension-gpkg-as-csv", c_lying_extension, r"extension \.csv says CSV, but the content is GeoPackage"),
    ("binary-junk", c_binary_junk, r"junk\.fgb: binary content of no supported format"),
    ("zip-bomb-ratio", c_zip_bomb, r"entry 'parcels\.geojson' expands [\d,]+:1 .*over the 100:1 limit"),
    ("zip-too-many-entries", c_too_many_entries, r"archive has 60 entries, over the limit of 50"),
    ("zip-uncompressed-over-limit", c_uncompressed_over_limit, r"expands to 4,200,000,000 bytes, over the (4,000,000,000|200,000,000)-byte limit"),
    ("zip-slip-dotdot", c_zip_slip, r"entry '\.\./\.\./etc/cron\.d/x\.geojson' climbs out .*zip-slip"),
    ("zip-absolute-entry", c_absolute_entry, r"entry '/tmp/parcels\.geojson' has an absolute path"),
    ("zip-nested-archive", c_nested_zip, r"entry 'data\.bin' is an archive by content"),
    ("zip-encrypted", c_encrypted_zip, r"entry 'parcels\.geojson' is encrypted"),
    ("incidents-unparseable-dates", c_bad_dates, r"row 2 \(id A\): occurred_at 'yesterday' is not a readable date"),
    ("incidents-future-dates", c_future_dates, r"row 2 \(id A\): occurred_at 2099-01-01 \d\d:00 UTC is in the future"),
    ("real-file-ain-99", c_ain_99, r"AIN 9912345678 is in map book 99xx"),
    ("parcels-without-ain-column", c_no_ain_column, r"no ain column for a parcels import \(looked for AIN, AssessorID"),
    ("collapsed-polygons-unrepairable", c_collapsed_polygons, r"feature 1 \(AIN 5161003990\): .*cannot be repaired"),
    ("lapd-lat-lon-all-zero", c_latlon_zero, r"row 2 \(DR_NO 250100001\): LAT/LON is 0 \(LAPD's code for a missing"),
    ("synthetic-file-into-real-store", c_synthetic_into_real, r"holds real City data; this file is synthetic"),
    ("geopackage-with-two-layers", c_multilayer_gpkg, r"holds 2 layers \(parcels, districts\)"),
    ("points-imported-as-parcels", c_points_as_parcels, r"holds 1 Point geometry, but this import kind needs Polygon"),
    ("crs-option-contradicts-file", c_crs_conflict, r"declares EPSG:2229, but --crs says EPSG:3857"),
    ("incidents-without-location", c_no_location_columns, r"no geometry and no latitude/longitude columns"),
    ("sites-without-department", c_sites_no_department, r"no department column .*--department NAME"),
    ("district-number-out-of-range", c_district_out_of_range, r"District 99\): council district is not a whole number 1-15"),
    ("empty-feature-collection", c_empty_collection, r"none\.geojson: .*no rows or features"),
    ("unknown-crs-option", c_bad_crs_option, r"--crs 'EPSG:99999999' is not a known CRS"),
]


def test_corpus_is_large_enough():
    assert len(CASES) >= 25 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("build", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_file_is_rejected_and_store_unchanged(real_store, cli_accounts, tmp_path, capsys, build, pattern):
    kind, path, extra = build(tmp_path)
    before = snapshot(real_store)
    code = main(["import", kind, str(path), "--store", real_store.url, "--user", "admin", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert re.search(pattern, err), err
    assert snapshot(real_store) == before


def test_partial_problems_are_row_rejections_not_file_rejections(real_store, cli_accounts, tmp_path, capsys):
    path = tmp_path / "mixed_quality.csv"
    path.write_text("id,occurred_at,LAT,LON\n"
                    "P-1,2025-05-01T10:00,34.0540,-118.2430\n"
                    "P-2,not a date,34.0540,-118.2430\n"
                    "P-3,2099-05-01,34.0540,-118.2430\n"
                    "P-4,2025-05-01,0,0\n"
                    "P-5,2025-05-01,37.77,-122.42\n"
                    "P-6,2025-05-02,34.0541,-118.2431\n")
    counts = real_store.counts()
    code = main(["import", "incidents", str(path), "--store", real_store.url, "--user", "admin"])
    out = capsys.readouterr().out
    assert code == 0
    assert "read 6, accepted 2, repaired 0, rejected 4" in out
    assert "row 3 (id P-2): occurred_at 'not a date' is not a readable date" in out
    assert "row 4 (id P-3): occurred_at 2099-05-01 07:00 UTC is in the future" in out
    assert "row 5 (id P-4): LAT/LON is 0" in out
    assert "row 6 (id P-5): outside LA County (lon -122.42000, lat 37.77000" in out
    assert real_store.counts()["incidents"] == counts["incidents"] + 2
    stored = set(real_store.read_layer("incidents")["incident_id"])
    assert {"P-1", "P-6"} <= stored and not {"P-2", "P-3", "P-4", "P-5"} & stored

