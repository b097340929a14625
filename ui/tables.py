"""Every table a page shows goes through here: human headers and values from the one label table."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from geo.analysis.labels import header, readable
from geo.i18n import translate
from geo.labels import SHORT
from ui.i18n import lang

Width = Literal["small", "medium", "large"] | int


def show_table(frame: pd.DataFrame | list[dict[str, object]], *, first: Sequence[str] = (), digits: int = 1,
               short: Sequence[str] = (), widths: Mapping[str, Width] | None = None,
               words: Mapping[str, Mapping[str, str]] | None = None, **kwargs: Any) -> Any:
    """Draw ``frame`` as people read it, in the session's language (see :func:`geo.analysis.labels.readable`).

    ``short`` columns read in the label table's short words (:data:`geo.labels.SHORT`) and ``widths`` caps
    columns (by column name; a wider screen shares out the rest): a narrow table that fits a phone.
    ``words`` gives a page's own built-in words per column (English value -> msgid; other values are data).
    Returns st.dataframe's value.
    """
    data = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    code = lang()
    per_column = {**{c: SHORT[c] for c in short if c in SHORT}, **(words or {})}
    for column, table in ((c, w) for c, w in per_column.items() if c in data.columns):
        data = data.assign(**{column: data[column].map(
            lambda v, w=table: translate(w[v], code) if isinstance(v, str) and v in w else v)})
    if widths:
        config = {header(c, code): st.column_config.Column(width=w) for c, w in widths.items() if c in data.columns}
        kwargs["column_config"] = {**config, **(kwargs.get("column_config") or {})}
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(readable(data, first=first, digits=digits, lang=code), **kwargs)
