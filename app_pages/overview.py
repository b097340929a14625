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
from layers.base import fit_to
from layers.overview import store_overview_map
from layers.search import mark_found
from ui import auth, state
from ui.analysis import current_analysis
from ui.charts import incidents_chart, signs_chart
from ui.data import current_store
from ui.district import chosen_district
from ui.scope import role_frames
from ui.search import map_key, map_search

actor = auth.page_actor("overview")

url, version = current_store()
frames = role_frames(actor)  # cut to what this role may receive, before anything is built


st.title("StageMap: City property and Executive Directive 17")
st.caption("City-owned or controlled property that could serve as a staging area, processing location or "
           "operations base for immigration enforcement, with sign and gate status and reported incidents. "
           f"Signs were due {Directive().sign_by:%d %b %Y}.")

as_of = state.as_of()  # the session's one as-of date (sidebar)
incidents = enforcement_incidents(frames.incidents)  # general crime is context: not counted, not drawn here
district = chosen_district()  # the session's one district (sidebar): counts cut to it, the map zoomed to it
counted = in_district(incidents, district)
if district is not None:
    st.caption(f"Counts for District {district}; pick 'All districts' in the sidebar for the City.")
first, _ = month_window(as_of)
cols = st.columns(5)
if len(frames.sites) and can(actor, "view_risk"):
    res = current_analysis(url, version, as_of=as_of)
    mine = in_district(res.sites[res.sites[schema.SITE_ID].isin(frames.sites[schema.SITE_ID])], district)
    kpi = res.kpi_department if len(mine) == len(res.sites) else kpis_by(  # units: sites and their parts
        res.units[res.units[schema.SITE_ID].isin(mine[schema.SITE_ID])], by=schema.OWNING_DEPT)
    head = headline_kpis(mine, kpi, counted, as_of=as_of)
    my_units = res.units[res.units[schema.SITE_ID].isin(mine[schema.SITE_ID])]
    signed_change = signed_month_change(my_units, as_of=as_of)
    cols[0].metric(LABELS["identified"], f"{head.identified:,} / {head.units:,}",
                   help="sites and parts with their A.1 determination made (candidate or not)")
    cols[1].metric(LABELS["signed"], f"{head.signed:,} / {head.candidates:,}", delta=f"{signed_change.delta:+,} in a month",
                   delta_color="normal" if signed_change.delta else "off",
                   help="candidates with the directive sign posted: only candidates need a sign (A.1); the change "
                        "counts signs posted since the same day last month")
    cols[2].metric("Gated", f"{head.gated:,} / {head.barrier_sites:,}", help="where a barrier applies (directive A.2)")
    cols[3].metric(LABELS["sign_overdue"], f"{head.sign_overdue:,}", help=f"sign deadline passed as of {as_of}")
elif len(frames.sites):  # roles without risk data see protected sites only
    cols[0].metric("Protected City properties", f"{len(in_district(frames.sites, district)):,}")
else:
    cols[0].metric("Sites identified", "0")
if can(actor, "view_incident_points"):
    month_change = incidents_month_change(counted, as_of=as_of)
    cols[4].metric(LABELS["incidents_month"], f"{count_in_window(counted, first, as_of):,}",
                   delta=f"{month_change.delta:+,} vs last month", delta_color="inverse" if month_change.delta else "off",
                   help=f"enforcement incidents {first:%d %b} to {as_of:%d %b %Y} (as-of date) against the previous "
                        "month to the same day; general crime is context and not counted")

fmap = store_overview_map(
    sites=frames.sites, status=frames.status, parcels=frames.parcels, incidents=incidents,
    districts=frames.districts, synthetic=bool(frames.info.is_synthetic),
)
place = map_search("overview", actor) if actor.role != "public" else None  # the map flies to what is found
mark_found(fit_to(fmap, district_bounds(frames.districts, district)), place)
st_folium(fmap, key=map_key("overview_map", district, place), returned_objects=[], use_container_width=True, height=600)

if actor.role != "public":
    with st.expander("Trends: incidents per month, signs posted against the deadline", expanded=False):
        if can(actor, "view_incident_points"):
            st.markdown("**Incidents per month, by relevance and verification**")
            incidents_chart(incidents_per_month(in_district(frames.incidents, district), as_of=as_of))
        if len(frames.sites) and can(actor, "view_risk"):
            st.markdown("**Candidates signed over time, against the sign deadline**")
            signs_chart(signs_over_time(my_units, as_of=as_of), candidates=head.candidates,
                        deadline=Directive().sign_by)
