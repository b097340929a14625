"""Every table a page shows goes through here: human headers and values from the one label table."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from geo.analysis.labels import readable
from ui.i18n import lang


def show_table(frame: pd.DataFrame | list[dict[str, object]], *, first: Sequence[str] = (), digits: int = 1,
               **kwargs: Any) -> Any:
    """Draw ``frame`` as people read it, in the session's language (see :func:`geo.analysis.labels.readable`).

    Returns st.dataframe's value.
    """
    data = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(readable(data, first=first, digits=digits, lang=lang()), **kwargs)
