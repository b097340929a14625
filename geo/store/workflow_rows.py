"""A.3 contractor notices, day-15 board measures and event decisions: keyed rows, versioned, audited.

A row is created at version 1 (``expect_version=0``) and each later save names the version it
was based on; a stale save raises :class:`geo.errors.StatusConflict` and writes nothing. Each
save appends one audit entry carrying the digest of the row as re-read, so
:meth:`geo.store.verify.VerifyStore.verify_state` binds the live rows (``BOUND``). Values are
validated by the service (:mod:`geo.services.notices`, :mod:`geo.services.measures`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.errors import StatusConflict, StoreError
from geo.messages import M
from geo.store.audit import AuditItem, append_audit_many
from geo.store.core import StoreCore
from geo.store.ddl_workflows import EVENT_LINK_COLUMNS, MEASURE_COLUMNS, NOTICE_COLUMNS
from geo.store.values import BOUND, canonical_row, now_seconds

#: table -> (key, columns, audit action prefix)
TABLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "contractor_notices": ("notice_id", NOTICE_COLUMNS, "notice"),
    "board_measures": ("measure_id", MEASURE_COLUMNS, "measure"),
    "incident_events": ("incident_id", EVENT_LINK_COLUMNS, "event"),
}
_STAMPS = ("version", "updated_by", "updated_at")


def _read(con: Any, table: str, key_value: str) -> dict[str, Any] | None:
    key, cols, _ = TABLES[table]
    found = con.execute(f'SELECT {", ".join(cols)} FROM "{table}" WHERE "{key}" = ?', (key_value,)).fetchone()
    return None if found is None else dict(zip(cols, found, strict=True))


class WorkflowStore(StoreCore):
    """``contractor_notices``, ``board_measures`` and the report-to-event decisions ``incident_events``."""

    def save_workflow_row(self, table: str, key_value: str, changes: Mapping[str, object], *, expect_version: int,
                          user: str, role: str, source: str, os_user: str | None = None) -> dict[str, object]:
        """Create (``expect_version=0``) or change one row; return it as stored.

        Raises
        ------
        StatusConflict
            When the row is not at ``expect_version`` (another save came first); nothing is written.
        StoreError
            For an unknown table or field.
        """
        if table not in TABLES:
            raise StoreError(M("No workflow table {table}; tables are {tables}.", table=repr(table),
                               tables=sorted(TABLES)))
        key, cols, prefix = TABLES[table]
        bad = sorted(set(changes) - (set(cols) - {key, *_STAMPS}))
        if bad:
            raise StoreError(M("{table} {key}: cannot set {fields}.", table=table, key=key_value, fields=bad))
        at = now_seconds()
        with self.write() as con:
            current = _read(con, table, key_value)
            if current is None:
                if int(expect_version) != 0:
                    raise StatusConflict(key_value, int(expect_version), {"version": 0}, [], what=prefix.title())
                row = {**changes, key: key_value, "version": 1, "updated_by": user, "updated_at": at}
                names = [c for c in cols if c in row]
                cur = con.execute(f'INSERT OR IGNORE INTO "{table}" ({", ".join(names)}) '
                                  f'VALUES ({", ".join("?" * len(names))})', tuple(row[c] for c in names))
                if cur.rowcount != 1:
                    raise StatusConflict(key_value, 0, _read(con, table, key_value) or row, [], what=prefix.title())
                action, old = f"{prefix}.create", None
            else:
                if int(current["version"]) != int(expect_version):
                    raise StatusConflict(key_value, int(expect_version), current, [], what=prefix.title())
                sets = ", ".join(f'"{k}" = ?' for k in changes)
                con.execute(f'UPDATE "{table}" SET {sets}{", " if sets else ""}version = version + 1, updated_by = ?, '
                            f'updated_at = ? WHERE "{key}" = ? AND version = ?',
                            (*changes.values(), user, at, key_value, int(expect_version)))
                action = f"{prefix}.update"
                old = {k: current[k] for k in changes} | {"version": current["version"]}
            stored = _read(con, table, key_value)
            assert stored is not None
            bound = canonical_row(BOUND[table], tuple(stored[c] for c in cols))
            append_audit_many(con, [AuditItem(action, table, key_value, old,
                                              {k: stored[k] for k in changes} | {"version": stored["version"]}, bound)],
                              actor=user, role=role, source=source, os_user=os_user)
        return stored

    def read_workflow_rows(self, table: str, *, department: str | None = None) -> pd.DataFrame:
        """Return the rows of ``table`` (of one department when given), ordered by department and key."""
        if table not in TABLES:
            raise StoreError(M("No workflow table {table}; tables are {tables}.", table=repr(table),
                               tables=sorted(TABLES)))
        key, cols, _ = TABLES[table]
        sql, params = f'SELECT {", ".join(cols)} FROM "{table}"', tuple[str, ...]()
        if department is not None:
            sql, params = sql + " WHERE department = ?", (department,)
        with self.read() as con:
            order = f'department, "{key}"' if "department" in cols else f'"{key}"'
            rows = con.execute(f"{sql} ORDER BY {order}", params).fetchall()
        return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=list(cols))
