"""Incident map (council offices): filter by district, dates, type and verification; three views."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.district_view import district_bounds
from geo.analysis.incident_filters import IncidentFilter, counts_by_district, filter_incidents
from geo.analysis.labels import label
from geo.analysis.relevance import context_incidents, enforcement_incidents
from geo.analysis.selection import feature_at
from geo.analysis.timefmt import local_text
from geo.analysis.trends import incidents_per_month
from geo.errors import GeoDataError
from geo.i18n import N_
from geo.services.events import EVENT_ID, N_REPORTS, event_reports, events_view
from geo.services.intake import reporter_contacts
from layers.base import fit_to
from layers.incidents import incident_map
from layers.search import mark_found
from ui import auth, state
from ui.charts import incidents_chart
from ui.data import current_store, load_frames, store_at
from ui.district import chosen_district
from ui.i18n import _, error_text, lang
from ui.map_clicks import DISTRICT_CLICK_OBJECTS, district_on_click
from ui.search import map_key, map_search, search_key
from ui.tables import show_table
from ui.text import md_escape, md_line
from ui.url import Binding, publish, restore

actor = auth.page_actor("incidents")

url, version = current_store()
frames = load_frames(url, version)
st.title(_("Incident map"))
as_of = state.as_of()  # the session's one as-of date (sidebar): every window ends on it
districts = frames.districts
# counted and drawn as events: reports a records user confirmed as one event collapse to their best-verified one
incidents = events_view(store_at(url), enforcement_incidents(frames.incidents))  # general crime only when asked
context = context_incidents(frames.incidents)
district = chosen_district()  # the session's one district (sidebar); a council office starts on its own

PERIODS = {"Last N days": N_("Last N days"), "Date range": N_("Date range"), "All": N_("All")}  # value -> shown
MODES = {"clusters": N_("Clusters"), "heat": N_("Heat map"), "choropleth": N_("By district")}  # URL values stay English
URL = [Binding(state.INC_PERIOD, "period", "str", ("Last N days", "Date range", "All")),
       Binding(state.INC_LAST_DAYS, "days", "int"), Binding(state.INC_TYPES, "type", "list", schema.INCIDENT_TYPES),
       Binding(state.INC_VERIFICATION, "verification", "list", schema.VERIFICATION_STATUSES),
       Binding(state.INC_MODE, "view", "str", ("clusters", "heat", "choropleth")),
       Binding(state.INC_CONTEXT, "context", "bool"), Binding(search_key("incidents"), "q")]
restore(URL)  # a shared link restores these filters (ui.url)
with st.sidebar:
    st.subheader(_("Filters"))
    period = st.radio(_("Period"), list(PERIODS), horizontal=True, key=state.INC_PERIOD,
                      format_func=lambda v: _(PERIODS[v]))
    last_days = start = end = None
    if period == "Last N days":
        last_days = st.number_input(_("N"), min_value=1, max_value=3650, step=1, key=state.INC_LAST_DAYS)
        st.caption(_("Counted back from {date}, the as-of date.").format(date=f"{as_of:%Y-%m-%d}"))
    elif period == "Date range":
        st.session_state.setdefault(state.INC_RANGE, (as_of - dt.timedelta(days=89), as_of))
        picked_range = st.date_input(_("From / to"), key=state.INC_RANGE)
        if isinstance(picked_range, tuple | list) and len(picked_range) == 2:
            start, end = picked_range
    types = st.multiselect(_("Type"), schema.INCIDENT_TYPES, key=state.INC_TYPES, format_func=lambda v: _(label(v)))
    verification = st.multiselect(_("Verification"), schema.VERIFICATION_STATUSES, key=state.INC_VERIFICATION,
                                  format_func=lambda v: _(label(v)))
    show_context = st.checkbox(_("Also show general crime as context ({n})").format(n=f"{len(context):,}"),
                               key=state.INC_CONTEXT,
                               help=_("General crime (e.g. an LAPD Crime Data file) is context, not evidence of "
                                      "enforcement: drawn in its own grey layer and never counted."))

place = map_search("incidents", actor)  # an address, AIN/APN, site id or name: the map flies there
mode = st.segmented_control(_("View"), list(MODES), key=state.INC_MODE, format_func=lambda v: _(MODES[v])) or "clusters"
try:
    flt = IncidentFilter(districts=() if district is None else (district,), start=start, end=end, last_days=last_days, as_of=as_of,
                         types=tuple(types), verification=tuple(verification))
    shown = filter_incidents(incidents, flt)
    shown_context = filter_incidents(context, dataclasses.replace(flt, types=())) if show_context else context.iloc[:0]
except GeoDataError as exc:
    st.error(md_escape(error_text(exc)))
    st.stop()

counts = counts_by_district(shown, districts)
st.metric(_("Incidents shown"), f"{len(shown):,}", help=_("enforcement activity and suspected unlawful conduct, "
          "reports confirmed as one event counted once; general crime is context and never counted"))
if not len(shown):  # say why, and how to widen the view
    narrowing = [what for what, on in ((_("the period"), period != "All"), (_("the type"), bool(types)),
                                       (_("the verification"), bool(verification)),
                                       (_("District {district}").format(district=district), district is not None)) if on]
    st.info(_("No incidents match: widen or clear {filters} (the district in the sidebar: 'All districts').")
            .format(filters=", ".join(narrowing)) if narrowing else _("No incidents match in the store up to the as-of date."))
fmap = incident_map(shown, districts, counts, mode=mode, lang=lang(), synthetic=bool(frames.info.is_synthetic),
                    context=shown_context if show_context else None)
mark_found(fit_to(fmap, district_bounds(districts, district)), place)
map_id = map_key(f"incident_map_{mode}", district, place)
drawn = [] if mode == "choropleth" else [(shown, schema.INCIDENT_ID, 60.0)]
drawn += [(shown_context, schema.INCIDENT_ID, 60.0)] if show_context else []
event = st_folium(fmap, key=map_id, returned_objects=DISTRICT_CLICK_OBJECTS, use_container_width=True, height=560,
                  on_change=district_on_click(map_id, districts, drawn))  # a click off every incident picks its district
picked = feature_at(event, shown, id_column=schema.INCIDENT_ID, tolerance_ft=60) if mode != "choropleth" else None
if picked:
    st.session_state[state.SELECTED_INCIDENT] = picked
sel = st.session_state.get(state.SELECTED_INCIDENT)
if sel and sel in set(shown[schema.INCIDENT_ID]):
    row = shown.set_index(schema.INCIDENT_ID).loc[sel]
    st.subheader(_("Incident {id}").format(id=md_line(sel)))
    show_table(pd.DataFrame(
        {_("field"): [_("occurred (Los Angeles)"), _("relevance"), _("type"), _("observed conduct"), _("verification"),
                      _("source"), _("district"), _("LAPD area"), _("location"), _("warrant shown"), _("description")],
         _("value"): [v for v in (
                   local_text(row[schema.OCCURRED_AT]), row[schema.RELEVANCE], row[schema.INCIDENT_TYPE],
                   row[schema.CONDUCT] or "-", row[schema.VERIFICATION], row[schema.SOURCE_TYPE],
                   row[schema.COUNCIL_DISTRICT], row[schema.AREA_NAME], row[schema.LOCATION_TEXT],
                   row[schema.WARRANT_SHOWN], row[schema.DESCRIPTION])]}))

    reports = int(row[N_REPORTS]) if N_REPORTS in row.index else 1
    if reports > 1:  # one event, several reports: show them all
        st.caption(_("One event, {n} reports (confirmed by records); the map draws the best-verified one.")
                   .format(n=f"{reports:,}"))
        linked = event_reports(store_at(url), actor, str(row[EVENT_ID]))
        show_table(linked[[c for c in (schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE,
                                       schema.VERIFICATION, schema.SOURCE_TYPE) if c in linked]],
                   first=[schema.INCIDENT_ID])
    if can(actor, "view_reporter_contact"):
        with st.expander(_("Reporter contact (restricted: records and admin; every view is logged)")):
            contacts = reporter_contacts(store_at(url), actor, sel) if st.button(_("Show contact"),
                                                                                    key=state.INC_SHOW_CONTACT) else []
            if contacts:
                show_table(contacts)
listed = counts if district is None else counts[counts.index == district]  # the chosen district only, as the map
show_table(listed.rename_axis(_("Council district")).rename(_("Incidents")).reset_index(), width="content")
with st.expander(_("Incidents per month, by relevance and verification (these filters)")):
    incidents_chart(incidents_per_month(shown, as_of=as_of))
publish(URL)  # the address bar holds this view: share it to share the filters
