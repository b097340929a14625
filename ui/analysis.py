"""The analysis behind the Liaison, Parcel review and Gap pages, cached per store state."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.analysis.analyze import AnalysisConfig, AnalysisResult
from geo.services.analysis import analysis_inputs, analyze_inputs
from ui.data import load_frames, store_at

CONFIG = AnalysisConfig()


def status_token(url: str) -> tuple[int, int]:
    """Return a cheap token that changes with every status save or override (a cache key part)."""
    store = store_at(url)
    status = store.read_status()
    return int(status[schema.VERSION].sum()) if len(status) else 0, len(store.read_overrides(latest_only=False))


@st.cache_resource(show_spinner="Scoring sites and snapping incidents...", max_entries=4)
def load_analysis(url: str, version: int, token: tuple[int, int], as_of: dt.date) -> AnalysisResult:
    """Run the analysis for one (store version, status token, date); shared and read-only."""
    frames = load_frames(url, version)
    held = {schema.PARCELS: frames.parcels, schema.SITES: frames.sites, schema.INCIDENTS: frames.incidents,
            schema.DISTRICTS: frames.districts}
    return analyze_inputs(analysis_inputs(store_at(url), held=held), as_of=as_of, config=CONFIG)


def current_analysis(url: str, version: int, *, as_of: dt.date | None = None) -> AnalysisResult:
    """Return the analysis of the store as it is now (deadlines counted to ``as_of``, default today)."""
    return load_analysis(url, version, status_token(url), as_of or dt.date.today())


def status_of(url: str, site_id: str) -> dict[str, object]:
    """Return one site's current status row (always read fresh, never cached)."""
    status = store_at(url).read_status()
    row = status[status[schema.SITE_ID] == site_id]
    if row.empty:
        return {}
    rec = row.iloc[0].to_dict()
    return {k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in rec.items()}


@st.cache_resource(show_spinner="Preparing the review set...", max_entries=2)
def load_review(url: str, version: int, token: tuple[int, int], as_of: dt.date) -> gpd.GeoDataFrame:
    """Return the sites-and-parcels review frame with its spatial index built (shared, read-only)."""
    from geo.analysis.review import review_frame

    frame = review_frame(load_analysis(url, version, token, as_of), load_frames(url, version).parcels)
    frame.sindex  # noqa: B018  (build the tree once, inside the cache)
    return frame


def current_review(url: str, version: int, *, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """Return the review frame for the store as it is now."""
    return load_review(url, version, status_token(url), as_of or dt.date.today())
