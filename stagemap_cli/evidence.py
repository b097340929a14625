"""``stagemap evidence``: re-hash stored originals, build a signed evidence package, verify a package."""
from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from geo.errors import GeoDataError
from geo.messages import M, Message
from geo.services.evidence import verify_evidence
from geo.services.packages import (
    RECIPIENT_NAMES,
    Selection,
    build_package,
    list_packages,
    verify_package_file,
)
from stagemap_cli.common import EXIT_ERROR, EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``evidence verify``, ``evidence package`` and ``evidence packages``."""
    ep = sub.add_parser("evidence", help="evidence files and packages")
    esub = ep.add_subparsers(dest="evidence_command", required=True)
    ev = esub.add_parser("verify", help="re-hash every stored original, or re-check one package ZIP; exit 1 on a "
                                        "mismatch")
    ev.add_argument("package", nargs="?", help="a package ZIP to re-check (hashes and signature; needs the "
                                               "package key) instead of the store's originals")
    add_store(ev)
    add_user(ev)
    ev.set_defaults(func=run_verify)
    pk = esub.add_parser("package", help="build a signed evidence package (ZIP) for a recipient (records, admin)")
    pk.add_argument("--recipient", required=True, choices=sorted(RECIPIENT_NAMES))
    pk.add_argument("--district", type=int, help="council district (15 = Harbor Area)")
    pk.add_argument("--bbox", help="min_lon,min_lat,max_lon,max_lat (EPSG:4326)")
    pk.add_argument("--from", dest="start", help="first date, YYYY-MM-DD (Los Angeles)")
    pk.add_argument("--to", dest="end", help="last date, YYYY-MM-DD (Los Angeles)")
    pk.add_argument("--incident", action="append", default=[], help="an incident id (repeatable)")
    pk.add_argument("--include-reporter", action="store_true",
                    help="put reporter names and contacts in the package (records only; audited)")
    pk.add_argument("--note", help="a note kept in the manifest")
    pk.add_argument("--out", required=True, help="output directory or .zip path")
    add_store(pk)
    add_user(pk)
    pk.set_defaults(func=run_package)
    ls = esub.add_parser("packages", help="list the packages built so far (records, admin)")
    add_store(ls)
    add_user(ls)
    ls.set_defaults(func=run_list)


def _date(text: str | None, flag: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GeoDataError(M("{flag} {text} is not a date; use YYYY-MM-DD.", flag=flag, text=repr(text))) from None


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise GeoDataError(M("--bbox {text} is not four numbers; use min_lon,min_lat,max_lon,max_lat.",
                             text=repr(text))) from None
    return x0, y0, x1, y1


def run_package(args: argparse.Namespace) -> int:
    """Build a package and write its ZIP; print its id and manifest hash."""
    store = open_cli_store(args)
    sel = Selection(council_district=args.district, bbox=_bbox(args.bbox), start=_date(args.start, "--from"),
                    end=_date(args.end, "--to"), incident_ids=tuple(args.incident))
    actor = cli_actor(args, store)
    target = Path(args.out)
    to_dir = target.suffix.lower() != ".zip"
    if to_dir:
        target.mkdir(parents=True, exist_ok=True)
    part = target / f".package-{os.getpid()}.part" if to_dir else target.with_name(target.name + ".part")
    try:  # the ZIP is written beside its final name and moved there only when complete
        with part.open("xb") as fh:
            res = build_package(store, actor, sel, args.recipient, fh, include_reporter=args.include_reporter,
                                note=args.note)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    out = target / res.filename if to_dir else target
    part.replace(out)
    say(M("package {package} for {recipient}: {incidents} incidents, {files} evidence files, manifest SHA-256 "
          "{sha} -> {out}", package=res.package_id, recipient=Message(RECIPIENT_NAMES[args.recipient]), incidents=res.incidents,
          files=res.evidence_files, sha=res.manifest_sha256, out=str(out)))
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Print one line per package."""
    store = open_cli_store(args)
    for p in list_packages(store, cli_actor(args, store)):
        say(M("{package}\t{recipient}\t{incidents} incidents\t{files} files\t{reporter}\t{by}\t{at}",
              package=p["package_id"], recipient=p["recipient"], incidents=p["incidents"], files=p["evidence_files"],
              reporter=M("reporter included") if p["include_reporter"] else M("reporter withheld"),
              by=p["created_by"], at=p["created_at"]))
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """Verify every stored file, or one package; print mismatches to stderr."""
    if args.package:
        check = verify_package_file(args.package)
        for problem in check.problems:
            say(M("MISMATCH {problem}", problem=problem), err=True)
        if not check.ok:
            say(M("package verify FAILED: {count} problems in {package}; do not hand it over.",
                  count=len(check.problems), package=args.package), err=True)
            return EXIT_ERROR
        say(M("package ok: signature valid, {count} evidence files match the manifest ({package})",
              count=check.files_checked, package=check.manifest.get("package_id")))
        return EXIT_OK
    store = open_cli_store(args)
    report = verify_evidence(store, cli_actor(args, store))
    for m in report.mismatches:
        say(M("MISMATCH {problem}", problem=m.message()), err=True)
    if not report.ok:
        say(M("evidence verify FAILED: {count} of {checked} files do not match their recorded SHA-256; restore them "
              "from the WORM copy and tell the records custodian.", count=len(report.mismatches),
              checked=report.checked), err=True)
        return EXIT_ERROR
    say(M("evidence ok: {count} files match their recorded SHA-256", count=report.checked))
    return EXIT_OK
