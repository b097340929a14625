"""Session-state keys, owned here as constants, with defaults set once."""
from __future__ import annotations

import copy
import datetime as dt

import streamlit as st

from geo.analysis.timefmt import today_local

STORE_URL = "store_url"
AS_OF = "as_of"  # the one as-of date of the session: every relative window counts from it (sidebar)
SELECTED_SITE = "selected_site"
SELECTED_INCIDENT = "selected_incident"
DISTRICT = "district"  # the session's one council district (sidebar); 0: all districts
DISTRICT_FOR = "district_for"  # the actor the district was last seeded for
SEARCH_APPLIED = "search_applied"  # (page, query, ref) of the search result last opened
MAP_CLICKS = "map_clicks"  # map key -> the marks of the last click a map gave (a click is used once)
# incident map page
INC_PERIOD = "inc_period"
INC_LAST_DAYS = "inc_last_days"
INC_RANGE = "inc_range"
INC_TYPES = "inc_types"
INC_VERIFICATION = "inc_verification"
INC_MODE = "inc_mode"
INC_SHOW_CONTACT = "inc_show_contact"
INC_CONTEXT = "inc_context"  # also draw general crime (context) in its own layer
USER_NAME = "user_name"
# liaison page
LIA_DEPT = "lia_dept"
LIA_COLOR = "lia_color"
LIA_LAST_CLICK = "lia_last_click"
LIA_PENDING = "lia_pending"
LIA_REAPPLY = "lia_reapply"
LIA_SEEN = "lia_seen"  # site id -> the status row the user is looking at
LIA_CONFLICT = "lia_conflict"  # a stale save waiting for the user to choose, field by field
LIA_SAVED = "lia_saved"  # the lasting confirmation of the last save
LIA_GEO = "lia_geo"  # the browser location the user shared
LIA_NEAR_TEXT = "lia_near_text"  # a typed "lat, lon"
LIA_NEAR_APPLIED = "lia_near_applied"  # the point whose nearest site was last picked
LIA_LANGUAGE = "lia_language"  # the sign language choice, kept for the session
LIA_CAMERA = "lia_camera"  # take the photo with the camera (instead of choosing a file)
# site list (A.1) page
SIT_DEPT = "sit_dept"
SIT_SITE = "sit_site"
SIT_PART = "sit_part"
SIT_COLOR = "sit_color"
SIT_SAVED = "sit_saved"  # the lasting confirmation of the last save on the page
SIT_DRAWING = "sit_drawing"  # {"site": id, "geojson": text}: the last part outline drawn on the site map
SIT_DRAWING_USED = "sit_drawing_used"  # the drawing last saved as a part, so the map's echo of it is ignored
# parcel review page
REV_CATEGORIES = "rev_categories"
REV_TIERS = "rev_tiers"
REV_USE_CODE = "rev_use_code"
REV_OWNERS = "rev_owners"
REV_VIEW = "rev_view"
REV_LAST_CLICK = "rev_last_click"
REV_TABLE = "rev_table"
REV_EXPORT = "rev_export"
REV_LINKED = "rev_linked"  # the last ?site= opened from a link
# gap page
GAP_HIGH_ONLY = "gap_high_only"
# report page
REP_LAT = "rep_lat"
REP_LON = "rep_lon"
REP_CENTER = "rep_center"  # the last typed point: the report map pans there (a drag does not move the view)
REP_LAST_CLICK = "rep_last_click"
REP_RELEVANCE = "rep_relevance"
REP_CONDUCT = "rep_conduct"
# nexus page
NEX_COSTS = "nex_costs"  # st.data_editor's own edits; never set here
NEX_RECOVERY = "nex_recovery"
NEX_ADJACENT = "nex_adjacent"
NEX_FREEZE = "nex_freeze"
NEX_EXPORT = "nex_export"
NEX_HASH = "nex_hash"
# data page
DATA_KIND = "data_kind"
DATA_FILE = "data_file"
DATA_CRS = "data_crs"
DATA_DEPT = "data_dept"
DATA_USER = "data_user"
DATA_MAP_PREFIX = "data_map_"  # + kind + canonical name: one selectbox per key column (Data page mapping)
DATA_MAP_TEXT = "data_map_text"  # further canonical=column pairs, separated by ';'
DATA_VINTAGE = "data_vintage"  # boundary kinds: plan year or effective date (the CLI's --vintage)
DATA_MAKE_CURRENT = "data_make_current"  # boundary kinds: the CLI's --make-current

_DEFAULTS: dict[str, object] = {
    STORE_URL: None, SELECTED_SITE: None, SELECTED_INCIDENT: None, MAP_CLICKS: {},
    INC_PERIOD: "All", INC_LAST_DAYS: 30, INC_TYPES: [], INC_VERIFICATION: [],
    INC_MODE: "clusters", USER_NAME: "", LIA_COLOR: "sign", LIA_LAST_CLICK: None, LIA_PENDING: None, LIA_SEEN: {}, LIA_CONFLICT: None, LIA_SAVED: None, LIA_NEAR_TEXT: "", LIA_LANGUAGE: "en+es", LIA_CAMERA: False, REV_CATEGORIES: [], REV_TIERS: [], REV_USE_CODE: "", REV_OWNERS: [],
    GAP_HIGH_ONLY: False, REP_LAT: 34.0537, REP_LON: -118.2427, REP_CENTER: None, REP_LAST_CLICK: None, REV_VIEW: None, REV_LAST_CLICK: None, REV_LINKED: None, DATA_CRS: "", DATA_DEPT: "", DATA_USER: "", DATA_MAP_TEXT: "", DATA_VINTAGE: "", DATA_MAKE_CURRENT: False,
    NEX_RECOVERY: 1.0, NEX_ADJACENT: False, NEX_HASH: None,
    INC_CONTEXT: False, REP_RELEVANCE: "enforcement", REP_CONDUCT: [],
    SIT_SITE: None, SIT_COLOR: "determination", SIT_SAVED: None, SIT_DRAWING: None, SIT_DRAWING_USED: None,
}


def init_state() -> None:
    """Set every key's default once per session."""
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)  # never share a mutable default between users
    if AS_OF not in st.session_state:
        st.session_state[AS_OF] = today_local()  # today in Los Angeles, once per session


def as_of() -> dt.date:
    """Return the session's as-of date (the sidebar's; today in Los Angeles until someone changes it)."""
    value = st.session_state.get(AS_OF)
    return value if isinstance(value, dt.date) else today_local()
