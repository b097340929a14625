"""Gap analysis (internal): risk x protection, unprotected high-risk sites first, KPIs, hot spots."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from layers.site_map import site_map
from ui import auth, state
from ui.analysis import current_analysis
from ui.data import current_store, load_frames

actor = auth.page_actor("gaps")


url, version = current_store()
frames = load_frames(url, version)
res = current_analysis(url, version)
st.title("Gap analysis")
st.caption(f"Internal only: a list of unprotected City lots is a staging guide. Deadlines counted to {res.as_of}.")

sites = res.sites
gaps = sites[sites["protection"] != "protected"]
cols = st.columns(4)
cols[0].metric("Sites identified", f"{int(sites['identified'].sum()):,} / {len(sites):,}")
cols[1].metric("Signed", f"{int(sites['signed'].sum()):,}")
cols[2].metric("Gated where a barrier applies",
               f"{int((sites['gated'] & sites['barrier_applies']).sum()):,} / {int(sites['barrier_applies'].sum()):,}")
cols[3].metric("High risk, not protected", f"{int((gaps['final_tier'] == 'high').sum()):,}")

st.subheader("Risk x protection")
st.dataframe(res.matrix, width="stretch")

st.subheader("Unprotected and partly protected sites, highest risk first")
only_high = st.toggle("High risk only", key=state.GAP_HIGH_ONLY)
ranked = gaps[gaps["final_tier"] == "high"] if only_high else gaps
left, right = st.columns([2, 3])
with left:
    fmap = site_map(ranked, color_by="tier", fields=[schema.SITE_ID, schema.NAME, "final_tier", "protection_detail"],
                    aliases=["Site", "Name", "Tier", "Protection"], synthetic=bool(frames.info.is_synthetic),
                    districts=frames.districts)
    st_folium(fmap, key="gap_map", returned_objects=[], use_container_width=True, height=460)
with right:
    st.dataframe(ranked[[schema.SITE_ID, schema.NAME, schema.OWNING_DEPT, "category", "final_tier", "risk_score",
                         "protection_detail", "sign_overdue_days"]], hide_index=True, width="stretch", height=460)

st.subheader("By department")
st.dataframe(res.kpi_department, hide_index=True, width="stretch")
st.subheader("By council district")
st.dataframe(res.kpi_district, hide_index=True, width="stretch")
st.subheader("Incidents on or beside unprotected City sites")
st.dataframe(res.near_unprotected, hide_index=True, width="stretch")
if can(actor, "view_parcels"):  # private parcels and their owners: Planning and admins only
    st.subheader("Private repeat-staging hot spots, by owner")
    st.dataframe(res.hot_spot_owners, hide_index=True, width="stretch")
    st.dataframe(res.hot_spots, hide_index=True, width="stretch")
else:
    st.caption(f"Private repeat-staging hot spots: {len(res.hot_spots):,} parcels (details are for Planning).")
