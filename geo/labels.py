"""The one label table (plain data, standard library only): how column names and coded values read.

Screens and map legends both read it: :mod:`geo.analysis.labels` turns whole frames into what a
person reads, :func:`code_label` spells out one code (a legend entry, a widget option).
"""
from __future__ import annotations

MISSING = "—"
#: Column name -> header. Names not listed read as their words ("sign_overdue_days" -> "Sign overdue days").
COLUMNS: dict[str, str] = {
    "site_id": "Site", "unit_id": "Site or part", "part_id": "Part", "record_id": "Record", "kind": "Kind",
    "name": "Name", "owning_dept": "Department", "category": "Category", "determination": "Determination (A.1)",
    "final_tier": "Risk tier", "risk_score": "Risk score", "residual_tier": "Risk left after protection",
    "base_tier": "Risk tier before review", "sign_status": "Sign", "gate_status": "Gate",
    "sign_deadline": "Sign deadline", "sign_posted_on": "Sign posted on", "protection": "Protection",
    "protection_detail": "Protection detail", "sign_overdue_days": "Days sign overdue",
    "identify_overdue_days": "Days determination overdue", "signed_late_days": "Days signed late",
    "council_district": "Council district", "district": "Council district", "district_name": "District name",
    "lapd_area": "LAPD area", "area_name": "LAPD area", "incident_id": "Incident", "occurred_at": "Occurred",
    "incident_type": "Type", "verification": "Verification", "verification_status": "Verification", "source_type": "Source", "relevance": "Relevance",
    "conduct": "Observed conduct", "warrant_shown": "Warrant shown", "location_text": "Location",
    "description": "Description", "snap_kind": "Where", "snap_distance_ft": "Distance (ft)",
    "owner_class": "Owner", "owner_name": "Owner name", "use_code": "Use code", "use_description": "Use",
    "ain": "AIN", "ains": "AINs", "apn": "APN", "situs_address": "Address", "address": "Address",
    "incidents_250m_90d": "Incidents within 250 m (90 days)", "repeat_site": "Repeat site",
    "updated_at": "Updated", "updated_by": "Updated by", "created_at": "Created", "version": "Version",
    "sites": "Sites", "units": "Sites and parts", "identified": "Determined (A.1)", "candidates": "Candidates",
    "signed": "Signed", "gated": "Gated", "barrier_sites": "Barrier applies", "barrier_applies": "Barrier applies",
    "high_not_protected": "High risk, not protected", "pct_signed": "% signed", "pct_identified": "% determined",
    "incidents": "Incidents", "count": "Count", "parcels": "Parcels", "lot_sqft": "Lot (sq ft)",
    "area_sqft": "Area (sq ft)", "bldg_sqft": "Building (sq ft)", "year_built": "Year built",
    "is_synthetic": "Synthetic", "site_origin": "Origin", "evidence_refs": "Evidence", "field": "Field",
    "value": "Value", "factor": "Factor", "sign_text_version": "Sign text version", "language": "Language",
    "status_note": "Note", "note": "Note", "captured_at": "Photo taken", "photo": "Photo",
    "rate_usd": "Rate (USD)", "basis": "Basis", "land_use_class": "Land use class",
}
#: Coded value -> how it reads. Anything not listed is shown as it is (names, ids, free text).
VALUES: dict[str, str] = {
    "closed_locked": "Closed and locked", "closed_unlocked": "Closed, not locked", "open": "Open",
    "no_gate": "No gate", "unknown": "Unknown", "none": "No", "posted": "Posted", "damaged": "Damaged",
    "unverified": "Unverified", "corroborated": "Corroborated", "lapd_confirmed": "LAPD confirmed",
    "high": "High", "medium": "Medium", "low": "Low", "protected": "Protected", "partial": "Partly protected",
    "unprotected": "Unprotected", "not_needed": "Not needed (not a candidate)", "pending": "Pending",
    "candidate": "Candidate", "not_candidate": "Not a candidate", "on_site": "On the site", "adjacent": "Beside the site",
    "city": "City", "other_public": "Other public", "private": "Private", "other_city": "Other City",
    "parking_lot": "Parking lot", "parking_garage": "Parking garage", "park": "Park", "vacant_lot": "Vacant lot",
    "facility": "Facility", "yard": "Yard", "transit_terminal": "Transit terminal", "golf_course": "Golf course",
    "open_land": "Open land", "other": "Other", "enforcement": "Enforcement", "general_crime": "General crime (context)",
    "suspected_unlawful_conduct": "Suspected unlawful conduct", "no_visible_id": "No visible ID", "force": "Force",
    "masking": "Masking", "entry_without_warrant": "Entry without a warrant", "obstruction": "Obstruction",
    "community_tracker": "Community tracker", "lapd_import": "LAPD import", "contractor": "Contractor",
    "officer": "Officer", "staff": "Staff", "public": "Public", "yes": "Yes", "no": "No",
    "non_public_area": "Non-public area", "garage": "Garage", "field": "Field", "mou_joint_use": "MOU joint use",
    "leased_in": "Leased in", "owned": "Owned", "permit": "Permit", "easement": "Easement", "site": "Site",
    "part": "Part", "arrest": "Arrest", "raid": "Raid", "staging": "Staging", "detention": "Detention",
}
#: Where a code reads differently in one column.
BY_COLUMN: dict[str, dict[str, str]] = {
    "sign_status": {"none": "No sign", "unknown": "Not known"}, "snap_kind": {"none": "Not near a site"},
    "referral": {"none": "No referral"},
}


def code_label(value: object, column: str | None = None) -> str:
    """Return how one code reads (``closed_locked`` -> "Closed and locked"); anything else as it is."""
    text = str(value)
    return BY_COLUMN.get(column or "", {}).get(text) or VALUES.get(text, text)
