"""Turn a file's raw columns into canonical frames per import kind (parcels, incidents, districts, parks).

Each ``canonical_<kind>`` returns a :class:`Canonical`: accepted rows with exactly
``schema.column_names(layer)`` plus geometry in EPSG:4326, and the rows rejected or repaired
with their reasons. Sites live in :mod:`geo.io.sites`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as S
from geo.config import ANALYSIS_CRS, DISPLAY_CRS
from geo.errors import InvalidGeometryError, SchemaError
from geo.io import aliases as A
from geo.io import validate as V
from geo.io.readers import RawData, explain_outside, to_display

LAPD_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")
LOCAL_TZ = "America/Los_Angeles"


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
    rejected: list[V.Issue] = field(default_factory=list)
    repaired: list[V.Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    geometry_only: bool = False  # every rejection was a geometry problem


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
        return self.reasons.isna().to_numpy()

    def reject(self, reasons: pd.Series, *, geometry: bool = False) -> None:
        """Record ``reasons`` (aligned by position) for rows not already rejected."""
        reasons = reasons.reset_index(drop=True)
        new = (reasons.notna() & self.reasons.isna()).to_numpy()
        self.reasons[new] = reasons[new]
        self.geometric[new] = geometry

    def issues(self) -> tuple[list[V.Issue], list[V.Issue]]:
        """Return (rejected, repaired) issues; repairs of rejected rows are not listed."""
        rej = np.flatnonzero(~self.ok)
        rep = np.flatnonzero(self.repairs.notna().to_numpy() & self.ok)
        where = self.raw.where(np.concatenate([rej, rep]))
        out_rej = [V.Issue(where[i], self.keys.iat[p], self.reasons.iat[p], "rejected") for i, p in enumerate(rej)]
        out_rep = [V.Issue(where[len(rej) + i], self.keys.iat[p], self.repairs.iat[p], "repaired with make_valid")
                   for i, p in enumerate(rep)]
        return out_rej, out_rep


# --- shared steps -----------------------------------------------------------------------
def geometry_stage(rows: Rows, geoms: np.ndarray, crs: str, *, family: str, invalid: str) -> np.ndarray:
    """Validate ``geoms`` (in ``crs``), reproject the good ones to EPSG:4326, check the County envelope.

    Raises
    ------
    CRSError
        When no valid feature lies inside LA County (wrong CRS, feet in GeoJSON, swapped axes).
    """
    label = rows.raw.label
    check = V.check_geometry(geoms, family=family, invalid=invalid, label=label)
    rows.reject(check.rejected, geometry=True)
    rows.repairs = check.repaired
    good = rows.ok
    out = np.full(rows.n, None, dtype=object)
    out[good] = to_display(check.geometry[good], crs)
    if family == V.POLYGON and good.any():
        broken = good & ~shapely.is_valid(out)
        if broken.any():  # rounding to 1e-7 degrees can pinch a sliver; repair once more
            out[broken] = V.polygonal_part(shapely.make_valid(out[broken], method="structure", keep_collapsed=False))
            rows.repairs[broken & rows.repairs.isna().to_numpy()] = "became invalid when rounded to 1e-7 degrees"
    outside = V.check_envelope(out, skip=~good)
    if good.any() and outside[good].notna().all():
        raise explain_outside(check.geometry[good], crs, label=label, tabular=rows.raw.tabular)
    rows.reject(outside, geometry=True)
    return out


def points_from_columns(rows: Rows, frame: pd.DataFrame, lat_col: str, lon_col: str) -> np.ndarray:
    """Build points from latitude/longitude columns; reject non-numeric, missing and 0 (= missing) values."""
    lat, lon = A.to_number(frame[lat_col]), A.to_number(frame[lon_col])
    reasons = pd.Series([None] * len(frame), dtype=object)
    for col, raw_vals, num in ((lat_col, frame[lat_col], lat), (lon_col, frame[lon_col], lon)):
        text = A.clean_text(raw_vals)
        junk = (text.notna() & num.isna()).to_numpy()
        for pos in np.flatnonzero(junk & reasons.isna().to_numpy()):
            reasons.iat[pos] = f"{col} '{text.iat[pos]}' is not a number; give decimal degrees"
    missing = (lat.isna() | lon.isna()).to_numpy() & reasons.isna().to_numpy()
    reasons[missing] = f"no location ({lat_col}/{lon_col} empty); add coordinates or drop the row"
    zero = ((lat == 0) | (lon == 0)).to_numpy() & reasons.isna().to_numpy()
    reasons[zero] = (f"{lat_col}/{lon_col} is 0 (LAPD's code for a missing location); the row cannot be "
                     "placed on the map - add coordinates at source")
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
        return geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=family, invalid=invalid)
    if family == V.POINT and "lat" in cols and "lon" in cols:
        pts = points_from_columns(rows, raw.frame, cols["lat"], cols["lon"])
        if not rows.ok.any():
            return pts
        return geometry_stage(rows, pts, raw.crs or DISPLAY_CRS, family=family, invalid=invalid)
    need = "latitude/longitude columns (LAT/LON, Latitude/Longitude, CENTER_LAT/CENTER_LON)"
    raise SchemaError(f"{raw.label}: no geometry and no {need}; found columns {list(raw.frame.columns)[:12]}. "
                      "Use a spatial file or add the coordinate columns.")


def provenance(raw: RawData, cols: dict[str, str], ctx: ImportContext, n: int) -> dict[str, object]:
    """Return is_synthetic/source/source_url/fetched_at values for ``n`` rows.

    Raises
    ------
    SchemaError
        When the file mixes rows marked synthetic and real.
    """
    synthetic = False
    if S.IS_SYNTHETIC in cols:
        flags = A.to_bool(raw.frame[cols[S.IS_SYNTHETIC]])
        if flags.any() and not flags.all():
            first = raw.where(np.flatnonzero(~flags.to_numpy())[:1])[0]
            raise SchemaError(f"{raw.label}: is_synthetic is true for some rows and not for others (e.g. {first}). "
                              "Demo and real data never mix: split the file.")
        synthetic = bool(flags.all()) and len(flags) > 0
    url = A.clean_text(raw.frame[cols[S.SOURCE_URL]]) if S.SOURCE_URL in cols else pd.Series([None] * n)
    return {S.IS_SYNTHETIC: synthetic, S.SOURCE: raw.label, S.SOURCE_URL: url.to_numpy(),
            S.FETCHED_AT: ctx.fetched_at}


def assemble(layer: str, attrs: pd.DataFrame, geoms: np.ndarray, keep: np.ndarray) -> gpd.GeoDataFrame:
    """Return the kept rows as a canonical GeoDataFrame (columns in schema order, EPSG:4326)."""
    attrs = attrs.reset_index(drop=True)
    for c in S.LAYER_COLUMNS[layer]:
        if c.name not in attrs:
            attrs[c.name] = None
    frame = attrs.loc[keep, S.column_names(layer)].reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms[keep], crs=DISPLAY_CRS))


def assign_zones(frame: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
    """Fill missing council_district / lapd_area from the store's layers by representative point."""
    pts = shapely.point_on_surface(np.asarray(frame.geometry.array, dtype=object))
    out = frame
    for col, layer, key in ((S.COUNCIL_DISTRICT, ctx.districts, S.DISTRICT), (S.LAPD_AREA, ctx.lapd_areas, S.LAPD_AREA)):
        if col not in out or layer is None or not len(layer) or not out[col].isna().any():
            continue
        tree = shapely.STRtree(np.asarray(layer.geometry.array, dtype=object))
        src, hit = tree.query(pts, predicate="within")
        first = pd.Series(hit, index=src).groupby(level=0).first()
        found = pd.Series(pd.NA, index=range(len(out)), dtype="Int64")
        found.iloc[first.index.to_numpy()] = layer[key].to_numpy()[first.to_numpy()]
        out = out.assign(**{col: out[col].astype("Int64").fillna(found).to_numpy()})
    return out


def measure(frame: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Return area (sq ft) and representative-point x/y (ft) of each geometry in EPSG:2229."""
    feet = np.asarray(frame.geometry.to_crs(ANALYSIS_CRS).array, dtype=object)
    rep = shapely.point_on_surface(feet)
    return {"area": np.round(shapely.area(feet), 1), "x": np.round(shapely.get_x(rep), 2),
            "y": np.round(shapely.get_y(rep), 2)}


def finish(layer: str, rows: Rows, frame: gpd.GeoDataFrame, notes: list[str] | None = None) -> Canonical:
    """Package accepted rows and the row issues into a :class:`Canonical`."""
    rejected, repaired = rows.issues()
    frame = canonical_dtypes(layer, frame)
    geo_only = bool(len(rejected)) and bool(rows.geometric[~rows.ok].all())
    return Canonical(layer=layer, frame=frame, n_read=rows.n, rejected=rejected, repaired=repaired,
                     notes=list(notes or []), geometry_only=geo_only)


def canonical_dtypes(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` with text as object (``None`` for missing), ints as Int64, floats as float64."""
    kinds = {c.name: c.kind for c in S.LAYER_COLUMNS[layer]}
    out = {}
    for name, kind in kinds.items():
        if name not in frame:
            continue
        s = frame[name]
        if kind == "text":
            out[name] = np.where(s.isna().to_numpy(), None, s.astype(object).to_numpy())
        elif kind == "int" and str(s.dtype) != "Int64":
            out[name] = A.to_int(s).to_numpy()
        elif kind == "float" and s.dtype != np.float64:
            out[name] = A.to_number(s).to_numpy()
    return frame.assign(**out) if out else frame


def text_col(frame: pd.DataFrame, cols: dict[str, str], name: str) -> pd.Series:
    """Return the cleaned text of the column mapped to ``name``, or all ``None``."""
    if name in cols:
        return A.clean_text(frame[cols[name]]).reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


def int_col(frame: pd.DataFrame, cols: dict[str, str], name: str, *, lo: int | None = None,
            hi: int | None = None) -> pd.Series:
    """Return the column mapped to ``name`` as Int64; values outside ``lo..hi`` become NA."""
    if name not in cols:
        return pd.Series(pd.NA, index=range(len(frame)), dtype="Int64")
    s = A.to_int(frame[cols[name]]).reset_index(drop=True)
    if lo is not None:
        s = s.where(s >= lo)
    if hi is not None:
        s = s.where(s <= hi)
    return s.astype("Int64")


def require(raw: RawData, cols: dict[str, str], name: str, kind: str) -> None:
    """Raise :class:`SchemaError` naming the aliases tried when ``name`` has no column."""
    if name not in cols:
        tried = ", ".join(A.ALIASES[kind][name])
        raise SchemaError(f"{raw.label}: no {name} column for a {kind} import (looked for {tried}); found "
                          f"{list(raw.frame.columns)[:15]}. Rename the column, or check the import kind.")


# --- parcels ----------------------------------------------------------------------------
def parcel_attributes(raw: RawData, cols: dict[str, str]) -> pd.DataFrame:
    """Return canonical parcel attributes (no geometry-derived columns) from raw columns."""
    f = raw.frame
    out = pd.DataFrame(index=range(len(f)))
    out[S.AIN] = A.normalize_ain(f[cols[S.AIN]]).to_numpy()
    apn = text_col(f, cols, S.APN)
    formatted = apn.astype("string").str.fullmatch(r"\d{4}-\d{3}-\d{3}").fillna(False).astype(bool)
    ain = out[S.AIN].astype("string")
    built = (ain.str[:4] + "-" + ain.str[4:7] + "-" + ain.str[7:10]).astype(object)
    out[S.APN] = apn.where(formatted, built.where(ain.notna(), None)).to_numpy()
    code = A.normalize_use_code(f[cols[S.USE_CODE]]) if S.USE_CODE in cols else pd.Series([None] * len(f))
    out[S.USE_CODE] = code.to_numpy()
    code2 = text_col(f, cols, S.USE_CODE_2)
    out[S.USE_CODE_2] = code2.where(code2.notna(), code.str[:2].where(code.notna(), None)).to_numpy()
    use_type, prop_type = text_col(f, cols, S.USE_TYPE), text_col(f, cols, S.PROPERTY_TYPE)
    if use_type.notna().any() and use_type.dropna().str.upper().isin(A.PROPERTY_TYPE_CODES).all():
        use_type, prop_type = pd.Series([None] * len(f), dtype=object), prop_type.fillna(use_type)
    out[S.USE_TYPE], out[S.PROPERTY_TYPE] = use_type.to_numpy(), prop_type.to_numpy()
    for name in (S.USE_DESCRIPTION, S.USE_DETAIL, S.SITUS_ADDRESS, S.OWNER_NAME, S.AGENCY_NAME, S.ZONE):
        out[name] = text_col(f, cols, name).to_numpy()
    out[S.SITUS_ZIP] = A.first5_zip(f[cols[S.SITUS_ZIP]]).to_numpy() if S.SITUS_ZIP in cols else None
    out[S.JURISDICTION_CITY] = text_col(f, cols, S.JURISDICTION_CITY).str.upper().to_numpy()
    for name in (S.LAND_VALUE, S.IMP_VALUE):
        out[name] = A.to_number(f[cols[name]]).to_numpy() if name in cols else np.nan
    out[S.LAND_BASE_YEAR] = int_col(f, cols, S.LAND_BASE_YEAR, lo=1).to_numpy()
    out[S.ROLL_YEAR] = int_col(f, cols, S.ROLL_YEAR, lo=1).to_numpy()
    for name, base in A.SUMMED.items():
        numbered = A.numbered_columns(list(f.columns), base)
        if numbered:
            out[name] = A.sum_numbered(f, numbered).to_numpy()
        else:
            out[name] = A.to_number(f[cols[name]]).to_numpy() if name in cols else np.nan
    out[S.UNITS] = A.to_int(out[S.UNITS]).to_numpy()
    out[S.YEAR_BUILT] = int_col(f, cols, S.YEAR_BUILT, lo=1700, hi=2100).to_numpy()
    out[S.COUNCIL_DISTRICT] = int_col(f, cols, S.COUNCIL_DISTRICT, lo=1, hi=15).to_numpy()
    out[S.LAPD_AREA] = int_col(f, cols, S.LAPD_AREA, lo=1, hi=21).to_numpy()
    return out


def canonical_parcels(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return canonical parcels: AINs checked, geometry validated, stacked condos merged, areas in 2229.

    A table without polygons (the Assessor yearly CSV) refreshes the attributes of parcels already
    in the store, keeping their polygons.
    """
    cols = A.match_columns(raw.frame.columns, S.PARCELS)
    require(raw, cols, S.AIN, S.PARCELS)
    attrs = parcel_attributes(raw, cols)
    prov = provenance(raw, cols, ctx, len(attrs))
    rows = Rows(raw, keys="AIN " + attrs[S.AIN].astype("string").fillna("?"))
    rows.reject(V.check_real_ains(attrs[S.AIN], synthetic=bool(prov[S.IS_SYNTHETIC])))
    if raw.geometry is None:
        return _refresh_parcels(raw, ctx, rows, attrs.assign(**prov), cols)
    geoms = geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=V.POLYGON, invalid=ctx.invalid)
    frame = assemble(S.PARCELS, attrs.assign(**prov, merged_count=1), geoms, rows.ok)
    merged, table = V.merge_duplicates(frame, S.AIN)
    notes = [] if table.empty else [
        f"{int(table['count'].sum())} rows shared {len(table)} AINs (stacked condominium polygons): merged into one "
        f"row each with merged_count, e.g. AIN {table[S.AIN].iat[0]} x{int(table['count'].iat[0])}"]
    return finish(S.PARCELS, rows, _parcel_geometry_columns(merged, ctx), notes)


def _parcel_geometry_columns(frame: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
    if not len(frame):
        return frame
    m = measure(frame)
    out = assign_zones(frame.assign(**{S.LOT_SQFT: m["area"], S.CENTROID_X_FT: m["x"], S.CENTROID_Y_FT: m["y"]}), ctx)
    return out[[*S.column_names(S.PARCELS), "geometry"]]


def _refresh_parcels(raw: RawData, ctx: ImportContext, rows: Rows, attrs: pd.DataFrame,
                     cols: dict[str, str]) -> Canonical:
    stored = ctx.parcels() if ctx.parcels is not None else None
    if stored is None or not len(stored):
        raise SchemaError(f"{raw.label}: a parcel table without polygons (e.g. the Assessor yearly CSV) updates "
                          "parcels already in the store, and the store has none. Import the County Parcels "
                          "layer (GeoJSON, GeoPackage or zipped Shapefile) first.")
    known = attrs[S.AIN].isin(set(stored[S.AIN])).to_numpy()
    reasons = pd.Series([None] * len(attrs), dtype=object)
    reasons[~known] = ("no parcel polygon with this AIN in the store (this table has points only); import the "
                       "County Parcels layer that contains it first")
    rows.reject(reasons)
    keep = rows.ok
    notes = []
    incoming = attrs[keep]
    if S.ROLL_YEAR in cols and incoming[S.AIN].duplicated().any():
        before = len(incoming)
        incoming = incoming.sort_values(S.ROLL_YEAR, kind="stable").drop_duplicates(S.AIN, keep="last")
        notes.append(f"kept the latest roll year for each AIN ({before - len(incoming)} older rows dropped)")
    incoming = incoming.drop_duplicates(S.AIN, keep="first")
    given = [c for c in incoming.columns if c in S.column_names(S.PARCELS) and incoming[c].notna().any()]
    base = stored.set_index(S.AIN).loc[incoming[S.AIN]]
    upd = incoming.set_index(S.AIN)[[c for c in given if c != S.AIN]]
    merged = base.copy()
    for c in upd.columns:
        merged[c] = upd[c].where(upd[c].notna(), base[c]) if c not in (S.SOURCE, S.FETCHED_AT, S.IS_SYNTHETIC) else upd[c]
    frame = gpd.GeoDataFrame(merged.reset_index()[[*S.column_names(S.PARCELS), "geometry"]], crs=DISPLAY_CRS)
    notes.append(f"attributes of {len(frame)} stored parcels updated from this table; their polygons were kept")
    return finish(S.PARCELS, rows, frame, notes)


# --- incidents --------------------------------------------------------------------------
def canonical_incidents(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return canonical incidents from the LAPD crime-data layout or any file with dates and locations."""
    f = raw.frame
    cols = A.match_columns(f.columns, S.INCIDENTS)
    require(raw, cols, "date_occ", S.INCIDENTS)
    lapd = "drno" in {A.normalize_name(c) for c in f.columns} and "dateocc" in {A.normalize_name(c) for c in f.columns}
    ids = text_col(f, cols, S.INCIDENT_ID)
    generated = pd.Series([f"{raw.label.rsplit('.', 1)[0]}-{w.replace(' ', '')}" for w in raw.where(np.arange(len(f)))])
    ids = ids.where(ids.notna(), generated)
    rows = Rows(raw, keys=("DR_NO " if lapd else "id ") + ids.astype(str))
    dup = ids.duplicated(keep="first").to_numpy()
    dup_reason = pd.Series([None] * len(f), dtype=object)
    dup_reason[dup] = "duplicate incident id (an earlier row has it); keep one row per incident"
    occurred = _incident_times(f, cols, "date_occ", "time_occ", rows)
    reported = _incident_times(f, cols, "date_rptd", None, rows) if "date_rptd" in cols else None
    rows.reject(dup_reason)
    geoms = geometry_from(rows, raw, cols, family=V.POINT, invalid=ctx.invalid)
    attrs = pd.DataFrame({
        S.INCIDENT_ID: ids.to_numpy(), S.OCCURRED_AT: occurred.to_numpy(),
        S.REPORTED_AT: reported.to_numpy() if reported is not None else pd.NaT,
        S.INCIDENT_TYPE: _enum(text_col(f, cols, S.INCIDENT_TYPE), S.INCIDENT_TYPES, "other"),
        S.VERIFICATION: _enum(text_col(f, cols, S.VERIFICATION), S.VERIFICATION_STATUSES, "unverified"),
        S.SOURCE_TYPE: _enum(text_col(f, cols, S.SOURCE_TYPE), S.SOURCE_TYPES, "lapd_import" if lapd else "staff"),
        S.DESCRIPTION: _description(f, cols), S.LOCATION_TEXT: _location(f, cols),
        S.PREMISE_DESC: text_col(f, cols, S.PREMISE_DESC), S.LAPD_AREA: int_col(f, cols, S.LAPD_AREA, lo=1, hi=21),
        S.RPT_DIST_NO: int_col(f, cols, S.RPT_DIST_NO, lo=1),
        S.COUNCIL_DISTRICT: int_col(f, cols, S.COUNCIL_DISTRICT, lo=1, hi=15),
        S.WARRANT_SHOWN: _enum(text_col(f, cols, S.WARRANT_SHOWN), S.WARRANT_VALUES, "unknown"),
        S.EVIDENCE_REFS: text_col(f, cols, S.EVIDENCE_REFS),
    })
    names = text_col(f, cols, S.AREA_NAME)
    attrs[S.AREA_NAME] = names.where(names.notna(), attrs[S.LAPD_AREA].map(S.LAPD_AREA_NAMES.get, na_action="ignore"))
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(attrs)))
    frame = assign_zones(assemble(S.INCIDENTS, attrs, geoms, rows.ok), ctx)
    notes = []
    if lapd:
        notes.append("LAPD crime-data layout: rows are general crime reports, not verified enforcement incidents; "
                     "stored with source_type 'lapd_import', type 'other', 'Crm Cd Desc' as description")
    elif S.SOURCE_TYPE not in cols:
        notes.append("no source_type column: rows recorded as source_type 'staff' (imported by City staff)")
    return finish(S.INCIDENTS, rows, frame[[*S.column_names(S.INCIDENTS), "geometry"]], notes)


def _incident_times(f: pd.DataFrame, cols: dict[str, str], date_key: str, time_key: str | None,
                    rows: Rows) -> pd.Series:
    raw_dates = f[cols[date_key]].reset_index(drop=True)
    local = V.parse_dates(raw_dates, formats=LAPD_DATE_FORMATS).reset_index(drop=True)
    if time_key and time_key in cols:
        t = A.to_int(f[cols[time_key]]).reset_index(drop=True)
        bad_t = (t.notna() & ((t < 0) | (t > 2359) | (t % 100 > 59))).fillna(False).to_numpy()
        hhmm = t.where(~bad_t).fillna(0).astype("int64")
        local = local.dt.normalize() + pd.to_timedelta(hhmm // 100, unit="h") + pd.to_timedelta(hhmm % 100, unit="m")
        reasons = pd.Series([None] * len(f), dtype=object)
        for pos in np.flatnonzero(bad_t):
            reasons.iat[pos] = f"{cols[time_key]} '{f[cols[time_key]].iat[pos]}' is not a 24-hour HHMM time (0000-2359)"
        rows.reject(reasons)
    utc = local.dt.tz_localize(LOCAL_TZ, ambiguous=np.zeros(len(local), bool), nonexistent="shift_forward").dt.tz_convert("UTC")
    now = pd.Timestamp.now(tz="UTC")
    rows.reject(V.check_dates(raw_dates, utc, column=cols[date_key], now=now, required=date_key == "date_occ"))
    return utc


def _enum(values: pd.Series, allowed: tuple[str, ...], default: str) -> pd.Series:
    norm = values.astype("string").str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
    return pd.Series(norm.where(norm.isin(allowed), default).astype(object).to_numpy(), dtype=object)


def _description(f: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    desc = text_col(f, cols, S.DESCRIPTION)
    typed = text_col(f, cols, S.INCIDENT_TYPE)
    unmapped = typed.where(~typed.astype("string").str.lower().str.replace(" ", "_").isin(S.INCIDENT_TYPES).fillna(False))
    return desc.where(desc.notna(), unmapped)


def _location(f: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    loc, cross = text_col(f, cols, S.LOCATION_TEXT), text_col(f, cols, "cross_street")
    loc = loc.astype("string").str.replace(r"\s+", " ", regex=True)
    both = loc.notna() & cross.notna()
    out = loc.where(~both, loc + " & " + cross.astype("string"))
    return pd.Series(out.astype(object).where(out.notna(), None).to_numpy(), dtype=object)


# --- districts and parks ----------------------------------------------------------------
def canonical_districts(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return council districts 1-15, duplicate numbers dissolved, with their vintage."""
    f = raw.frame
    cols = A.match_columns(f.columns, S.DISTRICTS)
    require(raw, cols, S.DISTRICT, S.DISTRICTS)
    number = int_col(f, cols, S.DISTRICT)
    rows = Rows(raw, keys="District " + text_col(f, cols, S.DISTRICT).astype("string").fillna("?"))
    bad = pd.Series([None] * len(f), dtype=object)
    out_of_range = (number.isna() | (number < 1) | (number > 15)).fillna(True).to_numpy()
    bad[out_of_range] = "council district is not a whole number 1-15; check the District column"
    rows.reject(bad)
    geoms = geometry_from(rows, raw, cols, family=V.POLYGON, invalid=ctx.invalid)
    vintage = text_col(f, cols, S.VINTAGE)
    notes = []
    if vintage.isna().all():
        norm = {A.normalize_name(c) for c in f.columns}
        guess = "2012" if {"cdmember", "sqmi"} & norm else None
        vintage = pd.Series([guess] * len(f), dtype=object)
        notes.append(f"no vintage column: recorded as {guess or 'unknown'} (lines were redrawn in 2021; "
                     "add a vintage column to say which plan this is)")
    attrs = pd.DataFrame({S.DISTRICT: number, S.DISTRICT_NAME: text_col(f, cols, S.DISTRICT_NAME),
                          S.VINTAGE: vintage}).assign(**provenance(raw, cols, ctx, len(f)))
    frame, table = V.merge_duplicates(assemble(S.DISTRICTS, attrs, geoms, rows.ok), S.DISTRICT)
    if not table.empty:
        notes.append(f"{len(table)} district numbers appeared in several rows; their polygons were dissolved")
    return finish(S.DISTRICTS, rows, frame[[*S.column_names(S.DISTRICTS), "geometry"]], notes)


def canonical_parks(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return RAP park polygons with id, name and class (N/C/R when given)."""
    f = raw.frame
    cols = A.match_columns(f.columns, S.PARKS)
    if S.PARK_ID not in cols and S.PARK_NAME not in cols:
        require(raw, cols, S.PARK_ID, S.PARKS)
    ids = text_col(f, cols, S.PARK_ID).astype("string").str.replace(r"\.0+$", "", regex=True)
    fallback = pd.Series([f"PARK-{w.split()[-1]}" for w in raw.where(np.arange(len(f)))], dtype="string")
    ids = pd.Series(ids.fillna(fallback).astype(object).to_numpy(), dtype=object)
    rows = Rows(raw, keys="park " + ids.astype(str))
    dup = pd.Series([None] * len(f), dtype=object)
    dup[ids.duplicated().to_numpy()] = "duplicate park id (an earlier row has it); keep one row per park"
    rows.reject(dup)
    geoms = geometry_from(rows, raw, cols, family=V.POLYGON, invalid=ctx.invalid)
    cls = text_col(f, cols, S.PARK_CLASS).astype("string").str.upper()
    attrs = pd.DataFrame({S.PARK_ID: ids, S.PARK_NAME: text_col(f, cols, S.PARK_NAME),
                          S.PARK_CLASS: cls.astype(object).where(cls.notna(), None)})
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(f)))
    return finish(S.PARKS, rows, assemble(S.PARKS, attrs, geoms, rows.ok))


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
        raise SchemaError(f"{label}: the file has no rows or features. Export the data again.")
    shown = "; ".join(str(i) for i in result.rejected[:3])
    more = f" (and {len(result.rejected) - 3} more)" if len(result.rejected) > 3 else ""
    cls = InvalidGeometryError if result.geometry_only else SchemaError
    raise cls(f"{label}: no feature can be imported; all {result.n_read} were rejected: {shown}{more}. "
              "Fix these at source and import again.")
