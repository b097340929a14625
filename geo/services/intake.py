"""Incident reports through the one door: role-checked, validated, routed (A.3), stored in one transaction."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.errors import SchemaError
from geo.intake.bulk_status import cell, match_header, read_sheet
from geo.intake.evidence import EvidenceUpload, write_once
from geo.intake.reports import (
    INCIDENT_ALIASES,
    REPORT_KIND,
    IncidentReport,
    IntakeRejected,
    clean_text,
    conduct_text,
    prepare_evidence,
    validate_report,
)
from geo.intake.routing import Route, SiteIndex, SiteMatch, make_route, synthetic_liaison_email
from geo.messages import M, join
from geo.records import IncidentRecord, StoredEvidence
from geo.services.alerts import alert_rows, intake_settings, start_delivery
from geo.store import Store
from geo.store.audit import now_utc
from geo.store.intake import SYNTHETIC_LIAISON


@dataclass(frozen=True)
class IntakeResult:
    """What :func:`submit_incident` stored and where the report was routed."""

    incident_id: str
    report_kind: str
    route: Route
    evidence: tuple[StoredEvidence, ...] = ()
    contact_id: str | None = None
    audit_seqs: tuple[int, ...] = ()


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
        """Return one line per row, then totals."""
        lines = [M("row {row}: {outcome} {message}", row=n, outcome=M("ADDED") if o == "added" else
                   M("INVALID") if o == "invalid" else o.upper(), message=m) for n, o, m in self.rows]
        return join([*lines, M("{source}: {added} added, {invalid} invalid", source=self.source, added=self.added,
                               invalid=len(self.rows) - self.added)], sep="\n")


def site_index(store: Store) -> SiteIndex:
    """Build the A.3 routing index from the store's sites, with the council districts for placing reports."""
    districts = store.read_layer(schema.DISTRICTS, columns=[schema.DISTRICT])
    zones = {schema.LAPD_AREA: store.read_layer(schema.LAPD_AREAS, columns=[schema.LAPD_AREA]),
             schema.NEIGHBORHOOD_COUNCIL: store.read_layer(schema.NEIGHBORHOOD_COUNCILS, columns=[schema.NC_ID])}
    return SiteIndex(store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT]),
                     districts=districts, zones=zones)


def route_report(store: Store, match: SiteMatch | None, *, fallback_department: str | None,
                 synthetic: bool) -> tuple[Route, tuple[str, str] | None]:
    """Resolve a site match (or the reporter's department) to that department's liaison.

    Returns the route and, for a synthetic store's department without a liaison, the labelled
    placeholder (department, e-mail) to record with the report.
    """
    department = match.department if match is not None else fallback_department
    liaison: tuple[str, str | None] | None = None
    seed = None
    if department and department != schema.UNASSIGNED:
        liaison = store.liaison_for(department)
        if liaison is None and synthetic:
            seed = (department, synthetic_liaison_email(department))
            liaison = (SYNTHETIC_LIAISON, seed[1])
    return make_route(match, department, liaison), seed


def submit_incident(store: Store, actor: Actor, report: IncidentReport, *,
                    evidence_files: Sequence[EvidenceUpload] = (), source: str | None = None,
                    index: SiteIndex | None = None, incident_id: str | None = None) -> IntakeResult:
    """Validate, route and store one report with its evidence and audit entries in ONE transaction.

    Evidence originals (and EXIF-stripped copies) are written once, read-only and fsync'd, to the
    content-addressed directory before the commit, so an evidence row never lacks its file.

    Raises
    ------
    AccessDenied
        When the actor's role may not submit incidents; nothing is written.
    IntakeRejected
        Listing every invalid field; nothing is written.
    StoreError
        When the store cannot be written (full, locked); nothing is written.
    """
    authorize(actor, "submit_incident")
    source = source or actor.source
    occurred = validate_report(report, evidence_files, user=actor.name, role=actor.role, source=source)
    kind = REPORT_KIND[report.source_type]
    incident_id = incident_id or f"INC-{occurred:%Y%m%d}-{uuid.uuid4().hex[:10]}"
    index = index or site_index(store)
    match = index.match([report.lon], [report.lat])[0]
    prepared = prepare_evidence(incident_id, evidence_files, index.geometry(match.site_id) if match else None,
                                occurred)
    root = store.evidence_dir()
    for rec, data in prepared:
        write_once(root, data, rec.sha256)
    synthetic = bool(store.is_synthetic())
    routing, seed = route_report(store, match, fallback_department=clean_text(report.department, 200),
                                 synthetic=synthetic)
    if kind != "contractor_report":  # A.3 routes contractor reports; others keep the site and department
        routing = Route(routing.site_id, routing.department, routing.distance_ft, None, None)
    record = _record(report, incident_id, occurred, kind, routing, [rec for rec, _ in prepared],
                     user=actor.name, source=source, synthetic=synthetic,
                     district=index.district_at(report.lon, report.lat), zones=index.zones_at(report.lon, report.lat))
    settings = intake_settings()  # the A.3 alert is written with the report, in the same transaction
    raised = alert_rows(pd.DataFrame([{**record.incident, "lon": report.lon, "lat": report.lat}]), index, settings)
    seqs = store.add_incident(record, user=actor.name, role=actor.role, source=source, os_user=actor.os_user,
                              seed_liaison=seed, alerts=raised)
    if raised:
        start_delivery(store, settings)
    contact_id = None if record.contact is None else str(record.contact["contact_id"])
    return IntakeResult(incident_id, kind, routing, record.evidence, contact_id, seqs)


def _record(report: IncidentReport, incident_id: str, occurred: dt.datetime, kind: str, routing: Route,
            evidence: list[StoredEvidence], *, user: str, source: str, synthetic: bool,
            district: int | None, zones: dict[str, int | None] | None = None) -> IncidentRecord:
    at = now_utc()
    refs = ";".join(dict.fromkeys(rec.label for rec in evidence)) or None
    incident: dict[str, object] = {
        schema.INCIDENT_ID: incident_id, schema.OCCURRED_AT: occurred.isoformat(), schema.REPORTED_AT: at,
        schema.INCIDENT_TYPE: report.incident_type, schema.VERIFICATION: report.verification,
        schema.SOURCE_TYPE: report.source_type, schema.DESCRIPTION: clean_text(report.description, 5000),
        schema.LOCATION_TEXT: clean_text(report.location_text, 300), schema.WARRANT_SHOWN: report.warrant_shown,
        schema.EVIDENCE_REFS: refs, schema.COUNCIL_DISTRICT: district, schema.IS_SYNTHETIC: synthetic,
        schema.RELEVANCE: report.relevance, schema.CONDUCT: conduct_text(report.conduct),
        **{col: code for col, code in (zones or {}).items() if code is not None},
        **({schema.AREA_NAME: schema.LAPD_AREA_NAMES.get(int(area))}
           if (area := (zones or {}).get(schema.LAPD_AREA)) is not None else {}),
        schema.SOURCE: f"incident intake ({source})", schema.FETCHED_AT: at}
    row: dict[str, object] = {
        "report_kind": kind, "supervisor_name": clean_text(report.supervisor_name, 200),
        "supervisor_badge": clean_text(report.supervisor_badge, 50), "agency": clean_text(report.agency, 200),
        "body_camera": report.body_camera, "referral": report.referral, "routed_site_id": routing.site_id,
        "routed_department": routing.department, "routed_to": routing.routed_to,
        "routed_email": routing.liaison_email, "routed_distance_ft": routing.distance_ft,
        "status": "routed" if routing.routed_to else "new", "version": 1, "created_by": user, "created_at": at}
    values = {"name": clean_text(report.reporter_name, 200), "email": clean_text(report.reporter_email, 320),
              "phone": clean_text(report.reporter_phone, 40)}
    contact = {"contact_id": f"RC-{uuid.uuid4().hex[:16]}", **values} if any(values.values()) else None
    return IncidentRecord(incident, report.lon, report.lat, row, contact, tuple(evidence))


def import_incidents(store: Store, actor: Actor, path: str | Path) -> IncidentImportReport:
    """Submit each row of a CSV/XLSX incident file as its own report (one transaction per row).

    Raises
    ------
    AccessDenied
        When the actor's role may not submit incidents.
    SchemaError
        When the file lacks the required columns; nothing is written.
    """
    authorize(actor, "submit_incident")
    sheet = read_sheet(path)
    cols = match_header(sheet, INCIDENT_ALIASES)
    missing = [k for k in ("incident_type", "lat", "lon", "occurred_at", "source_type") if k not in cols]
    if missing:
        raise SchemaError(M("{sheet}: no {columns} column (headers: {headers}); add them (type, lat, lon, occurred, "
                            "source).", sheet=sheet.label, columns=", ".join(missing), headers=", ".join(sheet.header)))
    index = site_index(store)
    out: list[tuple[int, str, str]] = []
    for n, row in sheet.rows:
        values = {k: cell(row, i) for k, i in cols.items()}
        try:
            values["lat"], values["lon"] = float(values["lat"]), float(values["lon"])
        except (TypeError, ValueError):
            out.append((n, "invalid", M("lat/lon: ({lat}, {lon}) are not numbers; give decimal degrees",
                                        lat=repr(values["lat"]), lon=repr(values["lon"]))))
            continue
        given = {k: (v if k in ("lat", "lon") or v is None or isinstance(v, dt.datetime) else str(v))
                 for k, v in values.items() if v is not None}
        if "conduct" in given:  # 'force; masking' -> ('force', 'masking')
            given["conduct"] = tuple(p.strip().lower().replace(" ", "_") for p in re.split(r"[;,|]", str(given["conduct"]))
                                     if p.strip())
        try:
            res = submit_incident(store, actor, IncidentReport(**given), source="bulk_import",  # type: ignore[arg-type]
                                  index=index)
        except IntakeRejected as exc:
            out.append((n, "invalid", join(exc.problems, sep=" | ")))
        except TypeError as exc:
            out.append((n, "invalid", M("missing a required value ({why}); fill type, lat, lon, occurred and source",
                                        why=str(exc))))
        else:
            out.append((n, "added", M("{incident} routed to {to}", incident=res.incident_id, to=res.route.routed_to)
                        if res.route.routed_to else res.incident_id))
    return IncidentImportReport(sheet.label, tuple(out))


def reporter_contacts(store: Store, actor: Actor, incident_id: str) -> list[dict[str, object]]:
    """Return the reporter contacts of one incident, for records and admin only; the read is audited."""
    authorize(actor, "view_reporter_contact")
    rows = store.reporter_contacts(incident_id)
    store.log_event(actor=actor.name, role=actor.role, action="reporter_contact.read", entity="reporter_contacts",
                    entity_id=incident_id, detail={"contacts": len(rows)}, source=actor.source, os_user=actor.os_user)
    return rows
