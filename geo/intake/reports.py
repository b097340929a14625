"""Incident reports (A.3 contractor, B.6 officer, staff, public): the report, its validation and evidence prep."""
from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from geo import schema
from geo.analysis import photo_note
from geo.config import COUNTY_LAT, COUNTY_LON
from geo.crs import lonlat_to_feet
from geo.errors import SchemaError
from geo.intake.evidence import (
    MAX_EVIDENCE_BYTES,
    EvidenceUpload,
    sha256_hex,
    sniff_mime,
    stored_relpath,
)
from geo.intake.exif import LA_ZONE, ExifInfo, read_exif, strip_exif
from geo.intake.routing import ADJACENT_FT
from geo.messages import M, join
from geo.records import StoredEvidence

REPORT_KIND = {"contractor": "contractor_report", "officer": "officer_report", "staff": "staff", "public": "public"}
CLOCK_SKEW = dt.timedelta(minutes=5)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IntakeRejected(SchemaError):
    """A report that cannot be stored; ``problems`` lists each field, value and fix (never a reporter's contact)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(M("Incident report not saved (nothing was written): {problems}",
                           problems=join(self.problems, " | ")))


@dataclass(frozen=True)
class IncidentReport:
    """One report as received from a form, the CLI or a bulk file row."""

    incident_type: str
    lat: float
    lon: float
    occurred_at: str | dt.datetime  # naive values are Los Angeles local time
    source_type: str  # contractor | officer | staff | public
    verification: str = "unverified"
    description: str | None = None
    location_text: str | None = None
    warrant_shown: str = "unknown"
    supervisor_name: str | None = None
    supervisor_badge: str | None = None
    agency: str | None = None
    body_camera: str = "unknown"
    referral: str = "none"
    department: str | None = None  # the contractor's department, used when the point is on no City site
    reporter_name: str | None = None
    reporter_email: str | None = None
    reporter_phone: str | None = None
    relevance: str = schema.ENFORCEMENT  # enforcement | suspected_unlawful_conduct (B.8) | general_crime
    conduct: tuple[str, ...] = ()  # B.8: what was observed (several may apply); suspected unlawful conduct only


def clean_text(value: str | None, limit: int) -> str | None:
    """Return ``value`` stripped and cut to ``limit`` characters, ``None`` when blank."""
    text = None if value is None else str(value).strip()
    return text[:limit] if text else None


def parse_occurred(value: str | dt.datetime) -> dt.datetime:
    """Parse an ISO 8601 time (naive = Los Angeles local) into tz-aware UTC; raise ValueError."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return (when if when.tzinfo else when.replace(tzinfo=LA_ZONE)).astimezone(dt.UTC)


def validate_report(report: IncidentReport, evidence: Sequence[EvidenceUpload], *, user: str, role: str,
                    source: str, now: dt.datetime | None = None) -> dt.datetime:
    """Check every field; return the occurred time in UTC or raise :class:`IntakeRejected` listing all problems."""
    now = now or dt.datetime.now(dt.UTC)
    bad: list[str] = []

    def enum(name: str, value: object, allowed: Sequence[str]) -> None:
        if value not in allowed:
            bad.append(M("{field}: {value} is not one of {allowed}; pick one of those", field=name, value=repr(value),
                         allowed=", ".join(allowed)))

    enum("incident_type", report.incident_type, schema.INCIDENT_TYPES)
    bad += relevance_problems(report.relevance, report.conduct)
    enum("verification", report.verification, schema.VERIFICATION_STATUSES)
    enum("source_type", report.source_type, tuple(REPORT_KIND))
    enum("warrant_shown", report.warrant_shown, schema.WARRANT_VALUES)
    enum("body_camera", report.body_camera, schema.BODY_CAMERA_VALUES)
    enum("referral", report.referral, schema.REFERRALS)
    enum("role", role, schema.ROLES)
    enum("source", source, schema.SOURCES)
    if not user or not str(user).strip():
        bad.append(M("user: empty; say who is entering the report (reports are never anonymous in the log)"))
    occurred = now
    try:
        occurred = parse_occurred(report.occurred_at)
        if occurred > now + CLOCK_SKEW:
            bad.append(M("occurred_at: {value} is in the future; give when it happened", value=str(report.occurred_at)))
    except (TypeError, ValueError):
        bad.append(M("occurred_at: {value} is not a date and time; use ISO 8601, e.g. 2026-03-01T14:30 (Los Angeles "
                     "time) or 2026-03-01T22:30Z", value=repr(report.occurred_at)))
    lat, lon = report.lat, report.lon
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon)):
        bad.append(M("lat/lon: ({lat}, {lon}) are not finite numbers; give decimal degrees", lat=repr(lat), lon=repr(lon)))
    elif not (COUNTY_LAT[0] <= lat <= COUNTY_LAT[1] and COUNTY_LON[0] <= lon <= COUNTY_LON[1]):
        hint = (M("latitude and longitude look swapped") if COUNTY_LAT[0] <= lon <= COUNTY_LAT[1]
                and COUNTY_LON[0] <= lat <= COUNTY_LON[1] else M("check the sign of the longitude (west is negative)"))
        bad.append(M("lat/lon: ({lat}, {lon}) is outside Los Angeles County (lat {lat0}..{lat1}, lon {lon0}..{lon1}); "
                     "{hint}", lat=lat, lon=lon, lat0=COUNTY_LAT[0], lat1=COUNTY_LAT[1], lon0=COUNTY_LON[0],
                     lon1=COUNTY_LON[1], hint=hint))
    if bool(clean_text(report.supervisor_name, 200)) != bool(clean_text(report.supervisor_badge, 50)):
        bad.append(M("supervisor_name/supervisor_badge: give both the on-scene supervisor's name and badge "
                     "number (B.2), or neither when they were not recorded"))
    # reporter contact values are never echoed (messages reach logs, summaries and screens): name the field only
    if report.reporter_email and not _EMAIL.match(report.reporter_email.strip()):
        bad.append(M("reporter_email: not an email address (the value is not repeated here); write it as "
                     "name@example.org, or leave it blank"))
    if report.reporter_phone and not 7 <= len(re.sub(r"\D", "", report.reporter_phone)) <= 15:
        bad.append(M("reporter_phone: does not have 7-15 digits (the value is not repeated here); give the number "
                     "with its area code, e.g. 213 555 0100, or leave it blank"))
    for i, up in enumerate(evidence, start=1):
        if not up.data:
            bad.append(M("evidence {n} ({file}): the file is empty; attach the original file", n=i, file=up.filename))
        elif len(up.data) > MAX_EVIDENCE_BYTES:
            bad.append(M("evidence {n} ({file}): {size:,} bytes, over the {limit:,}-byte limit; hand the original to "
                         "the records custodian", n=i, file=up.filename, size=len(up.data), limit=MAX_EVIDENCE_BYTES))
    if bad:
        raise IntakeRejected(bad)
    return occurred


def relevance_problems(relevance: str, conduct: Sequence[str]) -> list[str]:
    """Return what is wrong with a report's relevance class and observed conduct (empty when fine)."""
    if relevance not in schema.RELEVANCE_CLASSES:
        return [M("relevance: {value} is not one of {allowed}; say whether this is enforcement activity, suspected "
                  "unlawful conduct by an immigration agent, or general crime", value=repr(relevance),
                  allowed=", ".join(schema.RELEVANCE_CLASSES))]
    unknown = [c for c in conduct if c not in schema.CONDUCT_TYPES]
    if unknown:
        return [M("conduct: {values} not one of {allowed}; pick what was observed from those (several may apply)",
                  values=", ".join(map(repr, unknown)), allowed=", ".join(schema.CONDUCT_TYPES))]
    if relevance == schema.SUSPECTED_UNLAWFUL_CONDUCT and not conduct:
        return [M("conduct: suspected unlawful conduct needs what was observed (force, no_visible_id, masking, "
                  "entry_without_warrant, obstruction, other); pick at least one")]
    if relevance != schema.SUSPECTED_UNLAWFUL_CONDUCT and conduct:
        return [M("conduct: observed conduct is recorded only for suspected unlawful conduct (B.8), and this report is "
                  "{relevance}; choose suspected_unlawful_conduct or leave the conduct empty", relevance=relevance)]
    return []


def conduct_text(conduct: Sequence[str]) -> str | None:
    """Return observed conduct as stored: known values in the schema's order, ';'-separated (``None`` when empty)."""
    chosen = [c for c in schema.CONDUCT_TYPES if c in set(conduct)]
    return ";".join(chosen) or None


def placement(info: ExifInfo, site_ft: shapely.Geometry | None) -> str:
    """Return the photo placement flag: inside site, within 150 ft, outside site, no gps, no site to check.

    The flag is a message (stored as its English text; :mod:`geo.analysis.photo_note` reads it back).
    """
    if not info.is_image:
        return photo_note.placement(photo_note.NOT_PHOTO)
    if info.lat is None or info.lon is None:
        return photo_note.placement(photo_note.NO_GPS)
    if site_ft is None:
        return photo_note.placement(photo_note.NO_SITE)
    x, y = lonlat_to_feet(np.array([info.lon]), np.array([info.lat]))
    d = float(shapely.distance(shapely.Point(x[0], y[0]), site_ft))
    if d == 0:
        return photo_note.placement(photo_note.INSIDE)
    return photo_note.placement(photo_note.NEAR if d <= ADJACENT_FT else photo_note.FAR, d)


def _time_check(info: ExifInfo, occurred: dt.datetime) -> str | None:
    if not info.is_image:
        return None
    if info.taken_at is None:
        return "no time"
    hours = (info.taken_at - occurred).total_seconds() / 3600
    return "within 24 h of occurred" if abs(hours) <= 24 else f"{hours:+,.0f} h from occurred"


def prepare_evidence(incident_id: str, evidence: Sequence[EvidenceUpload], site_ft: shapely.Geometry | None,
                     occurred: dt.datetime) -> list[tuple[StoredEvidence, bytes]]:
    """Hash each original (exact bytes), read its EXIF, and make a stripped copy of each photo."""
    out: list[tuple[StoredEvidence, bytes]] = []
    for n, up in enumerate(evidence, start=1):
        sha = sha256_hex(up.data)  # before any decoding
        label = clean_text(up.label, 200) or f"{incident_id}-E{n}"
        info = read_exif(up.data)
        name = (up.filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1][:255]
        ref = clean_text(up.disposition_ref, 200)
        original = StoredEvidence(f"EV-{uuid.uuid4().hex[:16]}", name, label, sniff_mime(up.data), len(up.data),
                                  sha, stored_relpath(sha), ref, placement(info, site_ft), _time_check(info, occurred),
                                  exif_lat=info.lat, exif_lon=info.lon,
                                  exif_time=info.taken_at.isoformat() if info.taken_at else None)
        out.append((original, up.data))
        stripped = strip_exif(up.data) if info.is_image else None
        if stripped is not None:
            data, mime = stripped
            dsha = sha256_hex(data)
            ext = ".jpg" if mime == "image/jpeg" else ".png"
            out.append((StoredEvidence(f"EV-{uuid.uuid4().hex[:16]}", f"{name.rsplit('.', 1)[0]}.no-exif{ext}", label,
                                       mime, len(data), dsha, stored_relpath(dsha), ref, derived_from=sha), data))
    return out


#: Bulk incident file columns -> accepted header spellings.
INCIDENT_ALIASES: dict[str, tuple[str, ...]] = {
    "incident_type": ("incident_type", "type"), "lat": ("lat", "latitude"), "lon": ("lon", "lng", "longitude"),
    "occurred_at": ("occurred_at", "occurred", "date_time", "datetime", "when"),
    "source_type": ("source_type", "source", "reported_by"), "verification": ("verification", "verification_status"),
    "description": ("description", "details"), "location_text": ("location_text", "location", "block"),
    "warrant_shown": ("warrant_shown", "warrant"), "supervisor_name": ("supervisor_name", "supervisor"),
    "supervisor_badge": ("supervisor_badge", "badge", "badge_number"), "agency": ("agency",),
    "body_camera": ("body_camera", "bodycam"), "referral": ("referral",), "department": ("department", "dept"),
    "reporter_name": ("reporter_name",), "reporter_email": ("reporter_email",), "reporter_phone": ("reporter_phone",),
    "relevance": ("relevance", "relevance_class", "class"), "conduct": ("conduct_observed", "conduct", "observed"),
}
