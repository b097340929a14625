"""The one label table (plain data): how column names and coded values read, in English and Spanish.

Screens and map legends both read it: :mod:`geo.analysis.labels` turns whole frames into what a
person reads, :func:`code_label` spells out one code (a legend entry, a widget option). Every label is
marked with ``N_`` and translated where it is shown (``lang``; Spanish from the catalogue).
"""
from __future__ import annotations

from geo.i18n import N_, translate

MISSING = "—"
#: Column name -> header. Names not listed read as their words ("sign_overdue_days" -> "Sign overdue days").
COLUMNS: dict[str, str] = {
    "site_id": N_("Site"), "unit_id": N_("Site or part"), "part_id": N_("Part"), "record_id": N_("Record"), "kind": N_("Kind"),
    "name": N_("Name"), "owning_dept": N_("Department"), "category": N_("Category"), "determination": N_("Determination (A.1)"),
    "final_tier": N_("Risk tier"), "risk_score": N_("Risk score"), "residual_tier": N_("Risk left after protection"),
    "base_tier": N_("Risk tier before review"), "sign_status": N_("Sign"), "gate_status": N_("Gate"),
    "sign_deadline": N_("Sign deadline"), "sign_posted_on": N_("Sign posted on"), "protection": N_("Protection"),
    "protection_detail": N_("Protection detail"), "sign_overdue_days": N_("Days sign overdue"),
    "identify_overdue_days": N_("Days determination overdue"), "signed_late_days": N_("Days signed late"),
    "council_district": N_("Council district"), "district": N_("Council district"), "district_name": N_("District name"),
    "lapd_area": N_("LAPD area"), "area_name": N_("LAPD area"), "incident_id": N_("Incident"), "occurred_at": N_("Occurred"),
    "incident_type": N_("Type"), "verification": N_("Verification"), "verification_status": N_("Verification"), "source_type": N_("Source"), "relevance": N_("Relevance"),
    "conduct": N_("Observed conduct"), "warrant_shown": N_("Warrant shown"), "location_text": N_("Location"),
    "description": N_("Description"), "snap_kind": N_("Where"), "snap_distance_ft": N_("Distance (ft)"),
    "owner_class": N_("Owner"), "owner_name": N_("Owner name"), "use_code": N_("Use code"), "use_description": N_("Use"),
    "ain": N_("AIN"), "ains": N_("AINs"), "apn": N_("APN"), "situs_address": N_("Address"), "address": N_("Address"),
    "incidents_250m_90d": N_("Incidents within 250 m (90 days)"), "repeat_site": N_("Repeat site"),
    "updated_at": N_("Updated"), "updated_by": N_("Updated by"), "created_at": N_("Created"), "version": N_("Version"),
    "sites": N_("Sites"), "units": N_("Sites and parts"), "identified": N_("Determined (A.1)"), "candidates": N_("Candidates"),
    "signed": N_("Signed"), "gated": N_("Gated"), "barrier_sites": N_("Barrier applies"), "barrier_applies": N_("Barrier applies"),
    "high_not_protected": N_("High risk, not protected"), "pct_signed": N_("% signed"), "pct_identified": N_("% determined"),
    "incidents": N_("Incidents"), "count": N_("Count"), "parcels": N_("Parcels"), "lot_sqft": N_("Lot (sq ft)"),
    "area_sqft": N_("Area (sq ft)"), "bldg_sqft": N_("Building (sq ft)"), "year_built": N_("Year built"),
    "is_synthetic": N_("Synthetic"), "site_origin": N_("Origin"), "evidence_refs": N_("Evidence"), "field": N_("Field"),
    "value": N_("Value"), "factor": N_("Factor"), "sign_text_version": N_("Sign text version"), "language": N_("Language"),
    "status_note": N_("Note"), "note": N_("Note"), "captured_at": N_("Photo taken"), "photo": N_("Photo"),
    "data_notice": N_("Data notice"), "rate_usd": N_("Rate (USD)"), "basis": N_("Basis"), "land_use_class": N_("Land use class"),
    # the registers, the Commission, the nexus study, notices and effects (issue 17): read in both languages
    "acknowledged": N_("Acknowledged"), "acknowledged_on": N_("Acknowledged on"), "after": N_("After"),
    "agency": N_("Agency"), "agency_id": N_("Agency id"), "agency_kind": N_("Agency kind"),
    "attributable_cost_usd": N_("Attributable cost (USD)"), "authority": N_("Authority"), "before": N_("Before"),
    "category_basis": N_("Category basis"), "charged": N_("Charged"), "ci_high": N_("Ci high"),
    "ci_low": N_("Ci low"), "closed": N_("Closed"), "closed_on": N_("Closed on"),
    "comparison_after_mean": N_("Comparison after mean"),
    "comparison_before_mean": N_("Comparison before mean"), "comparison_sites": N_("Comparison sites"),
    "compliance": N_("Compliance"), "contact_id": N_("Contact id"), "contract_number": N_("Contract number"),
    "contractors": N_("Contractors"), "control_basis": N_("Control basis"),
    "counts_toward_fee": N_("Counts toward fee"), "days_late": N_("Days late"), "days_left": N_("Days left"),
    "days_waiting": N_("Days waiting"), "decided_on": N_("Decided on"), "declined": N_("Declined"),
    "department": N_("Department"), "did": N_("Did"), "document_sha256": N_("Document sha256"),
    "est_footprint_sqft": N_("Est footprint sqft"), "est_open_area_sqft": N_("Est open area sqft"),
    "expires_on": N_("Expires on"), "fee_incidents": N_("Fee incidents"),
    "fee_per_incident_usd": N_("Fee per incident usd"),
    "fee_per_parking_sqft_usd": N_("Fee per parking sqft usd"), "fee_per_site_usd": N_("Fee per site usd"),
    "first_at": N_("First at"), "first_month": N_("First month"), "hold_id": N_("Hold id"),
    "identify_overdue": N_("Identify overdue"), "incidents_adjacent": N_("Incidents adjacent"),
    "incidents_on_site": N_("Incidents on site"), "incidents_recent": N_("Incidents recent"),
    "incidents_total": N_("Incidents total"), "last_at": N_("Last at"), "last_month": N_("Last month"),
    "late": N_("Late"), "legal_status": N_("Legal status"), "max_excess_usd": N_("Largest fee above cost (USD)"),
    "missing": N_("Missing"), "month": N_("Month"), "months_with_incidents": N_("Months with incidents"),
    "on_time": N_("On time"), "open_commission_actions": N_("Open commission actions"),
    "outcome": N_("Outcome"), "owner_declaration": N_("Owner declaration"), "owner_known": N_("Owner known"),
    "package_ref": N_("Package ref"), "parcels_fee_exceeds_cost": N_("Parcels where the fee exceeds the cost"),
    "parts": N_("Parts"), "pct_gated": N_("Pct gated"), "policy_posted": N_("Policy posted"),
    "policy_url": N_("Policy url"), "proportional": N_("Proportional"), "recipient": N_("Recipient"),
    "recipient_other": N_("Recipient other"), "recorded": N_("Recorded"), "ref": N_("Ref"),
    "referral_id": N_("Referral id"), "referral_status": N_("Referral status"),
    "repeat_parcels": N_("Repeat parcels"), "repeat_recent": N_("Repeat recent"),
    "repeat_recent_parcels": N_("Repeat recent parcels"), "requirement": N_("Requirement"),
    "revenue_usd": N_("Revenue (USD)"), "scope": N_("Scope"), "seen_on": N_("Seen on"), "sent": N_("Sent"),
    "sent_on": N_("Sent on"), "sign_overdue": N_("Sign overdue"), "since": N_("Since"),
    "site_control": N_("Site control"), "source": N_("Source"), "state": N_("State"),
    "statement": N_("Statement"), "status": N_("Status"), "status_since": N_("Status since"),
    "total": N_("Total"), "treated_sites": N_("Treated sites"), "unit": N_("Unit"), "url": N_("Url"),
    "key": N_("Key"), "applies_to": N_("Applies to"),
    "uses_placeholders": N_("Uses placeholders"), "verdict": N_("Verdict"), "year": N_("Year"),
    "zone": N_("Zone"), "parent": N_("Parent"), "posted": N_("Posted"), "action_id": N_("Action id"),
    "action": N_("Action"), "opened_on": N_("Opened on"), "contract_id": N_("Contract id"),
    "bidder": N_("Bidder"), "dhs_agreement": N_("DHS agreement"), "dhs_agency": N_("DHS agency"),
    "nature_of_work": N_("Nature of work"), "compensation_terms": N_("Compensation terms"),
    "third_party_data_sharing": N_("Third party data sharing"), "disclosed_on": N_("Disclosed on"),
    "renewal_date": N_("Renewal date"), "site_ids": N_("Site ids"), "owner": N_("Owner"),
    "declaration": N_("Declaration"), "declared_on": N_("Declared on"), "grant_id": N_("Grant id"),
    "grantee": N_("Grantee"), "granted_on": N_("Granted on"), "ended_on": N_("Ended on"),
    "districts": N_("Districts"), "parks": N_("Parks"), "lapd_areas": N_("LAPD areas"), "places": N_("Places"),
    "ramps": N_("Ramps"), "neighborhood_councils": N_("Neighborhood councils"),
    "site_status": N_("Site status"), "streets": N_("Streets"), "site_parts": N_("Site parts"),
    "wkt": N_("Geometry (WKT)"),
}
#: Coded value -> how it reads. Anything not listed is shown as it is (names, ids, free text).
VALUES: dict[str, str] = {
    "per_incident": N_("Per incident"), "per_site": N_("Per site"),
    "per_parking_sqft": N_("Per sq ft of open or parking area"), "closed_locked": N_("Closed and locked"), "closed_unlocked": N_("Closed, not locked"), "open": N_("Open"),
    "no_gate": N_("No gate"), "unknown": N_("Unknown"), "none": N_("No"), "posted": N_("Posted"), "damaged": N_("Damaged"),
    "unverified": N_("Unverified"), "corroborated": N_("Corroborated"), "lapd_confirmed": N_("LAPD confirmed"),
    "high": N_("High"), "medium": N_("Medium"), "low": N_("Low"), "protected": N_("Protected"), "partial": N_("Partly protected"),
    "unprotected": N_("Unprotected"), "not_needed": N_("Not needed (not a candidate)"), "pending": N_("Pending"),
    "candidate": N_("Candidate"), "not_candidate": N_("Not a candidate"), "on_site": N_("On the site"), "adjacent": N_("Beside the site"),
    "city": N_("City"), "city_site": N_("City site"), "other_public": N_("Other public"), "private": N_("Private"), "other_city": N_("Other City"),
    "parking_lot": N_("Parking lot"), "parking_garage": N_("Parking garage"), "park": N_("Park"), "vacant_lot": N_("Vacant lot"),
    "facility": N_("Facility"), "yard": N_("Yard"), "transit_terminal": N_("Transit terminal"), "golf_course": N_("Golf course"),
    "open_land": N_("Open land"), "other": N_("Other"), "enforcement": N_("Enforcement"), "general_crime": N_("General crime (context)"),
    "suspected_unlawful_conduct": N_("Suspected unlawful conduct"), "no_visible_id": N_("No visible ID"), "force": N_("Force"),
    "masking": N_("Masking"), "entry_without_warrant": N_("Entry without a warrant"), "obstruction": N_("Obstruction"),
    "community_tracker": N_("Community tracker"), "lapd_import": N_("LAPD import"), "contractor": N_("Contractor"),
    "officer": N_("Officer"), "staff": N_("Staff"), "public": N_("Public"), "yes": N_("Yes"), "no": N_("No"),
    "non_public_area": N_("Non-public area"), "garage": N_("Garage"), "field": N_("Field"), "mou_joint_use": N_("MOU joint use"),
    "leased_in": N_("Leased in"), "owned": N_("Owned"), "permit": N_("Permit"), "easement": N_("Easement"), "site": N_("Site"),
    "staging_area": N_("Staging area"), "processing_location": N_("Processing location"),
    "operations_base": N_("Operations base"), "part": N_("Part"), "arrest": N_("Arrest"), "raid": N_("Raid"), "staging": N_("Staging"), "detention": N_("Detention"),
    # the registers' coded answers, read as their words
    "amended": N_("amended"), "both": N_("both"), "challenge": N_("challenge"), "compliant": N_("compliant"),
    "county": N_("county"), "enjoined": N_("enjoined"), "face_covering": N_("face covering"),
    "federal": N_("federal"), "filed": N_("filed"), "in_force": N_("in force"), "inquiry": N_("inquiry"),
    "non_compliant": N_("non compliant"), "not_assessed": N_("not assessed"),
    "refuses_site_control": N_("refuses site control"), "resolved": N_("resolved"),
    "response_received": N_("response received"), "sign_requested": N_("sign requested"), "state": N_("state"),
    "visible_id": N_("visible id"), "withdrawn": N_("withdrawn"),
    "checkpoint": N_("Checkpoint"), "surveillance": N_("Surveillance"),
    # a published table's suppressed cells and its totals (geo.reports.publish)
    "withheld": N_("withheld"), "Total": N_("Total"),
}
#: The roles as people name them (the demo role picker, account lists).
ROLE_WORDS: dict[str, str] = {
    "planner": N_("Planning staff"), "liaison": N_("Department liaison"), "council_office": N_("Council office"),
    "records": N_("LAPD records"), "admin": N_("Administrator"), "public": N_("Public"),
}
#: The pages as the navigation names them (``streamlit_app.PAGES`` takes its titles from here).
PAGE_WORDS: dict[str, str] = {
    "overview": N_("Overview"), "review": N_("Parcel review"), "liaison": N_("Liaison"),
    "sites": N_("Site list (A.1)"), "incidents": N_("Incident map"), "report": N_("Report an incident"),
    "gaps": N_("Gap analysis"), "nexus": N_("Nexus study"), "data": N_("Data"), "public": N_("Public view"),
    "inbox": N_("Inbox"), "events": N_("Events and effects"), "commission": N_("Commission (Section B)"),
    "registers": N_("Registers"),
}
#: Where a code reads differently in one column.
BY_COLUMN: dict[str, dict[str, str]] = {
    "sign_status": {"none": N_("No sign"), "unknown": N_("Not known")}, "snap_kind": {"none": N_("Not near a site")},
    "referral": {"none": N_("No referral")},
    "kind": {"City site": N_("City site"), "parcel": N_("Parcel")},  # the review frame's record kinds
    "owner_name": {"(owner not public)": N_("(owner not public)")},  # geo.analysis.gaps.UNKNOWN_OWNER
    # geo.analysis.notice_clock: where each department's contractor notice stands
    "state": {"sent on time": N_("Sent on time"), "sent late": N_("Sent late"), "missing": N_("Not sent"),
              "missing, overdue": N_("Not sent, overdue"), "no contractor registered": N_("No contractor registered")},
    # geo.analysis.before_after: the scope of a summary row and its verdict
    "scope": {"citywide": N_("Citywide"), "department": N_("Department"), "site": N_("Site")},
    "verdict": {"too few events to say": N_("Too few events to say"),
                "fewer events after protection": N_("Fewer events after protection"),
                "more events after protection": N_("More events after protection"),
                "no clear change": N_("No clear change")},
    # geo.analysis.gaps: what protection a site or part has, and what it still lacks
    "protection_detail": {
        "signed, gated and locked": N_("Signed, gated and locked"), "signed, not gated": N_("Signed, not gated"),
        "signed, no barrier needed": N_("Signed, no barrier needed"),
        "not signed, gated and locked": N_("Not signed, gated and locked"),
        "not signed, not gated": N_("Not signed, not gated"),
        "not signed, no barrier needed": N_("Not signed, no barrier needed"),
        "City control ended: no sign needed": N_("City control ended: no sign needed"),
        "not a candidate (A.1): no sign needed": N_("Not a candidate (A.1): no sign needed"),
    },
}
#: Short words of a column's codes for a narrow table (the Liaison's site list on a phone: ``show_table(short=...)``);
#: codes not listed read as everywhere else.
SHORT: dict[str, dict[str, str]] = {
    "gate_status": {"closed_locked": N_("Locked"), "closed_unlocked": N_("Unlocked")},
}


def column_header(column: object, lang: str = "en") -> str:
    """Return the header a person reads for ``column`` in ``lang``: the table's label, else its words.

    Words that are themselves a label of the table ("Council district", a header made upstream) are
    translated too; other words stay as they are (no translation is invented).
    """
    name = str(column)
    if name in COLUMNS or name in VALUES:  # a value as a header: a crosstab's columns
        return translate(COLUMNS.get(name) or VALUES[name], lang)
    words = name.replace("_", " ").strip()
    words = words[:1].upper() + words[1:] if words else name
    return translate(words, lang) if words in _LABELS else words


#: Every English label of the table (a header already spelled out upstream is translated like its code).
_LABELS = frozenset({*COLUMNS.values(), *VALUES.values(), *(w for m in BY_COLUMN.values() for w in m.values())})


def is_label(text: str) -> bool:
    """Return whether ``text`` is an English word of the label table (so it has a translation)."""
    return text in _LABELS


#: Columns of recorded text (names, addresses, descriptions, references): shown and exported as recorded, never
#: read as a code, so a site named "open" or an incident described as "closed_locked" is not spelled as a status.
RECORDED_TEXT = frozenset({
    "name", "address", "situs_address", "owner_name", "agency_name", "use_description", "use_detail", "description",
    "location_text", "premise_desc", "district_name", "area_name", "park_name", "nc_name", "place_name",
    "street_name", "part_name", "listed_doc", "control_doc", "determination_reason", "evidence_refs", "source",
    "source_url", "jurisdiction_city", "supervisor_name", "filename"})


def code_label(value: object, column: str | None = None, lang: str = "en") -> str:
    """Return how one code reads in ``lang`` (``closed_locked`` -> "Closed and locked"); anything else as it is.

    A value of a :data:`RECORDED_TEXT` column is data, returned as it is whatever it spells (only that column's
    own placeholders, :data:`BY_COLUMN`, read as words).
    """
    text = str(value)
    known = BY_COLUMN.get(column or "", {}).get(text) or (None if column in RECORDED_TEXT else VALUES.get(text))
    return translate(known, lang) if known else text


#: :data:`geo.schema.RELEVANCE_LABELS` (the report form's long choices), marked for translation: the ground
#: imports no translations. ``tests/geo/test_i18n.py`` keeps the two equal.
RELEVANCE_WORDS: dict[str, str] = {
    "enforcement": N_("Enforcement activity (staging, processing, operations base, arrest, ...)"),
    "suspected_unlawful_conduct": N_("Suspected unlawful conduct by an immigration agent (B.8)"),
    "general_crime": N_("General crime (context only: not enforcement, never in B.8)"),
}
