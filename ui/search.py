"""The search box above every map: find a place, fly the map there and open its panel."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.access.roles import Actor, can
from geo.analysis.search import ADDRESS, build_index, find
from ui import state
from ui.data import current_store, load_frames
from ui.scope import role_frames

LABEL = "Find a place"
PLACEHOLDER = "Address, AIN/APN, site id or site name"


def search_key(page: str) -> str:
    """Return the widget key of ``page``'s search box (``<page>_search``)."""
    return f"{page}_search"


def map_search(page: str, actor: Actor) -> dict[str, object] | None:
    """Draw the search box for ``page``; return the chosen place (a :func:`geo.analysis.search.find` row).

    A site or parcel found becomes the selected one (its panel opens) once per new result, so a
    later click on the map still wins. A query that finds nothing says why and how to widen it.
    """
    key = search_key(page)
    query = st.text_input(LABEL, key=key, placeholder=PLACEHOLDER,
                          help="Parcel situs addresses, AIN or APN (with or without dashes), site id or site name. "
                               "Searches only what your role may see.")
    if not query.strip():
        return None
    url, version = current_store()
    hits = find(_index(url, version, actor.role, actor.department, can(actor, "view_parcels"), actor), query)
    if hits.empty:
        st.caption(f"Nothing matches '{query.strip()[:80]}'. Check the spelling, try fewer words (a street name "
                   "without its number), or an AIN of 10 digits; sites outside your department or role are not "
                   "searched.")
        return None
    labels = hits["label"].tolist()
    pick = st.selectbox(f"{len(hits)} match{'es' if len(hits) > 1 else ''}", range(len(hits)),
                        format_func=lambda i: labels[i], key=f"{key}_pick") if len(hits) > 1 else 0
    place: dict[str, object] = hits.iloc[int(pick or 0)].to_dict()
    found = (page, query, place["ref"])
    if place["kind"] != ADDRESS and st.session_state.get(state.SEARCH_APPLIED) != found:
        st.session_state[state.SEARCH_APPLIED] = found
        st.session_state[state.SELECTED_SITE] = str(place["ref"])  # opens the site's (or parcel's) panel
    return place


@st.cache_resource(show_spinner="Indexing addresses...", max_entries=8)
def _index(url: str, version: int, role: str, department: str | None, parcel_ids: bool,
           _actor: Actor) -> pd.DataFrame:
    """Return the search index of what ``role`` (of ``department``) may see, built once per store version."""
    parcels = load_frames(url, version).parcels  # parcel numbers only for roles that may see them
    return build_index(role_frames(_actor).sites, parcels, parcel_ids=parcel_ids)


def map_key(base: str, *view: object) -> str:
    """Return a map's widget key that changes with the view it must open on (district, search result).

    streamlit-folium keeps a map's pan and zoom across reruns of the same key, so a map that must
    fly somewhere new (another district, a new search result) is drawn under a new key.
    """
    parts = [str(v.get("kind", "")) + ":" + str(v.get("ref", "")) if isinstance(v, dict) else str(v) for v in view]
    return "_".join([base, *[p.replace(" ", "-") for p in parts if p and p != "None"]])
