"""How an action reads inside an access-denied message, as a translatable phrase.

``The liaison role may not edit status.``: the action's words are a nested :class:`geo.messages.Message`, so
the English stays the action's name with spaces while a Spanish reader gets a phrase of their own.
"""
from __future__ import annotations

from geo.messages import M, Message

#: Action -> its words (the English is always the action's name with spaces for underscores).
ACTION_WORDS: dict[str, Message] = {
    "view_risk": M("view risk"),
    "view_parcels": M("view parcels"),
    "view_incident_points": M("view incident points"),
    "edit_status": M("edit status"),
    "override_tier": M("override tier"),
    "submit_incident": M("submit incident"),
    "export_internal": M("export internal"),
    "export_public": M("export public"),
    "import_data": M("import data"),
    "manage_users": M("manage users"),
    "view_reporter_contact": M("view reporter contact"),
    "view_evidence": M("view evidence"),
    "verify_audit": M("verify audit"),
    "administer_store": M("administer store"),
    "publish_report": M("publish report"),
    "board_report": M("board report"),
    "sign_packet": M("sign packet"),
    "run_nexus": M("run nexus"),
    "determine_site": M("determine site"),
    "record_scene": M("record scene"),
    "manage_referrals": M("manage referrals"),
    "manage_retention": M("manage retention"),
    "commission_report": M("commission report"),
    "handle_alerts": M("handle alerts"),
    "manage_notices": M("manage notices"),
    "merge_reports": M("merge reports"),
    "package_evidence": M("package evidence"),
    "manage_agency_policy": M("manage agency policy"),
    "manage_contractor_disclosures": M("manage contractor disclosures"),
    "manage_site_consent": M("manage site consent"),
}


def action_words(action: str) -> str:
    """Return ``action`` as words (a translatable message when it is a known action)."""
    return ACTION_WORDS.get(action) or action.replace("_", " ")
