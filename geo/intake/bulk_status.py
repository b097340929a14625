"""Bulk status import from a liaison's CSV or XLSX: per-row version checks and a per-row report."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import schema
from geo.errors import SchemaError
from geo.i18n import N_
from geo.messages import M, Message, join

MAX_BYTES, MAX_ROWS = 50_000_000, 100_000
EXPECT = "expect_version"
#: Row outcomes as the import report prints them (the codes are what tests and services compare).
OUTCOMES = {"applied": N_("APPLIED"), "conflict": N_("CONFLICT"), "invalid": N_("INVALID"),
            "unknown_site": N_("UNKNOWN_SITE")}
#: Canonical column -> accepted header spellings (compared lower-case, spaces/dashes as underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    schema.SITE_ID: ("site_id", "site", "siteid", "site_no", "site_number"),
    EXPECT: ("expect_version", "version", "expected_version", "base_version", "baseversion", "loaded_version"),
    schema.SIGN_STATUS: ("sign_status", "sign", "signage", "sign_state"),
    schema.SIGN_POSTED_ON: ("sign_posted_on", "posted_on", "sign_posted", "date_posted", "sign_date", "posted_date"),
    schema.GATE_STATUS: ("gate_status", "gate", "gates", "gate_state"),
    schema.LAST_INSPECTED: ("last_inspected", "inspected", "inspected_on", "inspection_date", "last_inspection"),
    schema.STATUS_NOTE: ("note", "notes", "comment", "comments", "remarks"),
}
SIGN_WORDS = {"posted": "posted", "yes": "posted", "signed": "posted", "installed": "posted", "up": "posted",
              "none": "none", "missing": "none", "no": "none", "not posted": "none", "no sign": "none",
              "damaged": "damaged", "vandalized": "damaged", "vandalised": "damaged", "unknown": "unknown"}
GATE_WORDS = {"locked": "closed_locked", "closed locked": "closed_locked", "closed and locked": "closed_locked",
              "closed_locked": "closed_locked", "unlocked": "closed_unlocked", "closed unlocked": "closed_unlocked",
              "closed_unlocked": "closed_unlocked", "closed": "closed_unlocked", "open": "open",
              "no gate": "no_gate", "no_gate": "no_gate", "none": "no_gate", "n/a": "no_gate", "unknown": "unknown"}


@dataclass(frozen=True)
class Sheet:
    """A table read from a file, with spreadsheet row numbers (header = row 1)."""

    label: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    sha256: str


def _norm(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def read_sheet(path: str | Path) -> Sheet:
    """Read the first sheet of an XLSX or a CSV (UTF-8 or Windows-1252), keeping row numbers.

    Raises
    ------
    SchemaError
        When the file is missing, too big, empty or not a table.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SchemaError(M("{path}: cannot read the file ({why}); check the path.", path=str(p), why=exc.strerror)) from None
    if len(data) > MAX_BYTES:
        raise SchemaError(M("{file}: {size:,} bytes, over the {limit:,}-byte limit; split the file.", file=p.name,
                            size=len(data), limit=MAX_BYTES))
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(p, data)
    elif p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise SchemaError(M("{file}: not an XLSX workbook; save it as .xlsx or .csv.", file=p.name))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        rows = [(n, tuple(r)) for n, r in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    rows = [(n, r) for n, r in rows if any(str(v).strip() for v in r if v is not None)]
    if not rows:
        raise SchemaError(M("{file}: the file has no rows; put a header row first, then one row per site.", file=p.name))
    if len(rows) > MAX_ROWS + 1:
        raise SchemaError(M("{file}: {rows:,} rows, over the {limit:,}-row limit; split the file.", file=p.name,
                            rows=len(rows) - 1, limit=MAX_ROWS))
    (_, head), body = rows[0], rows[1:]
    return Sheet(p.name, tuple(str(h or "").strip() for h in head), tuple(body), hashlib.sha256(data).hexdigest())


def _xlsx_rows(p: Path, data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SchemaError(M("{file}: not a readable XLSX workbook ({why}); re-save it.", file=p.name,
                            why=type(exc).__name__)) from None
    try:
        ws = wb.worksheets[0]
        return [(n, tuple(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()


def match_header(sheet: Sheet, aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Return canonical name -> column index for the headers that match an alias."""
    found: dict[str, int] = {}
    for i, h in enumerate(sheet.header):
        for key, names in aliases.items():
            if key not in found and _norm(h) in names:
                found[key] = i
    return found


def cell(row: Sequence[Any], i: int | None) -> Any:
    """Return a stripped cell value, ``None`` for a blank or missing cell."""
    if i is None or i >= len(row) or row[i] is None:
        return None
    v = row[i]
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


@dataclass(frozen=True)
class RowResult:
    """The outcome of one row: applied, conflict, invalid or unknown_site."""

    row: int
    site_id: str | None
    outcome: str
    message: str
    column: str | None = None
    value: str | None = None
    fix: str | None = None
    version: int | None = None

    def describe(self) -> str:
        """One report line (a translatable message)."""
        where = M("row {row}, column {column}", row=self.row, column=self.column) if self.column else \
            M("row {row}", row=self.row)
        site = M(" site {site}", site=self.site_id) if self.site_id else ""
        fix = M(" Fix: {fix}", fix=self.fix) if self.fix else ""
        outcome = Message(OUTCOMES[self.outcome]) if self.outcome in OUTCOMES else self.outcome.upper()
        return M("{where}{site}: {outcome} {message}{fix}", where=where, site=site, outcome=outcome,
                 message=self.message, fix=fix)


@dataclass(frozen=True)
class BulkStatusReport:
    """Per-row results of one bulk status import."""

    source: str
    rows: tuple[RowResult, ...]

    def count(self, outcome: str) -> int:
        """Rows with ``outcome``."""
        return sum(r.outcome == outcome for r in self.rows)

    @property
    def unknown_sites(self) -> tuple[str, ...]:
        """Site ids in the file that the store does not hold."""
        return tuple(dict.fromkeys(r.site_id for r in self.rows if r.outcome == "unknown_site" and r.site_id))

    def summary(self) -> str:
        """Return the printed report: one line per row, then totals and unknown site ids."""
        lines = [r.describe() for r in self.rows]
        lines.append(M("{source}: {applied} applied, {conflicts} conflicts, {invalid} invalid, {unknown} unknown sites",
                       source=self.source, applied=self.count("applied"), conflicts=self.count("conflict"),
                       invalid=self.count("invalid"), unknown=self.count("unknown_site")))
        if self.unknown_sites:
            lines.append(M("unknown site ids: {ids}", ids=", ".join(self.unknown_sites)))
        return join(lines, "\n")


def sheet_date(value: Any) -> str:
    """Return a sheet cell as an ISO date (date cells, or ISO or US-order text); raise ``ValueError`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text)


def parse_row(sheet: Sheet, cols: dict[str, int], n: int, row: Sequence[Any],
              today: dt.date) -> tuple[str, int, dict[str, Any]] | RowResult:
    """Map one row to ``(site_id, expect_version, changes)`` or an invalid :class:`RowResult`."""
    def bad(key: str, value: Any, fix: str, what: str | None = None) -> RowResult:
        col = sheet.header[cols[key]] if key in cols else key
        return RowResult(n, site, "invalid", what or M("{value} is not valid here.", value=repr(value)), col,
                         None if value is None else str(value), fix)

    site = cell(row, cols.get(schema.SITE_ID))
    site = None if site is None else str(site).strip()
    if not site:
        return bad(schema.SITE_ID, None, M("fill in the site id."), M("no site id."))
    raw_v = cell(row, cols.get(EXPECT))
    try:
        if isinstance(raw_v, bool) or raw_v is None:
            raise ValueError
        version = int(float(raw_v)) if float(raw_v) == int(float(raw_v)) else -1
        if version < 1:
            raise ValueError
    except (TypeError, ValueError):
        return bad(EXPECT, raw_v, M("give the version number you loaded (a whole number, 1 or more)."),
                   M("no usable expected version.") if raw_v is None else None)
    changes: dict[str, Any] = {}
    for key, words, allowed in ((schema.SIGN_STATUS, SIGN_WORDS, "posted, missing, damaged or unknown"),
                                (schema.GATE_STATUS, GATE_WORDS, "locked, unlocked, open, no gate or unknown")):
        raw = cell(row, cols.get(key))
        if raw is not None:
            mapped = words.get(re.sub(r"\s+", " ", str(raw).strip().lower()))
            if mapped is None:
                return bad(key, raw, M("use {allowed}.", allowed=allowed))
            changes[key] = mapped
    for key in (schema.SIGN_POSTED_ON, schema.LAST_INSPECTED):
        raw = cell(row, cols.get(key))
        if raw is not None:
            try:
                day = sheet_date(raw)
            except ValueError:
                return bad(key, raw, M("write the date as YYYY-MM-DD (or M/D/YYYY)."),
                           M("{value} is not a date.", value=repr(raw)))
            if dt.date.fromisoformat(day) > today:
                return bad(key, raw, M("give the date it happened, not a future date."),
                           M("{day} is in the future.", day=day))
            changes[key] = day
    note = cell(row, cols.get(schema.STATUS_NOTE))
    if note is not None:
        changes[schema.STATUS_NOTE] = str(note)[:2000]
    if not changes:
        return RowResult(n, site, "invalid", M("nothing to change."), None, None,
                         M("fill at least one of sign, gate, posted date, inspected date or note."))
    return site, version, changes
