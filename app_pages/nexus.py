"""Nexus study (Planning, Directive D): editable unit costs, fee scenarios, tables, snapshot and exports."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import can
from geo.analysis.labels import header
from geo.analysis.snap import ADJACENT, ON_SITE
from geo.errors import GeoDataError
from geo.i18n import N_, short_date
from geo.nexus.consent import apply_consent
from geo.nexus.snapshot import WORDS, snapshot_hash
from geo.nexus.tables import (
    UNIT_COST_COLUMNS,
    NexusRules,
    build_nexus,
    check_unit_costs,
    default_unit_costs,
)
from geo.nexus.wording import costs_from_language, costs_in_language
from geo.services.nexus import export_nexus
from geo.services.register_views import site_consent
from ui import auth, state
from ui.analysis import current_analysis
from ui.data import current_store, load_frames, store_at
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape, md_line

actor = auth.page_actor("nexus")

url, version = current_store()
frames = load_frames(url, version)
synthetic = bool(frames.info.is_synthetic)
as_of = state.as_of()  # the session's one as-of date (sidebar)
st.title(_("Nexus study"))
st.caption(_("Directive D: Planning's ordinance and nexus study for an impact fee on owners who give site control "
             "for immigration enforcement. Enforcement incidents up to {date} (the as-of date); the same "
             "data, date and assumptions always give the same snapshot hash.").format(date=short_date(as_of, lang())))

st.subheader(_("Unit costs"))
st.caption(_("Edit values, sources and years. A row stays PLACEHOLDER until it names a real source and a year."))
edited = st.data_editor(costs_in_language(default_unit_costs()[list(UNIT_COST_COLUMNS)], lang()), key=state.NEX_COSTS,
                        hide_index=True,
                        disabled=["key", "applies_to"], num_rows="fixed", width="stretch",
                        column_order=["item", "unit", "value", "source", "year"],  # codes stay behind the table
                        column_config={c: _(header(c)) for c in UNIT_COST_COLUMNS})
left, right = st.columns(2)
share = left.slider(_("Share of attributable cost recovered"), 0.0, 1.0, step=0.05, key=state.NEX_RECOVERY)
adjacent = right.checkbox(_("Also charge incidents adjacent to a parcel (not only on it)"), key=state.NEX_ADJACENT)
try:
    costs = check_unit_costs(costs_from_language(edited, lang()))  # built-in words back in English: same hash
except GeoDataError as exc:
    st.error(md_escape(error_text(exc)))
    st.stop()
rules = NexusRules(fee_snap_kinds=(ON_SITE, ADJACENT) if adjacent else (ON_SITE,), recovery_share=float(share))
res = current_analysis(url, version, as_of=as_of)
tables = build_nexus(frames.parcels, frames.incidents, res.incidents, as_of=as_of, unit_costs=costs, rules=rules,
                     synthetic=synthetic, provenance={"store": url, "data_version": str(version)})
tables = apply_consent(tables, *site_consent(store_at(url), actor))  # recorded grants, opt-in comparison
if tables.uses_placeholders:
    st.warning(_("Some unit costs are PLACEHOLDERS (illustrative round numbers, not City costs). Scenarios computed "
                 "from them show how the method works; they are not proposed fees."))

cols = st.columns(4)
cols[0].metric(_("Affected private parcels"), f"{len(tables.inventory):,}")
cols[1].metric(_("Incidents in the ledger"), f"{len(tables.ledger):,}")
cols[2].metric(_("Incidents counted toward a fee"), f"{int(tables.ledger['counts_toward_fee'].sum()):,}")
cols[3].metric(_("Owners"), f"{len(tables.owners):,}")

st.subheader(_("Fee scenarios"))
st.caption(_("Proportional means no parcel's fee exceeds the cost attributable to it, and revenue stays within "
             "the total attributable cost."))
show_table(tables.scenarios, words=WORDS)
tabs = st.tabs([_("Inventory"), _("Parcel x month"), _("Ledger"), _("Owners"), _("Fees by parcel"),
                 _("Assumption register")])
for tab, frame in zip(tabs, [tables.inventory, tables.parcel_months, tables.ledger, tables.owners,
                             tables.parcel_fees, tables.register]):
    with tab:
        show_table(frame, words=WORDS)  # the study's built-in words and generated statements in the session's language

st.subheader(_("Snapshot and exports"))
may_export = can(actor, "run_nexus") and can(actor, "export_internal")
digest = snapshot_hash(tables)
st.caption(_("Content hash of these tables and assumptions: `{digest}`").format(digest=digest))
DOWNLOADS = {"xlsx": (N_("XLSX (one sheet per table)"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             "zip": (N_("CSV (zip)"), "application/zip"), "gpkg": (N_("GeoPackage"), "application/geopackage+sqlite3")}
if not may_export:
    st.info(_("The {role} role may view the study but not freeze or export it.").format(role=_(actor.role)))
elif st.button(_("Freeze snapshot"), key=state.NEX_FREEZE):
    try:
        _files, frozen, folder = export_nexus(store_at(url), actor, tables, snapshot=True)
    except GeoDataError as exc:
        st.error(md_escape(error_text(exc)))
    else:
        st.session_state[state.NEX_HASH] = frozen
        st.success(_("Snapshot frozen: {hash} ({folder})").format(hash=md_line(frozen), folder=md_line(folder)))
if st.session_state[state.NEX_HASH] and st.session_state[state.NEX_HASH] != digest:
    st.caption(_("Last frozen snapshot `{hash}` differs: the assumptions changed since.")
               .format(hash=st.session_state[state.NEX_HASH]))
if may_export and st.button(_("Prepare downloads"), key=state.NEX_EXPORT):
    downloads = export_nexus(store_at(url), actor, tables, lang=lang())[0]
    for col, (name, data) in zip(st.columns(len(downloads)), downloads.items(), strict=True):
        label, mime = DOWNLOADS[name.rsplit(".", 1)[-1]]
        col.download_button(_(label), data, name, mime=mime, on_click="ignore")  # the other downloads stay
