"""The analysis behind the pages, read from the run persisted per data version (computed once, never per process).

``geo.services.persisted`` keeps each (data version, date, rules) run beside the store. A process
reads it back once (``load_base``, shared); a status save or override changes only the status
token, and :func:`geo.services.persisted.restatus` recomputes the few hundred site rows it
touches. Only the first process to need a run computes it, with its progress on the page.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.analysis.analyze import AnalysisConfig, AnalysisResult
from geo.services import persisted
from geo.services.analysis import analysis_inputs, analyze_inputs
from geo.services.restatus import Restated, restatus_delta
from ui import state
from ui.data import load_frames, store_at
from ui.i18n import _, error_text
from ui.text import md_escape

CONFIG = AnalysisConfig()


def status_token(url: str) -> tuple[int, int]:
    """Return a cheap token that changes with every status save, override, determination or part (a cache key)."""
    return persisted.status_token(store_at(url))


@st.cache_resource(show_spinner=False, max_entries=4)
def load_base(url: str, version: int, as_of: dt.date) -> tuple[AnalysisResult, tuple[int, int]]:
    """Return the persisted run of (store version, date) and its status token, computing it first if needed."""
    store = store_at(url)
    found = persisted.load_result(store, version=version, as_of=as_of, config=CONFIG)
    if found is not None:
        return found
    token = status_token(url)
    res = _run(url, version, as_of)
    persisted.save_result(store, res, version=version, config=CONFIG, token=token)
    return res, token


@st.cache_resource(show_spinner=False, max_entries=8)
def load_analysis(url: str, version: int, token: tuple[int, int], as_of: dt.date) -> AnalysisResult:
    """Return the analysis for one (store version, status token, date); shared and read-only."""
    base, base_token = load_base(url, version, as_of)
    if base_token == token:
        return base
    store, last = store_at(url), _last_restated(url, version, as_of)
    done = restatus_delta(last.get("run"), base, store.read_status(), store.read_overrides(), config=CONFIG,
                          control=store.read_control(), parts=store.read_parts(), listed=load_frames(url, version).sites)
    last["run"] = done  # the next save re-statuses only the sites it touches, from here
    return done.res


@st.cache_resource(show_spinner=False, max_entries=4)
def _last_restated(url: str, version: int, as_of: dt.date) -> dict[str, Restated]:
    """Return this process's latest re-statused run of (store version, date): where the next delta starts."""
    return {}


def current_analysis(url: str, version: int, *, as_of: dt.date | None = None) -> AnalysisResult:
    """Return the analysis of the store as it is now (windows and deadlines counted to ``as_of``).

    ``as_of`` defaults to the session's one as-of date (the sidebar's; today in Los Angeles).
    """
    day = as_of or state.as_of()
    store = store_at(url)
    if not persisted.is_persisted(store, version=version, as_of=day, config=CONFIG):
        with st.status(_("Analysing this data version: once, then saved beside the store for every session..."),
                       expanded=True) as box:
            bar = st.progress(0.0, text=_("reading the store"))

            def report(fraction: float, step: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=md_escape(error_text(step)))

            persisted.current_result(store, version=version, as_of=day, config=CONFIG,
                                     run=lambda: _run(url, version, day), progress=report)
            box.update(label=_("Analysis ready and saved"), state="complete", expanded=False)
    return load_analysis(url, version, status_token(url), day)


def status_of(url: str, site_id: str) -> dict[str, object]:
    """Return one site's current status row (always read fresh, never cached)."""
    status = store_at(url).read_status()
    row = status[status[schema.SITE_ID] == site_id]
    if row.empty:
        return {}
    rec = row.iloc[0].to_dict()
    return {k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in rec.items()}


@st.cache_resource(show_spinner=False, max_entries=2)
def load_review(url: str, version: int, token: tuple[int, int], as_of: dt.date) -> gpd.GeoDataFrame:
    """Return the sites-and-parcels review frame (its parcel rows persisted per run), shared and read-only."""
    return persisted.current_review(store_at(url), load_analysis(url, version, token, as_of),
                                    load_frames(url, version).parcels, version=version, config=CONFIG)


def current_review(url: str, version: int, *, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """Return the review frame for the store as it is now (as of the session's date by default)."""
    day = as_of or state.as_of()
    current_analysis(url, version, as_of=day)  # computes and saves the run first, with progress, if needed
    with st.spinner(_("Preparing the review set...")):  # shown only when it is built (more than half a second)
        return load_review(url, version, status_token(url), day)


def _run(url: str, version: int, as_of: dt.date) -> AnalysisResult:
    frames = load_frames(url, version)
    held = {schema.PARCELS: frames.parcels, schema.SITES: frames.sites, schema.INCIDENTS: frames.incidents,
            schema.DISTRICTS: frames.districts}
    return analyze_inputs(analysis_inputs(store_at(url), held=held), as_of=as_of, config=CONFIG)
