"""Issue 21: a parcel layer is validated and written slice by slice in one transaction, with the whole path's result.

The reference is the whole-frame path (``plan_import`` then ``write_layers``, as ``import_file`` did
before) into a second store, and a content hash computed here from the stored rows with hashlib;
slices of 4 rows put stacked condominium pairs, rejected rows and repaired rows across slices.
"""
from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.errors import SchemaError, StoreError
from geo.io import stream
from geo.io.budget import ImportCancelled
from geo.io.ingest import plan_import
from geo.services.boundaries import place_in_councils
from geo.services.imports import held_context, import_file
from geo.store import open_store
from tests.actors import ADMIN
from tests.geo.test_importers import CITY_HALL, D, county_parcels, districts, square


def parcel_file(tmp_path, *, bad_ain: bool = True):
    """County parcels in EPSG:2229 as a GeoPackage: condo pairs split across slices, a bowtie, a bad AIN."""
    lon, lat = CITY_HALL
    bowtie = shapely.Polygon([(lon, lat), (lon + D, lat + D), (lon + D, lat), (lon, lat + D)])
    extra = gpd.GeoDataFrame(
        {"AIN": [f"51610040{i:02d}" for i in range(17)] + ["5161003900", "99999999999999" if bad_ain else "5161004099",
                                                           "5161004003"],
         "TaxRateCity": "LOS ANGELES", "SitusFullAddress": [f"{i} MAIN ST" for i in range(20)]},
        geometry=[bowtie if i % 5 == 0 else square(lon + 0.003 * i, lat + 0.002) for i in range(17)]
        + [square(lon + 0.0002, lat), square(lon + 0.07, lat), square(lon + 0.009, lat + 0.0025)], crs="EPSG:4326")
    path = tmp_path / "parcels.gpkg"
    pd.concat([county_parcels(), extra], ignore_index=True).to_crs("EPSG:2229").to_file(path, driver="GPKG")
    return path


def zoned(path):
    store = open_store(str(path))
    folder = path.parent / f"{path.stem}-districts"
    folder.mkdir()
    districts().to_file(folder / "districts.geojson")
    import_file(store, ADMIN, "districts", folder / "districts.geojson")
    return store


def whole_path(store, path):
    """The import as it was before issue 21's streaming: plan the whole file, then one ``write_layers``."""
    plan = plan_import("parcels", path, held_context(store), user=ADMIN.name)
    plan.report.written = store.write_layers(place_in_councils(store, plan.frames), mode="upsert", record=plan.record,
                                             role=ADMIN.role, os_user=ADMIN.os_user)
    return plan.report


def stored(store, layer) -> pd.DataFrame:
    frame = store.read_layer(layer)
    out = pd.DataFrame(frame.drop(columns=["geometry", schema.FETCHED_AT]))
    return out.assign(wkb=shapely.to_wkb(frame.geometry.values, output_dimension=2, byte_order=1, flavor="iso"))


def content_hash(store, layer) -> tuple[int, str]:
    """SHA-256 over (key, 2-D ISO WKB) of every stored row sorted by key: the audit's content hash, by hand."""
    frame = stored(store, layer).sort_values(schema.LAYER_KEYS[layer])
    h = hashlib.sha256()
    for key, wkb in zip(frame[schema.LAYER_KEYS[layer]], frame["wkb"], strict=True):
        k = str(key).encode()
        h.update(len(k).to_bytes(4, "big") + k + len(wkb).to_bytes(8, "big") + wkb)
    return len(frame), h.hexdigest()


def import_entry(store) -> dict:
    return next(e for e in reversed(store.read_audit()) if e["action"] == "import.upsert")


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(stream, "SLICE_ROWS", 4)


def test_streamed_import_stores_what_the_whole_path_stores(tmp_path, small_slices):
    path = parcel_file(tmp_path)
    streamed_store, whole_store = zoned(tmp_path / "a.gpkg"), zoned(tmp_path / "b.gpkg")
    report = import_file(streamed_store, ADMIN, "parcels", path)
    reference = whole_path(whole_store, path)
    assert report.summary() == reference.summary()
    assert report.n_read == 25 and report.n_accepted == 21 and len(report.rejected) == 1
    assert any("6 rows shared 3 AINs" in n for n in report.notes), report.notes
    for layer in (schema.PARCELS, schema.SITES):
        pd.testing.assert_frame_equal(stored(streamed_store, layer), stored(whole_store, layer))
    merged = stored(streamed_store, schema.PARCELS).set_index(schema.AIN)
    assert merged.loc["5161003900", "merged_count"] == 2 and merged.loc["5161004003", "merged_count"] == 2
    # placed by location, slice by slice (the whole path shifted districts after merged rows before this change)
    west = merged.index.isin(["5161003900", "5161003901", "5161003903"] + [f"51610040{i:02d}" for i in range(0, 17, 5)])
    assert (merged.loc[west, schema.COUNCIL_DISTRICT] == 1).all()
    assert (merged.loc[~west, schema.COUNCIL_DISTRICT] == 14).all()
    mine, theirs = import_entry(streamed_store), import_entry(whole_store)
    for field in ("entity", "actor", "role", "source"):
        assert mine[field] == theirs[field]
    assert mine["new"] == theirs["new"]
    digests = json.loads(str(mine["new"]))["digests"]
    for layer in (schema.PARCELS, schema.SITES):
        rows, sha = content_hash(streamed_store, layer)
        assert digests[layer] == {"rows": rows, "sha256": sha}
    assert streamed_store.verify_state().ok
    log = [[{k: v for k, v in r.items() if k != "at"} for r in s.info().recent_imports]
           for s in (streamed_store, whole_store)]
    assert log[0] == log[1]
    assert streamed_store.counts() == whole_store.counts()


def test_a_file_with_no_acceptable_parcel_is_refused_and_nothing_is_written(tmp_path, small_slices):
    lon, lat = CITY_HALL
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame({"AIN": ["ABCDEFGHIJ"] * 9}, geometry=[square(lon + 0.001 * i, lat) for i in range(9)],
                     crs="EPSG:4326").to_file(path)
    store = zoned(tmp_path / "s.gpkg")
    before = (store.counts(), store.data_version(), len(store.read_audit()))
    with pytest.raises(SchemaError, match=r"bad\.geojson: no feature can be imported; all 9 were rejected: feature 1 "):
        import_file(store, ADMIN, "parcels", path)
    assert (store.counts(), store.data_version(), len(store.read_audit())) == before


def test_a_layer_wholly_outside_the_county_gets_the_whole_paths_crs_error(tmp_path, small_slices):
    path = tmp_path / "feet.geojson"  # County feet written as if degrees: every slice lies outside
    county_parcels().to_crs("EPSG:2229").set_crs("EPSG:4326", allow_override=True).to_file(path)
    store = zoned(tmp_path / "s.gpkg")
    before = (store.counts(), store.data_version(), len(store.read_audit()))
    with pytest.raises(Exception) as whole:
        plan_import("parcels", path, held_context(store))
    with pytest.raises(type(whole.value)) as streamed:
        import_file(store, ADMIN, "parcels", path)
    assert str(streamed.value) == str(whole.value) and "feet.geojson" in str(whole.value)
    assert (store.counts(), store.data_version(), len(store.read_audit())) == before


def test_a_cancel_after_some_slices_were_written_rolls_the_import_back(tmp_path, small_slices):
    path = parcel_file(tmp_path)
    store = zoned(tmp_path / "s.gpkg")
    before = (store.counts(), store.data_version(), len(store.read_audit()))
    heard: list[str] = []
    with pytest.raises(ImportCancelled):
        import_file(store, ADMIN, "parcels", path, progress=lambda f, text: heard.append(text),
                    cancelled=lambda: any(t.startswith("Validated 9 ") for t in heard))
    assert not any(t.startswith("Validated 14 ") for t in heard)  # stopped at the next slice
    assert (store.counts(), store.data_version(), len(store.read_audit())) == before


def test_the_last_progress_lines_say_the_checked_rows_are_being_stored(tmp_path, small_slices):
    """Between the last slice and "Stored" (the copy into the store), the user reads what is happening."""
    path = parcel_file(tmp_path)
    store = zoned(tmp_path / "s.gpkg")
    heard: list[tuple[float, str]] = []
    report = import_file(store, ADMIN, "parcels", path, progress=lambda f, text: heard.append((f, str(text))))
    texts = [t for _, t in heard]
    storing = texts.index(f"Storing {report.n_accepted:,} checked rows in the store")
    assert all(not t.startswith("Validated ") for t in texts[storing:])
    assert texts[-1].startswith("Stored ") and heard[storing][0] < heard[-1][0] == 1.0


def test_a_full_disk_mid_stream_says_so_and_changes_nothing(tmp_path, small_slices, monkeypatch):
    lon, lat = CITY_HALL
    path = tmp_path / "parcels.geojson"
    gpd.GeoDataFrame({"AIN": [f"5161005{i:03d}" for i in range(200)], "SitusFullAddress": [f"{i} " + "A" * 3000
                                                                                          for i in range(200)]},
                     geometry=[square(lon + 0.0005 * (i % 40), lat + 0.0005 * (i // 40)) for i in range(200)],
                     crs="EPSG:4326").to_file(path)
    store = zoned(tmp_path / "s.gpkg")
    before = (store.counts(), store.data_version(), len(store.read_audit()))
    connect = type(store).connect

    def small_disk(self):
        con = connect(self)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages + 30}")  # room for a few slices of 4, not for 200 rows
        return con

    monkeypatch.setattr(type(store), "connect", small_disk)
    heard: list[str] = []
    with pytest.raises(StoreError, match=r"parcels\.geojson was not imported: Store .* is full \(database or disk is "
                                         r"full\); nothing was written\. Free disk space and retry\.") as info:
        import_file(store, ADMIN, "parcels", path, progress=lambda f, text: heard.append(text))
    assert "cannot rollback" not in str(info.value)
    assert any(t.startswith("Validated 8 ") for t in heard)  # it failed mid-stream, after slices
    monkeypatch.undo()
    assert (store.counts(), store.data_version(), len(store.read_audit())) == before
    assert import_file(store, ADMIN, "parcels", path).n_accepted == 200


def test_slices_keep_rows_sharing_an_ain_together_and_in_file_order():
    ains = pd.Series(["1", "2", None, "3", "0001", "4", "5", "2", None, "1.0"])
    parts = stream._slices(ains, 3)
    assert [list(p) for p in parts] == [[0, 1, 2, 4, 7, 9], [3, 5], [6, 8]]
    assert sorted(np.concatenate(parts)) == list(range(10))


def test_streamed_import_on_postgresql_matches_sqlite(tmp_path, small_slices, pg_store):
    path = parcel_file(tmp_path, bad_ain=False)
    lite = open_store(str(tmp_path / "lite.gpkg"))
    for store in (lite, pg_store):
        import_file(store, ADMIN, "parcels", path)
    pd.testing.assert_frame_equal(stored(pg_store, schema.PARCELS), stored(lite, schema.PARCELS))
    assert json.loads(str(import_entry(pg_store)["new"])) == json.loads(str(import_entry(lite)["new"]))
    assert pg_store.verify_state().ok
