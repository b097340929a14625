"""Readable frames from the one label table (:mod:`geo.labels`): what a person reads on a screen.

Pages never show a raw column name (``owning_dept``), a code (``closed_locked``), ``None``, an
unrounded score or a UTC timestamp: :func:`readable` turns any frame into what a person reads,
with the columns that matter first. Headline-number labels stay in :mod:`geo.analysis.kpis`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.photo_note import note_message
from geo.analysis.timefmt import local_text
from geo.i18n import N_, localise, translate
from geo.labels import BY_COLUMN, MISSING, RECORDED_TEXT, VALUES, column_header, is_label
from geo.messages import Message, join
from geo.records import Edit

_MISSING_TEXT = frozenset({"", "None", "nan", "NaN", "NaT", "<NA>"})
YES, NO = N_("Yes"), N_("No")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def header(column: object, lang: str = "en") -> str:
    """Return the header a person reads for ``column``, in ``lang`` (English by default)."""
    return column_header(column, lang)


def value_text(value: object, column: str | None = None, lang: str = "en") -> object:
    """Return one cell as a person reads it: codes spelled out (in ``lang``), missing as a dash, LA times.

    ``column`` names the column the value comes from, where a code reads differently (``BY_COLUMN``).
    """
    if value is None or (not isinstance(value, str | list | tuple | dict | np.ndarray) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return translate(YES if value else NO, lang)
    if isinstance(value, pd.Timestamp):
        return local_text(value) if (value.hour, value.minute, value.second) != (0, 0, 0) or value.tzinfo else \
            value.date().isoformat()
    if isinstance(value, Message) and (words := localise(value, lang)) != value:
        return words  # generated text (a register statement): its words in ``lang``, values as data
    if isinstance(value, str):
        if _ISO.match(value.strip()):
            return local_text(value.strip())
        if value.strip() in _MISSING_TEXT:  # a missing value already turned into text upstream
            return MISSING
        if column in RECORDED_TEXT:  # a name, address or description: as recorded, even when it spells a code
            placeholder = BY_COLUMN.get(column, {}).get(value)
            return translate(placeholder, lang) if placeholder else value
        if column == schema.STATUS_NOTE:  # user text, but a sign photo's line reads in ``lang``
            return localise(note_message(value), lang)
        codes = value.split(", ")
        if len(codes) > 1 and all(c in VALUES for c in codes):  # a list of codes ("corroborated, lapd_confirmed")
            return ", ".join(translate(VALUES[c], lang) for c in codes)
        known = BY_COLUMN.get(column or "", {}).get(value) or VALUES.get(value)
        return translate(known, lang) if known else value
    return value


def readable(frame: pd.DataFrame, *, first: Sequence[str] = (), digits: int = 1, lang: str = "en") -> pd.DataFrame:
    """Return ``frame`` as people read it (in ``lang``: headers and coded values), ``first`` columns first.

    Human headers, coded values spelled out, numbers rounded to ``digits``, times in Los Angeles with their offset, missing values as a dash.

    Every column holds one type (numbers, or text), so the table always serialises (no mixed columns).
    Geometry columns are dropped; a named or non-numeric index becomes the first column(s) (bare row numbers
    left over from filtering are not shown).
    """
    out = frame.drop(columns=[c for c in frame.columns if str(c) == "geometry"], errors="ignore")
    named = any(n is not None for n in out.index.names)
    if not isinstance(out.index, pd.RangeIndex) and (named or not pd.api.types.is_integer_dtype(out.index.dtype)):
        out = out.reset_index(names=[n if n is not None else " " for n in out.index.names])  # (row numbers: dropped)
    order = [c for c in first if c in out.columns] + [c for c in out.columns if c not in first]
    cols = {header(c, lang): _column(out[c], 2 if str(c).endswith("_usd") else digits, str(c), lang) for c in order}
    return pd.DataFrame(cols, index=pd.RangeIndex(len(out)))


def _column(series: pd.Series, digits: int, name: str, lang: str = "en") -> pd.Series:
    values = series.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map(lambda v: translate(YES if v else NO, lang))
    if pd.api.types.is_numeric_dtype(values.dtype) and not values.isna().any():
        return values.round(digits) if pd.api.types.is_float_dtype(values.dtype) else values
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.map(lambda v: MISSING if pd.isna(v) else local_text(v))
    return values.map(lambda v: _cell(v, digits, name, lang)).astype(str)


def _cell(value: object, digits: int, name: str, lang: str = "en") -> object:
    if isinstance(value, float | np.floating) and not pd.isna(value):
        rounded = round(float(value), digits)
        return f"{rounded:,.{digits}f}" if rounded != int(rounded) else f"{int(rounded):,}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    return value_text(value, name, lang)


def label(value: object, column: str | None = None, lang: str = "en") -> str:
    """Return how one coded value reads in ``lang``, as text (for a widget's options)."""
    return str(value_text(value, column, lang))


def _word(text: str) -> str:
    """Return a word of the label table as a message (shown in the page's language); other text as it is."""
    return Message(text) if is_label(text) and "{" not in text and "}" not in text else text


def describe_edit(edit: Edit) -> str:
    """Return one saved edit as a person reads it: human field names and values, Los Angeles time.

    ``version 3 by bo at 2026-03-01 02:00 PST (-08:00): Sign No sign -> Posted``; a message whose field names
    and coded values are translated with it (``geo.i18n.localise``).
    """
    return edit.describe(name=lambda c: _word(header(c)),
                         value=lambda v, c: note_message(v) if c == schema.STATUS_NOTE and isinstance(v, str) and v
                         else _word(label(v, c)),
                         when=lambda t: local_text(t) or "unknown time")


def describe_edits(edits: Iterable[Edit]) -> str:
    """Return several edits as one readable message ('' when there are none)."""
    return join([describe_edit(e) for e in edits])
