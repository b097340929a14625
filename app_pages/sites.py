"""Site list (A.1): which of a department's properties might be used for staging, how the City controls them, and parts."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.analysis.control import PART_UNIT
from geo.analysis.labels import label
from geo.config import Directive
from geo.i18n import short_date
from layers.draw import part_draw_control
from layers.site_map import site_map
from layers.sites import parts_layer
from ui import auth, site_forms, state
from ui.analysis import current_analysis
from ui.data import current_store
from ui.i18n import _, data_text, lang
from ui.tables import show_table
from ui.text import md_line

actor = auth.page_actor("sites")

url, version = current_store()
res = current_analysis(url, version, as_of=state.as_of())
d = Directive()
st.title(_("Site list (A.1): what needs a sign"))
st.caption(_("Directive A.1: by {identify_by} identify the City-owned or controlled property that might be used as "
             "a staging area, processing location or operations base; by {sign_by} sign each one. Only candidates "
             "need a sign. A part (a park's parking lot, a yard) is counted on its own.").format(
    identify_by=short_date(d.identify_by, lang()), sign_by=short_date(d.sign_by, lang())))
sites = res.sites
depts = sorted(sites[schema.OWNING_DEPT].dropna().unique())
if not depts:
    st.info(_("The store holds no City sites yet. Import a department asset list on the Data page."))
    st.stop()
if actor.role == "liaison":
    dept = actor.department
    st.caption(_("Department: **{department}**").format(department=md_line(dept)))
else:
    dept = st.selectbox(_("Department"), depts, key=state.SIT_DEPT)
mine = sites[sites[schema.OWNING_DEPT] == dept]
units = res.units[res.units[schema.OWNING_DEPT] == dept]
parts = res.parts[res.parts[schema.SITE_ID].isin(mine[schema.SITE_ID])] if len(res.parts) else res.parts

cols = st.columns(5)
cols[0].metric(_("Sites"), f"{len(mine):,}")
cols[1].metric(_("Parts"), f"{int((units['unit_kind'] == PART_UNIT).sum()):,}")
cols[2].metric(_("Determined (A.1)"), f"{int(units['identified'].sum()):,} / {len(units):,}")
cols[3].metric(_("Candidates: need a sign"), f"{int(units['candidate'].sum()):,}")
cols[4].metric(_("Pending past 25 Feb"), f"{int((units['identify_overdue_days'] > 0).sum()):,}")

ids = mine[schema.SITE_ID].tolist()
if st.session_state[state.SIT_SITE] not in ids:
    st.session_state[state.SIT_SITE] = ids[0]
site_id = st.selectbox(_("Site"), ids, key=state.SIT_SITE,
                       format_func=lambda s: f"{s} · {mine.set_index(schema.SITE_ID).loc[s, schema.NAME]}")
chosen = mine.set_index(schema.SITE_ID).loc[site_id]
st.caption(_("**Category:** {category} · *{basis}*").format(
    category=md_line(label(chosen["category"], "category", lang())),
    basis=md_line(data_text(chosen.get("category_basis_data"), chosen["category_basis"]))))
left, right = st.columns([2, 3])
with left:  # the chosen site and its parts, close enough to see a lot inside a park
    here, its_parts = mine[mine[schema.SITE_ID] == site_id], parts[parts[schema.SITE_ID] == site_id]
    fields = [schema.SITE_ID, schema.NAME, schema.DETERMINATION, schema.CONTROL_BASIS]
    drawn = [parts_layer(its_parts, name=_("Site parts"), fields=[schema.PART_ID, schema.PART_TYPE, "protection_detail"],
                         aliases=[_("Part"), _("Type"), _("Protection")], lang=lang())] if len(its_parts) else []
    fmap = site_map(here, color_by="determination", lang=lang(), fields=fields, aliases=[_("Site"), _("Name"), _("A.1"), _("Control")],
                    synthetic=bool(mine[schema.IS_SYNTHETIC].any()), selected=str(site_id),
                    extra=drawn, legend=False)  # a legend box would cover the site a part is drawn on
    part_draw_control().add_to(fmap)  # draw a part's outline; it comes back as GeoJSON for the part form
    event = st_folium(fmap, key=f"sites_map_{site_id}", returned_objects=["last_active_drawing", "all_drawings"],
                      use_container_width=True, height=380)
    site_forms.remember_drawing(event, str(site_id))
    st.caption(_("Site fill: A.1 teal candidate, grey not a candidate, pale yellow pending. Parts: filled by their "
                 "own protection (green protected, light green partly, pink unprotected). Draw a part with the "
                 "polygon or rectangle tool."))
with right:
    table = mine.assign(parts=mine[schema.SITE_ID].map(parts[schema.SITE_ID].value_counts()).fillna(0).astype(int))
    show_table(table[[schema.SITE_ID, schema.NAME, "category", schema.OWNER_CLASS, schema.CONTROL_BASIS,
                      schema.DETERMINATION, "parts", "final_tier"]], height=380)
site_forms.show_saved("")
first, second = st.columns(2)
with first:
    st.subheader(_("Determination and control"))
    site_forms.control_form(url, actor, str(site_id))
with second:
    st.subheader(_("Parts"))
    site_forms.parts_section(url, actor, str(site_id), parts)
