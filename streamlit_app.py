"""StageMap router: page config, sign-in, shared sidebar and banner, role-aware navigation."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import schema
from geo.access.roles import landing_page, visible_pages
from geo.errors import GeoDataError
from geo.labels import PAGE_WORDS
from ui import auth, chrome, not_found, state
from ui.data import current_store, load_frames
from ui.district import district_picker
from ui.i18n import _, error_text
from ui.links import site_link_page
from ui.text import md_escape

HERE = Path(__file__).resolve().parent
PAGES = {  # name -> (script, title, icon); every page also checks the role itself (ui.auth.page_actor)
    # titles: English msgids of geo.labels.PAGE_WORDS, shown through _ in the session's language; tests find pages by script
    "overview": ("app_pages/overview.py", PAGE_WORDS["overview"], "🗺️"),
    "review": ("app_pages/review.py", PAGE_WORDS["review"], "🔎"),
    "liaison": ("app_pages/liaison.py", PAGE_WORDS["liaison"], "🪧"),
    "sites": ("app_pages/sites.py", PAGE_WORDS["sites"], "📋"),
    "incidents": ("app_pages/incidents.py", PAGE_WORDS["incidents"], "📍"),
    "report": ("app_pages/report.py", PAGE_WORDS["report"], "📝"),
    "gaps": ("app_pages/gaps.py", PAGE_WORDS["gaps"], "🚧"),
    "nexus": ("app_pages/nexus.py", PAGE_WORDS["nexus"], "⚖️"),
    "data": ("app_pages/data.py", PAGE_WORDS["data"], "📥"),
    "public": ("app_pages/public.py", PAGE_WORDS["public"], "🏛️"),
    "inbox": ("app_pages/inbox.py", PAGE_WORDS["inbox"], "📬"),
    "events": ("app_pages/events.py", PAGE_WORDS["events"], "🔗"),
    "commission": ("app_pages/commission.py", PAGE_WORDS["commission"], "👮"),
    "registers": ("app_pages/registers.py", PAGE_WORDS["registers"], "🗂️"),
}

st.set_page_config(page_title=_("StageMap - ED 17"), page_icon="🗺️", layout="wide")
state.init_state()

try:
    url, version = current_store()
except GeoDataError as exc:
    st.error(md_escape(error_text(exc)))
    st.stop()
frames = load_frames(url, version)
actor = auth.current_actor(departments=sorted(frames.sites[schema.OWNING_DEPT].dropna().unique()),
                           districts=sorted(frames.districts[schema.DISTRICT].astype(int)),
                           synthetic=frames.info.is_synthetic is not False)  # empty or synthetic
chrome.store_sidebar(frames.info, actor=actor)
if actor.role != "public":  # the public view has no as-of date (and so never reads the incidents for it)
    chrome.as_of_picker(frames.incidents, actor=actor)  # the one as-of date of the session
district_picker(sorted(frames.districts[schema.DISTRICT].astype(int)), actor)  # the one district of the session
chrome.synthetic_banner(frames.info)

names = [p for p in visible_pages(actor) if p in PAGES and (HERE / PAGES[p][0]).exists()]
landing = landing_page(actor)  # the page that answers the role's first question (roles.LANDING)
first = site_link_page(names, actor) or (landing if landing in names else (names[0] if names else None))  # a sign packet's ?site= link lands here
pages = [st.Page(PAGES[p][0], title=_(PAGES[p][1]), icon=PAGES[p][2], default=p == first) for p in names]
missing = not_found.stand_in(pages)  # an unknown address: our own page in the session's language, not Streamlit's dialog
page = st.navigation(pages + ([missing] if missing is not None else []))
page.run()
