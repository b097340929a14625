"""The authorisation matrix: every role x page and role x action cell, and liaison scope."""
from __future__ import annotations

import pytest

from geo.access.roles import ACTIONS, PAGES, ROLES, Actor, authorize, require_page
from geo.errors import AccessDenied

# Expected cells, written out by hand from the issue (not derived from the code under test).
PAGE_OK = {
    "planner": {"overview", "review", "sites", "incidents", "gaps", "nexus", "public", "registers", "events"},
    "liaison": {"overview", "liaison", "sites", "report", "public", "inbox"},
    "council_office": {"overview", "incidents", "gaps", "public"},
    "records": {"overview", "incidents", "report", "public", "commission", "registers", "events"},
    "admin": set(PAGES),
    "public": {"public"},
}
ACTION_OK = {
    "planner": {"view_risk", "view_parcels", "view_incident_points", "override_tier", "export_internal",
                "export_public", "publish_report", "board_report", "sign_packet", "run_nexus", "determine_site",
                "manage_contractor_disclosures", "manage_site_consent"},
    "liaison": {"view_risk", "edit_status", "submit_incident", "export_public", "board_report", "sign_packet",
                "determine_site", "handle_alerts", "manage_notices"},
    "council_office": {"view_risk", "view_incident_points", "export_internal", "export_public"},
    "records": {"view_incident_points", "submit_incident", "view_reporter_contact", "view_evidence", "export_public",
                "publish_report", "verify_audit", "record_scene", "manage_referrals", "manage_retention",
                "commission_report", "package_evidence", "manage_agency_policy", "merge_reports"},
    "admin": set(ACTIONS),
    "public": {"export_public"},
}


def _actor(role: str) -> Actor:
    return Actor("x", role, department="Transportation (LADOT)" if role == "liaison" else None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_cell(role, page):
    if page in PAGE_OK[role]:
        require_page(_actor(role), page)
    else:
        with pytest.raises(AccessDenied, match=f"cannot open the {page} page"):
            require_page(_actor(role), page)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_action_cell(role, action):
    dept = "Transportation (LADOT)"
    if action in ACTION_OK[role]:
        authorize(_actor(role), action, department=dept)
    else:
        with pytest.raises(AccessDenied, match="may not"):
            authorize(_actor(role), action, department=dept)


def test_reporter_contact_is_records_and_admin_only():
    assert {r for r in ROLES if "view_reporter_contact" in ACTION_OK[r]} == {"records", "admin"}


def test_liaison_edits_only_their_own_department():
    lia = Actor("ana", "liaison", department="Transportation (LADOT)")
    authorize(lia, "edit_status", department="Transportation (LADOT)")
    with pytest.raises(AccessDenied, match="liaison for Transportation"):
        authorize(lia, "edit_status", department="Recreation and Parks (RAP)")


def test_bad_roles_and_unscoped_liaisons_are_refused():
    with pytest.raises(AccessDenied, match="Unknown role"):
        Actor("x", "superuser")
    with pytest.raises(AccessDenied, match="no department"):
        Actor("x", "liaison")
    with pytest.raises(AccessDenied, match="Unknown action"):
        authorize(Actor("x", "admin"), "launch")


@pytest.mark.parametrize("action", ["edit_status", "board_report", "sign_packet", "determine_site"])
def test_liaison_department_scoped_actions_refuse_other_departments(action):
    lia = Actor("ana", "liaison", department="Transportation (LADOT)")
    authorize(lia, action, department="Transportation (LADOT)")
    with pytest.raises(AccessDenied, match="liaison for Transportation"):
        authorize(lia, action, department="Recreation and Parks (RAP)")
