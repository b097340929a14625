"""Shared page furniture: the synthetic-data banner and the store summary in the sidebar."""
from __future__ import annotations

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
