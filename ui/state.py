"""Session-state keys, owned here as constants, with defaults set once."""
from __future__ import annotations

import streamlit as st

STORE_URL = "store_url"
SELECTED_SITE = "selected_site"
SELECTED_INCIDENT = "selected_incident"
# incident map page
INC_DISTRICTS = "inc_districts"
INC_PERIOD = "inc_period"
INC_LAST_DAYS = "inc_last_days"
INC_RANGE = "inc_range"
INC_TYPES = "inc_types"
INC_VERIFICATION = "inc_verification"
INC_MODE = "inc_mode"
# data page
DATA_KIND = "data_kind"
DATA_FILE = "data_file"
DATA_CRS = "data_crs"
DATA_DEPT = "data_dept"
DATA_USER = "data_user"

_DEFAULTS: dict[str, object] = {
    STORE_URL: None, SELECTED_SITE: None, SELECTED_INCIDENT: None,
    INC_DISTRICTS: [], INC_PERIOD: "All", INC_LAST_DAYS: 30, INC_TYPES: [], INC_VERIFICATION: [],
    INC_MODE: "clusters", DATA_CRS: "", DATA_DEPT: "", DATA_USER: "",
}


def init_state() -> None:
    """Set every key's default once per session."""
    for key, value in _DEFAULTS.items():
        st.session_state.setdefault(key, value)
