"""StageMap router: page config, shared sidebar and banner, navigation."""
from __future__ import annotations

import streamlit as st

from geo.config import store_url
from geo.errors import GeoDataError
from ui import chrome, state
from ui.data import load_frames, store_version

st.set_page_config(page_title="StageMap - ED 17", page_icon="🗺️", layout="wide")
state.init_state()

try:
    url, version = store_version(st.session_state[state.STORE_URL] or store_url())
except GeoDataError as exc:
    st.error(str(exc))
    st.stop()
frames = load_frames(url, version)
chrome.store_sidebar(frames.info)
chrome.synthetic_banner(frames.info)

page = st.navigation([
    st.Page("app_pages/overview.py", title="Overview", icon="🗺️", default=True),
    st.Page("app_pages/review.py", title="Parcel review", icon="🔎"),
    st.Page("app_pages/liaison.py", title="Liaison", icon="🪧"),
    st.Page("app_pages/incidents.py", title="Incident map", icon="📍"),
    st.Page("app_pages/gaps.py", title="Gap analysis", icon="🚧"),
    st.Page("app_pages/data.py", title="Data", icon="📥"),
])
page.run()
