"""Cached loaders: the session's store (opened once per process) and its big frames, held once per version."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.config import store_url
from geo.records import StoreInfo
from geo.store import Store, open_store


@dataclass(frozen=True)
class StoreFrames:
    """Read-only frames of one store version; copy before changing anything."""

    info: StoreInfo
    sites: gpd.GeoDataFrame
    status: pd.DataFrame
    parcels: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame


@st.cache_resource(show_spinner=False, max_entries=8)
def store_at(url: str) -> Store:
    """Return the store at ``url``, opened (and migration-checked) once per process."""
    return open_store(url)


def session_store() -> Store:
    """Return the store this session works on."""
    from ui import state

    return store_at(st.session_state.get(state.STORE_URL) or store_url())


def current_store() -> tuple[str, int]:
    """Return (url, data_version) of the session's store: the cache key of its frames."""
    store = session_store()
    return store.url, store.data_version()


@st.cache_resource(show_spinner="Loading the store...", max_entries=4)
def load_frames(url: str, version: int) -> StoreFrames:
    """Load every layer of store ``url`` at ``version`` (shared, read-only)."""
    store = store_at(url)
    return StoreFrames(
        info=store.info(),
        sites=store.read_layer(schema.SITES),
        status=store.read_status(),
        parcels=store.read_layer(schema.PARCELS),
        incidents=store.read_layer(schema.INCIDENTS),
        districts=store.read_layer(schema.DISTRICTS),
    )
