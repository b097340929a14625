"""GeoParquet read snapshots of big layers, written slice by slice from the store.

A snapshot is built from one read transaction: the layer is read in ``fid`` order ``SLICE_ROWS``
rows at a time, each slice is converted exactly as the whole layer used to be
(:func:`decode_rows`) and appended to the file as one row group, so memory stays bounded by a
slice whatever the layer's size and the time grows linearly. The column types are fixed before
the first slice from the layer's canonical kinds and a count of the non-missing values of each
text and date column (a column missing everywhere stays Arrow ``null``, as the whole-frame write
gave it), so every slice lands in one schema and the file reads back as the whole-frame snapshot
did: the same columns, dtypes, values and row order. The file-level GeoParquet metadata lists
``geometry_types`` as ``[]`` (any, allowed by the specification) and leaves out the optional
file ``bbox``, which are only known once every slice is written; the per-row covering ``bbox``
column is written as before.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from geopandas.io.arrow import _geopandas_to_arrow

from geo.config import DISPLAY_CRS
from geo.schema import Column
from geo.store.values import to_series

#: Rows per slice and per row group (the row group size of the whole-frame snapshot).
SLICE_ROWS = 50_000
#: Column kinds whose Arrow type depends on whether any value is present.
_NULLABLE_KINDS = ("text", "date", "datetime")
#: Leading rows of a text column looked at before sharing its strings (see :func:`shared_objects`).
_PROBE_ROWS = 10_000


def decode_rows(rows: Sequence[Sequence[Any]], spec: Sequence[Column],
                decode: Callable[[list[Any]], np.ndarray]) -> gpd.GeoDataFrame:
    """Return stored rows (canonical columns, then the geometry) as a canonical GeoDataFrame in EPSG:4326."""
    names = [c.name for c in spec]
    data: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(names) + 1)]
    frame = pd.DataFrame({c.name: to_series(c.kind, data[i]) for i, c in enumerate(spec)})
    geoms = decode(list(data[-1])) if rows else np.array([], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))


def layer_counts(con: Any, layer: str, spec: Sequence[Column]) -> tuple[int, dict[str, int]]:
    """Return the layer's row count and the count of non-missing values of its text/date/time columns."""
    nullable = [c.name for c in spec if c.kind in _NULLABLE_KINDS]
    terms = ", ".join(["count(*)", *(f'count("{n}")' for n in nullable)])
    row = con.execute(f'SELECT {terms} FROM "{layer}"').fetchone()
    return int(row[0]), {n: int(v) for n, v in zip(nullable, row[1:], strict=True)}


def write_snapshot(path: Path, slices: Iterator[list[Any]], spec: Sequence[Column],
                   decode: Callable[[list[Any]], np.ndarray], *, rows: int, present: dict[str, int]) -> None:
    """Write the snapshot of ``rows`` stored rows from ``slices`` to ``path`` atomically; drop older versions.

    ``present`` is :func:`layer_counts`' count of values per text/date/time column. The file
    is written beside ``path`` and moved over it only once complete; the snapshots of older
    data versions of the layer are then removed.

    Raises
    ------
    OSError
        When the folder cannot be written (nothing is left behind).
    pyarrow.ArrowInvalid
        When a slice does not fit the layer's column types (times finer than microseconds):
        the caller builds the whole frame instead.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    writer: pq.ParquetWriter | None = None
    target: pa.Schema | None = None
    try:
        for chunk in slices:
            table = _geopandas_to_arrow(decode_rows(chunk, spec, decode), index=None, write_covering_bbox=True)
            if target is None:
                target = _target_schema(table.schema, spec, rows=rows, present=present)
                writer = pq.ParquetWriter(tmp, target, compression="zstd")
            assert writer is not None
            writer.write_table(table.cast(target), row_group_size=SLICE_ROWS)
        if writer is None:
            return  # no rows: nothing to snapshot (the caller reads the layer whole)
        writer.close()
        writer = None
        os.replace(tmp, path)
    finally:
        close = getattr(slices, "close", None)
        if callable(close):
            close()  # a server-side cursor is released even when a slice fails
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
    layer = path.name.split("-v")[0]
    for old in path.parent.glob(f"{layer}-v*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)


def _target_schema(first: pa.Schema, spec: Sequence[Column], *, rows: int, present: dict[str, int]) -> pa.Schema:
    """Return the file's schema: the first slice's, with types fixed by kind and metadata for the whole layer."""
    kinds = {c.name: c.kind for c in spec}
    fields = []
    for field in first:
        kind = kinds.get(field.name)
        if kind in _NULLABLE_KINDS:
            fields.append(field.with_type(_kind_type(kind, present[field.name] > 0)))
        else:
            fields.append(field)
    meta = dict(first.metadata or {})
    pandas_meta = json.loads(meta[b"pandas"])
    pandas_meta["index_columns"] = [{"kind": "range", "name": None, "start": 0, "stop": rows, "step": 1}]
    for col in pandas_meta["columns"]:
        kind = kinds.get(col["name"])
        if kind in ("text", "date") and present.get(col["name"], 0) > 0:
            col["pandas_type"] = "unicode" if kind == "text" else "date"
    geo_meta = json.loads(meta[b"geo"])
    for col in geo_meta["columns"].values():
        col["geometry_types"] = []
        col.pop("bbox", None)
    meta[b"pandas"] = json.dumps(pandas_meta).encode()
    meta[b"geo"] = json.dumps(geo_meta).encode()
    return pa.schema(fields, metadata=meta)


def _kind_type(kind: str, any_value: bool) -> pa.DataType:
    """Return the Arrow type the whole-frame write gave a text/date/time column."""
    if kind == "text":
        return pa.string() if any_value else pa.null()
    if kind == "date":
        return pa.date32() if any_value else pa.null()
    return pa.timestamp("us" if any_value else "s", tz="UTC")


def read_snapshot(path: Path, spec: dict[str, Column], names: Sequence[str]) -> gpd.GeoDataFrame | None:
    """Return ``names`` and the geometry read from a snapshot (text columns as ``object``), ``None`` if unreadable."""
    try:
        out = gpd.read_parquet(path, columns=[*names, "geometry"])
    except (OSError, ValueError):
        return None
    for name in (n for n in names if spec[n].kind == "text"):
        out[name] = shared_objects(out[name])
    return out


def shared_objects(text: pd.Series) -> pd.Series:
    """Return a text column as ``object``, as ``astype(object)`` does, with one ``str`` per distinct value.

    Repeated values (use codes, owner classes, descriptions) then share one Python string
    instead of one per row; the values, missing values (``nan``) and dtype are those of
    ``astype(object)``. Columns of mostly distinct values are converted as they are.
    """
    if text.dtype == object:
        return text
    if text.iloc[:_PROBE_ROWS].nunique() * 2 > min(len(text), _PROBE_ROWS):  # keys (AIN): mostly distinct
        return text.astype(object)
    codes, uniques = pd.factorize(text)
    if 2 * len(uniques) > len(text):
        return text.astype(object)
    values = np.asarray(uniques, dtype=object)[np.maximum(codes, 0)]
    values[codes < 0] = np.nan
    return pd.Series(values, index=text.index, name=text.name, dtype=object)
