"""CLI for intake: ``incident add|import``, ``status import``, ``evidence verify``, ``liaisons load``."""
from __future__ import annotations

import argparse
import sys

from geo import schema as S
from geo.store.ddl_sqlite import BODY_CAMERA_VALUES, REFERRALS

EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICT = 0, 1, 2, 3


def register(sub: argparse._SubParsersAction) -> None:
    """Add the intake subcommands to the ``stagemap`` parser (``status import`` joins ``status``)."""
    ip = sub.add_parser("incident", help="submit incident reports (A.3 contractor, B.6 officer, staff, public)")
    isub = ip.add_subparsers(dest="incident_command", required=True)
    add = isub.add_parser("add", help="submit one report with its evidence files")
    add.add_argument("--type", required=True, choices=S.INCIDENT_TYPES, dest="incident_type")
    add.add_argument("--lat", required=True, type=float)
    add.add_argument("--lon", required=True, type=float)
    add.add_argument("--occurred", required=True, help="ISO 8601; without a zone it is Los Angeles time")
    add.add_argument("--source", required=True, choices=("contractor", "officer", "staff", "public"),
                     dest="source_type", help="who reported it")
    add.add_argument("--verification", default="unverified", choices=S.VERIFICATION_STATUSES)
    add.add_argument("--description")
    add.add_argument("--location-text", help="hundred-block or intersection, never the reporter's position")
    add.add_argument("--warrant", default="unknown", choices=S.WARRANT_VALUES, dest="warrant_shown")
    add.add_argument("--supervisor-name", help="on-scene supervisor (B.2), with --supervisor-badge")
    add.add_argument("--supervisor-badge")
    add.add_argument("--agency")
    add.add_argument("--body-camera", default="unknown", choices=BODY_CAMERA_VALUES)
    add.add_argument("--referral", default="none", choices=REFERRALS)
    add.add_argument("--department", help="the contractor's department when the place is on no City site")
    add.add_argument("--reporter-name")
    add.add_argument("--reporter-email")
    add.add_argument("--reporter-phone")
    add.add_argument("--evidence", nargs="*", default=[], metavar="FILE")
    add.add_argument("--label", help="B.7 evidence label (default <incident id>-E<n>)")
    add.add_argument("--disposition-ref", help="call disposition summary reference (B.7)")
    add.add_argument("--user", required=True)
    add.add_argument("--role", default="records", choices=S.ROLES)
    add.add_argument("--store")
    add.set_defaults(func=_cmd_incident_add)
    imp = isub.add_parser("import", help="submit every row of a CSV/XLSX of reports")
    imp.add_argument("path")
    imp.add_argument("--user", required=True)
    imp.add_argument("--role", default="records", choices=S.ROLES)
    imp.add_argument("--store")
    imp.set_defaults(func=_cmd_incident_import)

    status = sub.choices["status"]
    ssub = next(a for a in status._actions if isinstance(a, argparse._SubParsersAction))
    si = ssub.add_parser("import", help="apply a liaison's CSV/XLSX of status rows, each with its version")
    si.add_argument("path")
    si.add_argument("--user", required=True)
    si.add_argument("--role", default="liaison", choices=S.ROLES)
    si.add_argument("--store")
    si.set_defaults(func=_cmd_status_import)

    ep = sub.add_parser("evidence", help="evidence files")
    esub = ep.add_subparsers(dest="evidence_command", required=True)
    ev = esub.add_parser("verify", help="re-hash every stored original; exit 1 naming any mismatch")
    ev.add_argument("--user", default="verifier")
    ev.add_argument("--store")
    ev.set_defaults(func=_cmd_evidence_verify)

    lp = sub.add_parser("liaisons", help="department Immigrant Affairs Liaisons")
    lsub = lp.add_subparsers(dest="liaisons_command", required=True)
    ll = lsub.add_parser("load", help="load department, liaison_name, liaison_email from a CSV")
    ll.add_argument("path")
    ll.add_argument("--user", required=True)
    ll.add_argument("--store")
    ll.set_defaults(func=_cmd_liaisons_load)


def _cmd_incident_add(args: argparse.Namespace) -> int:
    from geo.intake.evidence import EvidenceUpload
    from geo.intake.reports import IncidentReport, submit_incident
    from geo.store import open_store

    fields = ("incident_type", "lat", "lon", "source_type", "verification", "description", "location_text",
              "warrant_shown", "supervisor_name", "supervisor_badge", "agency", "body_camera", "referral",
              "department", "reporter_name", "reporter_email", "reporter_phone")
    report = IncidentReport(occurred_at=args.occurred, **{k: getattr(args, k) for k in fields})
    files = [EvidenceUpload.from_path(p, label=args.label if len(args.evidence) == 1 or not args.label
                                      else f"{args.label}-{i}", disposition_ref=args.disposition_ref)
             for i, p in enumerate(args.evidence, start=1)]
    res = submit_incident(open_store(args.store, create=False), report, evidence_files=files, user=args.user,
                          role=args.role, source="cli")
    where = (f"site {res.route.site_id} ({res.route.department}, {res.route.distance_ft:,.0f} ft)"
             if res.route.site_id else "no City site within 150 ft")
    print(f"stored {res.incident_id} ({res.report_kind}); {where}")
    print(f"routed to: {res.route.routed_to}" if res.route.routed_to else "routed to: nobody (not a routed report)")
    for e in res.evidence:
        kind = f"copy without EXIF of {e.derived_from[:12]}..." if e.derived_from else f"placement: {e.placement_check}"
        print(f"  evidence {e.evidence_id} {e.filename} {e.mime} {e.size_bytes:,} B sha256 {e.sha256} ({kind})")
    return EXIT_OK


def _cmd_incident_import(args: argparse.Namespace) -> int:
    from geo.intake.reports import import_incidents
    from geo.store import open_store

    report = import_incidents(open_store(args.store, create=False), args.path, user=args.user, role=args.role)
    print(report.summary())
    return EXIT_OK if report.added else EXIT_REJECTED


def _cmd_status_import(args: argparse.Namespace) -> int:
    from geo.intake.bulk_status import import_status
    from geo.store import open_store

    report = import_status(open_store(args.store, create=False), args.path, user=args.user, role=args.role)
    print(report.summary())
    if report.count("applied"):
        return EXIT_OK
    return EXIT_CONFLICT if report.count("conflict") else EXIT_REJECTED


def _cmd_evidence_verify(args: argparse.Namespace) -> int:
    from geo.intake.evidence import verify_evidence
    from geo.store import open_store

    report = verify_evidence(open_store(args.store, create=False), user=args.user)
    for m in report.mismatches:
        print(f"MISMATCH {m}", file=sys.stderr)
    if not report.ok:
        print(f"evidence verify FAILED: {len(report.mismatches)} of {report.checked} files do not match their "
              "recorded SHA-256; restore them from the WORM copy and tell the records custodian.", file=sys.stderr)
        return EXIT_ERROR
    print(f"evidence ok: {report.checked} files match their recorded SHA-256")
    return EXIT_OK


def _cmd_liaisons_load(args: argparse.Namespace) -> int:
    from geo.intake.routing import load_liaisons_csv
    from geo.store import open_store

    n = load_liaisons_csv(open_store(args.store, create=False), args.path, user=args.user)
    print(f"loaded {n} department liaisons")
    return EXIT_OK
