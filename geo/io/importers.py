"""The import pipeline shared by every kind: context, row bookkeeping, geometry stages, typed columns.

The per-kind steps (parcels, incidents, districts, parks) live in :mod:`geo.io.canonical`,
sites in :mod:`geo.io.sites`; each returns a :class:`Canonical`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, DISPLAY_CRS
from geo.errors import InvalidGeometryError, SchemaError
from geo.io import aliases, validate
from geo.io.geomstage import geometry_stage as geometry_stage  # re-exported: the per-kind steps use it
from geo.io.raw import GEOMETRY_CHUNK, RawData
from geo.messages import M, join

LAPD_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")


@dataclass(frozen=True)
class ImportContext:
    """What an import needs besides the file: time, provenance, store layers and options."""

    source: str
    now: dt.datetime
    department: str | None = None
    invalid: str = "repair"
    districts: gpd.GeoDataFrame | None = None
    lapd_areas: gpd.GeoDataFrame | None = None
    parcels: Callable[[], gpd.GeoDataFrame] | None = None

    @property
    def fetched_at(self) -> str:
        """Import time as ISO-8601 UTC."""
        return self.now.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Canonical:
    """Accepted canonical rows of one layer, with what was rejected, repaired and noted."""

    layer: str
    frame: gpd.GeoDataFrame
    n_read: int
    rejected: list[validate.Issue] = field(default_factory=list)
    repaired: list[validate.Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    geometry_only: bool = False  # every rejection was a geometry problem
    merged: tuple[int, int, str, int] | None = None  # parcels: rows merged, AINs, first AIN and its count


class Rows:
    """Per-row rejection reasons (first reason wins) and display keys for one file."""

    def __init__(self, raw: RawData, keys: pd.Series | None = None) -> None:
        self.raw = raw
        self.n = len(raw.frame)
        self.reasons = pd.Series([None] * self.n, dtype=object)
        self.geometric = np.zeros(self.n, bool)
        self.repairs = pd.Series([None] * self.n, dtype=object)
        self.keys = keys.reset_index(drop=True) if keys is not None else pd.Series([None] * self.n, dtype=object)

    @property
    def ok(self) -> np.ndarray:
        """Rows with no rejection reason so far."""
        return np.asarray(self.reasons.isna().to_numpy(), dtype=bool)

    def reject(self, reasons: pd.Series, *, geometry: bool = False) -> None:
        """Record ``reasons`` (aligned by position) for rows not already rejected."""
        reasons = reasons.reset_index(drop=True)
        new = (reasons.notna() & self.reasons.isna()).to_numpy()
        if new.any():  # through numpy: pandas' masked setitem would turn the messages into plain str
            kept = self.reasons.to_numpy(dtype=object).copy()
            kept[new] = reasons.to_numpy(dtype=object)[new]
            self.reasons = pd.Series(kept, dtype=object)
        self.geometric[new] = geometry

    def issues(self) -> tuple[list[validate.Issue], list[validate.Issue]]:
        """Return (rejected, repaired) issues; repairs of rejected rows are not listed."""
        rej = np.flatnonzero(~self.ok)
        rep = np.flatnonzero(self.repairs.notna().to_numpy() & self.ok)
        where = self.raw.where(np.concatenate([rej, rep]))
        out_rej = [validate.Issue(where[i], self.keys.iat[p], self.reasons.iat[p], validate.REJECTED) for i, p in enumerate(rej)]
        out_rep = [validate.Issue(where[len(rej) + i], self.keys.iat[p], self.repairs.iat[p], validate.REPAIRED)
                   for i, p in enumerate(rep)]
        return out_rej, out_rep


# --- shared steps -----------------------------------------------------------------------
def points_from_columns(rows: Rows, frame: pd.DataFrame, lat_col: str, lon_col: str) -> np.ndarray:
    """Build points from latitude/longitude columns; reject non-numeric, missing and 0 (= missing) values."""
    lat, lon = aliases.to_number(frame[lat_col]), aliases.to_number(frame[lon_col])
    reasons = pd.Series([None] * len(frame), dtype=object)
    for col, raw_vals, num in ((lat_col, frame[lat_col], lat), (lon_col, frame[lon_col], lon)):
        text = aliases.clean_text(raw_vals)
        junk = (text.notna() & num.isna()).to_numpy()
        for pos in np.flatnonzero(junk & reasons.isna().to_numpy()):
            reasons.iat[pos] = M("{column} '{value}' is not a number; give decimal degrees (or the units of "
                                 "the --crs given)", column=col, value=text.iat[pos])
    missing = (lat.isna() | lon.isna()).to_numpy() & reasons.isna().to_numpy()
    reasons[missing] = M("no location ({lat}/{lon} empty); add coordinates or drop the row", lat=lat_col,
                         lon=lon_col)
    zero = ((lat == 0) | (lon == 0)).to_numpy() & reasons.isna().to_numpy()
    reasons[zero] = M("{lat}/{lon} is 0 (LAPD's code for a missing location); the row cannot be "
                      "placed on the map - add coordinates at source", lat=lat_col, lon=lon_col)
    rows.reject(reasons, geometry=True)
    good = reasons.isna().to_numpy()
    out = np.full(len(frame), None, dtype=object)
    out[good] = shapely.points(lon.to_numpy()[good], lat.to_numpy()[good])
    return out


def geometry_from(rows: Rows, raw: RawData, cols: dict[str, str], *, family: str, invalid: str) -> np.ndarray:
    """Return EPSG:4326 geometry from the file's geometry or from its lat/lon columns.

    Raises
    ------
    SchemaError
        When the file has neither geometry nor latitude/longitude columns.
    """
    if raw.geometry is not None:
        return geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=family, invalid=invalid,
                              release=True)
    if family == validate.POINT and "lat" in cols and "lon" in cols:
        pts = points_from_columns(rows, raw.frame, cols["lat"], cols["lon"])
        if not rows.ok.any():
            return pts
        return geometry_stage(rows, pts, raw.crs or DISPLAY_CRS, family=family, invalid=invalid)
    raise SchemaError(M("{label}: no geometry and no latitude/longitude columns (LAT/LON, Latitude/Longitude, X/Y, "
                        "POINT_X/POINT_Y); found columns {columns}. Use a spatial file, add the coordinate columns, "
                        "or name them with --map lat=COLUMN --map lon=COLUMN (and --crs for projected X/Y such as "
                        "2229 feet).", label=raw.label, columns=str(raw.columns[:12])))


def provenance(raw: RawData, cols: dict[str, str], ctx: ImportContext, n: int) -> dict[str, object]:
    """Return is_synthetic/source/source_url/fetched_at values for ``n`` rows.

    Raises
    ------
    SchemaError
        When the file mixes rows marked synthetic and real.
    """
    synthetic = False
    if schema.IS_SYNTHETIC in cols:
        flags = aliases.to_bool(raw.frame[cols[schema.IS_SYNTHETIC]])
        if flags.any() and not flags.all():
            first = raw.where(np.flatnonzero(~flags.to_numpy())[:1])[0]
            raise SchemaError(M("{label}: is_synthetic is true for some rows and not for others (e.g. {first}). "
                                "Demo and real data never mix: split the file.", label=raw.label, first=first))
        synthetic = bool(flags.all()) and len(flags) > 0
    url = aliases.clean_text(raw.frame[cols[schema.SOURCE_URL]]) if schema.SOURCE_URL in cols else pd.Series([None] * n)
    return {schema.IS_SYNTHETIC: synthetic, schema.SOURCE: raw.label, schema.SOURCE_URL: url.to_numpy(),
            schema.FETCHED_AT: ctx.fetched_at}


def assemble(layer: str, attrs: pd.DataFrame, geoms: np.ndarray, keep: np.ndarray) -> gpd.GeoDataFrame:
    """Return the kept rows as a canonical GeoDataFrame (columns in schema order, EPSG:4326)."""
    attrs = attrs.reset_index(drop=True)
    for c in schema.LAYER_COLUMNS[layer]:
        if c.name not in attrs:
            attrs[c.name] = None
    # copy=False: GeoDataFrame copies a DataFrame's columns by default (~0.7 GB for 2.4M parcels)
    if keep.all():  # the usual case: no copy of the columns (copy-on-write)
        return gpd.GeoDataFrame(attrs[schema.column_names(layer)], geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS),
                                copy=False)
    frame = attrs.loc[keep, schema.column_names(layer)].reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms[keep], crs=DISPLAY_CRS), copy=False)


def release_columns(raw: RawData) -> None:
    """Drop the file's columns from ``raw.frame`` once the canonical ones are built (frees County-size memory)."""
    for name in list(raw.frame.columns):
        del raw.frame[name]


def assign_zones(frame: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
    """Fill missing council_district / lapd_area from the store's layers by representative point."""
    pts: np.ndarray | None = None  # computed once, and only when a layer is there to look in
    out = frame
    for col, layer, key in ((schema.COUNCIL_DISTRICT, ctx.districts, schema.DISTRICT), (schema.LAPD_AREA, ctx.lapd_areas, schema.LAPD_AREA)):
        if col not in out or layer is None or not len(layer) or not out[col].isna().any():
            continue
        if pts is None:
            geoms = np.asarray(frame.geometry.array, dtype=object)
            points = shapely.get_type_id(geoms) == 0
            pts = geoms if points.all() else shapely.point_on_surface(geoms)  # a point is its own
        tree = shapely.STRtree(np.asarray(layer.geometry.array, dtype=object))
        src, hit = tree.query(pts, predicate="within")
        first = pd.Series(hit, index=src).groupby(level=0).first()
        found = pd.Series(pd.NA, index=out.index, dtype="Int64")  # out's labels: merged rows leave gaps
        found.iloc[first.index.to_numpy()] = layer[key].to_numpy()[first.to_numpy()]
        out = out.assign(**{col: out[col].astype("Int64").fillna(found).to_numpy()})
    return out


def measure(frame: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Return area (sq ft) and representative-point x/y (ft) of each geometry in EPSG:2229 (chunk by chunk)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    area, x, y = (np.full(len(geoms), np.nan) for _ in range(3))
    for start in range(0, len(geoms), GEOMETRY_CHUNK):
        part = slice(start, start + GEOMETRY_CHUNK)
        feet = np.asarray(gpd.GeoSeries(geoms[part], crs=frame.crs).to_crs(ANALYSIS_CRS).array, dtype=object)
        rep = shapely.point_on_surface(feet)
        area[part], x[part], y[part] = shapely.area(feet), shapely.get_x(rep), shapely.get_y(rep)
    return {"area": np.round(area, 1), "x": np.round(x, 2), "y": np.round(y, 2)}


def finish(layer: str, rows: Rows, frame: gpd.GeoDataFrame, notes: list[str] | None = None) -> Canonical:
    """Package accepted rows and the row issues into a :class:`Canonical`."""
    rejected, repaired = rows.issues()
    frame = canonical_dtypes(layer, frame)
    geo_only = bool(len(rejected)) and bool(rows.geometric[~rows.ok].all())
    return Canonical(layer=layer, frame=frame, n_read=rows.n, rejected=rejected, repaired=repaired,
                     notes=list(notes or []), geometry_only=geo_only)


def canonical_dtypes(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` with text compact (:func:`compact_text`), ints as Int64, floats as float64."""
    kinds = {c.name: c.kind for c in schema.LAYER_COLUMNS[layer]}
    out = {}
    for name, kind in kinds.items():
        if name not in frame:
            continue
        s = frame[name]
        if kind == "text":  # shared or Arrow-backed strings, not one Python object a value (County scale)
            out[name] = s if str(s.dtype) == "str" else compact_text(s)
        elif kind == "int" and str(s.dtype) != "Int64":
            out[name] = aliases.to_int(s).to_numpy()
        elif kind == "float" and s.dtype != np.float64:
            out[name] = aliases.to_number(s).to_numpy()
    return frame.assign(**out) if out else frame


def compact_text(values: pd.Series | np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Return text values in the least memory: each repeated value one shared Python string, else Arrow strings.

    Few distinct values (a use type, a city, the source): an object array whose rows point to one
    string per distinct value, ``None`` for missing (8 bytes a row). Mostly distinct values (AINs,
    addresses): an Arrow-backed string array, NaN for missing (the bytes plus 4 a row). Either is
    a fraction of one Python string object per value (~60 bytes) at County scale.
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return _compact_strings(values)  # Arrow strings stay Arrow: Python strings only for shared values
    arr = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if len(uniques) <= max(SHARED_TEXT_MAX, len(arr) // 20):
        shared = np.empty(len(uniques) + 1, dtype=object)  # the last slot, None, is what code -1 (missing) picks
        shared[:-1] = np.asarray(uniques, dtype=object)
        return np.asarray(shared[codes], dtype=object)
    return pd.array(arr, dtype="str")


def _compact_strings(values: pd.Series) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Return :func:`compact_text` of Arrow-backed strings, factorised in Arrow (same values, same choice)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) <= max(SHARED_TEXT_MAX, len(values) // 20):
        shared = np.empty(len(uniques) + 1, dtype=object)
        shared[:-1] = np.asarray(uniques, dtype=object)
        return np.asarray(shared[codes], dtype=object)
    return values.astype("str").array


def string_col(frame: pd.DataFrame, cols: dict[str, str], name: str) -> pd.Series:
    """Return :func:`text_col`'s values as Arrow-backed ``string`` (NA for missing), no Python string per row."""
    if name in cols:
        return aliases.clean_string(frame[cols[name]]).reset_index(drop=True)
    return pd.Series(pd.NA, index=range(len(frame)), dtype="string")


#: Up to this many distinct values a text column is always kept as shared strings.
SHARED_TEXT_MAX = 1_000


def text_col(frame: pd.DataFrame, cols: dict[str, str], name: str) -> pd.Series:
    """Return the cleaned text of the column mapped to ``name``, or all ``None``."""
    if name in cols:
        return aliases.clean_text(frame[cols[name]]).reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


def int_col(frame: pd.DataFrame, cols: dict[str, str], name: str, *, lo: int | None = None,
            hi: int | None = None) -> pd.Series:
    """Return the column mapped to ``name`` as Int64; values outside ``lo..hi`` become NA."""
    if name not in cols:
        return pd.Series(pd.NA, index=range(len(frame)), dtype="Int64")
    s = aliases.to_int(frame[cols[name]]).reset_index(drop=True)
    if lo is not None:
        s = s.where(s >= lo)
    if hi is not None:
        s = s.where(s <= hi)
    return s.astype("Int64")


def require(raw: RawData, cols: dict[str, str], name: str, kind: str) -> None:
    """Raise :class:`SchemaError` naming the aliases tried when ``name`` has no column."""
    if name not in cols:
        tried = ", ".join(aliases.ALIASES[kind][name])
        shown = {"date_occ": schema.OCCURRED_AT, "date_rptd": schema.REPORTED_AT}.get(name, name)
        raise SchemaError(M("{label}: no {column} column for a {kind} import (looked for {tried}); found "
                            "{columns}. Say which column it is with --map {column}=COLUMN (the Data page's "
                            "column mapping), rename the column, or check the import kind.", label=raw.label,
                            column=shown, kind=kind, tried=tried, columns=str(raw.columns[:15])))


def raise_if_nothing(result: Canonical, label: str) -> None:
    """Raise when no row of ``result`` was accepted, quoting the first reasons.

    Raises
    ------
    InvalidGeometryError
        When every rejection was a geometry problem.
    SchemaError
        Otherwise.
    """
    if len(result.frame):
        return
    if not result.n_read:
        raise SchemaError(M("{label}: the file has no rows or features. Export the data again.", label=label))
    shown = join([i.text() for i in result.rejected[:3]])
    cls = InvalidGeometryError if result.geometry_only else SchemaError
    if len(result.rejected) > 3:
        raise cls(M("{label}: no feature can be imported; all {count} were rejected: {shown} (and {more} more). "
                    "Fix these at source and import again.", label=label, count=result.n_read, shown=shown,
                    more=len(result.rejected) - 3))
    raise cls(M("{label}: no feature can be imported; all {count} were rejected: {shown}. "
                "Fix these at source and import again.", label=label, count=result.n_read, shown=shown))
