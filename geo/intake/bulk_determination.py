"""Bulk A.1 determinations from a department's CSV or XLSX: one row per site (or part), each version-checked.

Read with :func:`geo.intake.bulk_status.read_sheet` (same size limits, encodings and row
numbers) and reported with the same :class:`geo.intake.bulk_status.RowResult` outcomes:
applied, conflict, invalid or unknown_site. A row names a site (``site_id``), or one of its
parts (``part_id``), and the version it was based on (0 for a site never determined).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo import schema
from geo.intake.bulk_status import RowResult, Sheet, cell
from geo.intake.bulk_status import sheet_date as _date
from geo.messages import M

EXPECT = "expect_version"
#: Canonical column -> accepted header spellings (compared lower-case, spaces/dashes as underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    schema.SITE_ID: ("site_id", "site", "siteid", "site_no", "site_number"),
    schema.PART_ID: ("part_id", "part", "partid", "part_no"),
    EXPECT: ("expect_version", "version", "expected_version", "base_version", "loaded_version"),
    schema.DETERMINATION: ("determination", "a1", "a_1", "a1_determination", "candidate", "staging_candidate"),
    schema.DETERMINATION_REASON: ("determination_reason", "reason", "why", "justification", "basis_for_determination"),
    schema.CONTROL_BASIS: ("control_basis", "control", "basis", "tenure", "property_interest"),
    schema.CONTROL_START: ("control_start", "lease_start", "start_date", "permit_start"),
    schema.CONTROL_END: ("control_end", "lease_end", "end_date", "permit_end", "expires", "expiration"),
    schema.CONTROL_DOC: ("control_doc", "document", "doc_ref", "lease_no", "permit_no", "agreement"),
    schema.BARRIER_APPROPRIATE: ("barrier_appropriate", "barrier", "gate_appropriate", "lockable"),
    schema.STATUS_NOTE: ("note", "notes", "comment", "comments", "remarks"),
}
DETERMINATION_WORDS = {
    **dict.fromkeys(("candidate", "yes", "y", "a candidate", "needs sign", "sign", "staging risk"), schema.CANDIDATE),
    **dict.fromkeys(("not candidate", "not a candidate", "not_candidate", "no", "n", "exempt", "no sign needed"),
                    schema.NOT_CANDIDATE),
    **dict.fromkeys(("pending", "tbd", "review", "to review", "undecided"), schema.PENDING),
}
BARRIER_WORDS = {**dict.fromkeys(("yes", "y", "appropriate", "true", "1"), "yes"),
                 **dict.fromkeys(("no", "n", "not appropriate", "false", "0", "n/a"), "no"),
                 "unknown": "unknown"}
#: Fields a part row may change (control belongs to the site).
PART_FIELDS = (schema.DETERMINATION, schema.DETERMINATION_REASON, schema.BARRIER_APPROPRIATE, schema.STATUS_NOTE)


@dataclass(frozen=True)
class DeterminationRow:
    """One parsed row: the site, the part (or ``None``), the version it was based on and the changes."""

    site_id: str
    part_id: str | None
    version: int
    changes: dict[str, Any]


def _words(value: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-/]+", " ", str(value).strip().lower()))


def parse_row(sheet: Sheet, cols: dict[str, int], n: int, row: Sequence[Any]) -> DeterminationRow | RowResult:
    """Map one sheet row to a :class:`DeterminationRow`, or an invalid :class:`RowResult` naming the cell and fix."""
    site = cell(row, cols.get(schema.SITE_ID))
    site = None if site is None else str(site).strip()

    def bad(key: str, value: Any, fix: str, what: str | None = None) -> RowResult:
        col = sheet.header[cols[key]] if key in cols else key
        return RowResult(n, site, "invalid", what or M("{value} is not valid here.", value=repr(value)), col,
                         None if value is None else str(value), fix)

    if not site:
        return bad(schema.SITE_ID, None, M("fill in the site id."), M("no site id."))
    part = cell(row, cols.get(schema.PART_ID))
    part = None if part is None else str(part).strip()
    raw_v = cell(row, cols.get(EXPECT))
    try:
        if isinstance(raw_v, bool) or raw_v is None or float(raw_v) != int(float(raw_v)) or int(float(raw_v)) < 0:
            raise ValueError
        version = int(float(raw_v))
    except (TypeError, ValueError):
        return bad(EXPECT, raw_v, M("give the version you loaded (a whole number; 0 for a site never determined)."),
                   M("no usable expected version.") if raw_v is None else None)
    changes: dict[str, Any] = {}
    for key, words, allowed in ((schema.DETERMINATION, DETERMINATION_WORDS, "candidate, not a candidate or pending"),
                                (schema.CONTROL_BASIS, schema.CONTROL_BASIS_WORDS,
                                 "owned, leased, permit, MOU/joint use, easement or other"),
                                (schema.BARRIER_APPROPRIATE, BARRIER_WORDS, "yes, no or unknown")):
        raw = cell(row, cols.get(key))
        if raw is not None:
            mapped = words.get(_words(raw))
            if mapped is None:
                return bad(key, raw, M("use {allowed}.", allowed=allowed))
            changes[key] = mapped
    for key in (schema.CONTROL_START, schema.CONTROL_END):
        raw = cell(row, cols.get(key))
        if raw is not None:
            try:
                changes[key] = _date(raw)
            except ValueError:
                return bad(key, raw, M("write the date as YYYY-MM-DD (or M/D/YYYY)."),
                           M("{value} is not a date.", value=repr(raw)))
    for key in (schema.DETERMINATION_REASON, schema.CONTROL_DOC, schema.STATUS_NOTE):
        raw = cell(row, cols.get(key))
        if raw is not None:
            changes[key] = str(raw)[:2000]
    if part is not None:
        extra = sorted(set(changes) - set(PART_FIELDS))
        if extra:
            return bad(extra[0], changes[extra[0]], M("put control basis, dates and documents on the site's own row."),
                       M("a part row cannot set {fields} (control belongs to the site).", fields=", ".join(extra)))
    if not changes:
        return RowResult(n, site, "invalid", M("nothing to change."), None, None,
                         M("fill at least a determination, reason, control basis, barrier or note."))
    return DeterminationRow(site, part, version, changes)
