"""Parcel review widgets: the detail panel of one site or parcel, the override form and exports."""
from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.access.roles import Actor
from geo.analysis.analyze import AnalysisResult
from geo.analysis.labels import header, value_text
from geo.analysis.selection import feature_at
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied, GeoDataError
from geo.io.export import export_name, to_csv_bytes, to_geojson_bytes, to_gpkg_bytes
from geo.services.exports import record_export
from geo.services.status import override_tier
from ui import state
from ui.data import store_at
from ui.tables import show_table
from ui.text import md_escape, md_line

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
        st.info(f"{md_line(record_id)} is not in the review set; clear the selection or change the filters.")
        return
    row = rows.iloc[0]
    st.subheader(f"{row['kind']} {md_line(record_id)}: {md_line(row[schema.NAME] or '', limit=NAME_LIMIT)}")
    if row["kind"] == "City site":
        _site_detail(record_id, res=res, url=url, actor=actor)
    else:
        _parcel_detail(record_id, res=res, row=row)


def _site_detail(site_id: str, *, res: AnalysisResult, url: str, actor: Actor) -> None:
    site = res.sites.set_index(schema.SITE_ID).loc[site_id]
    cols = st.columns(5)
    cols[0].metric("Inherent risk", f"{site['risk_score']:.0f}", help="what the site is and where (0-100)")
    cols[1].metric("Computed tier", str(site["risk_tier"]))
    cols[2].metric("Final tier", str(site["final_tier"]))
    cols[3].metric("Residual risk", f"{site.get('residual_score', site['risk_score']):.0f}",
                   help=f"after its sign and gate: {site.get('residual_tier', '-')}")
    cols[4].metric("Protection", str(site["protection"]))
    st.markdown(f"**Category:** {md_line(site['category'])} · *{md_line(site['category_basis'])}*  \n"
                f"**Department:** {md_line(site[schema.OWNING_DEPT])} · **A.1:** "
                f"{md_line(site.get(schema.DETERMINATION, 'pending'))} · **Control:** "
                f"{md_line(site.get(schema.CONTROL_BASIS, '-'))} · **Sign:** {md_line(site[schema.SIGN_STATUS])} · "
                f"**Gate:** {md_line(site[schema.GATE_STATUS])}")
    st.markdown("**Why this score** (inherent factors, then what protection removes)")
    words = [*str(site["risk_factors"]).split("; "), *str(site.get("residual_factors") or "").split("; ")]
    show_table(pd.DataFrame({"factor": [w for w in words if w]}))
    if site["tier_source"] == "override":
        st.info(f"Tier overridden to **{md_line(site['override_tier'])}** (computed: {md_line(site['risk_tier'])}) "
                f"by {md_line(site['override_by'])} at {md_line(site['override_at'])}: "
                f"{md_escape(site['override_reason'])}")
    with st.form(f"override_{site_id}"):
        tier = st.selectbox("Override tier", ["high", "medium", "low"])
        reason = st.text_input("Reason (required)")
        if st.form_submit_button("Save override"):
            try:
                override_tier(store_at(url), actor, site_id, tier, reason=reason)
                st.rerun()
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(exc))
    near = res.incidents[res.incidents[schema.SITE_ID] == site_id]
    st.markdown(f"**Incidents on or beside this site:** {len(near)}")
    if len(near):
        show_table(near[INCIDENT_COLUMNS])
    st.markdown("**Status history**")
    show_table(pd.DataFrame([{"version": e.version, "by": e.updated_by, "at (Los Angeles)": local_text(e.updated_at),
                              "changes": "; ".join(f"{header(k)}: {value_text(a)} -> {value_text(b)}"
                                                   for k, (a, b) in e.changes.items())}
                             for e in store_at(url).status_history(site_id)]))


def _parcel_detail(ain: str, *, res: AnalysisResult, row: pd.Series) -> None:
    cols = st.columns(3)
    cols[0].metric("Owner class", str(row["owner_class"]))
    cols[1].metric("Incidents within 250 m, 90 days", f"{int(row['incidents_250m_90d']):,}")
    cols[2].metric("Repeat-incident site", "yes" if row["repeat_site"] else "no")
    st.markdown(f"**Use code:** {md_line(row[schema.USE_CODE])} · **Category:** {md_line(row['category'])} · "
                f"**Council district:** {md_line(row[schema.COUNCIL_DISTRICT])}")
    snapped = res.incidents[res.incidents[schema.AIN].astype(str) == ain]
    st.markdown(f"**Incidents on or beside this parcel:** {len(snapped)}")
    if len(snapped):
        show_table(snapped[INCIDENT_COLUMNS])


def exports(matched: gpd.GeoDataFrame, *, url: str, synthetic: bool, actor: Actor) -> None:
    """Offer the filtered set as CSV, GeoJSON and GeoPackage; each export is recorded in the audit log."""
    st.markdown("**Export the filtered set**")
    if not st.button(f"Prepare exports of {len(matched):,} records", key=state.REV_EXPORT):
        return
    try:
        record_export(store_at(url), actor, what="review", records=len(matched))
    except AccessDenied as exc:
        st.error(md_escape(exc))
        return
    cols = st.columns(3)  # on_click="ignore": a download does not rerun the page, so the other buttons stay
    cols[0].download_button("CSV", to_csv_bytes(matched, synthetic=synthetic),
                            export_name("parcel_review", "csv", synthetic=synthetic), mime="text/csv", on_click="ignore")
    cols[1].download_button("GeoJSON", to_geojson_bytes(matched, synthetic=synthetic),
                            export_name("parcel_review", "geojson", synthetic=synthetic), mime="application/geo+json",
                            on_click="ignore")
    cols[2].download_button("GeoPackage", to_gpkg_bytes(matched, layer="parcel_review", synthetic=synthetic),
                            export_name("parcel_review", "gpkg", synthetic=synthetic),
                            mime="application/geopackage+sqlite3", on_click="ignore")
