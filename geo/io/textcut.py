"""The forms' text-length rule for imported text: values over the limit are cut, visibly, and counted."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.errors import SchemaError
from geo.messages import M

#: Appended to a cut value; the value with its marker is exactly the limit long.
MARKER = " [... cut: over {limit:,} characters]"


def cut_long_text(layer: str, frame: gpd.GeoDataFrame, *, limit: int, label: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return ``frame`` with long text cut (see :func:`cut_text_counts`) and the report note, or ``None``.

    Raises
    ------
    SchemaError
        When a key value (an id, an AIN) is over the limit: cutting it could merge two records.
    """
    out, counts = cut_text_counts(layer, frame, limit=limit, label=label)
    return out, cut_note(counts, limit)


def cut_note(counts: dict[str, int], limit: int) -> str | None:
    """Return the report note for ``counts`` (column -> values cut), or ``None`` when nothing was cut."""
    if not counts:
        return None
    marker = MARKER.format(limit=limit)
    listing = ", ".join(f"{c} {n:,}" for c, n in counts.items())
    return M("{count:,} text values were longer than {limit:,} characters and were cut, ending "
             "'{marker}' ({listing}); the form allows {limit:,}", count=sum(counts.values()), limit=limit,
             marker=marker.strip(), listing=listing)


def cut_text_counts(layer: str, frame: gpd.GeoDataFrame, *, limit: int,
                    label: str) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Return ``frame`` with every text value longer than ``limit`` cut to ``limit`` characters (marker included).

    The second value counts the values cut per column (empty when none was).

    Raises
    ------
    SchemaError
        When a key value (an id, an AIN) is over the limit: cutting it could merge two records.
    """
    key = schema.LAYER_KEYS[layer]
    marker = MARKER.format(limit=limit)
    changed: dict[str, pd.Series] = {}
    counts: dict[str, int] = {}
    for col in (c.name for c in schema.LAYER_COLUMNS[layer] if c.kind == "text"):
        if col not in frame:
            continue
        long = text_lengths(frame[col]) > limit
        if not long.any():
            continue
        text = frame[col].astype("str")
        if col == key:
            first = str(text[long].iloc[0])
            raise SchemaError(M("{label}: a {key} of {length:,} characters ('{start}...'), over the "
                                "{limit:,}-character limit for text. Ids are short codes: check the {key} column.",
                                label=label, key=key, length=len(first), start=first[:40], limit=limit))
        cut = text.copy()
        cut[long] = text[long].str.slice(0, limit - len(marker)) + marker
        changed[col] = cut
        counts[col] = int(np.count_nonzero(long))
    return (frame.assign(**changed) if changed else frame), counts


def text_lengths(values: pd.Series) -> np.ndarray:
    """Return each value's length in characters as ``astype("str")`` gives it (-1 for missing).

    Arrow strings are measured in Arrow; other columns (shared Python strings, a few distinct
    values at County scale) have each distinct value measured once, not converted row by row.
    """
    if isinstance(values.dtype, pd.StringDtype):
        return np.asarray(values.str.len().fillna(-1).to_numpy(dtype=np.int64), dtype=np.int64)
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    lengths = np.array([len(str(u)) for u in uniques] + [-1], dtype=np.int64)  # code -1 (missing) picks the last
    return np.asarray(lengths[codes], dtype=np.int64)
