"""Day-15 board measures through the one door: the Airport, Harbor and Recreation and Parks police measures.

A measure has a type (patrol, access control, signage, training, reporting protocol, coordination
with LAPD, other), a description, a start date, the department's sites it covers (blank: all) and
a status (planned, in place, ended). Every save is versioned and audited; the board report PDF
(:mod:`geo.reports.board_measures`) lists them with what is overdue.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.errors import SchemaError
from geo.messages import M
from geo.reports.board import BOARDS
from geo.store import Store
from geo.store.ddl_workflows import MEASURE_STATUSES, MEASURE_TYPES

TABLE = "board_measures"


def board_department(department: str) -> bool:
    """Return whether ``department`` reports to one of the three boards the directive names."""
    low = department.lower()
    return any(key in low for key, _, _ in BOARDS)


def check_measure(store: Store, department: str, given: dict[str, object], *, new: bool) -> dict[str, object]:
    """Validate a measure's fields; return them cleaned.

    Raises
    ------
    SchemaError
        Naming the field, the value and what is allowed.
    """
    label = M("Measure of {department}", department=department)
    out: dict[str, object] = {}
    if "measure_type" in given or new:
        kind = str(given.get("measure_type") or "").strip().lower().replace(" ", "_")
        if kind not in MEASURE_TYPES:
            raise SchemaError(M("{label}: type {value} is not one of {choices}.", label=label,
                                value=repr(given.get("measure_type")), choices=str(list(MEASURE_TYPES))))
        out["measure_type"] = kind
    if "status" in given or new:
        status = str(given.get("status") or "in_place").strip().lower().replace(" ", "_")
        if status not in MEASURE_STATUSES:
            raise SchemaError(M("{label}: status {value} is not one of {choices}.", label=label,
                                value=repr(given.get("status")), choices=str(list(MEASURE_STATUSES))))
        out["status"] = status
    if "description" in given or new:
        text = " ".join(str(given.get("description") or "").split())[:2000]
        if not text:
            raise SchemaError(M("{label}: describe the measure (what, by whom, where).", label=label))
        if any(ord(c) < 32 for c in text):
            raise SchemaError(M("{label}: the description contains control characters; remove them.", label=label))
        out["description"] = text
    if given.get("start_date") not in (None, ""):
        try:
            out["start_date"] = dt.date.fromisoformat(str(given["start_date"]).strip()[:10]).isoformat()
        except ValueError:
            raise SchemaError(M("{label}: start date {value} is not a date; use YYYY-MM-DD.", label=label,
                                value=repr(given["start_date"]))) from None
    if given.get("site_ids") not in (None, ""):
        ids = [s.strip() for s in re.split(r"[;,\s]+", str(given["site_ids"])) if s.strip()]
        sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
        owner = dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.OWNING_DEPT], strict=True))
        bad = [s for s in ids if owner.get(s) != department]
        if bad:
            raise SchemaError(M("{label}: {sites} are not sites of {department}; leave blank for all its sites.",
                                label=label, sites=str(bad), department=department))
        out["site_ids"] = ";".join(dict.fromkeys(ids))
    return out


def save_measure(store: Store, actor: Actor, department: str, changes: dict[str, object], *,
                 measure_id: str | None = None, expect_version: int = 0) -> dict[str, object]:
    """Record a new measure (no ``measure_id``) or change one based on ``expect_version``; return it.

    Raises
    ------
    AccessDenied
        Unless an admin or the department's own liaison.
    SchemaError
        When the department has no board under the directive, or a value is invalid; nothing is written.
    StatusConflict
        When the measure changed since ``expect_version``.
    """
    authorize(actor, "manage_notices", department=department)
    if not board_department(department):
        raise SchemaError(M("{department} does not report to the Airport, Harbor or Recreation and Parks board; "
                            "board measures are recorded for those departments only.", department=department))
    new = measure_id is None
    clean = check_measure(store, department, changes, new=new)
    if new:
        clean["department"] = department
    key = measure_id or f"BM-{uuid.uuid4().hex[:12]}"
    return store.save_workflow_row(TABLE, key, clean, expect_version=0 if new else expect_version, user=actor.name,
                                   role=actor.role, source=actor.source, os_user=actor.os_user)


def measures(store: Store, actor: Actor, department: str | None = None) -> pd.DataFrame:
    """Return the recorded measures (a liaison: their own department)."""
    department = actor.department if actor.role == "liaison" and department is None else department
    authorize(actor, "manage_notices", department=department)
    return store.read_workflow_rows(TABLE, department=department)
