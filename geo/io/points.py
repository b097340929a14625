"""Point layers of the risk model: places of concern (points with a type) and freeway ramps.

Both take points from the file's geometry or its latitude/longitude columns, through the same
pipeline steps as incidents (CRS, County envelope, per-row rejections with reasons).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema
from geo.io import aliases, validate
from geo.io.importers import (
    Canonical,
    ImportContext,
    Rows,
    assemble,
    assign_zones,
    finish,
    geometry_from,
    provenance,
    text_col,
)
from geo.io.raw import RawData
from geo.io.words import code_by_words
from geo.messages import M

#: Words in a place's type or name -> place type, first match wins.
PLACE_WORDS: tuple[tuple[str, str], ...] = (
    (r"home ?depot|lowe'?s|home improvement|hardware|lumber", "home_improvement"),
    (r"day ?lab|worker cent|jornaler", "day_labor_site"),
    (r"car ?wash", "car_wash"),
    (r"swap ?meet|flea market|mercado", "swap_meet"),
    (r"court", "courthouse"),
    (r"walmart|target|costco|big ?box|superstore|mall|shopping cent", "big_box_store"),
    (r"transit|metro|station|bus (?:yard|depot|terminal)|park ?(?:and|&) ?ride", "transit_hub"),
)
RAMP_WORDS = {"on": "on", "entrance": "on", "on ramp": "on", "onramp": "on", "off": "off", "exit": "off",
              "off ramp": "off", "offramp": "off", "on off": "on_off", "on/off": "on_off", "both": "on_off"}


def place_type_of(values: pd.Series) -> pd.Series:
    """Return a place type per value (``other`` when no word matches or the value is empty)."""
    return code_by_words(values, schema.PLACE_TYPES, PLACE_WORDS)


def canonical_places(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return places of concern: id, type (from a type column, else the name's words) and name."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.PLACES, raw.mapping)
    ids = _ids(raw, text_col(f, cols, schema.PLACE_ID), "PLACE")
    rows = Rows(raw, keys="place " + ids.astype(str))
    rows.reject(_duplicates(ids, "place"))
    geoms = geometry_from(rows, raw, cols, family=validate.POINT, invalid=ctx.invalid)
    names = text_col(f, cols, schema.PLACE_NAME)
    given = text_col(f, cols, schema.PLACE_TYPE)
    kind = place_type_of(given.where(given.notna(), names))
    notes: list[str] = []
    if schema.PLACE_TYPE not in cols:
        notes.append(M("no type column (place_type, type, category): types read from the names; "
                       "{count} rows recorded as 'other'", count=int((kind == "other").sum())))
    attrs = pd.DataFrame({schema.PLACE_ID: ids, schema.PLACE_TYPE: kind.to_numpy(), schema.PLACE_NAME: names,
                          schema.COUNCIL_DISTRICT: pd.array([pd.NA] * len(f), dtype="Int64")})
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(f)))
    frame = assign_zones(assemble(schema.PLACES, attrs, geoms, rows.ok), ctx)
    return finish(schema.PLACES, rows, frame[[*schema.column_names(schema.PLACES), "geometry"]], notes)


def canonical_ramps(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return freeway ramps: id, on/off type (``unknown`` when not given) and route."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.RAMPS, raw.mapping)
    ids = _ids(raw, text_col(f, cols, schema.RAMP_ID), "RAMP")
    rows = Rows(raw, keys="ramp " + ids.astype(str))
    rows.reject(_duplicates(ids, "ramp"))
    geoms = geometry_from(rows, raw, cols, family=validate.POINT, invalid=ctx.invalid)
    words = text_col(f, cols, schema.RAMP_TYPE).astype("string").str.strip().str.lower()
    kind = words.map(RAMP_WORDS).where(words.notna(), "unknown").fillna("unknown")
    attrs = pd.DataFrame({schema.RAMP_ID: ids, schema.RAMP_TYPE: kind.astype(object).to_numpy(),
                          schema.ROUTE: text_col(f, cols, schema.ROUTE)})
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(f)))
    return finish(schema.RAMPS, rows, assemble(schema.RAMPS, attrs, geoms, rows.ok))


def _ids(raw: RawData, given: pd.Series, prefix: str) -> pd.Series:
    text = given.astype("string").str.replace(r"\.0+$", "", regex=True)
    fallback = pd.Series([f"{prefix}-{w.split()[-1]}" for w in raw.where(np.arange(len(raw.frame)))], dtype="string")
    return pd.Series(text.fillna(fallback).astype(object).to_numpy(), dtype=object)


def _duplicates(ids: pd.Series, what: str) -> pd.Series:
    reasons = pd.Series([None] * len(ids), dtype=object)
    reasons[ids.duplicated().to_numpy()] = (
        M("duplicate place id (an earlier row has it); keep one row per place") if what == "place"
        else M("duplicate ramp id (an earlier row has it); keep one row per ramp") if what == "ramp"
        else M("duplicate {what} id (an earlier row has it); keep one row per {what}", what=what))
    return reasons
