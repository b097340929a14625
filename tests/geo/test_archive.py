"""Zip and file safety checks run on metadata only, before any GDAL read."""
from __future__ import annotations

import os
import zipfile

import pytest

from geo.config import ImportLimits, UploadLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.io import archive

SMALL = ImportLimits(max_archive_entries=3, max_uncompressed_bytes=1_000_000, max_compression_ratio=100.0)


def _zip(path, entries, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_ok_zip_lists_names(tmp_path):
    listing = archive.check_zip(_zip(tmp_path / "a.zip", {"a.shp": b"x" * 100, "a.dbf": b"y"}), limits=SMALL)
    assert listing.names == ("a.shp", "a.dbf") and listing.uncompressed_bytes == 101


@pytest.mark.parametrize(("entries", "pattern"), [
    ({f"f{i}": b"x" for i in range(4)}, r"4 entries, over the limit of 3"),
    ({"big.bin": os.urandom(1_024_000)}, r"expands to [\d,]+ bytes, over the 1,000,000-byte"),
    ({"zeros.geojson": b"0" * 900_000}, r"expands [\d,]+:1"),
    ({"../x.geojson": b"{}"}, r"zip-slip"),
    ({"a/../../x.geojson": b"{}"}, r"zip-slip"),
    ({"/abs.geojson": b"{}"}, r"absolute path"),
    ({"C:/abs.geojson": b"{}"}, r"absolute path"),
    ({"inner.ZIP": b"abc"}, r"itself an archive"),
    ({"inner.dat": b"\x1f\x8b\x08\x00gzip"}, r"archive by content"),
], ids=["entries", "uncompressed", "ratio", "dotdot", "dotdot-inner", "absolute", "drive", "nested-ext", "nested-gzip"])
def test_unsafe_zips(tmp_path, entries, pattern):
    path = _zip(tmp_path / "u.zip", entries)
    with pytest.raises(UnsafeFileError, match=pattern):
        archive.check_zip(path, limits=SMALL)


def test_ratio_limit_is_judged_against_the_limit(tmp_path):
    path = _zip(tmp_path / "r.zip", {"zeros.geojson": b"0" * 900_000})
    archive.check_zip(path, limits=ImportLimits(max_compression_ratio=10_000.0))  # passes with a looser limit


def test_check_file(tmp_path):
    with pytest.raises(GeoDataError, match="no such file"):
        archive.check_file(tmp_path / "missing.csv", limits=SMALL)
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(GeoDataError, match=r"empty \(0 bytes\)"):
        archive.check_file(tmp_path / "e.csv", limits=SMALL)
    (tmp_path / "big.csv").write_bytes(b"x" * 100)
    with pytest.raises(UnsafeFileError, match="100 bytes, over the 50-byte limit"):
        archive.check_file(tmp_path / "big.csv", limits=ImportLimits(max_file_bytes=50))
    assert archive.check_file(tmp_path / "big.csv", limits=SMALL) == 100


def test_feature_count_cap(tmp_path):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"a": range(5)}, geometry=[shapely.Point(-118.2, 34.0)] * 5, crs=4326)
    gdf.to_file(tmp_path / "p.fgb", driver="FlatGeobuf")
    assert archive.check_feature_count(str(tmp_path / "p.fgb"), layer=None, limits=SMALL, label="p.fgb") == 5
    with pytest.raises(UnsafeFileError, match="5 features, over the limit of 4"):
        archive.check_feature_count(str(tmp_path / "p.fgb"), layer=None, limits=ImportLimits(max_features=4), label="p.fgb")
    with pytest.raises(UnsafeFileError, match="over the limit of 3"):
        archive.check_vertex_count(4, limits=ImportLimits(max_vertices=3), label="p")
    assert UploadLimits().max_features == 250_000
