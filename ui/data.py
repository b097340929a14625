"""Cached loaders: the session's store (opened once per process) and its big frames, held once per version.

Parcels (800k in the City, 2.4M in the County) and incidents are read the first time a page asks for
them, not before: the router and the pages that draw no parcels open without that read (PERFORMANCE.md W11);
their count comes from the store's summary (:attr:`StoreFrames.parcel_count`), so a page that only
says how many there are never reads them.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.config import store_url
from geo.records import StoreInfo
from geo.store import Store, open_store
from ui.i18n import _


class _OnFirstUse:
    """A dataclass field that may be given a loader: called once, on first access, then kept."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        if obj is None:
            raise AttributeError(self.slot)  # no class-level default: the field stays required
        value = obj.__dict__[self.slot]
        if isinstance(value, Loader):
            value = obj.__dict__[self.slot] = value()
        return value

    def __set__(self, obj: object, value: Any) -> None:
        obj.__dict__[self.slot] = value


class Loader:
    """A zero-argument loader that runs once even when sessions ask at the same time.

    ``size`` is the number of rows it will return when that is known without loading (else ``None``).
    """

    def __init__(self, load: Callable[[], gpd.GeoDataFrame], *, size: int | None = None) -> None:
        self._load, self._lock, self._value = load, threading.Lock(), None
        self.size = size

    def __call__(self) -> gpd.GeoDataFrame:
        with self._lock:
            if self._value is None:
                self._value = self._load()
            return self._value


@dataclass(frozen=True)
class StoreFrames:
    """Read-only frames of one store version; copy before changing anything (parcels load on first use)."""

    info: StoreInfo
    sites: gpd.GeoDataFrame
    status: pd.DataFrame
    parcels: gpd.GeoDataFrame = _OnFirstUse()  # type: ignore[assignment]  # a data descriptor, not a default
    incidents: gpd.GeoDataFrame = _OnFirstUse()  # type: ignore[assignment]  # (the public view reads none)
    districts: gpd.GeoDataFrame  # type: ignore[misc]  # (mypy takes the descriptors above for defaults)

    @property
    def parcel_count(self) -> int:
        """The number of parcels in :attr:`parcels`, without reading them when the store's summary knows it."""
        held = self.__dict__.get("_parcels")
        if isinstance(held, Loader) and held.size is not None:
            return held.size
        return len(self.parcels)


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


def load_frames(url: str, version: int) -> StoreFrames:
    """Load every layer of store ``url`` at ``version`` (shared, read-only), with a spinner in the session's language."""
    with st.spinner(_("Loading the store...")):  # shown only when the layers are read (more than half a second)
        return _load_frames(url, version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_frames(url: str, version: int) -> StoreFrames:
    """Read every layer of store ``url`` at ``version`` once (shared, read-only)."""
    store = store_at(url)
    info = store.info()
    return StoreFrames(
        info=info,
        sites=store.read_layer(schema.SITES),
        status=store.read_status(),
        parcels=Loader(lambda: store.read_layer(schema.PARCELS), size=info.counts.get(schema.PARCELS)),
        incidents=Loader(lambda: store.read_layer(schema.INCIDENTS)),
        districts=store.read_layer(schema.DISTRICTS),
    )


load_frames.clear = _load_frames.clear  # type: ignore[attr-defined]  # tests empty the cache by this name
