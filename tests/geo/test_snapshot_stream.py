"""Issue 18 (W9): a layer's read snapshot is written slice by slice and reads back as the whole-frame snapshot did.

Also the analysis' lean read: text read back with one string per distinct value, and parcels
projected slice by slice (``measured=True``), both giving the very values and results of before.

The reference is the snapshot as it was built before: every row fetched at once, converted with
``to_series`` and written with one ``GeoDataFrame.to_parquet``. Both files are read back the way
``read_layer`` reads a snapshot and must give the same frame: columns, dtypes, values, row order.
Slices of a few hundred rows put a text column's first value, missing values of every kind and
an all-missing column across slice boundaries; both backends (SQLite/GeoPackage, PostgreSQL/PostGIS).
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo import schema
from geo.analysis.analyze import PARCEL_COLUMNS, AnalysisConfig
from geo.config import ANALYSIS_CRS, DISPLAY_CRS
from geo.services.analysis import analysis_inputs, analyze_inputs, measured_layer
from geo.store import open_store
from geo.store.snapshot import layer_counts, read_snapshot, shared_objects, write_snapshot
from geo.store.values import CACHE_MIN_ROWS, to_series
from geo.synthetic import generate_sample
from tests.conftest import canonical_frame
from tests.geo.test_partitioned import assert_same

N_PARCELS = CACHE_MIN_ROWS + 1_500  # read_layer snapshots layers from CACHE_MIN_ROWS rows


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """PostgreSQL stores keep their snapshots under $XDG_CACHE_HOME: a temporary one here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def parcels(n: int, *, shift: int = 0) -> gpd.GeoDataFrame:
    """``n`` canonical parcels with missing values of every kind; ``apn`` appears only after row 700."""
    i = np.arange(n)
    x, y = -118.5 + (i % 300) * 0.001, 34.0 + (i // 300) * 0.001
    geoms = list(shapely.multipolygons([[g] for g in shapely.box(x, y, x + 0.0008, y + 0.0008)]))
    return canonical_frame(
        schema.PARCELS, geoms,
        ain=[f"{5000000000 + k:010d}" for k in i],
        apn=[None if k < 700 or k % 7 == 0 else f"A-{k + shift}" for k in i],
        use_type=[("residential", "commercial", None)[k % 3] for k in i],
        owner_class=["public" if k % 11 == 0 else "private" for k in i],
        land_value=[np.nan if k % 13 == 0 else float(k * 10 + shift) for k in i],
        units=[None if k % 17 == 0 else int(k % 40) for k in i],
        council_district=[int(k % 15) + 1 for k in i],
        lot_sqft=[float(k % 500) + 0.5 for k in i], centroid_x_ft=list(6.48e6 + i * 3.0),
        centroid_y_ft=list(1.84e6 + i * 2.0), merged_count=1, is_synthetic=[True] * n,
    )


def whole_frame_snapshot(store, layer: str, path) -> None:
    """The snapshot as built before issue 18: every row fetched at once, one ``to_parquet``."""
    spec = schema.LAYER_COLUMNS[layer]
    sel = ", ".join(f'"{c.name}"' for c in spec)
    with store.read() as con:
        rows = con.execute(f'SELECT {sel}, {store._geom_sql()} FROM "{layer}" ORDER BY fid').fetchall()
    data = list(zip(*rows, strict=True))
    frame = pd.DataFrame({c.name: to_series(c.kind, data[k]) for k, c in enumerate(spec)})
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(store._decode_geoms(list(data[-1])), crs=DISPLAY_CRS))
    gdf.to_parquet(path, compression="zstd", write_covering_bbox=True, row_group_size=50_000)


def sliced_snapshot(store, layer: str, path, size: int) -> None:
    spec = schema.LAYER_COLUMNS[layer]
    sel = ", ".join(f'"{c.name}"' for c in spec)
    with store.read() as con:
        rows, present = layer_counts(con, layer, spec)
        slices = store._row_batches(con, f'SELECT {sel}, {store._geom_sql()} FROM "{layer}" ORDER BY fid', size)
        write_snapshot(path, slices, spec, store._decode_geoms, rows=rows, present=present)


def read_back(layer: str, path) -> gpd.GeoDataFrame:
    spec = {c.name: c for c in schema.LAYER_COLUMNS[layer]}
    out = read_snapshot(path, spec, list(spec))
    assert out is not None
    return out


def assert_same_snapshot(layer: str, new, old) -> None:
    assert_geodataframe_equal(read_back(layer, new), read_back(layer, old), check_dtype=True, check_index_type=True,
                              check_crs=True)
    new_types = {f.name: f.type for f in pq.read_schema(new)}
    old_types = {f.name: f.type for f in pq.read_schema(old)}
    assert new_types == old_types


@pytest.mark.parametrize("size", [333, 50_000])
def test_sliced_parcel_snapshot_reads_back_as_the_whole_frame_one(any_store, tmp_path, size):
    any_store.write_layers({schema.PARCELS: parcels(2_000)})
    whole, sliced = tmp_path / "whole" / "parcels-v1.parquet", tmp_path / "sliced" / "parcels-v1.parquet"
    whole.parent.mkdir()
    whole_frame_snapshot(any_store, schema.PARCELS, whole)
    sliced_snapshot(any_store, schema.PARCELS, sliced, size)
    assert_same_snapshot(schema.PARCELS, sliced, whole)
    meta = pq.ParquetFile(sliced).metadata
    assert meta.num_rows == 2_000 and meta.num_row_groups == -(-2_000 // size)
    types = {f.name: str(f.type) for f in pq.read_schema(sliced)}
    assert types["use_detail"] == "null" and types["apn"] == "string"  # all missing / first value in a later slice


def test_sliced_incident_snapshot_keeps_time_types(any_store, tmp_path):
    n = 500
    t0 = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    occurred = [t0 + dt.timedelta(minutes=7 * k, microseconds=k) for k in range(n)]
    frame = canonical_frame(
        schema.INCIDENTS, list(shapely.points(-118.25 + np.arange(n) * 1e-4, 34.05)),
        incident_id=[f"I-{k:05d}" for k in range(n)], occurred_at=occurred, incident_type="enforcement",
        source_type="community_report", verification_status="unverified", warrant_shown="unknown", lapd_area=[1 + k % 21 for k in range(n)])
    any_store.write_layers({schema.INCIDENTS: frame})
    whole, sliced = tmp_path / "whole" / "incidents-v1.parquet", tmp_path / "sliced" / "incidents-v1.parquet"
    whole.parent.mkdir()
    whole_frame_snapshot(any_store, schema.INCIDENTS, whole)
    sliced_snapshot(any_store, schema.INCIDENTS, sliced, 120)
    assert_same_snapshot(schema.INCIDENTS, sliced, whole)


def test_read_layer_builds_the_snapshot_and_replaces_it_when_the_store_changes(any_store, tmp_path):
    any_store.write_layers({schema.PARCELS: parcels(N_PARCELS)})
    folder = any_store.cache_dir()
    first = any_store.read_layer(schema.PARCELS)
    built = sorted(folder.glob("parcels-v*.parquet"))
    assert len(built) == 1
    whole = tmp_path / "whole" / "parcels.parquet"
    whole.parent.mkdir()
    whole_frame_snapshot(any_store, schema.PARCELS, whole)
    assert_same_snapshot(schema.PARCELS, built[0], whole)
    assert_geodataframe_equal(first, read_back(schema.PARCELS, whole))
    cols = any_store.read_layer(schema.PARCELS, columns=["ain", "land_value"])
    assert list(cols.columns) == ["ain", "land_value", "geometry"]
    assert_geodataframe_equal(cols, first[["ain", "land_value", "geometry"]])

    any_store.write_layers({schema.PARCELS: parcels(N_PARCELS, shift=1).iloc[::2]})  # half the rows change
    second = any_store.read_layer(schema.PARCELS)
    now = sorted(folder.glob("parcels-v*.parquet"))
    assert len(now) == 1 and now != built  # the older version's file is gone
    np.testing.assert_array_equal(second["land_value"].iloc[::2], first["land_value"].iloc[::2] + 1)
    np.testing.assert_array_equal(second["land_value"].iloc[1::2], first["land_value"].iloc[1::2])
    whole_frame_snapshot(any_store, schema.PARCELS, whole)
    assert_geodataframe_equal(second, read_back(schema.PARCELS, whole))


def test_small_layers_are_read_whole_without_a_snapshot(any_store):
    any_store.write_layers({schema.PARCELS: parcels(CACHE_MIN_ROWS - 1)})
    assert len(any_store.read_layer(schema.PARCELS)) == CACHE_MIN_ROWS - 1
    assert not list(any_store.cache_dir().glob("parcels-v*.parquet"))


def test_shared_text_objects_equal_astype_object():
    repeated = pd.Series(["80", None, "01", "80", "01", "80"], dtype="str", name="use_code")
    distinct = pd.Series(["a", "b", None], dtype="str")
    for text in (repeated, distinct):
        got, want = shared_objects(text), text.astype(object)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert [type(v) for v in got] == [type(v) for v in want]  # missing stays nan, as astype(object) gives
    got = shared_objects(repeated)
    assert got[0] is got[3] is got[5]  # one string per distinct value


def test_measured_parcels_equal_the_projected_layer_and_the_analysis_is_unchanged(tmp_path):
    store = open_store(str(tmp_path / "sample.gpkg"))
    sample = generate_sample(n_parcels=CACHE_MIN_ROWS + 500, n_incidents=1_500)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    want = store.read_layer(schema.PARCELS, columns=list(PARCEL_COLUMNS)).to_crs(ANALYSIS_CRS)
    got = measured_layer(store, schema.PARCELS, PARCEL_COLUMNS, slice_rows=997)
    assert_geodataframe_equal(got, want, check_less_precise=False)
    assert (shapely.to_wkb(got.geometry.values) == shapely.to_wkb(want.geometry.values)).all()

    day, config = dt.date(2026, 10, 31), AnalysisConfig()
    base = analyze_inputs(analysis_inputs(store), as_of=day, config=config)
    lean = analyze_inputs(analysis_inputs(store, measured=True), as_of=day, config=config)
    assert_same(lean, base)
