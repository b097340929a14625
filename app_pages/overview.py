"""Overview: directive KPIs and a citywide map of what the store holds."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.asof import count_in_window, month_window
from geo.analysis.district_view import district_bounds, in_district
from geo.analysis.gaps import kpis as kpis_by
from geo.analysis.kpis import LABELS, headline_kpis
from geo.analysis.relevance import enforcement_incidents
from geo.analysis.trends import (
    incidents_month_change,
    incidents_per_month,
    signed_month_change,
    signs_over_time,
)
from geo.config import Directive
from geo.i18n import short_date
from geo.services.status import status_timeline
from layers.base import fit_to
from layers.overview import PARCEL_DRAW_CAP, store_overview_map
from layers.search import mark_found
from ui import auth, state
from ui.analysis import current_analysis
from ui.charts import incidents_chart, signs_chart
from ui.data import current_store, store_at
from ui.district import chosen_district
from ui.i18n import _, lang
from ui.map_clicks import DISTRICT_CLICK_OBJECTS, district_on_click
from ui.progress_charts import progress_section
from ui.scope import role_frames
from ui.search import map_key, map_search

actor = auth.page_actor("overview")

url, version = current_store()
frames = role_frames(actor)  # cut to what this role may receive, before anything is built


st.title(_("StageMap: City property and Executive Directive 17"))
st.caption(_("City-owned or controlled property that could serve as a staging area, processing location or "
             "operations base for immigration enforcement, with sign and gate status and reported incidents. "
             "Signs were due {date}.").format(date=short_date(Directive().sign_by, lang())))

as_of = state.as_of()  # the session's one as-of date (sidebar)
incidents = enforcement_incidents(frames.incidents)  # general crime is context: not counted, not drawn here
district = chosen_district()  # the session's one district (sidebar): counts cut to it, the map zoomed to it
counted = in_district(incidents, district)
if district is not None:
    st.caption(_("Counts for District {district}; pick 'All districts' in the sidebar for the City.").format(district=district))
first = month_window(as_of)[0]
cols = st.columns(5)
if len(frames.sites) and can(actor, "view_risk"):
    res = current_analysis(url, version, as_of=as_of)
    mine = in_district(res.sites[res.sites[schema.SITE_ID].isin(frames.sites[schema.SITE_ID])], district)
    kpi = res.kpi_department if len(mine) == len(res.sites) else kpis_by(  # units: sites and their parts
        res.units[res.units[schema.SITE_ID].isin(mine[schema.SITE_ID])], by=schema.OWNING_DEPT)
    head = headline_kpis(mine, kpi, counted, as_of=as_of)
    my_units = res.units[res.units[schema.SITE_ID].isin(mine[schema.SITE_ID])]
    signed_change = signed_month_change(my_units, as_of=as_of)
    cols[0].metric(_(LABELS["identified"]), f"{head.identified:,} / {head.units:,}",
                   help=_("sites and parts with their A.1 determination made (candidate or not)"))
    cols[1].metric(_(LABELS["signed"]), f"{head.signed:,} / {head.candidates:,}",
                   delta=_("{n} in a month").format(n=f"{signed_change.delta:+,}"),
                   delta_color="normal" if signed_change.delta else "off",
                   help=_("candidates with the directive sign posted: only candidates need a sign (A.1); the change "
                          "counts signs posted since the same day last month"))
    cols[2].metric(_("Gated"), f"{head.gated:,} / {head.barrier_sites:,}",
                   help=_("where a barrier applies (directive A.2)"))
    cols[3].metric(_(LABELS["sign_overdue"]), f"{head.sign_overdue:,}",
                   help=_("sign deadline passed as of {date}").format(date=as_of))
elif len(frames.sites):  # roles without risk data see protected sites only
    cols[0].metric(_("Protected City properties"), f"{len(in_district(frames.sites, district)):,}")
else:
    cols[0].metric(_("Sites identified"), "0")
if can(actor, "view_incident_points"):
    month_change = incidents_month_change(counted, as_of=as_of)
    cols[4].metric(_(LABELS["incidents_month"]), f"{count_in_window(counted, first, as_of):,}",
                   delta=_("{n} vs last month").format(n=f"{month_change.delta:+,}"),
                   delta_color="inverse" if month_change.delta else "off",
                   help=_("enforcement incidents {start} to {end} (as-of date) against the previous month to the same "
                          "day; general crime is context and not counted").format(start=short_date(first, lang()).rsplit(" ", 1)[0],
                                                                                   end=short_date(as_of, lang())))

if actor.role == "planner" and len(frames.sites) and can(actor, "view_risk"):  # a planner's first question
    st.page_link("app_pages/review.py", icon="🔎", label=_("{n} sites await their A.1 determination").format(
        n=f"{head.units - head.identified:,}"))

fmap = store_overview_map(
    sites=frames.sites, status=frames.status, incidents=incidents, parcel_count=frames.parcel_count,
    parcels=frames.parcels if 0 < frames.parcel_count <= PARCEL_DRAW_CAP else None,  # 800k: counted, never read
    districts=frames.districts, synthetic=bool(frames.info.is_synthetic), lang=lang(),
)
place = map_search("overview", actor) if actor.role != "public" else None  # the map flies to what is found
mark_found(fit_to(fmap, district_bounds(frames.districts, district)), place)
map_id = map_key("overview_map", district, place)
if actor.role == "public":  # the public view has no district selector
    st_folium(fmap, key=map_id, returned_objects=[], use_container_width=True, height=600)
else:  # a click inside a district, off every site and incident, picks that district
    st_folium(fmap, key=map_id, returned_objects=DISTRICT_CLICK_OBJECTS, use_container_width=True, height=600,
              on_change=district_on_click(map_id, frames.districts, [(frames.sites, schema.SITE_ID, 150.0),
                                                                     (incidents, schema.INCIDENT_ID, 60.0)]))

if actor.role != "public":
    with st.expander(_("Trends: incidents per month, signs posted against the deadline"), expanded=False):
        if can(actor, "view_incident_points"):
            st.markdown("**" + _("Incidents per month, by relevance and verification") + "**")
            incidents_chart(incidents_per_month(in_district(frames.incidents, district), as_of=as_of))
        if len(frames.sites) and can(actor, "view_risk"):
            st.markdown("**" + _("Candidates signed over time, against the sign deadline") + "**")
            signs_chart(signs_over_time(my_units, as_of=as_of), candidates=head.candidates,
                        deadline=Directive().sign_by)
    if len(frames.sites) and can(actor, "view_risk"):  # signs and barriers done, per department or district
        with st.expander(_("Progress: signs and barriers done over time, against the deadlines"), expanded=False):
            progress_section(my_units, status_timeline(store_at(url), actor), as_of=as_of)
