"""Gap analysis (internal): risk x protection, unprotected high-risk sites first, KPIs, hot spots."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.access.roles import can
from geo.analysis.district_view import district_bounds, in_district
from geo.analysis.gaps import kpis as kpis_by
from geo.analysis.gaps import priority_order, risk_protection_matrix
from geo.analysis.kpis import LABELS, headline_kpis
from geo.i18n import N_, short_date
from layers.base import fit_to
from layers.search import mark_found
from layers.site_map import site_map
from ui import auth, state
from ui.analysis import current_analysis
from ui.data import current_store, load_frames
from ui.district import chosen_district
from ui.i18n import _, lang
from ui.map_clicks import DISTRICT_CLICK_OBJECTS, district_on_click
from ui.search import map_key, map_search, search_key
from ui.tables import show_table
from ui.url import Binding, publish, restore

actor = auth.page_actor("gaps")
URL = [Binding(state.GAP_HIGH_ONLY, "high", "bool"), Binding(search_key("gaps"), "q")]
restore(URL)  # a shared link restores these filters (ui.url)


url, version = current_store()
frames = load_frames(url, version)
as_of = state.as_of()  # the session's one as-of date (sidebar)
res = current_analysis(url, version, as_of=as_of)
district = chosen_district()  # the session's one district (sidebar): a council office starts on its own
sites, all_units = in_district(res.sites, district), in_district(res.units, district)
kpi_department = res.kpi_department if district is None else kpis_by(all_units, by=schema.OWNING_DEPT)
head = headline_kpis(sites, kpi_department, in_district(frames.incidents, district), as_of=as_of)
st.title(_("Gap analysis") if district is None else _("Gap analysis: District {district}").format(district=district))
st.caption(_("Internal only: a list of unprotected City lots is a staging guide. Deadlines and incident windows "
             "counted to {date} (the as-of date).").format(date=short_date(res.as_of, lang())) + " "
           + (_("All districts.") if district is None else _("Pick 'All districts' in the sidebar for the City.")))

gaps = sites[sites["protection"].isin(["unprotected", "partial"])]  # not-candidates need no protection
units = all_units[all_units["protection"].isin(["unprotected", "partial"])]  # sites and parts
units = units.loc[priority_order(units["final_tier"], units["protection"], units["risk_score"].astype(float))]
cols = st.columns(4)
cols[0].metric(_(LABELS["identified"]), f"{head.identified:,} / {head.units:,}",
               help=_("sites and parts with their A.1 determination made (candidate or not)"))
cols[1].metric(_(LABELS["signed"]), f"{head.signed:,} / {head.candidates:,}",
               help=_("candidates with the directive sign posted: only candidates need a sign (A.1)"))
cols[2].metric(_(LABELS["gated"]), f"{head.gated:,} / {head.barrier_sites:,}")
cols[3].metric(_(LABELS["high_not_protected"]), f"{head.high_not_protected:,}")

st.subheader(_("Risk x protection"))
matrix = res.matrix if district is None else risk_protection_matrix(all_units["final_tier"], all_units["protection"])
show_table(matrix.rename_axis("final_tier"))

st.subheader(_("Unprotected and partly protected sites and parts, highest risk first"))
only_high = st.toggle(_("High risk only"), key=state.GAP_HIGH_ONLY)
ranked = gaps[gaps["final_tier"] == "high"] if only_high else gaps
ranked_units = units[units["final_tier"] == "high"] if only_high else units
place = map_search("gaps", actor)  # an address, AIN/APN, site id or name: the map flies there
left, right = st.columns([2, 3])
with left:
    fmap = site_map(ranked, color_by="tier", lang=lang(), fields=[schema.SITE_ID, schema.NAME, "final_tier", "protection_detail"],
                    aliases=[_("Site"), _("Name"), _("Tier"), _("Protection")], synthetic=bool(frames.info.is_synthetic),
                    districts=frames.districts)
    mark_found(fit_to(fmap, district_bounds(frames.districts, district)), place)
    map_id = map_key("gap_map", district, place)
    st_folium(fmap, key=map_id, returned_objects=DISTRICT_CLICK_OBJECTS, use_container_width=True, height=460,
              on_change=district_on_click(map_id, frames.districts, [(ranked, schema.SITE_ID, 150.0)]))
with right:
    show_table(ranked_units[["unit_id", schema.NAME, schema.OWNING_DEPT, "category", "final_tier", "risk_score",
                             "residual_tier", "protection_detail", "sign_overdue_days"]],
               first=[schema.NAME, "final_tier", "protection_detail", "sign_overdue_days"], height=460)

KPI_NAMES = {"signed_identified": N_("candidates signed"), "barrier_sites": N_("candidates with a barrier")}
st.subheader(_("By department"))
st.caption(_("Units are sites and their parts; only candidates (A.1) need a sign, so signs and gates are counted "
             "among candidates."))
show_table(kpi_department.rename(columns={k: _(v) for k, v in KPI_NAMES.items()}))
st.subheader(_("By council district"))
keys = res.kpi_district[schema.COUNCIL_DISTRICT] if schema.COUNCIL_DISTRICT in res.kpi_district \
    else res.kpi_district.index.to_series()  # (a persisted run reads the key back as a column)
by_district = res.kpi_district if district is None else \
    res.kpi_district[keys.astype(str).to_numpy() == str(district)]  # the session's one district
show_table(by_district.rename(columns={k: _(v) for k, v in KPI_NAMES.items()}))
st.subheader(_("Incidents on or beside unprotected City sites"))
show_table(res.near_unprotected[res.near_unprotected[schema.SITE_ID].isin(sites[schema.SITE_ID])])  # Los Angeles time
if can(actor, "view_parcels"):  # private parcels and their owners: Planning and admins only
    st.subheader(_("Private repeat-staging hot spots, by owner"))
    show_table(res.hot_spot_owners)
    show_table(in_district(res.hot_spots, district))
else:
    st.caption(_("Private repeat-staging hot spots: {n} parcels (details are for Planning).")
               .format(n=f"{len(in_district(res.hot_spots, district)):,}"))
publish(URL)  # the address bar holds this view: share it to share the filters
