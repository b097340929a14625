"""Shared page furniture: the synthetic-data banner and the store summary in the sidebar."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.access.roles import Actor
from geo.config import SYNTHETIC_SOURCE
from geo.records import StoreInfo
from ui.text import md_line


def synthetic_banner(info: StoreInfo) -> None:
    """Warn on every page when the store holds the synthetic sample."""
    if info.is_synthetic:
        st.warning(f"**{SYNTHETIC_SOURCE}.** Every site, parcel and incident shown here is invented "
                   "for demonstration; none describes a real place or event.", icon="⚠️")


def store_sidebar(info: StoreInfo, *, actor: Actor) -> None:
    """Show who is working and what the store holds in the sidebar (store details for staff only)."""
    from ui import auth, state

    with st.sidebar:
        if auth.auth_mode() == "demo" and actor.role != "public":
            st.text_input("Your name (recorded with every edit)", key=state.USER_NAME)
        if actor.role == "public":
            return
        st.caption(f"Store: {md_line(info.url)} ({md_line(info.backend)}), data version {info.data_version}")
        held = {k: v for k, v in info.counts.items() if v}
        st.caption(" · ".join(f"{md_line(k)} {v:,}" for k, v in held.items()) or "The store is empty.")


def as_of_picker(incidents: pd.DataFrame, *, actor: Actor) -> None:
    """Show the session's one as-of date in the sidebar, and say when the store's data end earlier or later."""
    from geo.analysis.asof import data_end, data_end_note
    from ui import state

    if actor.role == "public":  # the public view shows published months only
        return
    with st.sidebar:
        st.date_input("As of (Los Angeles date)", key=state.AS_OF, format="YYYY-MM-DD",
                      help="Every 'this month', 'last N days' and days-overdue count ends on this date; "
                           "incidents after it are not counted. Today by default.")
        note = data_end_note(data_end(incidents), state.as_of())
        if note:
            st.caption(md_line(note))
