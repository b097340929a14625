"""The review set's category basis in the reader's language, for the rows a person sees (a table page, a download).

The review frame (:func:`geo.analysis.review.review_frame`) holds each parcel's basis as plain English: a
County of parcels in messages would cost three times the time and memory. A reader in another language sees
only a page of the table or one download, so the words are rebuilt for those rows alone: the parcels are
classified again (``classify_sites(words=True)``, the rows found by AIN, in slices) and the sites' words are
read back from the run (``category_basis_data``). A row is shown localised only when the rebuilt English is
exactly the row's English; any other row keeps its English text (never a translation of something else).
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.classify import CATEGORY_BASIS, CATEGORY_BASIS_DATA, classify_sites
from geo.analysis.review import KIND, PARCEL_KIND, RECORD_ID, SITE_KIND, WORDS_SLICE
from geo.crs import to_analysis
from geo.i18n import DEFAULT_LANGUAGE, localise
from geo.messages import from_data


def parcel_keys(parcels: pd.DataFrame) -> pd.Index:
    """Return the parcels' AINs as text, by position: the lookup :func:`basis_in` finds parcel rows with.

    Build it once per data version (a County of parcels takes a fraction of a second) and pass it on.
    """
    return pd.Index(parcels[schema.AIN].astype(str).to_numpy(dtype=object))


def basis_in(rows: pd.DataFrame, *, sites: pd.DataFrame, parcels: gpd.GeoDataFrame, lang: str,
             keys: pd.Index | None = None) -> pd.Series:
    """Return the category basis of each review row in ``lang``, aligned to ``rows.index``.

    Parameters
    ----------
    rows : DataFrame
        Rows of the review frame (``record_id``, ``kind``, ``category_basis``).
    sites : DataFrame
        The run's sites (``site_id``, ``category_basis``, ``category_basis_data``).
    parcels : GeoDataFrame
        The parcels the review frame was built from (EPSG:4326).
    lang : str
        The reader's language; English returns the rows' own text.
    keys : Index, optional
        :func:`parcel_keys` of ``parcels`` (built here when not given).
    """
    english = rows[CATEGORY_BASIS].to_numpy(dtype=object)
    out = english.copy()
    if lang != DEFAULT_LANGUAGE and len(rows):
        kind, ids = rows[KIND].to_numpy(dtype=object), rows[RECORD_ID].astype(str).to_numpy(dtype=object)
        at = np.flatnonzero(kind == SITE_KIND)
        if len(at) and CATEGORY_BASIS_DATA in sites.columns:
            kept = sites.set_index(sites[schema.SITE_ID].astype(str))[[CATEGORY_BASIS, CATEGORY_BASIS_DATA]]
            _fill(out, at, kept[~kept.index.duplicated()].reindex(ids[at]), english, lang)
        at = np.flatnonzero(kind == PARCEL_KIND)
        where = (parcel_keys(parcels) if keys is None else keys).get_indexer(ids[at]) if len(at) else at
        at, where = at[where >= 0], where[where >= 0]
        for start in range(0, len(at), WORDS_SLICE):  # a slice of messages at a time: bounded memory
            words = classify_sites(to_analysis(parcels.iloc[where[start:start + WORDS_SLICE]]), parks=None, words=True)
            _fill(out, at[start:start + WORDS_SLICE], words, english, lang)
    return pd.Series(out, index=rows.index, dtype=object)


def localise_review(rows: pd.DataFrame, *, sites: pd.DataFrame, parcels: gpd.GeoDataFrame, lang: str,
                    keys: pd.Index | None = None) -> pd.DataFrame:
    """Return ``rows`` with ``category_basis`` in ``lang`` (a copy); in English ``rows`` itself, untouched."""
    if lang == DEFAULT_LANGUAGE or CATEGORY_BASIS not in rows.columns:
        return rows
    return rows.assign(**{CATEGORY_BASIS: basis_in(rows, sites=sites, parcels=parcels, lang=lang, keys=keys)})


def _fill(out: np.ndarray, at: np.ndarray, words: pd.DataFrame, english: np.ndarray, lang: str) -> None:
    """Put ``words`` (``category_basis`` and its JSON, by position) localised into ``out[at]`` where their English is the row's."""
    rebuilt = words[CATEGORY_BASIS].to_numpy(dtype=object)
    same = rebuilt == english[at]
    codes, uniques = pd.factorize(pd.Series(words[CATEGORY_BASIS_DATA].to_numpy(dtype=object)[same], dtype=object))
    texts = np.array([_one(u, lang) for u in uniques] + [None], dtype=object)[np.where(codes < 0, len(uniques), codes)]
    out[at[same]] = np.where(pd.isna(texts), rebuilt[same], texts)  # each distinct basis was localised once


def _one(data: object, lang: str) -> str | None:
    """Return one basis kept as JSON in ``lang`` (None when it does not read)."""
    if not isinstance(data, str) or not data:
        return None
    try:
        return localise(from_data(json.loads(data)), lang)
    except ValueError:
        return None
