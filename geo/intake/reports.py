"""Incident intake (A.3 contractor, B.6 officer, staff, public reports): validate, route, store in one transaction."""
from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from geo import schema as S
from geo.config import COUNTY_LAT, COUNTY_LON
from geo.crs import lonlat_to_feet
from geo.errors import SchemaError
from geo.intake.evidence import (
    MAX_EVIDENCE_BYTES,
    EvidenceUpload,
    evidence_root,
    sha256_hex,
    sniff_mime,
    stored_relpath,
    write_once,
)
from geo.intake.exif import LA_TZ, ExifInfo, read_exif, strip_exif
from geo.intake.routing import ADJACENT_FT, Route, SiteIndex, route
from geo.store.ddl_sqlite import BODY_CAMERA_VALUES, REFERRALS
from geo.store.gpkg import to_gpkg_blobs
from geo.store.status import append_audit, now_utc

REPORT_KIND = {"contractor": "contractor_report", "officer": "officer_report", "staff": "staff", "public": "public"}
CLOCK_SKEW = dt.timedelta(minutes=5)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IntakeRejected(SchemaError):
    """A report that cannot be stored; ``problems`` lists each field, value and fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Incident report not saved (nothing was written): " + " | ".join(self.problems))


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


@dataclass(frozen=True)
class StoredEvidence:
    """One evidence row written: an original or its EXIF-stripped copy."""

    evidence_id: str
    filename: str
    label: str
    mime: str
    size_bytes: int
    sha256: str
    stored_path: str
    disposition_ref: str | None = None
    placement_check: str | None = None
    time_check: str | None = None
    derived_from: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    """What ``submit_incident`` stored and where the report was routed."""

    incident_id: str
    report_kind: str
    route: Route
    evidence: tuple[StoredEvidence, ...] = ()
    contact_id: str | None = None
    audit_seqs: tuple[int, ...] = field(default_factory=tuple)


def _text(value: str | None, limit: int) -> str | None:
    text = None if value is None else str(value).strip()
    return text[:limit] if text else None


def parse_occurred(value: str | dt.datetime) -> dt.datetime:
    """Parse an ISO 8601 time (naive = Los Angeles local) into tz-aware UTC; raise ValueError."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return (when if when.tzinfo else when.replace(tzinfo=LA_TZ)).astimezone(dt.UTC)


def validate_report(report: IncidentReport, evidence: Sequence[EvidenceUpload], *, user: str, role: str,
                    source: str, now: dt.datetime | None = None) -> dt.datetime:
    """Check every field; return the occurred time in UTC or raise :class:`IntakeRejected` listing all problems."""
    now = now or dt.datetime.now(dt.UTC)
    bad: list[str] = []

    def enum(name: str, value: object, allowed: Sequence[str]) -> None:
        if value not in allowed:
            bad.append(f"{name}: {value!r} is not one of {', '.join(allowed)}; pick one of those")

    enum("incident_type", report.incident_type, S.INCIDENT_TYPES)
    enum("verification", report.verification, S.VERIFICATION_STATUSES)
    enum("source_type", report.source_type, tuple(REPORT_KIND))
    enum("warrant_shown", report.warrant_shown, S.WARRANT_VALUES)
    enum("body_camera", report.body_camera, BODY_CAMERA_VALUES)
    enum("referral", report.referral, REFERRALS)
    enum("role", role, S.ROLES)
    enum("source", source, S.SOURCES)
    if not user or not str(user).strip():
        bad.append("user: empty; say who is entering the report (reports are never anonymous in the log)")
    occurred = now
    try:
        occurred = parse_occurred(report.occurred_at)
        if occurred > now + CLOCK_SKEW:
            bad.append(f"occurred_at: {report.occurred_at!s} is in the future; give when it happened")
    except (TypeError, ValueError):
        bad.append(f"occurred_at: {report.occurred_at!r} is not a date and time; use ISO 8601, e.g. "
                   "2026-03-01T14:30 (Los Angeles time) or 2026-03-01T22:30Z")
    lat, lon = report.lat, report.lon
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon)):
        bad.append(f"lat/lon: ({lat!r}, {lon!r}) are not finite numbers; give decimal degrees")
    elif not (COUNTY_LAT[0] <= lat <= COUNTY_LAT[1] and COUNTY_LON[0] <= lon <= COUNTY_LON[1]):
        hint = ("latitude and longitude look swapped" if COUNTY_LAT[0] <= lon <= COUNTY_LAT[1]
                and COUNTY_LON[0] <= lat <= COUNTY_LON[1] else "check the sign of the longitude (west is negative)")
        bad.append(f"lat/lon: ({lat}, {lon}) is outside Los Angeles County (lat {COUNTY_LAT[0]}..{COUNTY_LAT[1]}, "
                   f"lon {COUNTY_LON[0]}..{COUNTY_LON[1]}); {hint}")
    if bool(_text(report.supervisor_name, 200)) != bool(_text(report.supervisor_badge, 50)):
        bad.append("supervisor_name/supervisor_badge: give both the on-scene supervisor's name and badge "
                   "number (B.2), or neither when they were not recorded")
    if report.reporter_email and not _EMAIL.match(report.reporter_email.strip()):
        bad.append(f"reporter_email: {report.reporter_email!r} is not an email address; correct it or leave it blank")
    if report.reporter_phone and not 7 <= len(re.sub(r"\D", "", report.reporter_phone)) <= 15:
        bad.append(f"reporter_phone: {report.reporter_phone!r} does not have 7-15 digits; correct it or leave it blank")
    for i, up in enumerate(evidence, start=1):
        if not up.data:
            bad.append(f"evidence {i} ({up.filename}): the file is empty; attach the original file")
        elif len(up.data) > MAX_EVIDENCE_BYTES:
            bad.append(f"evidence {i} ({up.filename}): {len(up.data):,} bytes, over the {MAX_EVIDENCE_BYTES:,}-byte "
                       "limit; hand the original to the records custodian")
    if bad:
        raise IntakeRejected(bad)
    return occurred


def placement(info: ExifInfo, site_ft: shapely.Geometry | None) -> str:
    """Return the photo placement flag: inside site, within 150 ft, outside site, no gps, no site to check."""
    if not info.is_image:
        return "not a photo"
    if info.lat is None or info.lon is None:
        return "no gps"
    if site_ft is None:
        return "no site to check"
    x, y = lonlat_to_feet(np.array([info.lon]), np.array([info.lat]))
    d = float(shapely.distance(shapely.Point(x[0], y[0]), site_ft))
    if d == 0:
        return "inside site"
    return f"within 150 ft of site ({d:,.0f} ft)" if d <= ADJACENT_FT else f"outside site ({d:,.0f} ft away)"


def _time_check(info: ExifInfo, occurred: dt.datetime) -> str | None:
    if not info.is_image:
        return None
    if info.taken_at is None:
        return "no time"
    hours = (info.taken_at - occurred).total_seconds() / 3600
    return "within 24 h of occurred" if abs(hours) <= 24 else f"{hours:+,.0f} h from occurred"


def _prepare(incident_id: str, evidence: Sequence[EvidenceUpload], site_ft: shapely.Geometry | None,
             occurred: dt.datetime) -> list[tuple[StoredEvidence, bytes, ExifInfo | None]]:
    """Hash each original (exact bytes), read its EXIF, and make a stripped copy of each photo."""
    out: list[tuple[StoredEvidence, bytes, ExifInfo | None]] = []
    for n, up in enumerate(evidence, start=1):
        sha = sha256_hex(up.data)  # before any decoding
        label = _text(up.label, 200) or f"{incident_id}-E{n}"
        info = read_exif(up.data)
        name = (up.filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1][:255]
        ref = _text(up.disposition_ref, 200)
        original = StoredEvidence(f"EV-{uuid.uuid4().hex[:16]}", name, label, sniff_mime(up.data), len(up.data),
                                  sha, stored_relpath(sha), ref, placement(info, site_ft), _time_check(info, occurred))
        out.append((original, up.data, info))
        stripped = strip_exif(up.data) if info.is_image else None
        if stripped is not None:
            data, mime = stripped
            dsha = sha256_hex(data)
            ext = ".jpg" if mime == "image/jpeg" else ".png"
            out.append((StoredEvidence(f"EV-{uuid.uuid4().hex[:16]}", f"{name.rsplit('.', 1)[0]}.no-exif{ext}", label,
                                       mime, len(data), dsha, stored_relpath(dsha), ref, derived_from=sha), data, None))
    return out


def _insert_incident(con: Any, store: Any, row: dict[str, object], lon: float, lat: float) -> None:
    point = shapely.Point(lon, lat)
    if store.backend == "sqlite":
        geom_sql, geom = "?", to_gpkg_blobs(np.array([point], dtype=object))[0]
    else:  # PostGIS
        geom_sql, geom = "ST_SetSRID(ST_GeomFromWKB(?), 4326)", shapely.to_wkb(point)
    names = ", ".join(f'"{n}"' for n in [*row, "geom"])
    con.execute(f'INSERT INTO incidents ({names}) '
                f'VALUES ({", ".join(["?"] * len(row))}, {geom_sql})', (*row.values(), geom))
    if store.backend == "sqlite":
        con.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
                    "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
                    "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) "
                    "WHERE table_name = 'incidents'", (lon, lon, lat, lat, lon, lon, lat, lat))


def submit_incident(store: Any, report: IncidentReport, *, evidence_files: Sequence[EvidenceUpload] = (),
                    user: str, role: str, source: str, site_index: SiteIndex | None = None,
                    incident_id: str | None = None) -> IntakeResult:
    """Validate, route and store one report with its evidence and audit entries in ONE transaction.

    Evidence originals (and EXIF-stripped copies) are written once, read-only and fsync'd, to the
    content-addressed directory before the commit, so an evidence row never lacks its file.

    Raises
    ------
    IntakeRejected
        Listing every invalid field; nothing is written.
    StoreError
        When the store cannot be written (full, locked); nothing is written.
    """
    occurred = validate_report(report, evidence_files, user=user, role=role, source=source)
    user = user.strip()
    kind = REPORT_KIND[report.source_type]
    incident_id = incident_id or f"INC-{occurred:%Y%m%d}-{uuid.uuid4().hex[:10]}"
    index = site_index or SiteIndex.from_store(store)
    match = index.match([report.lon], [report.lat])[0]
    prepared = _prepare(incident_id, evidence_files, index.geometry(match.site_id) if match else None, occurred)
    root = evidence_root(store)
    for rec, data, _ in prepared:
        write_once(root, data, rec.sha256)
    at = now_utc()
    refs = ";".join(dict.fromkeys(rec.label for rec, _, _ in prepared)) or None
    seqs: list[int] = []
    with store.write() as con:
        flag = con.execute("SELECT value FROM store_meta WHERE key = 'is_synthetic'").fetchone()
        synthetic = flag is not None and flag[0] == "1"
        routing = route(con, match, fallback_department=_text(report.department, 200),
                        synthetic=synthetic, user=user)
        if kind != "contractor_report":  # A.3 routes contractor reports; others keep the site and department
            routing = Route(routing.site_id, routing.department, routing.distance_ft, None, None)
        row = {S.INCIDENT_ID: incident_id, S.OCCURRED_AT: occurred.isoformat(), S.REPORTED_AT: at,
               S.INCIDENT_TYPE: report.incident_type, S.VERIFICATION: report.verification,
               S.SOURCE_TYPE: report.source_type, S.DESCRIPTION: _text(report.description, 5000),
               S.LOCATION_TEXT: _text(report.location_text, 300), S.WARRANT_SHOWN: report.warrant_shown,
               S.EVIDENCE_REFS: refs, S.IS_SYNTHETIC: synthetic, S.SOURCE: f"incident intake ({source})",
               S.FETCHED_AT: at}
        _insert_incident(con, store, row, report.lon, report.lat)
        audit = {k: row[k] for k in (S.INCIDENT_TYPE, S.VERIFICATION, S.SOURCE_TYPE, S.OCCURRED_AT, S.WARRANT_SHOWN)}
        seqs.append(append_audit(con, actor=user, role=role, action="incident.create", entity="incidents",
                                 entity_id=incident_id, old=None, new={**audit, "lon": report.lon, "lat": report.lat},
                                 source=source)["seq"])
        rep = {"report_kind": kind, "supervisor_name": _text(report.supervisor_name, 200),
               "supervisor_badge": _text(report.supervisor_badge, 50), "agency": _text(report.agency, 200),
               "body_camera": report.body_camera, "referral": report.referral, "routed_site_id": routing.site_id,
               "routed_department": routing.department, "routed_to": routing.routed_to,
               "routed_email": routing.liaison_email, "routed_distance_ft": routing.distance_ft,
               "status": "routed" if routing.routed_to else "new", "version": 1, "created_by": user, "created_at": at}
        con.execute(f"INSERT INTO incident_reports (incident_id, {', '.join(rep)}) VALUES (?, "
                    f"{', '.join(['?'] * len(rep))})", (incident_id, *rep.values()))
        seqs.append(append_audit(con, actor=user, role=role, action="incident_report.create", entity="incident_reports",
                                 entity_id=incident_id, old=None, new=rep, source=source)["seq"])
        contact_id = _store_contact(con, report, incident_id, at, user=user, role=role, source=source, seqs=seqs)
        for rec, _, info in prepared:
            con.execute(
                "INSERT INTO evidence (evidence_id, incident_id, label, disposition_ref, filename, mime, size_bytes, "
                "sha256, stored_path, exif_lat, exif_lon, exif_time, placement_check, time_check, derived_from, "
                "derivation, source, uploaded_by, uploaded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rec.evidence_id, incident_id, rec.label, rec.disposition_ref, rec.filename,
                 rec.mime, rec.size_bytes, rec.sha256, rec.stored_path, info.lat if info else None,
                 info.lon if info else None, info.taken_at.isoformat() if info and info.taken_at else None,
                 rec.placement_check, rec.time_check, rec.derived_from,
                 "exif_stripped" if rec.derived_from else None, source, user, at))
            seqs.append(append_audit(
                con, actor=user, role=role, action="evidence.create", entity="evidence", entity_id=rec.evidence_id,
                old=None, new={"incident_id": incident_id, "sha256": rec.sha256, "size_bytes": rec.size_bytes,
                               "mime": rec.mime, "label": rec.label, "derived_from": rec.derived_from,
                               "placement_check": rec.placement_check}, source=source)["seq"])
        con.execute("UPDATE store_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    return IntakeResult(incident_id, kind, routing, tuple(rec for rec, _, _ in prepared), contact_id, tuple(seqs))


def _store_contact(con: Any, report: IncidentReport, incident_id: str, at: str, *, user: str, role: str,
                   source: str, seqs: list[int]) -> str | None:
    """Keep reporter contact details in their own table; the audit entry names fields, never values."""
    values = {"name": _text(report.reporter_name, 200), "email": _text(report.reporter_email, 320),
              "phone": _text(report.reporter_phone, 40)}
    if not any(values.values()):
        return None
    contact_id = f"RC-{uuid.uuid4().hex[:16]}"
    con.execute("INSERT INTO reporter_contacts (contact_id, incident_id, name, email, phone, created_at) "
                "VALUES (?,?,?,?,?,?)", (contact_id, incident_id, *values.values(), at))
    seqs.append(append_audit(con, actor=user, role=role, action="reporter_contact.create", entity="reporter_contacts",
                             entity_id=contact_id, old=None,
                             new={"incident_id": incident_id, "fields": [k for k, v in values.items() if v]},
                             source=source)["seq"])
    return contact_id


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
}


@dataclass(frozen=True)
class IncidentImportReport:
    """Per-row outcome of a bulk incident file: ``(row, 'added' | 'invalid', incident id or problems)``."""

    source: str
    rows: tuple[tuple[int, str, str], ...]

    @property
    def added(self) -> int:
        """Rows stored."""
        return sum(o == "added" for _, o, _ in self.rows)

    def summary(self) -> str:
        """One line per row, then totals."""
        lines = [f"row {n}: {o.upper()} {m}" for n, o, m in self.rows]
        return "\n".join([*lines, f"{self.source}: {self.added} added, {len(self.rows) - self.added} invalid"])


def import_incidents(store: Any, path: str, *, user: str, role: str = "records") -> IncidentImportReport:
    """Submit each row of a CSV/XLSX incident file as its own report (one transaction per row)."""
    from geo.intake.bulk_status import cell, match_header, read_sheet

    sheet = read_sheet(path)
    cols = match_header(sheet, INCIDENT_ALIASES)
    missing = [k for k in ("incident_type", "lat", "lon", "occurred_at", "source_type") if k not in cols]
    if missing:
        raise SchemaError(f"{sheet.label}: no {', '.join(missing)} column (headers: {', '.join(sheet.header)}); "
                          "add them (type, lat, lon, occurred, source).")
    index = SiteIndex.from_store(store)
    out: list[tuple[int, str, str]] = []
    for n, row in sheet.rows:
        values = {k: cell(row, i) for k, i in cols.items()}
        try:
            values["lat"], values["lon"] = float(values["lat"]), float(values["lon"])
        except (TypeError, ValueError):
            out.append((n, "invalid", f"lat/lon: ({values['lat']!r}, {values['lon']!r}) are not numbers; "
                                      "give decimal degrees"))
            continue
        given = {k: (v if k in ("lat", "lon") or v is None or isinstance(v, dt.datetime) else str(v))
                 for k, v in values.items() if v is not None}
        try:
            res = submit_incident(store, IncidentReport(**given), user=user, role=role, source="bulk_import",
                                  site_index=index)
        except IntakeRejected as exc:
            out.append((n, "invalid", " | ".join(exc.problems)))
        except TypeError as exc:
            out.append((n, "invalid", f"missing a required value ({exc}); fill type, lat, lon, occurred and source"))
        else:
            out.append((n, "added", f"{res.incident_id}" + (f" routed to {res.route.routed_to}"
                                                             if res.route.routed_to else "")))
    return IncidentImportReport(sheet.label, tuple(out))
