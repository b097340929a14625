"""The session's one council-district selector: seeded from a council office's own district, named once."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import Actor
from geo.i18n import N_
from ui import state
from ui.i18n import _

ALL_LABEL = N_("All districts")
PICKER_LABEL = N_("Council district")
SHOW_ALL = "district_show_all"
SCOPED_ROLES = ("planner", "admin", "council_office", "records")  # liaisons are scoped by department
ALL = 0  # the selector's "All districts" (None would show as an empty box)


def district_label(district: int | None) -> str:
    """Return how a district choice reads in the selector."""
    return _(ALL_LABEL) if not district else _("District {n}").format(n=district)


def district_picker(districts: list[int], actor: Actor) -> None:
    """Draw the one district selector in the sidebar; a council office starts on its own district.

    The choice is seeded again whenever the signed-in actor changes (a council office of another
    district, another role), and is kept in the session (and the URL, see :mod:`ui.url`) otherwise.
    """
    if actor.role not in SCOPED_ROLES:
        st.session_state[state.DISTRICT] = ALL
        return
    who = (actor.name, actor.role, actor.district)
    if st.session_state.get(state.DISTRICT_FOR) != who:
        first = state.DISTRICT_FOR not in st.session_state  # a shared URL seeds a new session only
        st.session_state[state.DISTRICT_FOR] = who
        seeded = _from_url(districts) if first else None
        st.session_state[state.DISTRICT] = seeded if seeded is not None else (
            actor.district if actor.district in districts else ALL)
    if st.session_state.get(state.DISTRICT) not in (ALL, *districts):
        st.session_state[state.DISTRICT] = ALL
    with st.sidebar:
        st.selectbox(_(PICKER_LABEL), [ALL, *districts], format_func=district_label, key=state.DISTRICT,
                     help=_("Every map, table and count is cut to this district; pick 'All districts' for the City."))
        if st.session_state.get(state.DISTRICT):
            st.button(_("Show all districts"), key=SHOW_ALL, on_click=_show_all)
    _to_url()


def chosen_district() -> int | None:
    """Return the session's district, ``None`` for all districts."""
    value = st.session_state.get(state.DISTRICT)
    return int(value) if isinstance(value, int) and value != ALL else None


def _show_all() -> None:
    st.session_state[state.DISTRICT] = ALL


def _from_url(districts: list[int]) -> int | None:
    raw = st.query_params.get("district", "")
    return int(raw) if raw.isdigit() and int(raw) in districts else None


def _to_url() -> None:
    value = chosen_district()
    if value is None:
        st.query_params.pop("district", None)
    elif st.query_params.get("district") != str(value):
        st.query_params["district"] = str(value)
