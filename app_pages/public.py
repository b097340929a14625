"""Public view: protected City sites and suppressed monthly incident counts by council district, only."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.config import LOCAL_TZ
from geo.io.export import export_name, to_csv_bytes
from geo.reports.publish import K_MIN, public_incident_table, public_sites
from layers.public_map import public_map
from ui import auth
from ui.analysis import current_analysis
from ui.data import current_store, load_frames

actor = auth.page_actor("public")
url, version = current_store()
frames = load_frames(url, version)
st.title("City property protected under Executive Directive 17")
st.caption("City-owned or controlled properties that carry the directive's sign (and a locked gate where one "
           f"applies). Incident counts are monthly totals by council district; counts from 1 to {K_MIN - 1} "
           "are withheld, with further cells withheld so none can be worked out from the totals.")
sites = public_sites(current_analysis(url, version).sites) if len(frames.sites) else None
if sites is not None:
    st.metric("Protected City properties", f"{len(sites):,}")
    st_folium(public_map(sites, districts=frames.districts, synthetic=bool(frames.info.is_synthetic)),
              key="public_map", returned_objects=[], use_container_width=True, height=480)
if len(frames.incidents):
    months = sorted(frames.incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m").unique())
    table = public_incident_table(frames.incidents, districts=sorted(frames.districts[schema.DISTRICT].astype(int)),
                                  months=months[-12:])
    published = table.published().astype(str)
    st.subheader("Reported incidents by council district and month")
    st.dataframe(published, width="stretch")
    synthetic = bool(frames.info.is_synthetic)
    st.download_button("Download CSV", to_csv_bytes(published.reset_index(names="council_district"),
                                                    synthetic=synthetic),
                       export_name("incidents_by_district_month", "csv", synthetic=synthetic), mime="text/csv")
