"""Parcel review widgets: the detail panel of one site or parcel, the override form and exports."""
from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.access.roles import Actor
from geo.analysis.analyze import AnalysisResult
from geo.analysis.labels import header, label, value_text
from geo.analysis.selection import feature_at
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.io.export import export_name, to_csv_bytes, to_geojson_bytes, to_gpkg_bytes
from geo.services.exports import record_export
from geo.services.status import override_tier
from ui import state
from ui.data import store_at
from ui.i18n import _, data_text, error_text, lang
from ui.review_words import export_rows
from ui.tables import show_table
from ui.text import md_escape, md_line

#: The review set's kinds of record (geo.analysis.review), marked for translation.
KINDS = (N_("City site"), N_("parcel"))

NAME_LIMIT = 300  # characters of a name shown in a heading (the table holds it whole)
INCIDENT_COLUMNS = ["incident_id", "occurred_at", "incident_type", "verification_status", "snap_kind",
                    "snap_distance_ft"]


def pick(event: Mapping[str, object] | None, shown: gpd.GeoDataFrame) -> str | None:
    """Return the record id under the map click, if any."""
    return feature_at(event, shown, id_column="record_id") if len(shown) else None


def render(record_id: str, *, res: AnalysisResult, review: gpd.GeoDataFrame, url: str, actor: Actor) -> None:
    """Show the detail panel of a City site or a parcel."""
    rows = review[review["record_id"] == record_id]
    if rows.empty:
        st.info(_("{record} is not in the review set; clear the selection or change the filters.").format(
            record=md_line(record_id)))
        return
    row = rows.iloc[0]
    st.subheader(_("{kind} {record}: {name}").format(kind=_(str(row["kind"])), record=md_line(record_id),
                                                      name=md_line(row[schema.NAME] or "", limit=NAME_LIMIT)))
    if row["kind"] == "City site":
        _site_detail(record_id, res=res, url=url, actor=actor)
    else:
        _parcel_detail(record_id, res=res, row=row)


def _site_detail(site_id: str, *, res: AnalysisResult, url: str, actor: Actor) -> None:
    site = res.sites.set_index(schema.SITE_ID).loc[site_id]
    cols = st.columns(5)
    cols[0].metric(_("Inherent risk"), f"{site['risk_score']:.0f}", help=_("what the site is and where (0-100)"))
    cols[1].metric(_("Computed tier"), label(site["risk_tier"], lang=lang()))
    cols[2].metric(_("Final tier"), label(site["final_tier"], lang=lang()))
    cols[3].metric(_("Residual risk"), f"{site.get('residual_score', site['risk_score']):.0f}",
                   help=_("after its sign and gate: {tier}").format(tier=label(site.get("residual_tier", "-"), lang=lang())))
    cols[4].metric(_("Protection"), label(site["protection"], lang=lang()))
    here = lang()
    st.markdown(_("**Category:** {category} · *{basis}*  \n**Department:** {department} · **A.1:** {determination} · "
                  "**Control:** {control} · **Sign:** {sign} · **Gate:** {gate}").format(
        category=md_line(label(site["category"], lang=here)), basis=md_line(data_text(site.get("category_basis_data"), site["category_basis"])),
        department=md_line(site[schema.OWNING_DEPT]),
        determination=md_line(label(site.get(schema.DETERMINATION, "pending"), lang=here)),
        control=md_line(label(site.get(schema.CONTROL_BASIS, "-"), lang=here)),
        sign=md_line(label(site[schema.SIGN_STATUS], schema.SIGN_STATUS, here)),
        gate=md_line(label(site[schema.GATE_STATUS], schema.GATE_STATUS, here))))
    st.markdown(_("**Why this score** (inherent factors, then what protection removes)"))
    words = [*str(site["risk_factors"]).split("; "), *str(site.get("residual_factors") or "").split("; ")]
    show_table(pd.DataFrame({"factor": [w for w in words if w]}))
    if site["tier_source"] == "override":
        st.info(_("Tier overridden to **{tier}** (computed: {computed}) by {who} at {when}: {reason}").format(
            tier=md_line(label(site["override_tier"], lang=lang())), computed=md_line(label(site["risk_tier"], lang=lang())),
            who=md_line(site["override_by"]), when=md_line(site["override_at"]), reason=md_escape(site["override_reason"])))
    with st.form(f"override_{site_id}"):
        tier = st.selectbox(_("Override tier"), ["high", "medium", "low"], format_func=lambda v: label(v, lang=lang()))
        reason = st.text_input(_("Reason (required)"))
        if st.form_submit_button(_("Save override")):
            try:
                override_tier(store_at(url), actor, site_id, tier, reason=reason)
                st.rerun()
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(error_text(exc)))
    near = res.incidents[res.incidents[schema.SITE_ID] == site_id]
    st.markdown(_("**Incidents on or beside this site:** {n}").format(n=len(near)))
    if len(near):
        show_table(near[INCIDENT_COLUMNS])
    st.markdown(_("**Status history**"))
    here = lang()
    show_table(pd.DataFrame([{"version": e.version, "updated_by": e.updated_by, "updated_at": local_text(e.updated_at),
                              "changes": "; ".join(f"{header(k, here)}: {value_text(a, k, here)} -> {value_text(b, k, here)}"
                                                   for k, (a, b) in e.changes.items())}
                             for e in store_at(url).status_history(site_id)]))


def _parcel_detail(ain: str, *, res: AnalysisResult, row: pd.Series) -> None:
    cols = st.columns(3)
    cols[0].metric(_("Owner class"), label(row["owner_class"], lang=lang()))
    cols[1].metric(_("Incidents within 250 m, 90 days"), f"{int(row['incidents_250m_90d']):,}")
    cols[2].metric(_("Repeat-incident site"), _("yes") if row["repeat_site"] else _("no"))
    st.markdown(_("**Use code:** {use} · **Category:** {category} · **Council district:** {district}").format(
        use=md_line(row[schema.USE_CODE]), category=md_line(label(row["category"], lang=lang())),
        district=md_line(row[schema.COUNCIL_DISTRICT])))
    snapped = res.incidents[res.incidents[schema.AIN].astype(str) == ain]
    st.markdown(_("**Incidents on or beside this parcel:** {n}").format(n=len(snapped)))
    if len(snapped):
        show_table(snapped[INCIDENT_COLUMNS])


def exports(matched: gpd.GeoDataFrame, *, url: str, version: int, sites: pd.DataFrame, synthetic: bool,
            actor: Actor) -> None:
    """Offer the filtered set as CSV, GeoJSON and GeoPackage; each export is recorded in the audit log.

    The category basis is in the session's language (:func:`ui.review_words.export_rows`; English unchanged).
    """
    st.markdown(_("**Export the filtered set**"))
    if not st.button(_("Prepare exports of {n} records").format(n=f"{len(matched):,}"), key=state.REV_EXPORT):
        return
    try:
        record_export(store_at(url), actor, what="review", records=len(matched))
    except AccessDenied as exc:
        st.error(md_escape(error_text(exc)))
        return
    matched = export_rows(matched, url=url, version=version, sites=sites)
    cols = st.columns(3)  # on_click="ignore": a download does not rerun the page, so the other buttons stay
    code = lang()  # a Spanish session's CSV reads in Spanish (headers, codes); English keeps the column names
    cols[0].download_button(_("CSV"), to_csv_bytes(matched, synthetic=synthetic, lang=None if code == "en" else code),
                            export_name("parcel_review", "csv", synthetic=synthetic), mime="text/csv", on_click="ignore")
    cols[1].download_button(_("GeoJSON"), to_geojson_bytes(matched, synthetic=synthetic),
                            export_name("parcel_review", "geojson", synthetic=synthetic), mime="application/geo+json",
                            on_click="ignore")
    cols[2].download_button(_("GeoPackage"), to_gpkg_bytes(matched, layer="parcel_review", synthetic=synthetic),
                            export_name("parcel_review", "gpkg", synthetic=synthetic),
                            mime="application/geopackage+sqlite3", on_click="ignore")
