"""A.3 contractor notices through the one door: register, sent, acknowledged, the day-15 clock, letter, import.

A department's liaison (or an admin) registers each contractor and contract with the City sites
it operates (linked: each must be a site of that department), records when and how the written
notice was sent with the SHA-256 of the document sent, and when and by whom it was
acknowledged. Every change is versioned and audited (:mod:`geo.store.workflow_rows`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.notice_clock import notice_clock
from geo.analysis.timefmt import today_local
from geo.config import Directive
from geo.errors import AccessDenied, SchemaError, StatusConflict
from geo.intake.bulk_status import cell, match_header, read_sheet, sheet_date
from geo.messages import M, join, message_of
from geo.reports.notice_letter import NoticeLetter, letter_pdf
from geo.store import Store
from geo.store.ddl_workflows import NOTICE_METHODS

TABLE = "contractor_notices"
NOTICE_ALIASES: dict[str, tuple[str, ...]] = {
    "department": ("department", "dept", "owning_dept"), "contractor": ("contractor", "vendor", "contractor_name"),
    "contract_number": ("contract_number", "contract", "contract_no", "contract_#"),
    "site_ids": ("site_ids", "sites", "site_id", "site"), "sent_on": ("sent_on", "notice_sent", "sent", "date_sent"),
    "sent_method": ("sent_method", "method", "how_sent"), "document_sha256": ("document_sha256", "sha256", "document_hash"),
    "acknowledged_on": ("acknowledged_on", "acknowledged", "ack_date"),
    "acknowledged_by": ("acknowledged_by", "ack_by", "acknowledged_by_name"), "note": ("note", "notes")}


def notice_id(department: str, contract_number: str) -> str:
    """Return the stable id of a department's contract: ``CN-`` and 12 hex digits."""
    return "CN-" + hashlib.sha256(f"{department}\x1f{contract_number}".encode()).hexdigest()[:12]


def _text(label: str, name: str, value: object, limit: int = 300) -> str | None:
    text = None if value is None else " ".join(str(value).split())[:limit]
    if text is not None and any(ord(c) < 32 for c in text):
        raise SchemaError(M("{label}: {field} contains control characters; remove them and retry.", label=label,
                            field=name))
    return text or None


def _date(label: str, name: str, value: object, today: dt.date) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        day = sheet_date(value)
    except ValueError:
        raise SchemaError(M("{label}: {field} {value} is not a date; use YYYY-MM-DD.", label=label, field=name,
                            value=repr(value))) from None
    if dt.date.fromisoformat(day) > today:
        raise SchemaError(M("{label}: {field} {day} is in the future; give the date it happened.", label=label,
                            field=name, day=day))
    return day


def check_notice(store: Store, department: str, given: dict[str, object], *, today: dt.date | None = None) -> dict[str, object]:
    """Validate a notice's fields; return them cleaned (dates ISO, sites ``;``-joined).

    Raises
    ------
    SchemaError
        Naming the contract, the field, the value and the fix.
    """
    today = today or today_local()
    label = M("Contract {number} of {department}", number=given.get("contract_number") or "?", department=department)
    out: dict[str, object] = {}
    for name in ("contractor", "contract_number", "acknowledged_by", "note"):
        if name in given:
            out[name] = _text(label, name, given[name], 1000 if name == "note" else 300)
    for name in ("sent_on", "acknowledged_on"):
        if name in given:
            out[name] = _date(label, name, given[name], today)
    if given.get("sent_method") is not None:
        method = str(given["sent_method"]).strip().lower().replace(" ", "_")
        if method not in NOTICE_METHODS:
            raise SchemaError(M("{label}: method {value} is not one of {choices}.", label=label,
                                value=repr(given["sent_method"]), choices=str(list(NOTICE_METHODS))))
        out["sent_method"] = method
    if given.get("document_sha256") is not None:
        digest = str(given["document_sha256"]).strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise SchemaError(M("{label}: document_sha256 must be 64 hex digits (the SHA-256 of the document sent).",
                                label=label))
        out["document_sha256"] = digest
    if given.get("site_ids") is not None:
        ids = [s.strip() for s in re.split(r"[;,\s]+", str(given["site_ids"])) if s.strip()]
        sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
        owner = dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.OWNING_DEPT], strict=True))
        bad = [s for s in ids if owner.get(s) != department]
        if bad:
            raise SchemaError(M("{label}: {sites} are not sites of {department}; list the department's site ids "
                                "(Site list page) separated by ';'.", label=label, sites=str(bad), department=department))
        out["site_ids"] = ";".join(dict.fromkeys(ids)) or None
    if out.get("acknowledged_on") and not (out.get("sent_on") or given.get("_sent_before")):
        raise SchemaError(M("{label}: acknowledged before the notice was sent; record the sent date first.", label=label))
    return out


def save_notice(store: Store, actor: Actor, department: str, changes: dict[str, object], *,
                expect_version: int = 0, document: bytes | None = None) -> dict[str, object]:
    """Register a contract (``expect_version=0``) or record a change to it; return the stored row.

    ``document`` (the notice as sent) fills ``document_sha256``. ``changes`` must name the
    ``contract_number``; a new registration also needs the ``contractor``.

    Raises
    ------
    AccessDenied
        Unless an admin or the department's own liaison.
    SchemaError
        For invalid values; nothing is written.
    StatusConflict
        When the row changed since ``expect_version``.
    """
    authorize(actor, "manage_notices", department=department)
    number = str(changes.get("contract_number") or "").strip()
    if not number:
        raise SchemaError(M("{department}: say which contract (contract_number).", department=department))
    if document is not None:
        changes = {**changes, "document_sha256": hashlib.sha256(document).hexdigest()}
    key = notice_id(department, number)
    current = store.read_workflow_rows(TABLE, department=department)
    current = current[current["notice_id"] == key]
    sent_before = bool(len(current) and current.iloc[0]["sent_on"])
    clean = check_notice(store, department, {**changes, "_sent_before": sent_before})
    if expect_version == 0:
        if not clean.get("contractor"):
            raise SchemaError(M("Contract {number} of {department}: name the contractor.", number=number,
                                department=department))
        clean["department"] = department
    else:
        clean.pop("contract_number", None)  # the key: a new contract number is a new registration
    return store.save_workflow_row(TABLE, key, clean, expect_version=expect_version, user=actor.name, role=actor.role,
                                   source=actor.source, os_user=actor.os_user)


def notices(store: Store, actor: Actor, department: str | None = None) -> pd.DataFrame:
    """Return the register (a liaison: their own department)."""
    department = actor.department if actor.role == "liaison" and department is None else department
    authorize(actor, "manage_notices", department=department)
    return store.read_workflow_rows(TABLE, department=department)


def clock(store: Store, actor: Actor, *, as_of: dt.date, department: str | None = None) -> pd.DataFrame:
    """Return the day-15 clock (see :func:`geo.analysis.notice_clock.notice_clock`) for the actor's scope."""
    register = notices(store, actor, department)
    scope = actor.department if actor.role == "liaison" else department
    sites = store.read_layer(schema.SITES, columns=[schema.OWNING_DEPT])
    depts = [d for d in sites[schema.OWNING_DEPT].dropna().unique() if scope is None or d == scope]
    return notice_clock(register, depts, as_of=as_of, due=Directive().identify_by)


def letter(store: Store, actor: Actor, key: str, *, dated: dt.date | None = None) -> bytes:
    """Return the notice letter PDF of one registered contract; the export is audited."""
    rows = store.read_workflow_rows(TABLE)
    rows = rows[rows["notice_id"] == key]
    if not len(rows):
        raise SchemaError(M("No contract {key} on the notice register; check the id (`stagemap notices list`).",
                            key=repr(key)))
    row = rows.iloc[0]
    authorize(actor, "manage_notices", department=str(row["department"]))
    liaison = store.liaison_for(str(row["department"]))
    out = letter_pdf(NoticeLetter(str(row["department"]), str(row["contractor"]), str(row["contract_number"]),
                                  [s for s in str(row["site_ids"] or "").split(";") if s],
                                  liaison[0] if liaison else None, liaison[1] if liaison else None,
                                  dated or today_local(), bool(store.is_synthetic())))
    store.log_event(actor=actor.name, role=actor.role, action="notice.letter", entity=TABLE, entity_id=key,
                    detail={"sha256": hashlib.sha256(out).hexdigest()}, source=actor.source, os_user=actor.os_user)
    return out


@dataclass(frozen=True)
class NoticeImportReport:
    """Per-row outcome: ``(row, 'added' | 'updated' | 'invalid' | 'conflict', message)``."""

    source: str
    rows: tuple[tuple[int, str, str], ...]

    def count(self, outcome: str) -> int:
        """Rows with ``outcome``."""
        return sum(o == outcome for _, o, _ in self.rows)

    def summary(self) -> str:
        """One line per row, then totals."""
        lines = [M("row {row}: {outcome} {message}", row=n, outcome=_OUTCOMES.get(o, o.upper()), message=m)
                 for n, o, m in self.rows]
        totals = M("{added} added, {updated} updated, {invalid} invalid, {conflict} conflict",
                   **{o: self.count(o) for o in ("added", "updated", "invalid", "conflict")})
        return join([*lines, M("{source}: {totals}", source=self.source, totals=totals)], sep="\n")


#: A row's outcome as the per-row report prints it.
_OUTCOMES = {"added": M("ADDED"), "updated": M("UPDATED"), "invalid": M("INVALID"), "conflict": M("CONFLICT")}


def import_notices(store: Store, actor: Actor, path: str | Path) -> NoticeImportReport:
    """Apply each row of a CSV/XLSX register (one save per row; bad rows are reported, good rows kept).

    A row names the department and contract number; an existing contract is updated with the
    row's non-blank fields at its current version.

    Raises
    ------
    SchemaError
        When the file lacks the department, contractor or contract number columns; nothing is written.
    """
    sheet = read_sheet(path)
    cols = match_header(sheet, NOTICE_ALIASES)
    missing = [k for k in ("department", "contractor", "contract_number") if k not in cols]
    if missing:
        raise SchemaError(M("{sheet}: no {columns} column (headers: {headers}); add department, contractor and "
                            "contract_number columns.", sheet=sheet.label, columns=", ".join(missing),
                            headers=", ".join(sheet.header)))
    out: list[tuple[int, str, str]] = []
    for n, row in sheet.rows:
        values = {k: cell(row, i) for k, i in cols.items()}
        dept = str(values.pop("department") or "").strip()
        given = {k: v for k, v in values.items() if v is not None}
        try:
            have = store.read_workflow_rows(TABLE, department=dept)
            have = have[have["notice_id"] == notice_id(dept, str(given.get("contract_number") or "").strip())]
            version = int(have.iloc[0]["version"]) if len(have) else 0
            if version and given.get("contractor") == have.iloc[0]["contractor"]:
                given.pop("contractor")
            saved = save_notice(store, actor, dept, given, expect_version=version)
        except SchemaError as exc:
            out.append((n, "invalid", message_of(exc)))
        except AccessDenied as exc:
            out.append((n, "invalid", message_of(exc)))
        except StatusConflict as exc:
            out.append((n, "conflict", message_of(exc)))
        else:
            out.append((n, "updated" if version else "added", f"{saved['notice_id']} {saved['contractor']}"))
    return NoticeImportReport(sheet.label, tuple(out))
