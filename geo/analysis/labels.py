"""Readable frames from the one label table (:mod:`geo.labels`): what a person reads on a screen.

Pages never show a raw column name (``owning_dept``), a code (``closed_locked``), ``None``, an
unrounded score or a UTC timestamp: :func:`readable` turns any frame into what a person reads,
with the columns that matter first. Headline-number labels stay in :mod:`geo.analysis.kpis`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.analysis.timefmt import local_text
from geo.labels import BY_COLUMN, COLUMNS, MISSING, VALUES

_MISSING_TEXT = frozenset({"", "None", "nan", "NaN", "NaT", "<NA>"})
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def header(column: object) -> str:
    """Return the header a person reads for ``column``."""
    name = str(column)
    if name in COLUMNS or name in VALUES:  # a value as a header: a crosstab's columns
        return COLUMNS.get(name) or VALUES[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def value_text(value: object, column: str | None = None) -> object:
    """Return one cell as a person reads it: codes spelled out, missing as a dash, times in Los Angeles.

    ``column`` names the column the value comes from, where a code reads differently (``BY_COLUMN``).
    """
    if value is None or (not isinstance(value, str | list | tuple | dict | np.ndarray) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp):
        return local_text(value) if (value.hour, value.minute, value.second) != (0, 0, 0) or value.tzinfo else \
            value.date().isoformat()
    if isinstance(value, str):
        if _ISO.match(value.strip()):
            return local_text(value.strip())
        if value.strip() in _MISSING_TEXT:  # a missing value already turned into text upstream
            return MISSING
        codes = value.split(", ")
        if len(codes) > 1 and all(c in VALUES for c in codes):  # a list of codes ("corroborated, lapd_confirmed")
            return ", ".join(VALUES[c] for c in codes)
        return BY_COLUMN.get(column or "", {}).get(value) or VALUES.get(value, value)
    return value


def readable(frame: pd.DataFrame, *, first: Sequence[str] = (), digits: int = 1) -> pd.DataFrame:
    """Return ``frame`` as people read it, ``first`` columns first.

    Human headers, coded values spelled out, numbers rounded to ``digits``, times in Los Angeles with their offset, missing values as a dash.

    Every column holds one type (numbers, or text), so the table always serialises (no mixed columns).
    Geometry columns are dropped; an index other than 0..n becomes the first column(s).
    """
    out = frame.drop(columns=[c for c in frame.columns if str(c) == "geometry"], errors="ignore")
    if not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index(names=[n if n is not None else " " for n in out.index.names])
    order = [c for c in first if c in out.columns] + [c for c in out.columns if c not in first]
    cols = {header(c): _column(out[c], 2 if str(c).endswith("_usd") else digits, str(c)) for c in order}
    return pd.DataFrame(cols, index=pd.RangeIndex(len(out)))


def _column(series: pd.Series, digits: int, name: str) -> pd.Series:
    values = series.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map(lambda v: "Yes" if v else "No")
    if pd.api.types.is_numeric_dtype(values.dtype) and not values.isna().any():
        return values.round(digits) if pd.api.types.is_float_dtype(values.dtype) else values
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.map(lambda v: MISSING if pd.isna(v) else local_text(v))
    return values.map(lambda v: _cell(v, digits, name)).astype(str)


def _cell(value: object, digits: int, name: str) -> object:
    if isinstance(value, float | np.floating) and not pd.isna(value):
        rounded = round(float(value), digits)
        return f"{rounded:,.{digits}f}" if rounded != int(rounded) else f"{int(rounded):,}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    return value_text(value, name)


def label(value: object, column: str | None = None) -> str:
    """Return how one coded value reads, as text (for a widget's options)."""
    return str(value_text(value, column))
