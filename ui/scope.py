"""The session's frames already cut to what the signed-in role may see (see geo.access.scope)."""
from __future__ import annotations

import dataclasses

import streamlit as st

from geo.access.roles import Actor, can
from geo.access.scope import ALL, scope_incidents, scope_parcels, scope_sites, scope_status, site_scope
from ui.analysis import current_analysis
from ui.data import Loader, StoreFrames, current_store, load_frames


def protected_site_ids(url: str, version: int) -> frozenset[str]:
    """Return the ids of sites that are fully protected (signed, and gated where a barrier applies)."""
    sites = current_analysis(url, version).sites
    return frozenset(sites.loc[sites["protection"] == "protected", "site_id"].astype(str))


def role_frames(actor: Actor) -> StoreFrames:
    """Return the store's frames cut for ``actor``: the only frames a page may build maps and tables from."""
    url, version = current_store()
    frames = load_frames(url, version)
    protected = frozenset() if site_scope(actor) == ALL or not len(frames.sites) else protected_site_ids(url, version)
    return _cut(url, version, actor.role, actor.department, protected)


@st.cache_resource(show_spinner=False, max_entries=32)
def _cut(url: str, version: int, role: str, department: str | None, protected: frozenset[str]) -> StoreFrames:
    frames = load_frames(url, version)
    actor = Actor("scope", role, department)
    sites = scope_sites(frames.sites, actor, protected_ids=protected)
    parcels = Loader(lambda: scope_parcels(frames.parcels, actor),  # read only when a page draws parcels
                      size=frames.parcel_count if can(actor, "view_parcels") else 0)
    return dataclasses.replace(frames, sites=sites, status=scope_status(frames.status, sites), parcels=parcels,
                               incidents=Loader(lambda: scope_incidents(frames.incidents, actor)))
