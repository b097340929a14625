"""Overview: directive KPIs and a citywide map of what the store holds."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.asof import count_in_window, month_window
from geo.analysis.gaps import kpis as kpis_by
from geo.analysis.kpis import LABELS, headline_kpis
from geo.analysis.relevance import enforcement_incidents
from geo.config import Directive
from layers.overview import store_overview_map
from ui import auth, state
from ui.analysis import current_analysis
from ui.data import current_store
from ui.scope import role_frames

actor = auth.page_actor("overview")

url, version = current_store()
frames = role_frames(actor)  # cut to what this role may receive, before anything is built


st.title("StageMap: City property and Executive Directive 17")
st.caption("City-owned or controlled property that could serve as a staging area, processing location or "
           "operations base for immigration enforcement, with sign and gate status and reported incidents. "
           f"Signs were due {Directive().sign_by:%d %b %Y}.")

as_of = state.as_of()  # the session's one as-of date (sidebar)
incidents = enforcement_incidents(frames.incidents)  # general crime is context: not counted, not drawn here
first, _ = month_window(as_of)
cols = st.columns(5)
if len(frames.sites) and can(actor, "view_risk"):
    res = current_analysis(url, version, as_of=as_of)
    mine = res.sites[res.sites[schema.SITE_ID].isin(frames.sites[schema.SITE_ID])]
    kpi = res.kpi_department if len(mine) == len(res.sites) else kpis_by(  # units: sites and their parts
        res.units[res.units[schema.SITE_ID].isin(mine[schema.SITE_ID])], by=schema.OWNING_DEPT)
    head = headline_kpis(mine, kpi, incidents, as_of=as_of)
    cols[0].metric(LABELS["identified"], f"{head.identified:,} / {head.units:,}",
                   help="sites and parts with their A.1 determination made (candidate or not)")
    cols[1].metric(LABELS["signed"], f"{head.signed:,} / {head.candidates:,}",
                   help="candidates with the directive sign posted: only candidates need a sign (A.1)")
    cols[2].metric("Gated", f"{head.gated:,} / {head.barrier_sites:,}", help="where a barrier applies (directive A.2)")
    cols[3].metric(LABELS["sign_overdue"], f"{head.sign_overdue:,}", help=f"sign deadline passed as of {as_of}")
elif len(frames.sites):  # roles without risk data see protected sites only
    cols[0].metric("Protected City properties", f"{len(frames.sites):,}")
else:
    cols[0].metric("Sites identified", "0")
if can(actor, "view_incident_points"):
    cols[4].metric(LABELS["incidents_month"], f"{count_in_window(incidents, first, as_of):,}",
                   help=f"enforcement incidents {first:%d %b} to {as_of:%d %b %Y} (as-of date); general crime is "
                        "context and not counted")

fmap = store_overview_map(
    sites=frames.sites, status=frames.status, parcels=frames.parcels, incidents=incidents,
    districts=frames.districts, synthetic=bool(frames.info.is_synthetic),
)

st_folium(fmap, key="overview_map", returned_objects=[], use_container_width=True, height=600)
