"""Clicking a district on a map filters: the click sets the session's one district (the sidebar selector).

Pages give :func:`district_on_click` to ``st_folium(on_change=...)`` with ``returned_objects``
:data:`DISTRICT_CLICK_OBJECTS`: the callback runs before the next script run, so the sidebar's selector
(drawn before the page) already shows the clicked district. "All districts" stays one click away (the
sidebar's button, or the selector).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import geopandas as gpd
import streamlit as st

from geo.analysis.district_click import Features, district_clicked
from ui import state

#: What a map must return for a district click to be read (the click, the object under it, its tooltip).
DISTRICT_CLICK_OBJECTS = ["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"]


def apply_district_click(key: str, event: Mapping[str, object] | None, districts: gpd.GeoDataFrame,
                         features: Features = ()) -> int | None:
    """Set the session's district from a new click of map ``key`` inside a district, off every feature.

    Returns the district chosen (``None`` when the click chose none); each click is used once.
    """
    clicks = st.session_state.setdefault(state.MAP_CLICKS, {})
    number, marks = district_clicked(event, clicks.get(key), districts, features)
    clicks[key] = marks
    if number is not None and st.session_state.get(state.DISTRICT) != number:
        st.session_state[state.DISTRICT] = number
    return number


def district_on_click(key: str, districts: gpd.GeoDataFrame, features: Features = ()) -> Callable[[], None]:
    """Return the ``on_change`` callback of the map keyed ``key`` that sets the district a click chose."""

    def on_change() -> None:
        event = st.session_state.get(key)
        apply_district_click(key, event if isinstance(event, Mapping) else None, districts, features)

    return on_change
