"""StageMap router: page config, sign-in, shared sidebar and banner, role-aware navigation."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import schema
from geo.access.roles import visible_pages
from geo.errors import GeoDataError
from ui import auth, chrome, state
from ui.data import current_store, load_frames
from ui.district import district_picker
from ui.links import site_link_page
from ui.text import md_escape

HERE = Path(__file__).resolve().parent
PAGES = {  # name -> (script, title, icon); every page also checks the role itself (ui.auth.page_actor)
    "overview": ("app_pages/overview.py", "Overview", "🗺️"),
    "review": ("app_pages/review.py", "Parcel review", "🔎"),
    "liaison": ("app_pages/liaison.py", "Liaison", "🪧"),
    "sites": ("app_pages/sites.py", "Site list (A.1)", "📋"),
    "incidents": ("app_pages/incidents.py", "Incident map", "📍"),
    "report": ("app_pages/report.py", "Report an incident", "📝"),
    "gaps": ("app_pages/gaps.py", "Gap analysis", "🚧"),
    "nexus": ("app_pages/nexus.py", "Nexus study", "⚖️"),
    "data": ("app_pages/data.py", "Data", "📥"),
    "public": ("app_pages/public.py", "Public view", "🏛️"),
    "inbox": ("app_pages/inbox.py", "Inbox", "📬"),
    "events": ("app_pages/events.py", "Events and effects", "🔗"),
    "commission": ("app_pages/commission.py", "Commission (Section B)", "👮"),
    "registers": ("app_pages/registers.py", "Registers", "🗂️"),
}

st.set_page_config(page_title="StageMap - ED 17", page_icon="🗺️", layout="wide")
state.init_state()

try:
    url, version = current_store()
except GeoDataError as exc:
    st.error(md_escape(exc))
    st.stop()
frames = load_frames(url, version)
actor = auth.current_actor(departments=sorted(frames.sites[schema.OWNING_DEPT].dropna().unique()),
                           districts=sorted(frames.districts[schema.DISTRICT].astype(int)),
                           synthetic=frames.info.is_synthetic is not False)  # empty or synthetic
chrome.store_sidebar(frames.info, actor=actor)
chrome.as_of_picker(frames.incidents, actor=actor)  # the one as-of date of the session
district_picker(sorted(frames.districts[schema.DISTRICT].astype(int)), actor)  # the one district of the session
chrome.synthetic_banner(frames.info)

names = [p for p in visible_pages(actor) if p in PAGES and (HERE / PAGES[p][0]).exists()]
first = site_link_page(names, actor) or (names[0] if names else None)  # a sign packet's ?site= link lands here
page = st.navigation([st.Page(PAGES[p][0], title=PAGES[p][1], icon=PAGES[p][2], default=p == first)
                      for p in names])
page.run()
