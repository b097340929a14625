"""Coded values from free text: an exact code, else the first matching word pattern, else ``other``."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd


def code_by_words(values: pd.Series, codes: Iterable[str], words: Sequence[tuple[str, str]]) -> pd.Series:
    """Return a code per value: an exact code, else the first matching word pattern, else ``other``.

    A value that is one of ``codes`` (spaces read as underscores) keeps it; otherwise the first
    ``(pattern, code)`` of ``words`` whose pattern matches decides.
    """
    text = values.astype("string").str.strip().str.lower().str.replace("_", " ").fillna("")
    out = pd.Series("other", index=values.index, dtype=object)
    exact = text.str.replace(" ", "_").isin(list(codes)).to_numpy(bool)
    out[exact] = text[exact].str.replace(" ", "_").to_numpy(dtype=object)
    decided = exact.copy()
    for pattern, code in words:
        hit = text.str.contains(pattern, flags=re.I, regex=True).fillna(False).to_numpy(bool) & ~decided
        out[hit] = code
        decided |= hit
    return out
