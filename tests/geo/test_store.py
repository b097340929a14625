"""Both stores: atomic writes, upserts, overrides, refusals; SQLite-only: GeoPackage, WAL, network FS, full disk."""
from __future__ import annotations

import sqlite3

import pyogrio
import pytest
import shapely

from geo import schema
from geo.errors import StoreError
from geo.store import open_store
from geo.store.sqlite import SQLiteStore, filesystem_type
from tests.conftest import canonical_frame


def test_new_store_is_a_geopackage_gdal_can_read(store, three_districts):
    store.write_layers({schema.DISTRICTS: three_districts})
    layers = dict(pyogrio.list_layers(store.url))
    assert layers[schema.DISTRICTS] == "MultiPolygon"
    back = pyogrio.read_dataframe(store.url, layer=schema.DISTRICTS)
    assert back.crs.to_epsg() == 4326
    assert sorted(back[schema.DISTRICT]) == [1, 2, 3]


def test_store_runs_in_wal_mode_with_busy_timeout(store):
    con = store.connect()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_round_trip_keeps_types_and_geometry(any_store, three_districts):
    any_store.write_layers({schema.DISTRICTS: three_districts})
    back = any_store.read_layer(schema.DISTRICTS)
    assert list(back.columns) == [*schema.column_names(schema.DISTRICTS), "geometry"]
    assert str(back[schema.DISTRICT].dtype) == "Int64"
    assert back.geometry.geom_type.unique().tolist() == ["MultiPolygon"]
    assert shapely.equals(back.geometry.values, three_districts.geometry.values).all()


def test_upsert_updates_existing_keys_and_inserts_new(any_store, three_districts):
    any_store.write_layers({schema.DISTRICTS: three_districts})
    changed = three_districts.iloc[[0]].assign(district_name="renamed")
    extra = canonical_frame(schema.DISTRICTS, [shapely.box(-118.3, 34.0, -118.29, 34.01)], district=4)
    result = any_store.write_layers({schema.DISTRICTS: changed})[schema.DISTRICTS]
    assert (result.inserted, result.updated) == (0, 1)
    assert any_store.write_layers({schema.DISTRICTS: extra})[schema.DISTRICTS].inserted == 1
    back = any_store.read_layer(schema.DISTRICTS).set_index(schema.DISTRICT)
    assert back.loc[1, schema.DISTRICT_NAME] == "renamed"
    assert len(back) == 4


def test_failed_write_leaves_store_unchanged(any_store, three_districts):
    any_store.write_layers({schema.DISTRICTS: three_districts})
    before = any_store.data_version()
    broken = three_districts.drop(columns=[schema.VINTAGE])
    with pytest.raises(StoreError, match="lacks canonical columns"):
        any_store.write_layers({schema.DISTRICTS: three_districts.assign(district=[7, 8, 9]), schema.PARKS: broken})
    assert any_store.counts()[schema.DISTRICTS] == 3
    assert any_store.data_version() == before


def test_synthetic_and_real_data_never_mix(any_store, three_districts):
    any_store.write_layers({schema.DISTRICTS: three_districts})
    real = three_districts.assign(is_synthetic=False, district=[4, 5, 6])
    with pytest.raises(StoreError, match="never mix"):
        any_store.write_layers({schema.DISTRICTS: real})
    assert any_store.counts()[schema.DISTRICTS] == 3


def test_sites_get_a_status_row_at_version_one(any_store):
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id="SYN-1",
                            owning_dept="unassigned", area_sqft=100.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    status = any_store.read_status()
    assert status[schema.SITE_ID].tolist() == ["SYN-1"]
    assert status[schema.VERSION].tolist() == [1]
    assert status[schema.SIGN_STATUS].tolist() == ["unknown"]


def test_override_needs_reason_and_an_existing_site(any_store):
    with pytest.raises(StoreError, match="needs a reason"):
        any_store.set_override("SYN-1", "high", reason=" ", user="ana")
    with pytest.raises(StoreError, match="No site"):
        any_store.set_override("SYN-1", "high", reason="fenced", user="ana")
    with pytest.raises(StoreError, match="use high, medium or low"):
        any_store.set_override("SYN-1", "severe", reason="x", user="ana")
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id="SYN-1",
                            owning_dept="unassigned", area_sqft=100.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    any_store.set_override("SYN-1", "low", reason="fenced and locked", user="ana")
    any_store.set_override("SYN-1", "medium", reason="fence damaged", user="bo")
    latest = any_store.read_overrides()
    assert latest[["tier", "set_by"]].values.tolist() == [["medium", "bo"]]
    assert len(any_store.read_overrides(latest_only=False)) == 2


def test_full_disk_gives_a_clear_error_and_no_partial_write(store, three_districts, monkeypatch):
    store.write_layers({schema.DISTRICTS: three_districts})
    original = SQLiteStore.connect

    def tiny(self):
        con = original(self)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    monkeypatch.setattr(SQLiteStore, "connect", tiny)
    many = canonical_frame(schema.PARKS, [shapely.box(-118.25, 34.05, -118.2, 34.1)] * 2000,
                           park_id=[f"P{i}" for i in range(2000)], park_name="x" * 200)
    with pytest.raises(StoreError, match="full"):
        store.write_layers({schema.PARKS: many})
    monkeypatch.setattr(SQLiteStore, "connect", original)
    assert store.counts()[schema.PARKS] == 0
    assert store.write_layers({schema.PARKS: many.iloc[:5]})[schema.PARKS].inserted == 5


def test_network_filesystem_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("geo.store.sqlite.filesystem_type", lambda path: "nfs4")
    with pytest.raises(StoreError, match="network filesystem"):
        SQLiteStore(tmp_path / "s.gpkg")


def test_filesystem_type_reads_mounts():
    assert filesystem_type(__import__("pathlib").Path("/")) != ""


def test_unreachable_postgres_url_is_a_clear_error_without_the_password():
    with pytest.raises(StoreError, match="Cannot connect to PostgreSQL store") as info:
        open_store("postgresql://user:secret@127.0.0.1:1/db?connect_timeout=2")
    assert "secret" not in str(info.value)


def test_unknown_url_scheme_is_refused():
    with pytest.raises(StoreError, match="Unsupported store URL"):
        open_store("mysql://user@localhost/db")


def test_info_on_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreError, match="stagemap sample"):
        open_store(str(tmp_path / "none.gpkg"), create=False)


def test_reader_sees_consistent_snapshot_during_write(any_store, three_districts):
    any_store.write_layers({schema.DISTRICTS: three_districts})
    with any_store.write() as con:
        con.execute("DELETE FROM districts")
        assert any_store.counts()[schema.DISTRICTS] == 3  # other connections still see the committed rows
    assert any_store.counts()[schema.DISTRICTS] == 0


def test_sqlite_connections_are_plain_sqlite3(store):
    assert isinstance(store.connect(), sqlite3.Connection)


def test_new_store_is_at_the_head_revision_and_migrate_is_idempotent(any_store, capsys):
    from geo.store.migrations.runner import head_revision
    from stagemap_cli.main import main

    assert any_store.schema_revision() == head_revision()
    assert main(["migrate", "--store", any_store.url]) == 0
    assert f"schema revision {head_revision()}" in capsys.readouterr().out
    assert any_store.schema_revision() == head_revision()


def test_many_processes_opening_a_new_store_at_once_all_succeed(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "race.gpkg"
    code = f"from geo.store import open_store; s = open_store({str(path)!r}); print(s.schema_revision())"
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [o[1].decode()[-400:] for o in outs]
    assert len({o[0] for o in outs}) == 1


def test_replacing_a_derived_site_carries_its_status_in_one_transaction(store):
    derived = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id="CLA-5173012900",
                              ains="5173012900", owning_dept="unassigned", area_sqft=100.0,
                              site_origin="derived_from_parcels")
    store.write_layers({schema.SITES: derived})
    store.save_status("CLA-5173012900", {"sign_status": "posted", "sign_posted_on": "2026-03-01"},
                      expect_version=1, user="ana")
    named = derived.assign(site_id="LADOT-7", ains="5173012900;5173012901", owning_dept="Transportation (LADOT)",
                           site_origin="asset_list")
    store.write_layers({schema.SITES: named}, delete={schema.SITES: ["CLA-5173012900"]})
    sites = store.read_layer(schema.SITES)
    status = store.read_status().set_index("site_id")
    assert sites[schema.SITE_ID].tolist() == ["LADOT-7"]
    assert list(status.index) == ["LADOT-7"]
    assert status.loc["LADOT-7", "sign_status"] == "posted"
    assert "carried over from CLA-5173012900" in status.loc["LADOT-7", "note"]
    assert len(store.status_history("LADOT-7")) == 1


def test_a_failed_write_keeps_the_rows_it_would_have_deleted(store):
    derived = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id="CLA-1", ains="1",
                              owning_dept="unassigned", area_sqft=1.0, site_origin="derived_from_parcels")
    store.write_layers({schema.SITES: derived})
    broken = derived.assign(site_id="LADOT-1").drop(columns=[schema.ASSET_TYPE])
    with pytest.raises(StoreError):
        store.write_layers({schema.SITES: broken}, delete={schema.SITES: ["CLA-1"]})
    assert store.read_layer(schema.SITES)[schema.SITE_ID].tolist() == ["CLA-1"]
    assert store.read_status()[schema.SITE_ID].tolist() == ["CLA-1"]


def test_big_layers_are_served_from_a_versioned_snapshot_identical_to_the_store(store):
    from geopandas.testing import assert_geodataframe_equal

    n = 25_000
    boxes = [shapely.box(-118.3 + (i % 200) * 1e-4, 34.0 + (i // 200) * 1e-4,
                         -118.3 + (i % 200) * 1e-4 + 5e-5, 34.0 + (i // 200) * 1e-4 + 5e-5) for i in range(n)]
    parcels = canonical_frame(schema.PARCELS, boxes, ain=[f"{i:010d}" for i in range(n)], use_code="0100",
                              land_value=[float(i) for i in range(n)], units=[None if i % 3 else i for i in range(n)],
                              lot_sqft=1.0, centroid_x_ft=0.0, centroid_y_ft=0.0, merged_count=1)
    store.write_layers({schema.PARCELS: parcels})
    first = store.read_layer(schema.PARCELS)
    cached = list(store.cache_dir().glob("parcels-v*.parquet"))
    assert len(cached) == 1
    second = store.read_layer(schema.PARCELS)
    assert_geodataframe_equal(first, second)
    assert store.read_layer(schema.PARCELS, columns=["ain"]).columns.tolist() == ["ain", "geometry"]
    store.write_layers({schema.PARCELS: parcels.iloc[:1].assign(use_code="2700")})
    assert store.read_layer(schema.PARCELS).set_index("ain").loc["0000000000", "use_code"] == "2700"
    assert [p.name for p in store.cache_dir().glob("parcels-v*.parquet")] != [cached[0].name]


def test_sample_cli_builds_the_requested_sizes(tmp_path, capsys):
    from stagemap_cli.main import main

    path = str(tmp_path / "s.gpkg")
    assert main(["sample", "--parcels", "200", "--incidents", "40", "--store", path]) == 0
    counts = open_store(path).counts()
    assert counts[schema.INCIDENTS] == 40 and counts[schema.SITES] == 360 and counts[schema.PARCELS] >= 200
    assert main(["sample", "--incidents", "-1", "--store", path]) == 2
    assert "zero or more" in capsys.readouterr().err
