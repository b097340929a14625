"""Gap analysis (internal): risk x protection, unprotected high-risk sites first, KPIs, hot spots."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.gaps import priority_order
from geo.analysis.kpis import LABELS, headline_kpis
from geo.analysis.timefmt import localise_times
from layers.site_map import site_map
from ui import auth, state
from ui.analysis import current_analysis
from ui.data import current_store, load_frames

actor = auth.page_actor("gaps")


url, version = current_store()
frames = load_frames(url, version)
as_of = state.as_of()  # the session's one as-of date (sidebar)
res = current_analysis(url, version, as_of=as_of)
head = headline_kpis(res.sites, res.kpi_department, frames.incidents, as_of=as_of)
st.title("Gap analysis")
st.caption(f"Internal only: a list of unprotected City lots is a staging guide. Deadlines and incident windows "
           f"counted to {res.as_of:%d %b %Y} (the as-of date).")

sites = res.sites
gaps = sites[sites["protection"].isin(["unprotected", "partial"])]  # not-candidates need no protection
units = res.units[res.units["protection"].isin(["unprotected", "partial"])]  # sites and parts
units = units.loc[priority_order(units["final_tier"], units["protection"], units["risk_score"].astype(float))]
cols = st.columns(4)
cols[0].metric(LABELS["identified"], f"{head.identified:,} / {head.units:,}",
               help="sites and parts with their A.1 determination made (candidate or not)")
cols[1].metric(LABELS["signed"], f"{head.signed:,} / {head.candidates:,}",
               help="candidates with the directive sign posted: only candidates need a sign (A.1)")
cols[2].metric(LABELS["gated"], f"{head.gated:,} / {head.barrier_sites:,}")
cols[3].metric(LABELS["high_not_protected"], f"{head.high_not_protected:,}")

st.subheader("Risk x protection")
st.dataframe(res.matrix, width="stretch")

st.subheader("Unprotected and partly protected sites and parts, highest risk first")
only_high = st.toggle("High risk only", key=state.GAP_HIGH_ONLY)
ranked = gaps[gaps["final_tier"] == "high"] if only_high else gaps
ranked_units = units[units["final_tier"] == "high"] if only_high else units
left, right = st.columns([2, 3])
with left:
    fmap = site_map(ranked, color_by="tier", fields=[schema.SITE_ID, schema.NAME, "final_tier", "protection_detail"],
                    aliases=["Site", "Name", "Tier", "Protection"], synthetic=bool(frames.info.is_synthetic),
                    districts=frames.districts)
    st_folium(fmap, key="gap_map", returned_objects=[], use_container_width=True, height=460)
with right:
    st.dataframe(ranked_units[["unit_id", schema.NAME, schema.OWNING_DEPT, "category", "final_tier", "risk_score",
                               "residual_tier", "protection_detail", "sign_overdue_days"]],
                 hide_index=True, width="stretch", height=460)

KPI_NAMES = {"signed_identified": "candidates signed", "barrier_sites": "candidates with a barrier"}
st.subheader("By department")
st.caption("Units are sites and their parts; only candidates (A.1) need a sign, so signs and gates are counted among "
           "candidates.")
st.dataframe(res.kpi_department.rename(columns=KPI_NAMES), hide_index=True, width="stretch")
st.subheader("By council district")
st.dataframe(res.kpi_district.rename(columns=KPI_NAMES), hide_index=True, width="stretch")
st.subheader("Incidents on or beside unprotected City sites")
st.dataframe(localise_times(res.near_unprotected), hide_index=True, width="stretch")  # Los Angeles time
if can(actor, "view_parcels"):  # private parcels and their owners: Planning and admins only
    st.subheader("Private repeat-staging hot spots, by owner")
    st.dataframe(localise_times(res.hot_spot_owners), hide_index=True, width="stretch")
    st.dataframe(localise_times(res.hot_spots), hide_index=True, width="stretch")
else:
    st.caption(f"Private repeat-staging hot spots: {len(res.hot_spots):,} parcels (details are for Planning).")
