"""Shared page furniture: the synthetic-data banner and the store summary in the sidebar."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.access.roles import Actor
from geo.i18n import N_
from geo.labels import column_header
from geo.records import StoreInfo
from ui.i18n import _, lang
from ui.text import md_line

#: :data:`geo.config.SYNTHETIC_SOURCE`, marked here for translation (the ground imports no translations).
SYNTHETIC_SOURCE = N_("SYNTHETIC DEMO DATA - not City records")


def synthetic_banner(info: StoreInfo) -> None:
    """Warn on every page when the store holds the synthetic sample."""
    if info.is_synthetic:
        st.warning(_("**{source}.** Every site, parcel and incident shown here is invented for demonstration; "
                     "none describes a real place or event.").format(source=_(SYNTHETIC_SOURCE)), icon="⚠️")


def store_sidebar(info: StoreInfo, *, actor: Actor) -> None:
    """Show the language picker, who is working and what the store holds (store details for staff only)."""
    from ui import auth, state
    from ui.language import language_picker

    language_picker(actor)
    with st.sidebar:
        if auth.auth_mode() == "demo" and actor.role != "public":
            st.text_input(_("Your name (recorded with every edit)"), key=state.USER_NAME)
        if actor.role == "public":
            return
        st.caption(_("Store: {url} ({backend}), data version {version}").format(
            url=md_line(info.url), backend=md_line(info.backend), version=info.data_version))
        held = {k: v for k, v in info.counts.items() if v}
        st.caption(" · ".join(f"{md_line(column_header(k, lang()))} {v:,}" for k, v in held.items())
                   or _("The store is empty."))


def as_of_picker(incidents: pd.DataFrame, *, actor: Actor) -> None:
    """Show the session's one as-of date in the sidebar, and say when the store's data end earlier or later."""
    from geo.analysis.asof import data_end, data_end_note
    from ui import state

    if actor.role == "public":  # the public view shows published months only
        return
    with st.sidebar:
        st.date_input(_("As of (Los Angeles date)"), key=state.AS_OF, format="YYYY-MM-DD",
                      help=_("Every 'this month', 'last N days' and days-overdue count ends on this date; "
                             "incidents after it are not counted. Today by default."))
        note = data_end_note(data_end(incidents), state.as_of(), lang())
        if note:
            st.caption(md_line(note))
