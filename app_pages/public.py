"""Public view: protected City sites and suppressed monthly incident counts by council district, only."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.io.export import export_name, to_csv_bytes
from geo.reports.publish import K_MIN, public_sites
from geo.services.register_views import public_agency_summary
from geo.services.reports import public_table
from layers.public_map import public_map
from ui import auth
from ui.analysis import current_analysis
from ui.data import current_store, load_frames, session_store
from ui.i18n import _, lang
from ui.tables import show_table

actor = auth.page_actor("public")
url, version = current_store()
frames = load_frames(url, version)
st.title(_("City property protected under Executive Directive 17"))
st.caption(_("City-owned or controlled properties that carry the directive's sign (and a locked gate where one "
             "applies). Incident counts are monthly totals by council district; counts from 1 to {k} "
             "are withheld, with further cells withheld so none can be worked out from the totals.").format(k=K_MIN - 1))
sites = public_sites(current_analysis(url, version).sites) if len(frames.sites) else None
if sites is not None:
    st.metric(_("Protected City properties"), f"{len(sites):,}")
    st_folium(public_map(sites, districts=frames.districts, lang=lang(), synthetic=bool(frames.info.is_synthetic)),
              key="public_map", returned_objects=[], use_container_width=True, height=480)
published = public_table(session_store())
st.subheader(_("Reported incidents by council district and month"))
if published.empty:
    st.info(_("No month has been published yet. A month's counts are published once, after the month closes."))
else:
    st.caption(_("Each month is published once, after it closes, and never changes afterwards; months not shown "
                 "are not yet published."))
    published = published.rename_axis(_("Council district"))  # the frozen table's index: its header, as read here
    show_table(published)
    synthetic = bool(frames.info.is_synthetic)
    st.download_button(_("Download CSV"), to_csv_bytes(published.reset_index(), synthetic=synthetic, lang=lang()),
                       export_name("incidents_by_district_month", "csv", synthetic=synthetic), mime="text/csv")
agencies = public_agency_summary(session_store(), actor)  # section C: posted policies and their legal status only
if len(agencies):
    st.subheader(_("Law enforcement agencies' identification policies (SB 627 / SB 805)"))
    st.caption(_("Whether each agency operating in the City has publicly posted its policy on facial coverings and on "
                 "visible identification, and the legal status of each requirement for that kind of agency. The "
                 "masking rule is enjoined for federal agents since 9 Feb 2026."))
    show_table(agencies)
