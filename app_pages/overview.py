"""Overview: what the store holds, on one map with a legend."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.config import store_url
from layers.overview import store_overview_map
from ui import state
from ui.data import load_frames, store_version

frames = load_frames(*store_version(st.session_state[state.STORE_URL] or store_url()))

st.title("StageMap: City property and Executive Directive 17")
st.caption("City-owned or controlled property that could serve as a staging area, processing location "
           "or operations base for immigration enforcement, with sign status and reported incidents.")
cols = st.columns(4)
cols[0].metric("City sites", f"{len(frames.sites):,}")
cols[1].metric("Signs posted", f"{int((frames.status['sign_status'] == 'posted').sum()):,}")
cols[2].metric("Parcels", f"{len(frames.parcels):,}")
cols[3].metric("Incidents", f"{len(frames.incidents):,}")

fmap = store_overview_map(
    sites=frames.sites, status=frames.status, parcels=frames.parcels, incidents=frames.incidents,
    districts=frames.districts, synthetic=bool(frames.info.is_synthetic),
)
st_folium(fmap, key="overview_map", returned_objects=[], use_container_width=True, height=600)
