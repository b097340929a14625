"""Registers: evidence packages and agency policies (records), contractor disclosures and site consent (planners)."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import can
from geo.services.register_views import (
    agency_compliance,
    contractor_flags,
    legal_status,
    public_agency_summary,
)
from ui import auth, state
from ui.data import current_store, store_at
from ui.register_forms import package_section, register_section
from ui.tables import show_table

actor = auth.page_actor("registers")
url, _version = current_store()
store = store_at(url)
st.title("Registers")
st.caption("Directive 17 sections C and E, the Port Police evidence packages and Directive D's site-control records. "
           "Every change is versioned and written to the audit log.")
tabs: list[str] = []
if can(actor, "package_evidence"):
    tabs.append("Evidence packages")
if can(actor, "manage_agency_policy"):
    tabs.append("Agency policies (C)")
if can(actor, "manage_contractor_disclosures"):
    tabs.append("Contractor disclosures (E)")
if can(actor, "manage_site_consent"):
    tabs.append("Private opt-in and site control")
shown = dict(zip(tabs, st.tabs(tabs), strict=True))

if "Evidence packages" in shown:
    with shown["Evidence packages"]:
        package_section(url, actor)
if "Agency policies (C)" in shown:
    with shown["Agency policies (C)"]:
        st.subheader("Compliance and legal status")
        st.caption("SB 627 and SB 805: every agency operating in the City must post written policies on facial "
                   "coverings and visible identification. The masking rule is enjoined for federal agents since "
                   "9 Feb 2026 (United States v. State of California, C.D. Cal. 25-10999).")
        show_table(legal_status(store, actor))
        show_table(agency_compliance(store, actor))
        st.caption("Public summary (what the public view shows):")
        show_table(public_agency_summary(store, actor))
        for name in ("agency", "agency_policy", "commission_action", "legal_status"):
            st.divider()
            register_section(url, actor, name)
if "Contractor disclosures (E)" in shown:
    with shown["Contractor disclosures (E)"]:
        as_of = state.as_of()
        flags = contractor_flags(store, actor, as_of=as_of)
        st.subheader(f"Flags as of {as_of:%d %b %Y}")
        if flags.empty:
            st.info("No flags: no contractor with a DHS agreement operates a candidate site, and no renewal within "
                    "90 days lacks a disclosure.")
        else:
            show_table(flags[["flag", "contract_id", "bidder", "reason"]])
        register_section(url, actor, "contractor_disclosure")
if "Private opt-in and site control" in shown:
    with shown["Private opt-in and site control"]:
        st.caption("Owners who asked for a sign or refused site control form the nexus study's comparison group; "
                   "recorded grants of site control mark the parcels the fee would apply to.")
        register_section(url, actor, "private_parcel")
        st.divider()
        register_section(url, actor, "site_control_grant")
