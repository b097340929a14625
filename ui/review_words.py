"""The Parcel review's category basis in the session's language, for the rows a person sees.

The review frame keeps each parcel's basis in English (a County of parcels); in another language the words
are rebuilt for the table's page of rows and for a download only (:mod:`geo.analysis.review_basis`). In English
the rows are returned as they are, so the English table and downloads are unchanged.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from geo.analysis.classify import CATEGORY_BASIS
from geo.analysis.review import RECORD_ID
from geo.analysis.review_basis import basis_in, parcel_keys
from geo.i18n import DEFAULT_LANGUAGE, N_
from ui.data import load_frames
from ui.i18n import _, lang

#: Shown while a download's category basis is written in the session's language.
PREPARING = N_("Writing the category basis in your language...")


@st.cache_resource(show_spinner=False, max_entries=2)
def _keys(url: str, version: int) -> pd.Index:
    """Return the data version's parcels by AIN (the lookup of the rows to reclassify), shared."""
    return parcel_keys(load_frames(url, version).parcels)


@st.cache_resource(show_spinner=False, max_entries=8)
def _page_basis(url: str, version: int, code: str, digest: str, _rows: pd.DataFrame, _sites: pd.DataFrame) -> pd.Series:
    """Return the table page's basis in ``code``; ``digest`` names the rows (ids and English), so a rerun reuses it."""
    return basis_in(_rows, sites=_sites, parcels=load_frames(url, version).parcels, lang=code, keys=_keys(url, version))


def table_rows(rows: pd.DataFrame, *, url: str, version: int, sites: pd.DataFrame) -> pd.DataFrame:
    """Return the table's rows with their category basis in the session's language (``rows`` itself in English)."""
    code = lang()
    if code == DEFAULT_LANGUAGE or CATEGORY_BASIS not in rows.columns or not len(rows):
        return rows
    digest = hashlib.sha256("\x1f".join(f"{i}\x1e{b}" for i, b in zip(rows[RECORD_ID].astype(str), rows[CATEGORY_BASIS],
                                                                         strict=True)).encode()).hexdigest()
    basis = _page_basis(url, version, code, digest, rows, sites)
    return rows.assign(**{CATEGORY_BASIS: basis.to_numpy(dtype=object)})


def export_rows(rows: pd.DataFrame, *, url: str, version: int, sites: pd.DataFrame) -> pd.DataFrame:
    """Return a download's rows with their category basis in the session's language (``rows`` itself in English)."""
    code = lang()
    if code == DEFAULT_LANGUAGE or CATEGORY_BASIS not in rows.columns or not len(rows):
        return rows
    with st.spinner(_(PREPARING)):
        basis = basis_in(rows, sites=sites, parcels=load_frames(url, version).parcels, lang=code,
                         keys=_keys(url, version))
    return rows.assign(**{CATEGORY_BASIS: basis.to_numpy(dtype=object)})
