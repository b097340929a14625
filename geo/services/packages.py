"""Evidence packages through the one door: select incidents, build a signed ZIP for a recipient, verify one.

Records and admins build packages (``package_evidence``). A package holds the chosen enforcement
incidents (council district, box, dates or ids), their report rows, B.7 labels, every evidence
original with its SHA-256, and the chain of custody (the audit entries naming the incidents and
their evidence). Reporter identity goes in only when the builder explicitly asks and may see it
(``view_reporter_contact``); that choice is recorded in the package row and its audit entry.
Referrals (issue 19) point at the package id.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.relevance import enforcement_incidents
from geo.config import LOCAL_TZ, package_key
from geo.errors import SchemaError
from geo.i18n import N_
from geo.intake.package import FORMAT, PackageCheck, build_zip, key_id, verify_package
from geo.messages import M
from geo.store import Store
from geo.store.ddl_registers import RECIPIENTS

RECIPIENT_NAMES = {"lapd": N_("Los Angeles Police Department"),
                   "district_attorney": N_("Los Angeles County District Attorney"),
                   "us_attorney": N_("U.S. Attorney's Office, Central District of California"),
                   "attorney_general": N_("California Attorney General")}


@dataclass(frozen=True)
class Selection:
    """Which incidents go in a package; every given filter must hold (at least one is required)."""

    council_district: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat (EPSG:4326)
    start: dt.date | None = None  # Los Angeles dates, inclusive
    end: dt.date | None = None
    incident_ids: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> dict[str, object]:
        """Return the selection as plain values (kept in the manifest and the package row)."""
        return {"council_district": self.council_district, "bbox": list(self.bbox) if self.bbox else None,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None, "incident_ids": list(self.incident_ids)}


@dataclass(frozen=True)
class PackageResult:
    """A built package: its id, the manifest hash and what it holds (the ZIP went to the caller's file)."""

    package_id: str
    manifest_sha256: str
    incidents: int
    evidence_files: int

    @property
    def filename(self) -> str:
        """Return the suggested file name of the ZIP."""
        return f"{self.package_id}.zip"


def select_incidents(incidents: gpd.GeoDataFrame, sel: Selection) -> gpd.GeoDataFrame:
    """Return the enforcement incidents matching every filter of ``sel`` (vectorised).

    Raises
    ------
    SchemaError
        When no filter is given, the box or the dates are inverted.
    """
    if sel.council_district is None and sel.bbox is None and sel.start is None and sel.end is None \
            and not sel.incident_ids:
        raise SchemaError(M("Choose which incidents to package: a council district, a box, a date range or incident "
                            "ids (a package never holds every incident by default)."))
    if sel.start and sel.end and sel.end < sel.start:
        raise SchemaError(M("The date range ends {end} before it starts {start}; swap the dates.", end=sel.end,
                            start=sel.start))
    inc = enforcement_incidents(incidents)
    keep = pd.Series(True, index=inc.index)
    if sel.council_district is not None:
        keep &= pd.to_numeric(inc[schema.COUNCIL_DISTRICT], errors="coerce") == sel.council_district
    if sel.bbox is not None:
        x0, y0, x1, y1 = sel.bbox
        if x1 <= x0 or y1 <= y0:
            raise SchemaError(M("The box {box} is empty; give min lon, min lat, max lon, max lat.", box=str(sel.bbox)))
        pts = inc.to_crs("EPSG:4326").geometry
        keep &= (pts.x >= x0) & (pts.x <= x1) & (pts.y >= y0) & (pts.y <= y1)
    if sel.start is not None or sel.end is not None:
        day = pd.to_datetime(inc[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ).dt.date
        if sel.start is not None:
            keep &= day >= sel.start
        if sel.end is not None:
            keep &= day <= sel.end
    if sel.incident_ids:
        keep &= inc[schema.INCIDENT_ID].astype(str).isin(sel.incident_ids)
    return inc[keep.to_numpy()].sort_values(schema.INCIDENT_ID)


def _plain(value: object) -> object:
    """Return a JSON-friendly value (times as ISO text, missing as None)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def build_package(store: Store, actor: Actor, sel: Selection, recipient: str, out: BinaryIO, *,
                  include_reporter: bool = False, note: str | None = None) -> PackageResult:
    """Build, sign and record one evidence package for ``recipient``, writing its ZIP to ``out``.

    Originals are streamed into the ZIP, never held whole in memory. On an error the caller
    discards ``out``: nothing is recorded until the ZIP is complete.

    Raises
    ------
    AccessDenied
        When the actor may not package evidence, or asks for reporter identity without the right to see it.
    SchemaError
        For an unknown recipient, no selection, no matching incident, or an altered original.
    GeoDataError
        When no package key is configured.
    """
    authorize(actor, "package_evidence")
    if recipient not in RECIPIENTS:
        raise SchemaError(M("Recipient {recipient} is not one of {choices}.", recipient=repr(recipient),
                            choices=str(list(RECIPIENTS))))
    if include_reporter:
        authorize(actor, "view_reporter_contact")
    key = package_key()
    chosen = select_incidents(store.read_layer(schema.INCIDENTS), sel)
    if chosen.empty:
        raise SchemaError(M("No enforcement incident matches {selection}; widen the selection.",
                            selection=json.dumps(sel.describe())))
    ids = chosen[schema.INCIDENT_ID].astype(str).tolist()
    reports = {str(r["incident_id"]): r for r in store.intake_rows("incident_reports", ids)}
    evidence = store.intake_rows("evidence", ids)
    root = store.evidence_dir()
    files: dict[str, Path] = {}
    for ev in evidence:
        sha, path = str(ev["sha256"]), root / str(ev["stored_path"])
        if sha not in files:
            if not path.is_file():
                raise SchemaError(M("Evidence {evidence} ({path}) is missing; nothing was packaged. Run "
                                    "`stagemap evidence verify` and restore it from the WORM copy.",
                                    evidence=ev["evidence_id"], path=ev["stored_path"]))
            files[sha] = path
    custody = store.audit_for([*ids, *(str(e["evidence_id"]) for e in evidence)], imports_of=schema.INCIDENTS)
    package_id = f"PKG-{dt.datetime.now(dt.UTC):%Y%m%d}-{uuid.uuid4().hex[:10]}"
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    pts = chosen.to_crs("EPSG:4326").geometry
    records = []
    for (_, row), pt in zip(chosen.drop(columns="geometry").iterrows(), pts, strict=True):
        iid = str(row[schema.INCIDENT_ID])
        own = [e for e in evidence if str(e["incident_id"]) == iid]
        rec = {"incident": {k: _plain(v) for k, v in row.items()}, "lon": pt.x, "lat": pt.y,
               "report": {k: _plain(v) for k, v in reports.get(iid, {}).items()},
               "b7_labels": sorted({str(e["label"]) for e in own if e.get("label")}
                                   | {s for s in str(row.get(schema.EVIDENCE_REFS) or "").split(";") if s}),
               "evidence": [{k: _plain(e.get(k)) for k in ("evidence_id", "filename", "label", "disposition_ref", "mime",
                                                          "size_bytes", "sha256", "derived_from", "uploaded_by",
                                                          "uploaded_at")} | {"path": f"evidence/{e['sha256']}"}
                            for e in own]}
        if include_reporter:
            rec["reporter"] = store.reporter_contacts(iid)
        records.append(rec)
    manifest = {"format": FORMAT, "package_id": package_id, "recipient": recipient,
                "recipient_name": RECIPIENT_NAMES[recipient], "created_at": created_at, "created_by": actor.name,
                "synthetic": bool(store.is_synthetic()), "selection": sel.describe(), "note": note,
                "include_reporter": include_reporter, "incidents": records,
                "files": [{"path": f"evidence/{sha}", "sha256": sha, "size_bytes": path.stat().st_size}
                          for sha, path in sorted(files.items())],
                "custody": [{k: _plain(v) for k, v in e.items()} for e in custody]}
    digest, signature = build_zip(manifest, files, key, out)
    store.add_package({"package_id": package_id, "recipient": recipient, "selection": json.dumps(sel.describe()),
                       "incidents": len(records), "evidence_files": len(files), "include_reporter": int(include_reporter),
                       "manifest_sha256": digest, "signature": signature, "key_id": key_id(key),
                       "created_by": actor.name, "created_at": created_at, "source": actor.source},
                      user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)
    if include_reporter:
        store.log_event(actor=actor.name, role=actor.role, action="reporter_contact.package", entity="evidence_packages",
                        entity_id=package_id, detail={"incidents": ids, "recipient": recipient},
                        source=actor.source, os_user=actor.os_user)
    return PackageResult(package_id, digest, len(records), len(files))


def list_packages(store: Store, actor: Actor) -> list[dict[str, object]]:
    """Return the packages handed over so far (records and admins)."""
    authorize(actor, "package_evidence")
    return store.packages()


def verify_package_file(path: str | Path | bytes) -> PackageCheck:
    """Re-check a package ZIP (a path or its bytes) with the configured package key; reads no store.

    Raises
    ------
    SchemaError
        When the file cannot be read or is not a ZIP.
    """
    if not isinstance(path, bytes) and not Path(path).is_file():
        raise SchemaError(M("No package file at {path}; check the path.", path=str(path)))
    return verify_package(path if isinstance(path, bytes) else Path(path), package_key())

