"""Street centrelines for the street-frontage risk factor: id, full name and class per line.

Reads the City of LA "Street Centerline" layout (``ASSETID``/``SECT_ID``, ``FULLNAME`` or
``STDIR`` + ``STNAME`` + ``STSFX``, a class column such as ``CLASS``/``ST_CLASS``/``STREET_TYPE``
holding "Major Highway", "Secondary Highway", "Collector", "Local", or the Mobility Plan 2035
designations "Boulevard II", "Avenue I") through the shared pipeline steps; any non-line
geometry refuses the file, naming the features.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.io import aliases, validate
from geo.io.importers import (
    Canonical,
    ImportContext,
    Rows,
    assemble,
    finish,
    geometry_from,
    provenance,
    text_col,
)
from geo.io.raw import RawData
from geo.io.words import code_by_words
from geo.messages import M

#: Words of a class cell (lower case) -> street class, first match wins (freeways before highways).
CLASS_WORDS: tuple[tuple[str, str], ...] = (
    (r"freeway|\bfwy\b|expressway|interstate|limited access", "freeway"),
    (r"major|boulevard|\bblvd\b|principal arterial|primary arterial|^arterial", "major_highway"),
    (r"secondary|avenue|\bave\b|minor arterial", "secondary_highway"),
    (r"collector", "collector"),
    (r"local|residential|cul.de.sac|hillside", "local"),
    (r"alley", "alley"),
)


def street_class_of(values: pd.Series) -> pd.Series:
    """Return a street class per value (``other`` when no word matches or the value is empty)."""
    return code_by_words(values, schema.STREET_CLASSES, CLASS_WORDS)


def street_names(frame: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    """Return the full street name: the full-name column, else direction + base name + suffix joined."""
    full = text_col(frame, cols, schema.STREET_NAME).astype("string").str.strip()
    parts = [text_col(frame, cols, k).astype("string").str.strip().fillna("")
             for k in ("name_dir", "name_base", "name_suffix")]
    joined = (parts[0] + " " + parts[1] + " " + parts[2]).str.replace(r"\s+", " ", regex=True).str.strip()
    joined = joined.where(joined != "", pd.NA)
    named = full.where(full.notna() & (full != ""), joined)
    return pd.Series(named.astype(object).where(named.notna(), None).to_numpy(), dtype=object)


def canonical_streets(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return street centrelines as MultiLineStrings in EPSG:4326 with their id, name and class."""
    f = raw.frame
    cols = aliases.match_columns(f.columns, schema.STREETS, raw.mapping)
    given = text_col(f, cols, schema.STREET_ID).astype("string").str.replace(r"\.0+$", "", regex=True)
    fallback = pd.Series([f"STREET-{w.split()[-1]}" for w in raw.where(np.arange(len(f)))], dtype="string")
    ids = pd.Series(given.fillna(fallback).astype(object).to_numpy(), dtype=object)
    rows = Rows(raw, keys="street " + ids.astype(str))
    dup = pd.Series([None] * len(ids), dtype=object)
    dup[ids.duplicated().to_numpy()] = "duplicate street id (an earlier row has it); keep one row per segment"
    rows.reject(dup)
    geoms = geometry_from(rows, raw, cols, family=validate.LINE, invalid=ctx.invalid)
    present = rows.ok
    geoms[present] = shapely.force_2d(geoms[present])  # centreline exports often carry Z (elevation) or M
    single = np.zeros(len(geoms), bool)
    single[present] = shapely.get_type_id(geoms[present]) == 1
    if single.any():
        geoms[single] = shapely.multilinestrings(geoms[single], indices=np.arange(int(single.sum())))
    kind = street_class_of(text_col(f, cols, schema.STREET_CLASS))
    notes: list[str] = []
    if schema.STREET_CLASS not in cols:
        notes.append(M("no class column (CLASS, ST_CLASS, STREET_TYPE): every street recorded as 'other', so no "
                       "frontage counts as on a major or secondary highway"))
    elif (kind == "other").any():
        notes.append(M("streets with no class, or one StageMap does not know: {count:,}; recorded as 'other' "
                       "(their frontage counts, but not as a major or secondary highway)",
                       count=int((kind == "other").sum())))
    attrs = pd.DataFrame({schema.STREET_ID: ids, schema.STREET_NAME: street_names(f, cols),
                          schema.STREET_CLASS: kind.to_numpy()})
    attrs = attrs.assign(**provenance(raw, cols, ctx, len(f)))
    return finish(schema.STREETS, rows, assemble(schema.STREETS, attrs, geoms, rows.ok), notes)
