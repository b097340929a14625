"""Shared links: a sign packet's ``/?site=ID`` opens the page that shows that site to the signed-in role."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import Actor
from ui import state

SITE_PAGES = ("review", "liaison")  # pages with a site panel, in order of preference
LINK_SEEN = "link_site_seen"  # the ?site= already acted on in this session
LINK_PAGE = "link_page"  # the page it opened: stays the front page of the session (the URL stays "/")


def site_link_page(pages: list[str], actor: Actor) -> str | None:
    """Return the page a ``?site=`` link should open for ``actor`` (``None``: no link).

    Planning opens Parcel review, a liaison the Liaison page (their department's site selected);
    any other staff role opens the Overview map with the site searched, so it flies there. The
    link selects its site once per session, so a later choice is not pulled back.
    """
    site = st.query_params.get("site", "")
    if not site or actor.role == "public":
        return None
    if st.session_state.get(LINK_SEEN) == (actor.role, site):
        page = st.session_state.get(LINK_PAGE)
        return page if page in pages else None
    st.session_state[LINK_SEEN] = (actor.role, site)
    st.session_state[state.SELECTED_SITE] = site
    target = next((p for p in SITE_PAGES if p in pages), None)
    if target is None and "overview" in pages:
        st.session_state["overview_search"] = site  # the Overview's search box: the map flies to the site
        target = "overview"
    st.session_state[LINK_PAGE] = target
    return target
