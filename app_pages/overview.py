"""Overview: directive KPIs and a citywide map of what the store holds."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.incident_filters import local_dates
from geo.config import Directive
from layers.overview import store_overview_map
from ui import auth
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

today = dt.date.today()
days = local_dates(frames.incidents[schema.OCCURRED_AT]) if len(frames.incidents) else None
this_month = int(((days >= today.replace(day=1)) & (days <= today)).sum()) if days is not None else 0
cols = st.columns(5)
if len(frames.sites) and can(actor, "view_risk"):
    analysed = current_analysis(url, version).sites
    sites = analysed[analysed[schema.SITE_ID].isin(frames.sites[schema.SITE_ID])]
    cols[0].metric("Sites identified", f"{int(sites['identified'].sum()):,} / {len(sites):,}")
    cols[1].metric("Signed", f"{int(sites['signed'].sum()):,}")
    cols[2].metric("Gated", f"{int((sites['gated'] & sites['barrier_applies']).sum()):,} / "
                   f"{int(sites['barrier_applies'].sum()):,}", help="where a barrier applies (directive A.2)")
    cols[3].metric("Overdue signs", f"{int((sites['sign_overdue_days'] > 0).sum()):,}")
elif len(frames.sites):  # roles without risk data see protected sites only
    cols[0].metric("Protected City properties", f"{len(frames.sites):,}")
else:
    cols[0].metric("Sites identified", "0")
if can(actor, "view_incident_points"):
    cols[4].metric("Incidents this month", f"{this_month:,}",
                   help=f"{today:%B %Y}; latest incident {days.max() if days is not None else '-'}")

fmap = store_overview_map(
    sites=frames.sites, status=frames.status, parcels=frames.parcels, incidents=frames.incidents,
    districts=frames.districts, synthetic=bool(frames.info.is_synthetic),
)

st_folium(fmap, key="overview_map", returned_objects=[], use_container_width=True, height=600)
