"""Registers: evidence packages and agency policies (records), contractor disclosures and site consent (planners)."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import can
from geo.i18n import short_date
from geo.services.register_views import (
    agency_compliance,
    contractor_flags,
    legal_status,
    public_agency_summary,
)
from ui import auth, state
from ui.data import current_store, store_at
from ui.i18n import _, lang
from ui.register_forms import package_section, register_section
from ui.tables import show_table

actor = auth.page_actor("registers")
url, _version = current_store()
store = store_at(url)
st.title(_("Registers"))
st.caption(_("Directive 17 sections C and E, the Port Police evidence packages and Directive D's site-control "
             "records. Every change is versioned and written to the audit log."))
TABS = {  # tab code -> (action that opens it, label); tabs are found by code, whatever the language
    "packages": ("package_evidence", _("Evidence packages")),
    "agencies": ("manage_agency_policy", _("Agency policies (C)")),
    "contractors": ("manage_contractor_disclosures", _("Contractor disclosures (E)")),
    "consent": ("manage_site_consent", _("Private opt-in and site control")),
}
tabs = [code for code, (action, _label) in TABS.items() if can(actor, action)]
shown = dict(zip(tabs, st.tabs([TABS[code][1] for code in tabs]), strict=True))

if "packages" in shown:
    with shown["packages"]:
        package_section(url, actor)
if "agencies" in shown:
    with shown["agencies"]:
        st.subheader(_("Compliance and legal status"))
        st.caption(_("SB 627 and SB 805: every agency operating in the City must post written policies on facial "
                     "coverings and visible identification. The masking rule is enjoined for federal agents since "
                     "9 Feb 2026 (United States v. State of California, C.D. Cal. 25-10999)."))
        show_table(legal_status(store, actor))
        show_table(agency_compliance(store, actor))
        st.caption(_("Public summary (what the public view shows):"))
        show_table(public_agency_summary(store, actor))
        for name in ("agency", "agency_policy", "commission_action", "legal_status"):
            st.divider()
            register_section(url, actor, name)
if "contractors" in shown:
    with shown["contractors"]:
        as_of = state.as_of()
        flags = contractor_flags(store, actor, as_of=as_of)
        st.subheader(_("Flags as of {date}").format(date=short_date(as_of, lang())))
        if flags.empty:
            st.info(_("No flags: no contractor with a DHS agreement operates a candidate site, and no renewal "
                      "within 90 days lacks a disclosure."))
        else:
            show_table(flags[["flag", "contract_id", "bidder", "reason"]])
        register_section(url, actor, "contractor_disclosure")
if "consent" in shown:
    with shown["consent"]:
        st.caption(_("Owners who asked for a sign or refused site control form the nexus study's comparison group; "
                     "recorded grants of site control mark the parcels the fee would apply to."))
        register_section(url, actor, "private_parcel")
        st.divider()
        register_section(url, actor, "site_control_grant")
