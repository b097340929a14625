"""Events and effects: reports merged into events (records), and did protection work? (before/after, internal)."""
from __future__ import annotations

import streamlit as st

from ui import auth, state
from ui.data import session_store
from ui.events_panel import effects_panel, merge_panel
from ui.i18n import _

actor = auth.page_actor("events")
store = session_store()
st.title(_("Events and effects"))
merged, effect = st.tabs([_("One event, many reports"), _("Before and after")])
with merged:
    merge_panel(store, actor)
with effect:
    effects_panel(store, actor, as_of=state.as_of())
