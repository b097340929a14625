"""Per-feature validation before anything is stored: geometry, envelope, dates, AINs, duplicates.

Every check is vectorised over the whole file and returns reasons aligned to row positions
(``None`` where a row is fine); Python loops run only over the few rows that fail.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.config import COUNTY_LAT, COUNTY_LON, LOCAL_TZ
from geo.errors import InvalidGeometryError
from geo.messages import M, Message, join

POLYGON, POINT, LINE = "polygon", "point", "line"
_FAMILY_TYPES = {POLYGON: (3, 6), POINT: (0,), LINE: (1, 5)}
_FAMILY_NAMES = {POLYGON: M("Polygon or MultiPolygon"), POINT: "Point", LINE: M("LineString or MultiLineString")}
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
INVALID_POLICIES = ("repair", "drop", "raise")
#: What happened to a feature with an issue (shown in the import report).
REJECTED, REPAIRED = M("rejected"), M("repaired with make_valid")


@dataclass(frozen=True)
class Issue:
    """One feature's problem: where it is, its key, what was wrong (with the value) and what happened."""

    where: str
    key: str | None
    problem: str
    action: str

    def __str__(self) -> str:
        return self.text()

    def text(self) -> Message:
        """Return the issue as one translatable line (the key and where are data; problem and action are text)."""
        if self.key:
            return M("{where} ({key}): {problem} -> {action}", where=self.where, key=self.key, problem=self.problem,
                     action=self.action)
        return M("{where}: {problem} -> {action}", where=self.where, problem=self.problem, action=self.action)


@dataclass(frozen=True)
class GeometryCheck:
    """Checked geometry aligned to the input: repaired where repaired, reasons where rejected or repaired."""

    geometry: np.ndarray
    rejected: pd.Series
    repaired: pd.Series


def check_geometry(geoms: np.ndarray, *, family: str, invalid: str = "repair", label: str = "file") -> GeometryCheck:
    """Check null, empty, non-finite, wrongly typed and invalid geometries.

    Invalid polygons are repaired with ``make_valid`` keeping only polygonal parts (reason from
    ``is_valid_reason`` recorded per feature); a repair that leaves no polygon rejects the
    feature. Valid input is never changed.

    Raises
    ------
    InvalidGeometryError
        When the layer mixes geometry families or holds only the wrong family, or an invalid
        geometry meets ``invalid="raise"``.
    """
    if invalid not in INVALID_POLICIES:
        raise ValueError(f"invalid must be one of {INVALID_POLICIES}, got {invalid!r}")
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    rejected = _series(n)
    missing = shapely.is_missing(geoms)
    rejected[missing] = M("geometry is null (missing, or coordinates that are not numbers); add it at source")
    empty = ~missing & shapely.is_empty(geoms)
    rejected[empty & rejected.isna()] = M("geometry is empty; draw it at source or drop the feature")
    _reject_nonfinite(geoms, rejected)
    _check_types(geoms, rejected, family=family, label=label)
    out = geoms.copy()
    repaired = _series(n)
    if family == POLYGON:
        _repair_polygons(out, rejected, repaired, invalid=invalid, label=label)
    return GeometryCheck(geometry=out, rejected=rejected, repaired=repaired)


def _series(n: int) -> pd.Series:
    return pd.Series([None] * n, dtype=object)


def _reject_nonfinite(geoms: np.ndarray, rejected: pd.Series) -> None:
    ok = rejected.isna().to_numpy()
    coords, index = shapely.get_coordinates(geoms[ok], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if not bad.any():
        return
    positions = np.flatnonzero(ok)
    for local in np.unique(index[bad]):
        xy = coords[bad & (index == local)][0]
        rejected.iat[positions[local]] = M("coordinate ({x}, {y}) is not a finite number; fix the vertex at source",
                                           x=xy[0], y=xy[1])


def _check_types(geoms: np.ndarray, rejected: pd.Series, *, family: str, label: str) -> None:
    ok = rejected.isna().to_numpy()
    types = shapely.get_type_id(geoms)
    wanted = np.isin(types, _FAMILY_TYPES[family])
    wrong = ok & ~wanted
    if not wrong.any():
        return
    found = {_TYPE_NAMES.get(int(t), str(t)): int(c) for t, c in zip(*np.unique(types[ok], return_counts=True))}
    listing = ", ".join(f"{c} {t}" for t, c in found.items())
    first = ", ".join(map(str, np.flatnonzero(wrong)[:5] + 1))
    if (ok & wanted).any():
        raise InvalidGeometryError(M(
            "{label}: mixed geometry types ({listing}; e.g. features {first}). This layer "
            "needs {needed} only: split the file by geometry type and import each part as its kind.",
            label=label, listing=listing, first=first, needed=_FAMILY_NAMES[family]))
    raise InvalidGeometryError(M(
        "{label}: holds {listing} geometry, but this import kind needs {needed} (e.g. features "
        "{first}). Check the import kind (points are incidents, places, ramps; polygons are "
        "parcels, sites, districts, parks; lines are streets) or export the right layer at source.",
        label=label, listing=listing, needed=_FAMILY_NAMES[family], first=first))


def _repair_polygons(out: np.ndarray, rejected: pd.Series, repaired: pd.Series, *, invalid: str,
                     label: str) -> None:
    ok = rejected.isna().to_numpy()
    bad = np.flatnonzero(ok & ~shapely.is_valid(out))
    if not len(bad):
        return
    reasons = shapely.is_valid_reason(out[bad])
    if invalid == "raise":
        listing = join([M("feature {number}: {reason}", number=i + 1, reason=r) for i, r in zip(bad[:5], reasons[:5])])
        raise InvalidGeometryError(M(
            "{label}: {count} of {total} geometries are invalid ({listing}). Fix them at source or "
            "import with invalid='repair'.", label=label, count=len(bad), total=len(out), listing=listing))
    if invalid == "drop":
        rejected.iloc[bad] = [M("{reason} (invalid polygon, dropped by policy); fix it at source", reason=r)
                              for r in reasons]
        return
    fixed = polygonal_part(shapely.make_valid(out[bad], method="structure", keep_collapsed=False))
    for pos, reason, geom in zip(bad, reasons, fixed):
        if geom is None or shapely.is_empty(geom) or not shapely.is_valid(geom):
            rejected.iat[pos] = M("{reason}: cannot be repaired (make_valid leaves no polygon); redraw it at source",
                                  reason=reason)
        else:
            out[pos] = geom
            repaired.iat[pos] = reason


def polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Return only the polygonal parts of each geometry (Polygon/MultiPolygon), or ``None`` when none remain."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    other = np.flatnonzero(~np.isin(types, (3, 6)))
    for i in other:  # only repaired rows reach this, and only collections need the split
        parts = [p for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6)]
        parts = [q for p in parts for q in shapely.get_parts(p)]
        out[i] = None if not parts else (parts[0] if len(parts) == 1 else shapely.multipolygons(parts))
    return out


def check_envelope(geoms_4326: np.ndarray, *, skip: np.ndarray | None = None) -> pd.Series:
    """Return a reason for each geometry (EPSG:4326) not wholly inside the LA County envelope."""
    geoms = np.asarray(geoms_4326, dtype=object)
    reasons = _series(len(geoms))
    bounds = shapely.bounds(geoms)
    inside = ((bounds[:, 0] >= COUNTY_LON[0]) & (bounds[:, 2] <= COUNTY_LON[1])
              & (bounds[:, 1] >= COUNTY_LAT[0]) & (bounds[:, 3] <= COUNTY_LAT[1]))
    check = ~np.isnan(bounds[:, 0]) if skip is None else (~np.asarray(skip, bool) & ~np.isnan(bounds[:, 0]))
    for pos in np.flatnonzero(check & ~inside):
        x, y = bounds[pos, 0], bounds[pos, 1]
        swapped = COUNTY_LAT[0] <= x <= COUNTY_LAT[1] and COUNTY_LON[0] <= y <= COUNTY_LON[1]
        hint = M("latitude and longitude look swapped") if swapped else M("check the coordinates and CRS")
        reasons.iat[pos] = M("outside LA County (lon {x:.5f}, lat {y:.5f}; the County spans lon "
                             "{lon0}..{lon1}, lat {lat0}..{lat1}); {hint}", x=x, y=y, lon0=COUNTY_LON[0],
                             lon1=COUNTY_LON[1], lat0=COUNTY_LAT[0], lat1=COUNTY_LAT[1], hint=hint)
    return reasons


def check_real_ains(ains: pd.Series, *, synthetic: bool) -> pd.Series:
    """Return a reason for each missing, malformed or (in real files) ``99``-book AIN."""
    reasons = _series(len(ains))
    values = ains.reset_index(drop=True)
    missing = values.isna().to_numpy()
    reasons[missing] = M("no AIN; every parcel needs its 10-digit Assessor ID")
    text = values.astype("string")
    badlen = (~missing & (text.str.len() != 10).fillna(True).to_numpy())
    for pos in np.flatnonzero(badlen):
        reasons.iat[pos] = M("AIN '{ain}' has {digits} digits, not 10; check the AIN column", ain=values.iat[pos],
                             digits=len(str(values.iat[pos])))
    if not synthetic:
        demo = ~missing & ~badlen & text.str.startswith("99").fillna(False).to_numpy()
        for pos in np.flatnonzero(demo):
            reasons.iat[pos] = M("AIN {ain} is in map book 99xx, which only StageMap's synthetic "
                                 "data uses; a real file never has it. Check the source file", ain=values.iat[pos])
    return reasons


def parse_dates(values: pd.Series, *, formats: tuple[str, ...] = ()) -> pd.Series:
    """Parse date/time text as naive LA local time: ``formats`` in turn, then ISO 8601; unreadable -> NaT.

    Values with an explicit UTC offset are converted to LA local time first.
    """
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    aware = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).fillna(False).to_numpy(bool)
    if aware.any():  # explicit offsets: read as instants, then expressed in LA local time
        parsed = pd.to_datetime(text[aware], format="ISO8601", errors="coerce", utc=True)
        out[aware] = parsed.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).astype("datetime64[ns]")
    for fmt in (*formats, "ISO8601"):
        todo = out.isna() & text.notna() & ~aware
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype("datetime64[ns]")
    return out


def check_dates(raw: pd.Series, parsed: pd.Series, *, column: str, now: dt.datetime,
                required: bool) -> pd.Series:
    """Return a reason for each unreadable, missing (when ``required``) or future date; ``parsed`` is UTC."""
    reasons = _series(len(raw))
    raw = raw.reset_index(drop=True)
    parsed = parsed.reset_index(drop=True)
    has_text = raw.notna() & (raw.astype("string").str.strip() != "")
    unreadable = (has_text & parsed.isna()).to_numpy()
    for pos in np.flatnonzero(unreadable):
        reasons.iat[pos] = M("{column} '{value}' is not a readable date; use MM/DD/YYYY hh:mm:ss AM "
                             "(LAPD) or ISO 8601 (2025-07-14T09:30)", column=column, value=raw.iat[pos])
    if required:
        reasons[(~has_text).to_numpy()] = M("{column} is missing; every incident needs when it occurred", column=column)
    future = (parsed > pd.Timestamp(now)).fillna(False).to_numpy()
    for pos in np.flatnonzero(future):
        reasons.iat[pos] = M("{column} {when} UTC is in the future; check the date and its day/month order",
                             column=column, when=parsed.iat[pos].strftime("%Y-%m-%d %H:%M"))
    return reasons


def merge_duplicates(frame: gpd.GeoDataFrame, key: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Merge rows sharing ``key`` (stacked condominium polygons) into one dissolved row.

    Returns the new frame (first row's attributes, the union of geometries, ``merged_count``)
    and a table of merged keys with their counts and original positions.
    """
    counts = frame.groupby(key, sort=False)[key].transform("size")
    dup = (counts > 1).to_numpy()
    out = frame.assign(merged_count=counts.astype("int64").to_numpy() if len(frame) else 0)
    if not dup.any():
        return out, pd.DataFrame({key: [], "count": [], "positions": []})
    extra = out[dup]
    unions = extra.geometry.groupby(extra[key], sort=False).agg(lambda g: shapely.union_all(g.values))
    firsts = ~out[key].duplicated(keep="first").to_numpy()
    merged = out[firsts | ~dup].copy()
    is_dup = merged[key].isin(unions.index).to_numpy()
    geoms = np.asarray(merged.geometry.array, dtype=object)
    geoms[is_dup] = polygonal_part(np.asarray(unions.loc[merged.loc[is_dup, key]].to_numpy(), dtype=object))
    merged = merged.set_geometry(gpd.GeoSeries(geoms, index=merged.index, crs=frame.crs))
    positions = pd.Series(np.arange(len(frame)))[dup].groupby(frame[key].to_numpy()[dup], sort=False).agg(list)
    table = pd.DataFrame({key: positions.index, "count": positions.map(len).to_numpy(),
                          "positions": positions.to_numpy()})
    return merged, table
