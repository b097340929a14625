"""Session-state keys, owned here as constants, with defaults set once."""
from __future__ import annotations

import streamlit as st

STORE_URL = "store_url"

_DEFAULTS: dict[str, object] = {STORE_URL: None}


def init_state() -> None:
    """Set every key's default once per session."""
    for key, value in _DEFAULTS.items():
        st.session_state.setdefault(key, value)
