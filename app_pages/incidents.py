"""Incident map (council offices): filter by district, dates, type and verification; three views."""
from __future__ import annotations

import dataclasses
import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.incident_filters import IncidentFilter, counts_by_district, filter_incidents
from geo.analysis.relevance import context_incidents, enforcement_incidents
from geo.analysis.selection import feature_at
from geo.analysis.timefmt import local_text
from geo.errors import GeoDataError
from geo.services.intake import reporter_contacts
from layers.incidents import incident_map
from ui import auth, state
from ui.data import current_store, load_frames, store_at
from ui.text import md_escape, md_line

actor = auth.page_actor("incidents")

url, version = current_store()
frames = load_frames(url, version)
st.title("Incident map")
as_of = state.as_of()  # the session's one as-of date (sidebar): every window ends on it
districts = frames.districts
incidents = enforcement_incidents(frames.incidents)  # counted and drawn; general crime only when asked
context = context_incidents(frames.incidents)

with st.sidebar:
    st.subheader("Filters")
    chosen = st.multiselect("Council district", sorted(districts[schema.DISTRICT].astype(int)), key=state.INC_DISTRICTS)
    period = st.radio("Period", ["Last N days", "Date range", "All"], horizontal=True, key=state.INC_PERIOD)
    last_days = start = end = None
    if period == "Last N days":
        last_days = st.number_input("N", min_value=1, max_value=3650, step=1, key=state.INC_LAST_DAYS)
        st.caption(f"Counted back from {as_of:%Y-%m-%d}, the as-of date.")
    elif period == "Date range":
        st.session_state.setdefault(state.INC_RANGE, (as_of - dt.timedelta(days=89), as_of))
        picked_range = st.date_input("From / to", key=state.INC_RANGE)
        if isinstance(picked_range, tuple | list) and len(picked_range) == 2:
            start, end = picked_range
    types = st.multiselect("Type", schema.INCIDENT_TYPES, key=state.INC_TYPES)
    verification = st.multiselect("Verification", schema.VERIFICATION_STATUSES, key=state.INC_VERIFICATION)
    show_context = st.checkbox(f"Also show general crime as context ({len(context):,})", key=state.INC_CONTEXT,
                               help="General crime (e.g. an LAPD Crime Data file) is context, not evidence of "
                                    "enforcement: drawn in its own grey layer and never counted.")

mode = st.segmented_control("View", ["clusters", "heat", "choropleth"], key=state.INC_MODE) or "clusters"
try:
    flt = IncidentFilter(districts=tuple(chosen), start=start, end=end, last_days=last_days, as_of=as_of,
                         types=tuple(types), verification=tuple(verification))
    shown = filter_incidents(incidents, flt)
    shown_context = filter_incidents(context, dataclasses.replace(flt, types=())) if show_context else context.iloc[:0]
except GeoDataError as exc:
    st.error(md_escape(exc))
    st.stop()

counts = counts_by_district(shown, districts)
st.metric("Incidents shown", f"{len(shown):,}", help="enforcement activity and suspected unlawful conduct; general "
          "crime is context and never counted")
fmap = incident_map(shown, districts, counts, mode=mode, synthetic=bool(frames.info.is_synthetic),
                    context=shown_context if show_context else None)
event = st_folium(fmap, key=f"incident_map_{mode}", returned_objects=["last_object_clicked"],
                  use_container_width=True, height=560)
picked = feature_at(event, shown, id_column=schema.INCIDENT_ID, tolerance_ft=60) if mode != "choropleth" else None
if picked:
    st.session_state[state.SELECTED_INCIDENT] = picked
sel = st.session_state.get(state.SELECTED_INCIDENT)
if sel and sel in set(shown[schema.INCIDENT_ID]):
    row = shown.set_index(schema.INCIDENT_ID).loc[sel]
    st.subheader(f"Incident {md_line(sel)}")
    st.dataframe(
        {"field": ["occurred (Los Angeles)", "relevance", "type", "observed conduct", "verification", "source",
                   "district", "LAPD area", "location", "warrant shown", "description"],
         "value": [str(v) for v in (
                   local_text(row[schema.OCCURRED_AT]), row[schema.RELEVANCE], row[schema.INCIDENT_TYPE],
                   row[schema.CONDUCT] or "-", row[schema.VERIFICATION], row[schema.SOURCE_TYPE],
                   row[schema.COUNCIL_DISTRICT], row[schema.AREA_NAME], row[schema.LOCATION_TEXT],
                   row[schema.WARRANT_SHOWN], row[schema.DESCRIPTION])]},
        hide_index=True, width="stretch")

    if can(actor, "view_reporter_contact"):
        with st.expander("Reporter contact (restricted: records and admin; every view is logged)"):
            contacts = reporter_contacts(store_at(url), actor, sel) if st.button("Show contact",
                                                                                    key=state.INC_SHOW_CONTACT) else []
            if contacts:
                st.dataframe(contacts, hide_index=True, width="stretch")
st.dataframe(counts.rename_axis("district").reset_index(), hide_index=True)
