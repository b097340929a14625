"""Canonical boundary sets: council districts, LAPD divisions and neighbourhood councils, with their vintage.

Each ``canonical_<kind>`` returns a :class:`geo.io.importers.Canonical` of the kind's layer
(``districts``, ``lapd_areas``, ``neighborhood_councils``) plus one extra column, ``effective``:
the feature's ``Effective`` date (ISO) when the file has one (the City's older GeoHub exports do).
:func:`file_vintage` reads the set's vintage from it, so an older set can be recognised.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import schema
from geo.io import aliases, canonical, validate
from geo.io.importers import (
    Canonical,
    ImportContext,
    Rows,
    assemble,
    finish,
    geometry_from,
    int_col,
    provenance,
    require,
    text_col,
)
from geo.io.readers import RawData
from geo.messages import M

EFFECTIVE = "effective"


def canonical_council_districts(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return council districts 1-15 (see :func:`geo.io.canonical.canonical_districts`) with their Effective dates."""
    effective = _effective(raw, schema.DISTRICTS)
    has_vintage = schema.VINTAGE in aliases.match_columns(raw.frame.columns, schema.DISTRICTS, raw.mapping)
    by_code = _by_code(raw, schema.DISTRICTS, schema.DISTRICT, effective) if effective is not None else {}
    result = canonical.canonical_districts(raw, ctx)
    frame = result.frame
    notes = list(result.notes)
    if effective is not None:
        frame = frame.assign(**{EFFECTIVE: frame[schema.DISTRICT].astype("Int64").map(by_code).astype(object)})
        dates = frame[EFFECTIVE].dropna()
        latest = str(dates.max()) if len(dates) else None
        if latest is not None and not has_vintage:
            frame = frame.assign(**{schema.VINTAGE: latest})
            notes = [n for n in notes if not n.startswith("no vintage column")]
            notes.append(M("Effective dates in the file: latest {latest}, recorded as the set's vintage "
                           "(--vintage overrides it)", latest=latest))
    return Canonical(layer=result.layer, frame=frame, n_read=result.n_read, rejected=result.rejected,
                     repaired=result.repaired, notes=notes, geometry_only=result.geometry_only)


def canonical_lapd_divisions(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return LAPD divisions (``prec`` 1-21 and the ``aprec`` name) as the ``lapd_areas`` layer."""
    return _canonical_set(raw, ctx, schema.BOUNDARY_KINDS[schema.LAPD_DIVISIONS], kind=schema.LAPD_DIVISIONS,
                          fallback_names=schema.LAPD_AREA_NAMES)


def canonical_neighborhood_councils(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return neighbourhood councils (``NC_ID`` and ``NAME``) as the ``neighborhood_councils`` layer."""
    return _canonical_set(raw, ctx, schema.BOUNDARY_KINDS[schema.NEIGHBORHOOD_COUNCILS],
                          kind=schema.NEIGHBORHOOD_COUNCILS)


def file_vintage(frame: pd.DataFrame) -> str | None:
    """Return the vintage a canonical boundary frame says it has: its vintage column, else its latest Effective date."""
    if schema.VINTAGE in frame:
        given = frame[schema.VINTAGE].dropna().astype(str)
        given = given[~given.isin(["", "None", "nan", "unknown"])]
        if len(given):
            return str(given.max())
    if EFFECTIVE in frame and frame[EFFECTIVE].notna().any():
        return str(frame[EFFECTIVE].dropna().max())
    return None


def vintage_key(vintage: str | None) -> dt.date | None:
    """Return a vintage ('2021', '2012-07-01', '2012/07/01') as a comparable date (``None`` when it is not one)."""
    text = str(vintage or "").strip()
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 1, 1)
    try:
        return pd.Timestamp(text).date() if text else None
    except (ValueError, TypeError):
        return None


# --- private steps -----------------------------------------------------------------------
def _canonical_set(raw: RawData, ctx: ImportContext, bkind: schema.BoundaryKind, *, kind: str,
                   fallback_names: dict[int, str] | None = None) -> Canonical:
    f = raw.frame
    cols = aliases.match_columns(f.columns, kind, raw.mapping)
    require(raw, cols, bkind.code, kind)
    number = int_col(f, cols, bkind.code)
    rows = Rows(raw, keys=f"{bkind.label} " + text_col(f, cols, bkind.code).astype("string").fillna("?"))
    bad = pd.Series([None] * len(f), dtype=object)
    out_of_range = (number.isna() | (number < bkind.lo) | (number > bkind.hi)).fillna(True).to_numpy()
    bad[out_of_range] = M("{column} is not a whole number {lo}-{hi}; check the {column} column",
                          column=cols[bkind.code], lo=bkind.lo, hi=bkind.hi)
    rows.reject(bad)
    geoms = geometry_from(rows, raw, cols, family=validate.POLYGON, invalid=ctx.invalid)
    names = text_col(f, cols, bkind.name)
    if fallback_names:
        names = names.where(names.notna(), number.map(fallback_names.get, na_action="ignore"))
    effective = _effective(raw, kind)
    attrs = pd.DataFrame({bkind.code: number, bkind.name: names}).assign(**provenance(raw, cols, ctx, len(f)))
    frame, table = validate.merge_duplicates(assemble(bkind.layer, attrs, geoms, rows.ok), bkind.code)
    notes: list[str] = [] if table.empty else [
        M("{count} numbers appeared in several rows; their polygons were dissolved", count=len(table))]
    frame = frame[[*schema.column_names(bkind.layer), "geometry"]]
    if effective is not None:
        frame = frame.assign(**{EFFECTIVE: frame[bkind.code].astype("Int64").map(
            _by_code(raw, kind, bkind.code, effective)).astype(object)})
    vintage = text_col(f, cols, schema.VINTAGE).dropna()
    if len(vintage):
        frame = frame.assign(**{schema.VINTAGE: str(vintage.max())})
    return finish(bkind.layer, rows, frame, notes)


def _effective(raw: RawData, kind: str) -> pd.Series | None:
    """Return the file's Effective dates as ISO text per row (``None`` when the file has no such column)."""
    cols = aliases.match_columns(raw.frame.columns, kind, raw.mapping)
    if EFFECTIVE not in cols:
        return None
    values = raw.frame[cols[EFFECTIVE]].reset_index(drop=True)
    return pd.Series([_iso_date(v) for v in values], dtype=object)


def _iso_date(value: object) -> str | None:
    """Return one Effective value (epoch milliseconds, a year, or date text) as ISO date text."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    number = aliases.to_number(pd.Series([value])).iloc[0]
    try:
        if pd.notna(number) and number > 1e11:  # ArcGIS JSON: milliseconds since 1970
            return str(pd.Timestamp(int(number), unit="ms").date())
        if pd.notna(number) and 1900 <= number <= 2100:
            return str(int(number))
        return str(pd.Timestamp(str(value)).date())
    except (ValueError, TypeError, OverflowError):
        return None


def _by_code(raw: RawData, kind: str, code: str, effective: pd.Series) -> dict[int, str | None]:
    """Return the latest Effective date per boundary number (rows of one number are dissolved into one)."""
    cols = aliases.match_columns(raw.frame.columns, kind, raw.mapping)
    numbers = int_col(raw.frame, cols, code)
    table = pd.DataFrame({"code": numbers, "eff": effective}).dropna()
    return {int(c): str(e) for c, e in table.groupby("code")["eff"].max().items()}
