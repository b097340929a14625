"""Cached loaders: big frames held once per store version with st.cache_resource."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema as S
from geo.records import StoreInfo
from geo.store import open_store


@dataclass(frozen=True)
class StoreFrames:
    """Read-only frames of one store version; copy before changing anything."""

    info: StoreInfo
    sites: gpd.GeoDataFrame
    status: pd.DataFrame
    parcels: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame


def current_store() -> tuple[str, int]:
    """Return (url, data_version) of the store this session works on (the cache key of its frames)."""
    from geo.config import store_url
    from ui import state

    return store_version(st.session_state.get(state.STORE_URL) or store_url())


def store_version(url: str | None) -> tuple[str, int]:
    """Return (url, data_version): the cache key of everything loaded from the store."""
    store = open_store(url)
    return store.url, store.data_version()


@st.cache_resource(show_spinner="Loading the store...", max_entries=4)
def load_frames(url: str, version: int) -> StoreFrames:
    """Load every layer of store ``url`` at ``version`` (shared, read-only)."""
    store = open_store(url)
    return StoreFrames(
        info=store.info(),
        sites=store.read_layer(S.SITES),
        status=store.read_status(),
        parcels=store.read_layer(S.PARCELS),
        incidents=store.read_layer(S.INCIDENTS),
        districts=store.read_layer(S.DISTRICTS),
    )
