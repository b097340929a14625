"""Who may see which page and do which action: one matrix, checked server-side everywhere."""
from __future__ import annotations

from dataclasses import dataclass

from geo.access.wording import action_words
from geo.errors import AccessDenied
from geo.labels import PAGE_WORDS, ROLE_WORDS
from geo.messages import M, Term

ROLES = ("planner", "liaison", "council_office", "records", "admin", "public")
PAGES = ("overview", "review", "liaison", "sites", "incidents", "report", "gaps", "data", "nexus", "public",
         "inbox", "events", "registers", "commission")
ACTIONS = (
    "view_risk",  # risk scores, tiers, gap lists, unprotected sites
    "view_parcels",  # private parcels
    "view_incident_points",  # incident locations and details
    "edit_status",  # sign and gate status (liaisons: their own department only)
    "override_tier",
    "submit_incident",
    "export_internal",  # review / gap / nexus exports
    "export_public",  # suppressed aggregates and protected sites
    "import_data",
    "manage_users",
    "view_reporter_contact",  # reporter names, e-mails, phones
    "view_evidence",
    "verify_audit",  # walk the audit chain and print its head
    "administer_store",  # migrations, liaisons file, the synthetic sample
    "publish_report",  # the B.8 monthly report (public tier, suppressed)
    "board_report",  # a department's board report (liaisons: their own department)
    "sign_packet",  # printable signs (liaisons: their own department)
    "run_nexus",  # nexus-study tables and snapshots (Directive D)
    "determine_site",  # A.1 determination, control basis and site parts (liaisons: their own department)
    "record_scene",  # Section B scene record of an LAPD-attended incident (B.1-B.6)
    "manage_referrals",  # B.7 referrals to prosecutors and their outcomes
    "manage_retention",  # legal holds and the expiry of reporter contacts
    "commission_report",  # the Police Commission's Section B dashboard and monthly PDF (internal)
    "handle_alerts",  # A.3 alert inbox: read, acknowledge, action (liaisons: their own department)
    "manage_notices",  # A.3 contractor notices and day-15 board measures (liaisons: their own department)
    "merge_reports",  # confirm or split reports proposed as one event
    "package_evidence",  # signed evidence packages for LAPD, the DA, the U.S. Attorney, the Attorney General
    "manage_agency_policy",  # section C: agencies, posted policies, legal status, Commission inquiries
    "manage_contractor_disclosures",  # section E: contractor DHS and data-sharing disclosures
    "manage_site_consent",  # private opt-in parcels and recorded grants of site control (nexus study)
)
#: Actions a liaison may take only for their own department.
DEPARTMENT_SCOPED = frozenset({"edit_status", "board_report", "sign_packet", "determine_site", "handle_alerts",
                               "manage_notices"})

_MATRIX: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "planner": (frozenset({"overview", "review", "sites", "incidents", "gaps", "nexus", "public", "registers",
                           "events"}),
                frozenset({"view_risk", "view_parcels", "view_incident_points", "override_tier", "export_internal",
                           "export_public", "publish_report", "board_report", "sign_packet", "run_nexus",
                           "determine_site", "manage_contractor_disclosures", "manage_site_consent"})),
    "liaison": (frozenset({"overview", "liaison", "sites", "report", "public", "inbox"}),
                frozenset({"view_risk", "edit_status", "submit_incident", "export_public", "board_report",
                           "sign_packet", "determine_site", "handle_alerts", "manage_notices"})),
    "council_office": (frozenset({"overview", "incidents", "gaps", "public"}),
                       frozenset({"view_risk", "view_incident_points", "export_internal", "export_public"})),
    "records": (frozenset({"overview", "incidents", "report", "public", "registers", "commission", "events"}),
                frozenset({"view_incident_points", "submit_incident", "view_reporter_contact", "view_evidence",
                           "export_public", "publish_report", "verify_audit", "record_scene", "manage_referrals",
                           "manage_retention", "commission_report", "package_evidence", "manage_agency_policy",
                           "merge_reports"})),
    "admin": (frozenset(PAGES), frozenset(ACTIONS)),
    "public": (frozenset({"public"}), frozenset({"export_public"})),
}


@dataclass(frozen=True)
class Actor:
    """A signed-in person: name, role, the department or district that scopes them, and the door used."""

    name: str
    role: str
    department: str | None = None
    district: int | None = None
    source: str = "app"  # the door the actor came through: "app" or "cli"
    os_user: str | None = None  # the operating-system user behind a CLI account

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessDenied(M("Unknown role {role}; roles are {roles}.", role=repr(self.role), roles=", ".join(ROLES)))
        if self.role == "liaison" and not self.department:
            raise AccessDenied(M("Liaison {name} has no department; an admin must set one.", name=repr(self.name)))


def role_term(role: str) -> Term:
    """Return ``role`` for a message: the code in English (``planner``), its name in another language."""
    return Term(role, ROLE_WORDS.get(role, role))


def can_view(actor: Actor, page: str) -> bool:
    """Return whether ``actor`` may open ``page``."""
    return page in _MATRIX[actor.role][0]


def can(actor: Actor, action: str) -> bool:
    """Return whether ``actor``'s role may do ``action`` at all (scope is checked by :func:`authorize`)."""
    return action in _MATRIX[actor.role][1]


def require_page(actor: Actor, page: str) -> None:
    """Raise :class:`AccessDenied` unless ``actor`` may open ``page``."""
    if page not in PAGES:
        raise AccessDenied(M("Unknown page {page}.", page=repr(page)))
    if not can_view(actor, page):
        raise AccessDenied(M("The {role} role cannot open the {page} page.", role=role_term(actor.role),
                             page=Term(page, PAGE_WORDS.get(page, page))))


def authorize(actor: Actor, action: str, *, department: str | None = None, district: int | None = None) -> None:
    """Raise :class:`AccessDenied` unless ``actor`` may do ``action`` on a record of ``department``.

    Liaisons edit only their own department's sites. Council offices see every district
    (their own first), so district scope orders views but does not deny them.
    """
    if action not in ACTIONS:
        raise AccessDenied(M("Unknown action {action}.", action=repr(action)))
    if not can(actor, action):
        raise AccessDenied(M("The {role} role may not {action}.", role=role_term(actor.role),
                             action=action_words(action)))
    if actor.role == "liaison" and action in DEPARTMENT_SCOPED and department != actor.department:
        raise AccessDenied(M("{name} is the liaison for {department}; this belongs to {other}. Ask that "
                             "department's liaison.", name=actor.name, department=actor.department,
                             other=department or M("no department")))


def visible_pages(actor: Actor) -> list[str]:
    """Return the pages ``actor`` may open, in navigation order."""
    return [p for p in PAGES if can_view(actor, p)]


#: The page each role lands on: the one that answers its first question (a liaison: my sites still to sign
#: and gate; a council office: my district's incidents this month, on the Overview cut to its district;
#: a planner: what awaits review, on the Overview's KPIs and its link; the public: the map).
LANDING: dict[str, str] = {"liaison": "liaison", "public": "public"}


def landing_page(actor: Actor) -> str | None:
    """Return the page ``actor`` lands on: its role's landing page, else the first page it may see."""
    pages = visible_pages(actor)
    wanted = LANDING.get(actor.role)
    return wanted if wanted in pages else (pages[0] if pages else None)
