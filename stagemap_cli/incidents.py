"""``stagemap incident add|import``: contractor (A.3), officer (B.6), staff and public reports."""
from __future__ import annotations

import argparse

from geo import schema
from geo.access.roles import authorize
from geo.analysis.photo_note import placement_message
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.messages import M, join
from geo.services.intake import import_incidents, submit_incident
from geo.services.scenes import check_scene, save_scene
from stagemap_cli.common import EXIT_OK, EXIT_REJECTED, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say
from stagemap_cli.scenes import add_scene_flags, register_scene, scene_changes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``incident add`` and ``incident import``."""
    ip = sub.add_parser("incident", help="submit incident reports (A.3 contractor, B.6 officer, staff, public)")
    isub = ip.add_subparsers(dest="incident_command", required=True)
    add = isub.add_parser("add", help="submit one report with its evidence files")
    add.add_argument("--type", required=True, choices=schema.INCIDENT_TYPES, dest="incident_type")
    add.add_argument("--relevance", default=schema.ENFORCEMENT, choices=schema.RELEVANCE_CLASSES,
                     help="what this is: enforcement activity (default); suspected_unlawful_conduct by an immigration "
                          "agent (counted in the B.8 report; give --conduct); general_crime (context only, never "
                          "counted as enforcement)")
    add.add_argument("--conduct", action="append", default=[], choices=schema.CONDUCT_TYPES,
                     help="B.8: what was observed, for suspected_unlawful_conduct (repeat for several)")
    add.add_argument("--lat", required=True, type=float)
    add.add_argument("--lon", required=True, type=float)
    add.add_argument("--occurred", required=True, help="ISO 8601; without a zone it is Los Angeles time")
    add.add_argument("--source", required=True, choices=("contractor", "officer", "staff", "public"),
                     dest="source_type", help="who reported it")
    add.add_argument("--verification", default="unverified", choices=schema.VERIFICATION_STATUSES)
    add.add_argument("--description")
    add.add_argument("--location-text", help="hundred-block or intersection, never the reporter's position")
    add.add_argument("--warrant", default="unknown", choices=schema.WARRANT_VALUES, dest="warrant_shown")
    add.add_argument("--supervisor-name", help="on-scene supervisor (B.2), with --supervisor-badge")
    add.add_argument("--supervisor-badge")
    add.add_argument("--agency")
    add.add_argument("--body-camera", default="unknown", choices=schema.BODY_CAMERA_VALUES)
    add.add_argument("--referral", default="none", choices=schema.REFERRALS)
    add.add_argument("--department", help="the contractor's department when the place is on no City site")
    add.add_argument("--reporter-name")
    add.add_argument("--reporter-email")
    add.add_argument("--reporter-phone")
    add.add_argument("--evidence", nargs="*", default=[], metavar="FILE")
    add.add_argument("--label", help="B.7 evidence label (default <incident id>-E<n>)")
    add.add_argument("--disposition-ref", help="call disposition summary reference (B.7)")
    add_scene_flags(add)  # an LAPD-attended scene: B.1-B.6 recorded with the report (records, admin)
    add_store(add)
    add_user(add)
    add.set_defaults(func=run_add)
    imp = isub.add_parser("import", help="submit every row of a CSV/XLSX of reports")
    imp.add_argument("path")
    add_store(imp)
    add_user(imp)
    imp.set_defaults(func=run_import)
    register_scene(isub)


def run_add(args: argparse.Namespace) -> int:
    """Submit one report with its evidence files and say where it was routed."""
    fields = ("incident_type", "lat", "lon", "source_type", "verification", "description", "location_text",
              "warrant_shown", "supervisor_name", "supervisor_badge", "agency", "body_camera", "referral",
              "department", "reporter_name", "reporter_email", "reporter_phone", "relevance")
    report = IncidentReport(occurred_at=args.occurred, conduct=tuple(args.conduct), **{k: getattr(args, k) for k in fields})
    files = [EvidenceUpload.from_path(p, label=args.label if len(args.evidence) == 1 or not args.label
                                      else f"{args.label}-{i}", disposition_ref=args.disposition_ref)
             for i, p in enumerate(args.evidence, start=1)]
    scene = scene_changes(args)
    problems = check_scene("(new incident)", scene) if scene else []
    if problems:
        say(M("error: scene record not valid; nothing was stored:\n  {problems}", problems=join(problems, sep="\n  ")))
        return EXIT_REJECTED
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    if scene:
        authorize(actor, "record_scene")
    res = submit_incident(store, actor, report, evidence_files=files)
    if scene:
        saved = save_scene(store, actor, res.incident_id, scene, expect_version=0)
        say(M("scene record of {incident} saved at version {version}", incident=res.incident_id,
              version=saved["version"]))
    where = (M("site {site} ({department}, {feet:,.0f} ft)", site=res.route.site_id, department=res.route.department,
               feet=res.route.distance_ft) if res.route.site_id else M("no City site within 150 ft"))
    say(M("stored {incident} ({kind}, {relevance}); {where}", incident=res.incident_id, kind=res.report_kind,
          relevance=report.relevance, where=where))
    say(M("routed to: {who}", who=res.route.routed_to) if res.route.routed_to
        else M("routed to: nobody (not a routed report)"))
    for e in res.evidence:
        kind = (M("copy without EXIF of {sha}...", sha=e.derived_from[:12]) if e.derived_from
                else M("placement: {placement}", placement=placement_message(e.placement_check)))
        say(M("  evidence {evidence} {file} {mime} {size:,} B sha256 {sha} ({kind})", evidence=e.evidence_id,
              file=e.filename, mime=e.mime, size=e.size_bytes, sha=e.sha256, kind=kind))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """Submit every row of a report file; print the per-row outcome."""
    store = open_cli_store(args)
    report = import_incidents(store, cli_actor(args, store), args.path)
    say(report.summary())
    return EXIT_OK if report.added else EXIT_REJECTED
