"""Conversions between canonical frames and stored values, shared by both backends."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import StoreError

#: Smaller layers read from the store faster than a file round trip.
CACHE_MIN_ROWS = 20_000
BUMP_DATA_VERSION = (
    "UPDATE store_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
)


def write_cache(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a read snapshot atomically and remove older snapshots of the same layer."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        gdf.to_parquet(tmp, compression="zstd", write_covering_bbox=True, row_group_size=50_000)
        os.replace(tmp, path)
        layer = path.name.split("-v")[0]
        for old in path.parent.glob(f"{layer}-v*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # the cache is an optimisation; reading from the store stays correct


def now_seconds() -> str:
    """Return the current UTC time as ISO-8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_frame(layer: str, gdf: gpd.GeoDataFrame) -> None:
    """Refuse a frame without every canonical column of ``layer`` or not in EPSG:4326.

    Raises
    ------
    StoreError
        Naming the missing columns or the wrong CRS.
    """
    missing = [c.name for c in schema.LAYER_COLUMNS[layer] if c.name not in gdf.columns]
    if missing:
        raise StoreError(f"write {layer}: frame lacks canonical columns {missing}; import it through geo.io.")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise StoreError(f"write {layer}: frame must be in EPSG:4326, got {gdf.crs}.")


def synthetic_flag(frames: dict[str, gpd.GeoDataFrame]) -> bool | None:
    """Return the frames' common ``is_synthetic`` value (``None`` when all are empty).

    Raises
    ------
    StoreError
        When one write mixes synthetic and real rows.
    """
    flags = {bool(v) for gdf in frames.values() if len(gdf) for v in pd.unique(gdf[schema.IS_SYNTHETIC])}
    if len(flags) > 1:
        raise StoreError("One write mixes synthetic and real rows; demo and real layers never mix.")
    return flags.pop() if flags else None


def to_series(kind: str, values: Sequence[object]) -> pd.Series:
    """Return stored values of one canonical column as a Series of its canonical dtype."""
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64")) if len(values) else pd.Series([], dtype="Int64")
    if kind == "float":
        return pd.Series(values, dtype="float64")
    if kind == "bool":
        return pd.Series([bool(v) for v in values], dtype=bool)
    if kind == "datetime":
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601").dt.date
    return pd.Series(values, dtype=object)


def to_sql_values(kind: str, s: pd.Series) -> list[object]:
    """Return one canonical column as Python values for the database driver (vectorised)."""
    if kind == "bool":
        return list(s.fillna(False).astype(bool).astype(int).tolist())
    if kind == "int":
        arr = pd.array(s, dtype="Int64")
        if arr.isna().any():
            return list(np.asarray(np.where(arr.isna(), None, arr.astype("float64").astype(object))).tolist())
        return list(arr.astype("int64").tolist())
    if kind == "float":
        vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
        nan = np.isnan(vals)
        return list(np.asarray(np.where(nan, None, vals.astype(object))).tolist()) if nan.any() else list(vals.tolist())
    if kind == "datetime":
        ts = pd.to_datetime(s, utc=True)
        return [None if pd.isna(v) else v.isoformat() for v in ts]
    if kind == "date":
        return [iso(v) for v in s]
    text = s.astype("string")
    return list(np.asarray(np.where(text.isna().to_numpy(), None, text.to_numpy(dtype=object, na_value=None))).tolist())


def promote(geoms: np.ndarray, declared: str) -> np.ndarray:
    """Promote Polygons to single-part MultiPolygons for MULTIPOLYGON layers."""
    if declared != "MULTIPOLYGON":
        return geoms
    single = shapely.get_type_id(geoms) == 3
    if not single.any():
        return geoms
    out = np.array(geoms, dtype=object)
    out[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return out


def iso(value: object) -> str | None:
    """Return a date-like value as ISO text (``None`` for missing values)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)
