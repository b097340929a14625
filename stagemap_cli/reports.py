"""``stagemap nexus`` and ``stagemap report monthly|board|sign-packet``: the directive's tables and reports."""
from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from geo.errors import GeoDataError
from geo.io.export import export_name
from geo.nexus.snapshot import (
    freeze,
    snapshot_hash,
    snapshot_root,
    to_csv_zip_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from geo.nexus.tables import NexusRules, check_unit_costs, nexus_from_store
from geo.reports.board import board_from_store, board_pdf_bytes
from geo.reports.monthly import monthly_csv_bytes, monthly_from_store, monthly_pdf_bytes, parse_month
from geo.reports.sign_packet import sheets_from_store, sign_packet_pdf
from geo.store import open_store


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``nexus`` and ``report`` subcommands."""
    nx = sub.add_parser("nexus", help="nexus-study tables (D): XLSX, CSV zip and GeoPackage, optionally frozen")
    nx.add_argument("--out", required=True, help="output directory")
    nx.add_argument("--as-of", help="YYYY-MM-DD (default: the latest incident date, so rebuilds hash the same)")
    nx.add_argument("--unit-costs", help="CSV of unit costs (key,item,unit,value,applies_to,source,year)")
    nx.add_argument("--snapshot", action="store_true", help="freeze the tables under their content hash")
    nx.add_argument("--snapshot-dir", help="where snapshots go (default <store>.snapshots)")
    nx.add_argument("--user", default="cli", help="who is running this (recorded in the log)")
    nx.add_argument("--store")
    nx.set_defaults(func=run_nexus)

    rp = sub.add_parser("report", help="the directive's reports as PDF (and CSV)")
    rsub = rp.add_subparsers(dest="report_command", required=True)
    mo = rsub.add_parser("monthly", help="B.8 monthly aggregated report (public tier, suppressed)")
    mo.add_argument("--month", required=True, help="YYYY-MM")
    bo = rsub.add_parser("board", help="department board measures report (internal)")
    bo.add_argument("--department", required=True, help="e.g. Airport, Harbor, 'Recreation and Parks'")
    bo.add_argument("--as-of", help="YYYY-MM-DD (default today)")
    sp = rsub.add_parser("sign-packet", help="printable sign and site profile, one PDF per site")
    which = sp.add_mutually_exclusive_group(required=True)
    which.add_argument("--site")
    which.add_argument("--department")
    sp.add_argument("--base-url", help="StageMap address for the QR codes (default $STAGEMAP_BASE_URL or "
                                       "http://localhost:8501)")
    for p in (mo, bo, sp):
        p.add_argument("--out", required=True, help="output directory")
        p.add_argument("--user", default="cli", help="who is running this (recorded in the log)")
        p.add_argument("--store")
    mo.set_defaults(func=run_monthly)
    bo.set_defaults(func=run_board)
    sp.set_defaults(func=run_sign_packet)


def run_nexus(args: argparse.Namespace) -> int:
    """Build the nexus tables, write XLSX/CSV zip/GeoPackage, and freeze a snapshot if asked."""
    store = open_store(args.store, create=False)
    costs = _read_costs(args.unit_costs) if args.unit_costs else None
    tables = nexus_from_store(store, as_of=_date(args.as_of), unit_costs=costs, rules=NexusRules())
    out = _out_dir(args.out)
    syn = tables.synthetic
    digest = snapshot_hash(tables)
    files = {export_name("nexus", "xlsx", synthetic=syn): to_xlsx_bytes(tables, snapshot=digest if args.snapshot else None),
             export_name("nexus_csv", "zip", synthetic=syn): to_csv_zip_bytes(tables),
             export_name("nexus", "gpkg", synthetic=syn): to_gpkg_bytes(tables)}
    for name, data in files.items():
        (out / name).write_bytes(data)
    where = ""
    if args.snapshot:
        digest, path = freeze(tables, root=args.snapshot_dir or snapshot_root(store.url), created_by=args.user)
        where = f"; snapshot {path}"
    store.log_event(actor=args.user, role="planner", action="export.nexus", entity="nexus",
                    detail={"as_of": tables.as_of.isoformat(), "hash": digest, "snapshot": bool(args.snapshot),
                            "placeholders": tables.uses_placeholders}, source="cli")
    print(f"nexus tables as of {tables.as_of} written to {out}: {len(tables.inventory)} affected private parcels, "
          f"{len(tables.ledger)} incidents in the ledger, {len(tables.owners)} owners; content hash {digest}{where}"
          + (" (unit costs are PLACEHOLDERS)" if tables.uses_placeholders else "") + (" SYNTHETIC" if syn else ""))
    return 0


def run_monthly(args: argparse.Namespace) -> int:
    """Write the month's B.8 report as PDF and CSV."""
    parse_month(args.month)
    store = open_store(args.store, create=False)
    report = monthly_from_store(store, month=args.month)
    out = _out_dir(args.out)
    stem = f"monthly_report_{report.month}"
    for ext, data in (("pdf", monthly_pdf_bytes(report)), ("csv", monthly_csv_bytes(report))):
        (out / export_name(stem, ext, synthetic=report.synthetic)).write_bytes(data)
    store.log_event(actor=args.user, role="planner", action="export.report.monthly", entity="report",
                    detail={"month": report.month}, source="cli")
    print(f"monthly report {report.month} written to {out} (PDF and CSV, suppressed at k=11)"
          + (" SYNTHETIC" if report.synthetic else ""))
    return 0


def run_board(args: argparse.Namespace) -> int:
    """Write a department's board report as PDF."""
    store = open_store(args.store, create=False)
    report = board_from_store(store, department=args.department, as_of=_date(args.as_of))
    out = _out_dir(args.out)
    name = export_name(f"board_report_{_slug(report.department)}_{report.as_of}", "pdf", synthetic=report.synthetic)
    (out / name).write_bytes(board_pdf_bytes(report))
    store.log_event(actor=args.user, role="planner", action="export.report.board", entity="report",
                    detail={"department": report.department, "as_of": report.as_of.isoformat()}, source="cli")
    print(f"board report for {report.department} written to {out / name} (INTERNAL)")
    return 0


def run_sign_packet(args: argparse.Namespace) -> int:
    """Write one sign-packet PDF per site."""
    store = open_store(args.store, create=False)
    sheets = sheets_from_store(store, site_id=args.site, department=args.department)
    syn = bool(store.is_synthetic())
    out = _out_dir(args.out)
    for sheet in sheets:
        site = str(sheet.record["site_id"])
        (out / export_name(f"sign_packet_{_slug(site)}", "pdf", synthetic=syn)).write_bytes(
            sign_packet_pdf(sheet, synthetic=syn, base_url=args.base_url))
    store.log_event(actor=args.user, role="liaison", action="export.report.sign_packet", entity="report",
                    detail={"site": args.site, "department": args.department, "sites": len(sheets)}, source="cli")
    print(f"{len(sheets)} sign packet(s) written to {out}")
    return 0


def _read_costs(path: str):
    import pandas as pd

    try:
        return check_unit_costs(pd.read_csv(path, dtype={"key": str, "source": str}))
    except (OSError, ValueError) as exc:
        if isinstance(exc, GeoDataError):
            raise
        raise GeoDataError(f"--unit-costs {path}: cannot read it as CSV ({exc}).") from exc


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise GeoDataError(f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-10.") from exc


def _out_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise GeoDataError(f"--out {out} is a file; give a directory.")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
