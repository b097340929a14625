"""Issue 18: a streamed import into a SQLite store is staged beside it and copied in under a short lock.

The reference is the direct batch write (``LayerStore.write_layer_batches``: every batch written
inside the store's transaction as it comes) into a second store: the staged write must store the
same rows (values and SQLite storage classes, ``fid`` order), counts, digests and status seeds.
The lock property: while the import's batches are still being made, another writer's status save
goes through at once instead of waiting out the busy timeout.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.errors import StoreError
from geo.records import ImportRecord
from geo.store import open_store
from geo.store.layers import LayerStore
from geo.store.staging import STAGING_INFIX, arrow_rows, remove_abandoned, staged_files
from tests.conftest import canonical_frame
from tests.geo.test_intake import add_sites

LON, LAT = -118.2437, 34.0522


def parcels(start: int, n: int, *, synthetic: bool = True):
    """``n`` canonical parcels with every kind of value a column can hold (missing ones included)."""
    i = np.arange(start, start + n)
    boxes = [shapely.box(LON + k * 1e-4, LAT, LON + k * 1e-4 + 5e-5, LAT + 5e-5) for k in i]
    boxes[0] = shapely.MultiPolygon([boxes[0]])
    return canonical_frame(
        schema.PARCELS, boxes, is_synthetic=synthetic,
        ain=[f"99{k:08d}" for k in i], apn=[None if k % 3 == 0 else f"99{k:02d}-000-000" for k in i],
        owner_name=["Ñandú & Sons, \"quoted\"" if k % 2 else "NUL\x00inside 🏠" if k % 3 else None for k in i],
        situs_address=["=HYPERLINK(\"x\")" if k % 4 == 0 else f"{k} MAIN ST" for k in i],
        land_value=[float("nan") if k % 5 == 0 else k * 1000.5 for k in i],
        imp_value=[1e300 if k % 7 == 0 else -0.0 for k in i],
        units=[None if k % 2 else int(k) for k in i], year_built=[1900 + int(k) % 120 for k in i],
        merged_count=1, lot_sqft=[float(k) * 10.25 for k in i], centroid_x_ft=6.48e6, centroid_y_ft=1.84e6,
        fetched_at="2026-12-01T00:00:00+00:00")


def derived_sites(start: int, n: int):
    """``n`` derived sites (the City's own parcels) seeded with a status on import."""
    boxes = [shapely.box(LON + k * 1e-4, LAT, LON + k * 1e-4 + 5e-5, LAT + 5e-5) for k in range(start, start + n)]
    return canonical_frame(schema.SITES, boxes, site_id=[f"PARCEL-99{k:08d}" for k in range(start, start + n)],
                           owning_dept="unassigned", site_origin="derived", is_synthetic=True, area_sqft=2500.0)


def batches(n_batches: int = 3, size: int = 7):
    """Batches as a parcel stream yields them: parcels and their derived sites; a key repeated in the last."""
    for b in range(n_batches):
        frame = parcels(b * size, size)
        if b == n_batches - 1:  # an AIN of the first batch again: an update, as the direct write counts it
            frame = gpd.GeoDataFrame(pd.concat([frame, parcels(0, 1).assign(owner_name="LATER")], ignore_index=True),
                                     crs=frame.crs)
        yield {schema.PARCELS: frame, schema.SITES: derived_sites(b * size, 2)}


def record() -> ImportRecord:
    return ImportRecord(kind=schema.PARCELS, source="parcels.parquet", sha256="0" * 64, n_read=22, n_accepted=22,
                        n_repaired=0, n_rejected=0, user="test-admin")


def rows(path, table: str) -> list[tuple]:
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    sel = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
    out = con.execute(f'SELECT {sel} FROM "{table}" ORDER BY fid').fetchall()
    con.close()
    return out


def test_staged_write_stores_what_the_direct_write_stores(tmp_path):
    staged, direct = open_store(str(tmp_path / "staged.gpkg")), open_store(str(tmp_path / "direct.gpkg"))
    got = staged.write_layer_batches(batches(), record=record, user="test-admin")
    want = LayerStore.write_layer_batches(direct, batches(), record=record, user="test-admin")
    assert got == want
    assert got[schema.PARCELS].inserted == 21 and got[schema.PARCELS].updated == 1
    for table in (schema.PARCELS, schema.SITES):
        assert rows(staged.path, table) == rows(direct.path, table)
    later = next(r for r in rows(staged.path, schema.PARCELS) if r[2] == "9900000000")
    assert "LATER" in later  # the repeated key's last row wins, as batch after batch
    entry = next(e for e in staged.read_audit() if e["action"] == "import.upsert")
    assert entry["new"] == next(e for e in direct.read_audit() if e["action"] == "import.upsert")["new"]
    assert staged.read_status()[schema.SITE_ID].tolist() == direct.read_status()[schema.SITE_ID].tolist()
    assert len(staged.read_status()) == 6
    assert not list(staged_files(staged.path))


def test_arrow_columns_hold_what_the_driver_binds():
    """Every column's Arrow values equal the values the Python driver binds (NaN and NA as null)."""
    from geo.store.values import to_sql_values

    frame = parcels(0, 12)
    table = arrow_rows(schema.PARCELS, frame)
    for c in schema.LAYER_COLUMNS[schema.PARCELS]:
        bound = [None if isinstance(v, float) and np.isnan(v) else v for v in to_sql_values(c.kind, frame[c.name])]
        assert table.column(c.name).to_pylist() == bound, c.name


def test_a_status_save_goes_through_while_an_import_is_being_made(tmp_path):
    """The store is not locked while batches are made: a liaison's save waits for no import."""
    store = open_store(str(tmp_path / "store.gpkg"))
    add_sites(store)
    made_one, saved = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def slow_batches():
        yield {schema.PARCELS: parcels(0, 5)}
        made_one.set()
        assert saved.wait(60), "the status save never finished"
        yield {schema.PARCELS: parcels(5, 5)}

    def run() -> None:
        try:
            store.write_layer_batches(slow_batches(), record=record, user="test-admin")
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert made_one.wait(60)
        other = open_store(str(store.path))
        con = other.connect()
        con.execute("PRAGMA busy_timeout = 0")  # no waiting at all: the write lock must be free now
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        con.close()
        other.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    finally:
        saved.set()
        worker.join(60)
    assert not failures
    assert len(store.read_layer(schema.PARCELS)) == 10
    assert store.read_status().set_index(schema.SITE_ID).loc["SYN-1", "sign_status"] == "posted"


def test_a_refused_batch_leaves_the_store_and_no_scratch_file(tmp_path):
    store = open_store(str(tmp_path / "store.gpkg"))
    store.write_layer_batches(iter([{schema.PARCELS: parcels(0, 3)}]), record=record)
    before = rows(store.path, schema.PARCELS)

    def mixed():
        yield {schema.PARCELS: parcels(10, 3)}
        yield {schema.PARCELS: parcels(20, 3, synthetic=False)}

    with pytest.raises(StoreError, match="mixes synthetic and real"):
        store.write_layer_batches(mixed(), record=record)
    assert rows(store.path, schema.PARCELS) == before
    assert not list(staged_files(store.path))


def test_real_data_into_a_demo_store_is_refused_at_the_first_batch(tmp_path):
    """Refused before the rest of the file is canonicalised, not after it."""
    store = open_store(str(tmp_path / "store.gpkg"))
    store.write_layer_batches(iter([{schema.PARCELS: parcels(0, 3)}]), record=record)
    asked: list[int] = []

    def real():
        for b in range(3):
            asked.append(b)
            yield {schema.PARCELS: parcels(100 + 3 * b, 3, synthetic=False)}

    with pytest.raises(StoreError, match="holds the synthetic sample"):
        store.write_layer_batches(real(), record=record)
    assert asked == [0]
    assert not list(staged_files(store.path))


def test_a_scratch_file_left_by_a_killed_import_is_removed(tmp_path):
    store = open_store(str(tmp_path / "store.gpkg"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    left = store.path.with_name(f"{store.path.name}{STAGING_INFIX}{dead.stdout.strip()}-abcd1234")
    left.write_bytes(b"half a County")
    mine = store.path.with_name(f"{store.path.name}{STAGING_INFIX}{os.getpid()}-live0000")
    mine.write_bytes(b"an import of this process in progress")
    remove_abandoned(store.path)
    assert not left.exists() and mine.exists()


@pytest.mark.parametrize("batch_rows", [1, 2, 5, 50_000])
def test_the_staged_digest_is_the_read_back_digest_whatever_the_batches(tmp_path, monkeypatch, batch_rows):
    """Keys repeated across read batches, missing and foreign blobs: the digest the direct write reads back."""
    import hashlib

    import pyarrow as pa

    from geo.store import staged_digest as sd
    from geo.store.gpkg import gpkg_digest_wkb, to_gpkg_blobs
    from geo.store.values import digest_update

    monkeypatch.setattr(sd, "BATCH_ROWS", batch_rows)
    square = shapely.box(LON, LAT, LON + 1e-4, LAT + 1e-4)
    ours = to_gpkg_blobs(np.array([square, shapely.Point(LON, LAT), shapely.Point(LON, LAT, 12.0)], dtype=object))
    envelope = b"GP\x00\x03" + ours[0][4:8] + struct_pack_envelope(square) + ours[0][8:]  # another writer's header
    keys = ["b", "a", "ñ", "a", "b", "c", "a", "z", "é"]
    blobs = [ours[0], ours[1], envelope, None, ours[2], ours[1], ours[0], None, ours[0]]
    path = tmp_path / "scratch.sqlite"
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "parcels" (ain TEXT, geom BLOB)')
    con.executemany('INSERT INTO "parcels" VALUES (?, ?)', zip(keys, blobs, strict=True))
    con.commit()
    con.close()
    last = {k: b for k, b in zip(keys, blobs, strict=True)}  # each key's last row
    h = hashlib.sha256()
    order = sorted(last)
    digest_update(h, order, gpkg_digest_wkb([last[k] for k in order]))
    assert sd.staged_digest(path, schema.PARCELS) == {"rows": len(order), "sha256": h.hexdigest()}
    assert sd.digest_wkb(pa.array(blobs, type=pa.binary())).to_pylist() == gpkg_digest_wkb(blobs)


def struct_pack_envelope(geom) -> bytes:
    """An XY envelope (minx, maxx, miny, maxy) as GeoPackage headers carry it."""
    import struct

    x0, y0, x1, y1 = geom.bounds
    return struct.pack("<4d", x0, x1, y0, y1)


def test_whole_frame_writes_staged_store_what_direct_writes_store(tmp_path, monkeypatch):
    """write_layers (upsert, replace, deletes carrying a site's status) stages big frames: the same rows."""
    from geo.store import staging

    stores = {}
    for label, threshold in (("staged", 1), ("direct", 10**9)):
        monkeypatch.setattr(staging, "STAGE_MIN_ROWS", threshold)
        store = open_store(str(tmp_path / f"{label}.gpkg"))
        store.write_layers({schema.PARCELS: parcels(0, 9), schema.SITES: derived_sites(0, 3)}, record=record())
        store.write_layers({schema.PARCELS: parcels(5, 9)}, mode="upsert", record=record())
        store.write_layers({schema.SITES: derived_sites(10, 2)}, delete={schema.SITES: ["PARCEL-9900000001"]},
                           record=record())
        store.write_layers({schema.PARCELS: parcels(20, 4)}, mode="replace", record=record())
        assert not list(staged_files(store.path))
        stores[label] = store
    for table in (schema.PARCELS, schema.SITES, "site_status", "status_history"):
        assert rows_without_times(stores["staged"].path, table) == rows_without_times(stores["direct"].path, table)
    assert [e["new"] for e in stores["staged"].read_audit() if e["action"].startswith("import.")] == \
        [e["new"] for e in stores["direct"].read_audit() if e["action"].startswith("import.")]


def rows_without_times(path, table: str) -> list[tuple]:
    """Every row of ``table`` (values and storage classes) but the columns holding the time of writing."""
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if not r[1].endswith("_at")]
    sel = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
    out = con.execute(f'SELECT {sel} FROM "{table}" ORDER BY rowid').fetchall()
    con.close()
    return out


def test_a_copy_that_fails_rolls_back_and_leaves_no_scratch_file(tmp_path):
    """A row the store refuses (a NOT NULL column empty) fails the copy: nothing of the import is kept."""
    store = open_store(str(tmp_path / "store.gpkg"))
    store.write_layer_batches(iter([{schema.PARCELS: parcels(0, 3)}]), record=record)
    before = rows(store.path, schema.PARCELS)
    broken = parcels(10, 3).assign(**{schema.CENTROID_X_FT: None})
    with pytest.raises(sqlite3.IntegrityError, match="centroid_x_ft"):
        store.write_layer_batches(iter([{schema.PARCELS: parcels(20, 3)}, {schema.PARCELS: broken}]),
                                  record=record)
    assert rows(store.path, schema.PARCELS) == before
    assert [e["action"] for e in store.read_audit()].count("import.upsert") == 1
    assert not list(staged_files(store.path))
