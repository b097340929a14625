"""Section B duties of LAPD: scene record fields (B.1-B.6), referrals (B.7), cadence and retention settings.

Plain names and enums shared by the store, the analysis, the services and the pages (standard
library only, like :mod:`geo.schema`). A scene record belongs to one LAPD-attended incident; a
duty is met when its field is ``True`` (B.5 only where someone was injured, B.6 only where a
public report was received, and then when a report number is on record).
"""
from __future__ import annotations

import os

from geo.i18n import N_
from geo.messages import M, Message
from geo.schema import UPDATED_AT, UPDATED_BY, VERSION, Column

INCIDENT_ID = "incident_id"
SCENE_RECORDS = "scene_records"
SCENE_HISTORY = "scene_history"
CAMERA_ACTIVATED = "camera_activated"  # B.1
VIDEO_PRESERVED = "video_preserved"  # B.1
VIDEO_REF = "video_ref"  # B.1: repository reference of the preserved video
SUPERVISOR_IDENTIFIED = "supervisor_identified"  # B.2
SUPERVISOR_NAME = "supervisor_name"
SUPERVISOR_BADGE = "supervisor_badge"
SUPERVISOR_REASON = "supervisor_reason"  # B.2: why not identified
DEESCALATION = "deescalation_used"  # B.3
BYSTANDERS_INFORMED = "bystanders_informed"  # B.4
INJURIES = "injuries"  # B.5 applies only when someone was injured
AID_SUMMONED = "aid_summoned"  # B.5
AID_TO = "aid_to"  # B.5: to whom aid was summoned (service, not a person's name)
PUBLIC_REPORT = "public_report_received"  # B.6
REPORT_NUMBER = "report_number"  # B.6
SCENE_NOTE = "scene_note"

SCENE_COLUMNS: tuple[Column, ...] = tuple(Column(*c) for c in (
    (INCIDENT_ID, "text", False), (CAMERA_ACTIVATED, "bool"), (VIDEO_PRESERVED, "bool"), (VIDEO_REF, "text"),
    (SUPERVISOR_IDENTIFIED, "bool"), (SUPERVISOR_NAME, "text"), (SUPERVISOR_BADGE, "text"),
    (SUPERVISOR_REASON, "text"), (DEESCALATION, "bool"), (BYSTANDERS_INFORMED, "bool"), (INJURIES, "bool"),
    (AID_SUMMONED, "bool"), (AID_TO, "text"), (PUBLIC_REPORT, "bool"), (REPORT_NUMBER, "text"),
    (SCENE_NOTE, "text"), (VERSION, "int", False), (UPDATED_BY, "text"), (UPDATED_AT, "text"),
))
EDITABLE_SCENE = tuple(c.name for c in SCENE_COLUMNS if c.name not in (INCIDENT_ID, VERSION, UPDATED_BY, UPDATED_AT))
SCENE_FLAGS = tuple(c.name for c in SCENE_COLUMNS if c.kind == "bool")

#: The duties the Commission's dashboard rates: (key, label, section).
DUTIES: tuple[tuple[str, str, str], ...] = (
    ("camera", "Body-worn camera activated", "B.1"),
    ("video", "Video preserved with a repository reference", "B.1"),
    ("supervisor", "Immigration supervisor identified (name and badge)", "B.2"),
    ("deescalation", "De-escalation used", "B.3"),
    ("bystanders", "Bystanders told of LAPD's neutral role", "B.4"),
    ("aid", "Aid summoned for the injured (where anyone was injured)", "B.5"),
    ("report", "Public report taken (where one was received)", "B.6"),
)

REFERRALS = "referrals"
REFERRAL_HISTORY = "referral_history"
REFERRAL_ID = "referral_id"
RECIPIENT = "recipient"
RECIPIENT_OTHER = "recipient_other"
SENT_ON = "sent_on"
PACKAGE_REF = "package_ref"
REFERRAL_STATUS = "referral_status"
ACKNOWLEDGED_ON = "acknowledged_on"
DECIDED_ON = "decided_on"
CLOSED_ON = "closed_on"
OUTCOME = "outcome"
RECIPIENTS = ("attorney_general", "district_attorney", "us_attorney", "other")
RECIPIENT_LABELS = {"attorney_general": N_("Attorney General"), "district_attorney": N_("District Attorney"),
                    "us_attorney": N_("U.S. Attorney's Office"), "other": N_("Other")}
#: Referral states as they read (marked for translation; the codes are stored).
REFERRAL_STATE_WORDS = (N_("sent"), N_("acknowledged"), N_("charged"), N_("declined"), N_("closed"))
REFERRAL_STATES = ("sent", "acknowledged", "charged", "declined", "closed")
#: Allowed moves of a referral and the date field each move stamps.
TRANSITIONS: dict[str, dict[str, str]] = {
    "sent": {"acknowledged": ACKNOWLEDGED_ON},
    "acknowledged": {"charged": DECIDED_ON, "declined": DECIDED_ON},
    "charged": {"closed": CLOSED_ON},
    "declined": {"closed": CLOSED_ON},
    "closed": {},
}
REFERRAL_COLUMNS: tuple[Column, ...] = tuple(Column(*c) for c in (
    (REFERRAL_ID, "text", False), (INCIDENT_ID, "text", False), (RECIPIENT, "text", False), (RECIPIENT_OTHER, "text"),
    (SENT_ON, "date", False), (PACKAGE_REF, "text"), (REFERRAL_STATUS, "text", False), (ACKNOWLEDGED_ON, "date"),
    (DECIDED_ON, "date"), (CLOSED_ON, "date"), (OUTCOME, "text"), (VERSION, "int", False), (UPDATED_BY, "text"),
    (UPDATED_AT, "text"),
))
EDITABLE_REFERRAL = (RECIPIENT, RECIPIENT_OTHER, SENT_ON, PACKAGE_REF, REFERRAL_STATUS, ACKNOWLEDGED_ON, DECIDED_ON,
                     CLOSED_ON, OUTCOME)


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


#: Days a referral may wait for acknowledgement before it is overdue (``STAGEMAP_REFERRAL_OVERDUE_DAYS``).
REFERRAL_OVERDUE_DAYS = _env_int("STAGEMAP_REFERRAL_OVERDUE_DAYS", 30)
#: B.8 cadence: reporting goes weekly when more than this many enforcement events fell in the last 7 days
#: (``STAGEMAP_WEEKLY_THRESHOLD``).
WEEKLY_THRESHOLD = _env_int("STAGEMAP_WEEKLY_THRESHOLD", 10)
#: Days reporter contacts are kept unless a legal hold covers their incident (``STAGEMAP_CONTACT_RETENTION_DAYS``).
CONTACT_RETENTION_DAYS = _env_int("STAGEMAP_CONTACT_RETENTION_DAYS", 365)


def flag(value: object) -> bool | None:
    """Return a stored yes/no as ``True``/``False`` (SQLite keeps 1/0, PostgreSQL booleans); ``None`` when unknown."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    try:
        return bool(value)
    except (TypeError, ValueError):  # pandas NA
        return None


#: A scene record's name before its incident id (``Scene of I-7``): the one wording of the store's row labels
#: (:func:`geo.store.words.row_label`) and of the problems below.
SCENE_OF = M("Scene of")


def scene_label(incident: object) -> Message:
    """Return a scene record's label, ``Scene of I-7``, as the store labels its rows (translatable)."""
    return M("{what} {key}", what=SCENE_OF, key=incident)


def scene_problems(row: dict[str, object]) -> list[str]:
    """Return what contradicts itself in a scene record as it would be saved (empty when it is sound).

    A preserved video names its repository reference; an identified supervisor has a name and
    a badge, an unidentified one a reason; summoned aid says to whom; a report number needs a
    public report received.
    """
    label = scene_label(row.get(INCIDENT_ID))

    def given(name: str) -> bool:
        return bool(str(row.get(name) or "").strip())

    out: list[str] = []
    if flag(row.get(VIDEO_PRESERVED)) is True and not given(VIDEO_REF):
        out.append(M("{label}: video_preserved is yes but video_ref is empty; give the repository reference (B.1).",
                     label=label))
    if flag(row.get(SUPERVISOR_IDENTIFIED)) is True and not (given(SUPERVISOR_NAME) and given(SUPERVISOR_BADGE)):
        out.append(M("{label}: supervisor_identified is yes; give both supervisor_name and supervisor_badge (B.2).",
                     label=label))
    if flag(row.get(SUPERVISOR_IDENTIFIED)) is False and not given(SUPERVISOR_REASON):
        out.append(M("{label}: supervisor_identified is no; give supervisor_reason (why not) (B.2).", label=label))
    if flag(row.get(AID_SUMMONED)) is True and not given(AID_TO):
        out.append(M("{label}: aid_summoned is yes; say to whom in aid_to (e.g. LAFD paramedics) (B.5).", label=label))
    if given(REPORT_NUMBER) and flag(row.get(PUBLIC_REPORT)) is not True:
        out.append(M("{label}: report_number given but public_report_received is not yes; set it (B.6).",
                     label=label))
    return out


def duty_met(key: str, row: dict[str, object]) -> bool | None:
    """Whether one duty was met at a scene: ``None`` when it does not apply there (B.5, B.6)."""
    if key == "camera":
        return flag(row.get(CAMERA_ACTIVATED)) is True
    if key == "video":
        return flag(row.get(VIDEO_PRESERVED)) is True and bool(str(row.get(VIDEO_REF) or "").strip())
    if key == "supervisor":
        return flag(row.get(SUPERVISOR_IDENTIFIED)) is True
    if key == "deescalation":
        return flag(row.get(DEESCALATION)) is True
    if key == "bystanders":
        return flag(row.get(BYSTANDERS_INFORMED)) is True
    if key == "aid":
        return None if flag(row.get(INJURIES)) is not True else flag(row.get(AID_SUMMONED)) is True
    if key == "report":
        return None if flag(row.get(PUBLIC_REPORT)) is not True else bool(str(row.get(REPORT_NUMBER) or "").strip())
    raise KeyError(key)
