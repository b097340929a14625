"""The search box above every map: find a place, fly the map there and open its panel."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.access.roles import Actor, can
from geo.analysis.intersections import INTERSECTION, find_intersections, split_query
from geo.analysis.nearby import DISTANCE_FT, nearest
from geo.analysis.search import ADDRESS, build_index, find
from geo.i18n import N_
from ui import state
from ui.data import current_store, load_frames, store_at
from ui.i18n import _
from ui.scope import role_frames

LABEL = N_("Find a place")
PLACEHOLDER = N_("Address, AIN/APN, site id or site name")
NEAR_SITE_FT = 300  # an intersection found opens the panel of a City site this close to it


def search_key(page: str) -> str:
    """Return the widget key of ``page``'s search box (``<page>_search``)."""
    return f"{page}_search"


def map_search(page: str, actor: Actor) -> dict[str, object] | None:
    """Draw the search box for ``page``; return the chosen place (a :func:`geo.analysis.search.find` row).

    A site or parcel found becomes the selected one (its panel opens) once per new result, so a
    later click on the map still wins. A query that finds nothing says why and how to widen it.
    """
    key = search_key(page)
    query = st.text_input(_(LABEL), key=key, placeholder=_(PLACEHOLDER),
                          help=_("Parcel situs addresses, AIN or APN (with or without dashes), site id or site "
                                 "name, or an intersection (Main St & 1st St) where a street layer is loaded. "
                                 "Searches only what your role may see."))
    if not query.strip():
        return None
    url, version = current_store()
    with st.spinner(_("Indexing addresses...")):  # shown only when the index is built (more than half a second)
        index = _index(url, version, actor.role, actor.department, can(actor, "view_parcels"), actor)
    hits = find(index, query)
    if split_query(query) is not None:  # "Main St & 1st St": where the two centrelines cross, first
        crossings = find_intersections(_streets(url, version), query)
        hits = pd.concat([crossings, hits], ignore_index=True) if len(crossings) else hits
    if hits.empty:
        st.caption(_("Nothing matches '{query}'. Check the spelling, try fewer words (a street name without its "
                     "number), or an AIN of 10 digits; sites outside your department or role are not searched.").format(
            query=query.strip()[:80]))
        return None
    labels = hits["label"].tolist()
    pick = st.selectbox(_("{n} matches").format(n=len(hits)), range(len(hits)),
                        format_func=lambda i: labels[i], key=f"{key}_pick") if len(hits) > 1 else 0
    place: dict[str, object] = hits.iloc[int(pick or 0)].to_dict()
    found = (page, query, place["ref"])
    if place["kind"] != ADDRESS and st.session_state.get(state.SEARCH_APPLIED) != found:
        st.session_state[state.SEARCH_APPLIED] = found
        opened = _site_near(actor, place) if place["kind"] == INTERSECTION else str(place["ref"])
        if opened is not None:
            st.session_state[state.SELECTED_SITE] = opened  # opens the site's (or parcel's) panel
    return place


def _site_near(actor: Actor, place: dict[str, object]) -> str | None:
    """Return the id of the City site (that ``actor`` may see) nearest an intersection, if within reach."""
    near = nearest(role_frames(actor).sites, float(str(place["lat"])), float(str(place["lon"])), limit=1)
    if not len(near) or float(near[DISTANCE_FT].iloc[0]) > NEAR_SITE_FT:
        return None  # the ring on the map marks the crossing; no panel to open
    return str(near[schema.SITE_ID].iloc[0])


@st.cache_resource(show_spinner=False, max_entries=4)
def _streets(url: str, version: int) -> gpd.GeoDataFrame:
    """Return the store's street centrelines (name and line only), read once per store version."""
    return store_at(url).read_layer(schema.STREETS, columns=[schema.STREET_NAME])


@st.cache_resource(show_spinner=False, max_entries=8)
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
