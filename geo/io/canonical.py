"""Turn a file's raw columns into canonical frames per import kind (parcels, incidents, districts, parks).

Each ``canonical_<kind>`` returns a :class:`geo.io.importers.Canonical`: accepted rows with
exactly ``schema.column_names(layer)`` plus geometry in EPSG:4326, and the rows rejected or
repaired with their reasons. Sites live in :mod:`geo.io.sites`.
"""
from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import DISPLAY_CRS, LOCAL_TZ
from geo.errors import SchemaError
from geo.io import aliases, owners, validate
from geo.io.geomstage import Envelope
from geo.io.importers import (
    LAPD_DATE_FORMATS,
    Canonical,
    ImportContext,
    Rows,
    assemble,
    assign_zones,
    compact_text,
    finish,
    geometry_from,
    geometry_stage,
    int_col,
    measure,
    provenance,
    release_columns,
    require,
    string_col,
    text_col,
)
from geo.io.raw import release_memory
from geo.io.readers import RawData
from geo.io.relevance import incident_relevance
from geo.messages import M


# --- parcels ----------------------------------------------------------------------------
def parcel_attributes(raw: RawData, cols: dict[str, str]) -> pd.DataFrame:
    """Return canonical parcel attributes (no geometry-derived columns) from raw columns.

    Text stays Arrow-backed (``string``) from the file's columns to :func:`compact_text`: no Python
    string is made per row except for the shared values of few-valued columns.
    """
    f = raw.frame
    n = len(f)
    out = pd.DataFrame(index=range(n))
    ain = aliases.ain_string(f[cols[schema.AIN]]).reset_index(drop=True)
    out[schema.AIN] = compact_text(ain)
    apn = string_col(f, cols, schema.APN)
    formatted = apn.str.fullmatch(r"\d{4}-\d{3}-\d{3}").fillna(False).astype(bool)
    built = ain.str[:4] + "-" + ain.str[4:7] + "-" + ain.str[7:10]  # NA where the AIN is
    out[schema.APN] = compact_text(apn.where(formatted, built))
    del apn, formatted, ain, built
    none = pd.Series(pd.NA, index=range(n), dtype="string")
    code = aliases.use_code_string(f[cols[schema.USE_CODE]]).reset_index(drop=True) if schema.USE_CODE in cols else none
    out[schema.USE_CODE] = compact_text(code)
    code2 = string_col(f, cols, schema.USE_CODE_2)
    out[schema.USE_CODE_2] = compact_text(code2.where(code2.notna(), code.str[:2]))
    del code, code2
    use_type, prop_type = string_col(f, cols, schema.USE_TYPE), string_col(f, cols, schema.PROPERTY_TYPE)
    if use_type.notna().any() and use_type.dropna().str.upper().isin(aliases.PROPERTY_TYPE_CODES).all():
        use_type, prop_type = none, prop_type.fillna(use_type)
    out[schema.USE_TYPE], out[schema.PROPERTY_TYPE] = compact_text(use_type), compact_text(prop_type)
    del use_type, prop_type
    for name in (schema.USE_DESCRIPTION, schema.USE_DETAIL, schema.SITUS_ADDRESS, schema.OWNER_NAME, schema.AGENCY_NAME, schema.ZONE,
                 schema.AGENCY_TYPE, schema.AGENCY_CLASS_NO):
        out[name] = compact_text(string_col(f, cols, name))
    out[schema.SITUS_ZIP] = (compact_text(aliases.zip5_string(f[cols[schema.SITUS_ZIP]]).reset_index(drop=True))
                             if schema.SITUS_ZIP in cols else None)
    out[schema.JURISDICTION_CITY] = compact_text(string_col(f, cols, schema.JURISDICTION_CITY).str.upper())
    for name in (schema.LAND_VALUE, schema.IMP_VALUE):
        out[name] = aliases.to_number(f[cols[name]]).to_numpy() if name in cols else np.nan
    # Int64 arrays, not .to_numpy() (an object array of one Python int per row)
    out[schema.LAND_BASE_YEAR] = int_col(f, cols, schema.LAND_BASE_YEAR, lo=1).array
    out[schema.ROLL_YEAR] = int_col(f, cols, schema.ROLL_YEAR, lo=1).array
    for name, base in aliases.SUMMED.items():
        numbered = aliases.numbered_columns(list(f.columns), base)
        if numbered:
            out[name] = aliases.sum_numbered(f, numbered).to_numpy()
        else:
            out[name] = aliases.to_number(f[cols[name]]).to_numpy() if name in cols else np.nan
    out[schema.UNITS] = aliases.to_int(out[schema.UNITS]).array
    out[schema.YEAR_BUILT] = int_col(f, cols, schema.YEAR_BUILT, lo=1700, hi=2100).array
    out[schema.COUNCIL_DISTRICT] = int_col(f, cols, schema.COUNCIL_DISTRICT, lo=1, hi=15).array
    out[schema.LAPD_AREA] = int_col(f, cols, schema.LAPD_AREA, lo=1, hi=21).array
    return out


def canonical_parcels(raw: RawData, ctx: ImportContext, *, envelope: Envelope | None = None) -> Canonical:
    """Return canonical parcels: AINs checked, geometry validated, stacked condos merged, areas in 2229.

    A table without polygons (the Assessor yearly CSV) refreshes the attributes of parcels already
    in the store, keeping their polygons. ``envelope`` is given for a slice of a streamed file
    (:mod:`geo.io.stream`): the file-wide County-envelope check is then the caller's.
    """
    cols = aliases.match_columns(raw.frame.columns, schema.PARCELS, raw.mapping)
    require(raw, cols, schema.AIN, schema.PARCELS)
    attrs = parcel_attributes(raw, cols)
    prov = provenance(raw, cols, ctx, len(attrs))
    rows = Rows(raw, keys="AIN " + attrs[schema.AIN].astype("string").fillna("?"))
    rows.reject(validate.check_real_ains(attrs[schema.AIN], synthetic=bool(prov[schema.IS_SYNTHETIC])))
    if raw.geometry is None:
        return _refresh_parcels(raw, ctx, rows, attrs.assign(**prov), cols)
    release_columns(raw)
    release_memory()
    measured = np.full((rows.n, 3), np.nan)  # area, x, y in feet, as the geometry stage measured them
    geoms = geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=validate.POLYGON, invalid=ctx.invalid,
                           release=True, envelope=envelope, measured=measured)
    kept = rows.ok
    frame = assemble(schema.PARCELS, attrs.assign(**prov, merged_count=1), geoms, kept)
    del attrs, geoms
    merged, table = validate.merge_duplicates(frame, schema.AIN)
    stats = None if table.empty else (int(table["count"].sum()), len(table), str(table[schema.AIN].iat[0]),
                                       int(table["count"].iat[0]))
    known = measured[np.flatnonzero(kept)[merged.index.to_numpy()]]  # merged keeps the assembled rows' labels
    out = finish(schema.PARCELS, rows, owners.with_owner_class(_parcel_geometry_columns(merged, ctx, known)),
                 [merge_note(*stats)] if stats else [])
    return dataclasses.replace(out, merged=stats)


def merge_note(rows: int, keys: int, ain: str, count: int) -> str:
    """Return the report note on stacked condominium polygons merged (``rows`` rows into ``keys`` AINs)."""
    return M("{rows} rows shared {keys} AINs (stacked condominium polygons): merged into one "
             "row each with merged_count, e.g. AIN {ain} x{count}", rows=rows, keys=keys, ain=ain, count=count)


def _parcel_geometry_columns(frame: gpd.GeoDataFrame, ctx: ImportContext, known: np.ndarray) -> gpd.GeoDataFrame:
    """Add lot area and representative point (EPSG:2229): ``known`` where measured already, else measured here.

    A merged row (its geometry the union of its stacked polygons) is always measured here.
    """
    if not len(frame):
        return frame
    todo = np.isnan(known[:, 0]) | (frame["merged_count"].to_numpy() > 1)
    area, x, y = np.round(known[:, 0], 1), np.round(known[:, 1], 2), np.round(known[:, 2], 2)  # as measure rounds
    if todo.any():
        m = measure(frame[todo])
        area[todo], x[todo], y[todo] = m["area"], m["x"], m["y"]
    out = assign_zones(frame.assign(**{schema.LOT_SQFT: area, schema.CENTROID_X_FT: x, schema.CENTROID_Y_FT: y}), ctx)
    return out[[*schema.column_names(schema.PARCELS), "geometry"]]


def _refresh_parcels(raw: RawData, ctx: ImportContext, rows: Rows, attrs: pd.DataFrame,
                     cols: dict[str, str]) -> Canonical:
    stored = ctx.parcels() if ctx.parcels is not None else None
    if stored is None or not len(stored):
        raise SchemaError(M("{label}: a parcel table without polygons (e.g. the Assessor yearly CSV) updates "
                            "parcels already in the store, and the store has none. Import the County Parcels "
                            "layer (GeoJSON, GeoPackage or zipped Shapefile) first.", label=raw.label))
    known = attrs[schema.AIN].isin(set(stored[schema.AIN])).to_numpy()
    reasons = pd.Series([None] * len(attrs), dtype=object)
    reasons[~known] = M("no parcel polygon with this AIN in the store (this table has points only); import the "
                        "County Parcels layer that contains it first")
    rows.reject(reasons)
    keep = rows.ok
    notes: list[str] = []
    incoming = attrs[keep]
    if schema.ROLL_YEAR in cols and incoming[schema.AIN].duplicated().any():
        before = len(incoming)
        incoming = incoming.sort_values(schema.ROLL_YEAR, kind="stable").drop_duplicates(schema.AIN, keep="last")
        notes.append(M("kept the latest roll year for each AIN ({count} older rows dropped)",
                       count=before - len(incoming)))
    incoming = incoming.drop_duplicates(schema.AIN, keep="first")
    given = [c for c in incoming.columns if c in schema.column_names(schema.PARCELS) and incoming[c].notna().any()]
    base = stored.set_index(schema.AIN).loc[incoming[schema.AIN]]
    upd = incoming.set_index(schema.AIN)[[c for c in given if c != schema.AIN]]
    merged = base.copy()
    for c in upd.columns:
        merged[c] = upd[c].where(upd[c].notna(), base[c]) if c not in (schema.SOURCE, schema.FETCHED_AT, schema.IS_SYNTHETIC) else upd[c]
    frame = gpd.GeoDataFrame(merged.reset_index()[[*schema.column_names(schema.PARCELS), "geometry"]], crs=DISPLAY_CRS)
    frame = owners.with_owner_class(frame)  # the owner fields may have changed
    notes.append(M("attributes of {count} stored parcels updated from this table; their polygons were kept",
                   count=len(frame)))
    return finish(schema.PARCELS, rows, frame, notes)


# --- incidents --------------------------------------------------------------------------
def canonical_incidents(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return canonical incidents from the LAPD crime-data layout or any file with dates and locations."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.INCIDENTS, raw.mapping)
    require(raw, cols, "date_occ", schema.INCIDENTS)
    lapd = "drno" in {aliases.normalize_name(c) for c in f.columns} and "dateocc" in {aliases.normalize_name(c) for c in f.columns}
    ids = text_col(f, cols, schema.INCIDENT_ID)
    generated = pd.Series([f"{raw.label.rsplit('.', 1)[0]}-{w.replace(' ', '')}" for w in raw.where(np.arange(len(f)))])
    ids = ids.where(ids.notna(), generated)
    rows = Rows(raw, keys=("DR_NO " if lapd else "id ") + ids.astype(str))
    dup = ids.duplicated(keep="first").to_numpy()
    dup_reason = pd.Series([None] * len(f), dtype=object)
    dup_reason[dup] = "duplicate incident id (an earlier row has it); keep one row per incident"
    occurred = _incident_times(f, cols, "date_occ", "time_occ", rows)
    reported = _incident_times(f, cols, "date_rptd", None, rows) if "date_rptd" in cols else None
    rows.reject(dup_reason)
    geoms = geometry_from(rows, raw, cols, family=validate.POINT, invalid=ctx.invalid)
    attrs = pd.DataFrame({
        schema.INCIDENT_ID: ids.to_numpy(), schema.OCCURRED_AT: occurred.array,
        schema.REPORTED_AT: reported.array if reported is not None else pd.NaT,
        schema.INCIDENT_TYPE: _enum(text_col(f, cols, schema.INCIDENT_TYPE), schema.INCIDENT_TYPES, "other"),
        schema.VERIFICATION: _enum(text_col(f, cols, schema.VERIFICATION), schema.VERIFICATION_STATUSES, "unverified"),
        schema.SOURCE_TYPE: _enum(text_col(f, cols, schema.SOURCE_TYPE), schema.SOURCE_TYPES, "lapd_import" if lapd else "staff"),
        schema.DESCRIPTION: _description(f, cols), schema.LOCATION_TEXT: _location(f, cols),
        schema.PREMISE_DESC: text_col(f, cols, schema.PREMISE_DESC), schema.LAPD_AREA: int_col(f, cols, schema.LAPD_AREA, lo=1, hi=21),
        schema.RPT_DIST_NO: int_col(f, cols, schema.RPT_DIST_NO, lo=1),
        schema.COUNCIL_DISTRICT: int_col(f, cols, schema.COUNCIL_DISTRICT, lo=1, hi=15),
        schema.WARRANT_SHOWN: _enum(text_col(f, cols, schema.WARRANT_SHOWN), schema.WARRANT_VALUES, "unknown"),
        schema.EVIDENCE_REFS: text_col(f, cols, schema.EVIDENCE_REFS),
    })
    names = text_col(f, cols, schema.AREA_NAME)
    attrs[schema.AREA_NAME] = names.where(names.notna(), attrs[schema.LAPD_AREA].map(schema.LAPD_AREA_NAMES.get, na_action="ignore"))
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(attrs)))
    relevance, notes = incident_relevance(f, cols, lapd=lapd, types=attrs[schema.INCIDENT_TYPE],
                                          sources=attrs[schema.SOURCE_TYPE])  # general crime is context
    attrs = attrs.assign(**{k: v.to_numpy() for k, v in relevance.items()})
    frame = assign_zones(assemble(schema.INCIDENTS, attrs, geoms, rows.ok), ctx)
    if lapd:
        notes.append(M("LAPD crime-data layout: rows are general crime reports, not verified enforcement incidents; "
                       "stored with source_type 'lapd_import', type 'other', 'Crm Cd Desc' as description"))
    elif schema.SOURCE_TYPE not in cols:
        notes.append(M("no source_type column: rows recorded as source_type 'staff' (imported by City staff)"))
    return finish(schema.INCIDENTS, rows, frame[[*schema.column_names(schema.INCIDENTS), "geometry"]], notes)


def _incident_times(f: pd.DataFrame, cols: dict[str, str], date_key: str, time_key: str | None,
                    rows: Rows) -> pd.Series:
    raw_dates = f[cols[date_key]].reset_index(drop=True)
    local = validate.parse_dates(raw_dates, formats=LAPD_DATE_FORMATS).reset_index(drop=True)
    if time_key and time_key in cols:
        t = aliases.to_int(f[cols[time_key]]).reset_index(drop=True)
        bad_t = (t.notna() & ((t < 0) | (t > 2359) | (t % 100 > 59))).fillna(False).to_numpy()
        hhmm = t.where(~bad_t).fillna(0).astype("int64")
        local = local.dt.normalize() + pd.to_timedelta(hhmm // 100, unit="h") + pd.to_timedelta(hhmm % 100, unit="m")
        reasons = pd.Series([None] * len(f), dtype=object)
        for pos in np.flatnonzero(bad_t):
            reasons.iat[pos] = M("{column} '{value}' is not a 24-hour HHMM time (0000-2359)", column=cols[time_key],
                                 value=f[cols[time_key]].iat[pos])
        rows.reject(reasons)
    utc = local.dt.tz_localize(LOCAL_TZ, ambiguous=np.zeros(len(local), bool), nonexistent="shift_forward").dt.tz_convert("UTC")
    now = pd.Timestamp.now(tz="UTC")
    rows.reject(validate.check_dates(raw_dates, utc, column=cols[date_key], now=now, required=date_key == "date_occ"))
    return utc


def _enum(values: pd.Series, allowed: tuple[str, ...], default: str) -> pd.Series:
    norm = values.astype("string").str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
    return pd.Series(compact_text(norm.where(norm.isin(allowed), default)), dtype=object)  # a few distinct values


def _description(f: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    desc = text_col(f, cols, schema.DESCRIPTION)
    typed = text_col(f, cols, schema.INCIDENT_TYPE)
    unmapped = typed.where(~typed.astype("string").str.lower().str.replace(" ", "_").isin(schema.INCIDENT_TYPES).fillna(False))
    return desc.where(desc.notna(), unmapped)


def _location(f: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    loc, cross = text_col(f, cols, schema.LOCATION_TEXT), text_col(f, cols, "cross_street")
    loc = loc.astype("string").str.replace(r"\s+", " ", regex=True)
    both = loc.notna() & cross.notna()
    out = loc.where(~both, loc + " & " + cross.astype("string"))
    return pd.Series(out.astype(object).where(out.notna(), None).to_numpy(), dtype=object)


# --- districts and parks ----------------------------------------------------------------
def canonical_districts(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return council districts 1-15, duplicate numbers dissolved, with their vintage."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.DISTRICTS, raw.mapping)
    require(raw, cols, schema.DISTRICT, schema.DISTRICTS)
    number = int_col(f, cols, schema.DISTRICT)
    rows = Rows(raw, keys="District " + text_col(f, cols, schema.DISTRICT).astype("string").fillna("?"))
    bad = pd.Series([None] * len(f), dtype=object)
    out_of_range = (number.isna() | (number < 1) | (number > 15)).fillna(True).to_numpy()
    bad[out_of_range] = M("council district is not a whole number 1-15; check the District column")
    rows.reject(bad)
    geoms = geometry_from(rows, raw, cols, family=validate.POLYGON, invalid=ctx.invalid)
    vintage = text_col(f, cols, schema.VINTAGE)
    notes: list[str] = []
    if vintage.isna().all():
        norm = {aliases.normalize_name(c) for c in f.columns}
        guess = "2012" if {"cdmember", "sqmi"} & norm else None
        vintage = pd.Series([guess] * len(f), dtype=object)
        notes.append(M("no vintage column: recorded as {vintage} (lines were redrawn in 2021; "
                       "add a vintage column to say which plan this is)", vintage=guess or M("unknown")))
    attrs = pd.DataFrame({schema.DISTRICT: number, schema.DISTRICT_NAME: text_col(f, cols, schema.DISTRICT_NAME),
                          schema.VINTAGE: vintage}).assign(**provenance(raw, cols, ctx, len(f)))
    frame, table = validate.merge_duplicates(assemble(schema.DISTRICTS, attrs, geoms, rows.ok), schema.DISTRICT)
    if not table.empty:
        notes.append(M("{count} district numbers appeared in several rows; their polygons were dissolved",
                       count=len(table)))
    return finish(schema.DISTRICTS, rows, frame[[*schema.column_names(schema.DISTRICTS), "geometry"]], notes)


def canonical_parks(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return RAP park polygons with id, name and class (N/C/R when given)."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.PARKS, raw.mapping)
    if schema.PARK_ID not in cols and schema.PARK_NAME not in cols:
        require(raw, cols, schema.PARK_ID, schema.PARKS)
    ids = text_col(f, cols, schema.PARK_ID).astype("string").str.replace(r"\.0+$", "", regex=True)
    fallback = pd.Series([f"PARK-{w.split()[-1]}" for w in raw.where(np.arange(len(f)))], dtype="string")
    ids = pd.Series(ids.fillna(fallback).astype(object).to_numpy(), dtype=object)
    rows = Rows(raw, keys="park " + ids.astype(str))
    dup = pd.Series([None] * len(f), dtype=object)
    dup[ids.duplicated().to_numpy()] = "duplicate park id (an earlier row has it); keep one row per park"
    rows.reject(dup)
    geoms = geometry_from(rows, raw, cols, family=validate.POLYGON, invalid=ctx.invalid)
    cls = text_col(f, cols, schema.PARK_CLASS).astype("string").str.upper()
    attrs = pd.DataFrame({schema.PARK_ID: ids, schema.PARK_NAME: text_col(f, cols, schema.PARK_NAME),
                          schema.PARK_CLASS: cls.astype(object).where(cls.notna(), None)})
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(f)))
    return finish(schema.PARKS, rows, assemble(schema.PARKS, attrs, geoms, rows.ok))


