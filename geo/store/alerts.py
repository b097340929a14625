"""Liaison alerts: one versioned row per report and department, every change audited, every send attempt logged.

An alert is created once per (incident, department) at version 1; acknowledging, actioning and
each delivery attempt name the version they were based on (a stale change raises
:class:`geo.errors.StatusConflict`, nothing written) and append one audit entry carrying the
digest of the row as re-read, so :meth:`geo.store.verify.VerifyStore.verify_state` binds the
live rows. Delivery attempts go to the append-only ``alert_attempts`` log in the same transaction.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from geo.errors import StatusConflict, StoreError
from geo.messages import M
from geo.store.audit import AuditItem, append_audit_many
from geo.store.core import StoreCore
from geo.store.ddl_workflows import ALERT_COLUMNS, ATTEMPT_COLUMNS
from geo.store.values import BOUND, canonical_row, now_seconds

#: Fields a change to an alert may set (the rest are fixed at creation).
ALERT_EDITABLE = frozenset({"state", "acknowledged_by", "acknowledged_at", "actioned_by", "actioned_at",
                            "action_note", "email_state", "email_attempts", "email_sent_at", "webhook_state",
                            "webhook_attempts", "webhook_sent_at", "last_error"})


def _read(con: Any, alert_id: str) -> dict[str, Any] | None:
    found = con.execute(f'SELECT {", ".join(ALERT_COLUMNS)} FROM alerts WHERE alert_id = ?', (alert_id,)).fetchone()
    return None if found is None else dict(zip(ALERT_COLUMNS, found, strict=True))


def _bound(row: Mapping[str, Any]) -> dict[str, object]:
    return canonical_row(BOUND["alerts"], tuple(row.get(k) for k in ALERT_COLUMNS))


def _update(con: Any, alert_id: str, changes: Mapping[str, Any], expect_version: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``changes`` at ``expect_version``; return (old values, stored row)."""
    bad = sorted(set(changes) - ALERT_EDITABLE)
    if bad:
        raise StoreError(M("Alert {alert}: cannot set {fields}; editable fields are {editable}.", alert=alert_id,
                           fields=bad, editable=sorted(ALERT_EDITABLE)))
    current = _read(con, alert_id)
    if current is None:
        raise StoreError(M("No alert {alert} in the store; check the id.", alert=repr(alert_id)))
    if int(current["version"]) != int(expect_version):
        raise StatusConflict(alert_id, int(expect_version), current, [], what=M("Alert"))
    sets = ", ".join(f'"{k}" = ?' for k in changes)
    cur = con.execute(f"UPDATE alerts SET {sets}, version = version + 1 WHERE alert_id = ? AND version = ?",
                      (*changes.values(), alert_id, int(expect_version)))
    if cur.rowcount != 1:
        raise StatusConflict(alert_id, int(expect_version), _read(con, alert_id) or current, [], what=M("Alert"))
    stored = _read(con, alert_id)
    assert stored is not None
    old = {k: current[k] for k in changes} | {"version": current["version"]}
    return old, stored


def insert_alerts(con: Any, rows: Sequence[Mapping[str, object]], *, user: str, role: str, source: str,
                  os_user: str | None) -> list[str]:
    """Insert new alerts at version 1 inside the caller's transaction (already alerted ones skipped), audited."""
    at = now_seconds()
    made: list[str] = []
    items: list[AuditItem] = []
    for given in rows:
        row = {**given, "state": "unread", "email_attempts": 0, "webhook_attempts": 0, "version": 1,
               "created_by": user, "created_at": at}
        names = [k for k in ALERT_COLUMNS if k in row]
        cur = con.execute(f'INSERT OR IGNORE INTO alerts ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                          tuple(row[k] for k in names))
        if cur.rowcount != 1:
            continue
        stored = _read(con, str(row["alert_id"]))
        assert stored is not None
        items.append(AuditItem("alert.create", "alerts", str(row["alert_id"]), None,
                               {k: stored[k] for k in ("incident_id", "department", "site_id", "email_state",
                                                       "webhook_state", "version")}, _bound(stored)))
        made.append(str(row["alert_id"]))
    if items:
        append_audit_many(con, items, actor=user, role=role, source=source, os_user=os_user)
    return made


class AlertStore(StoreCore):
    """The ``alerts`` table (inbox and delivery state) and the ``alert_attempts`` log."""

    def add_alerts(self, rows: Sequence[Mapping[str, object]], *, user: str, role: str, source: str,
                   os_user: str | None = None) -> list[str]:
        """Insert new alerts at version 1 (an incident already alerted to a department is skipped); return their ids."""
        with self.write() as con:
            return insert_alerts(con, rows, user=user, role=role, source=source, os_user=os_user)

    def read_alerts(self, *, department: str | None = None) -> pd.DataFrame:
        """Return alerts (of one department when given), newest first."""
        sql = f'SELECT {", ".join(ALERT_COLUMNS)} FROM alerts'
        params: tuple[object, ...] = ()
        if department is not None:
            sql, params = sql + " WHERE department = ?", (department,)
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY created_at DESC, alert_id", params).fetchall()
        return pd.DataFrame([dict(zip(ALERT_COLUMNS, r, strict=True)) for r in rows], columns=list(ALERT_COLUMNS))

    def update_alert(self, alert_id: str, changes: Mapping[str, object], *, expect_version: int, action: str,
                     user: str, role: str, source: str, os_user: str | None = None) -> dict[str, object]:
        """Change an alert based on ``expect_version`` with one audit entry ``action``; return the stored row.

        Raises
        ------
        StatusConflict
            When another change came first; nothing is written.
        StoreError
            For an unknown alert or a field that cannot be changed.
        """
        with self.write() as con:
            old, stored = _update(con, alert_id, changes, expect_version)
            new = {k: stored[k] for k in changes} | {"version": stored["version"]}
            append_audit_many(con, [AuditItem(action, "alerts", alert_id, old, new, _bound(stored))],
                              actor=user, role=role, source=source, os_user=os_user)
        return stored

    def record_attempt(self, alert_id: str, channel: str, *, ok: bool, detail: str, changes: Mapping[str, object],
                       expect_version: int, user: str, role: str, source: str,
                       os_user: str | None = None) -> dict[str, object]:
        """Log one delivery attempt and apply its outcome to the alert in one audited transaction."""
        counter = f"{channel}_attempts"
        with self.write() as con:
            current = _read(con, alert_id)
            attempt = int((current or {}).get(counter) or 0) + 1
            old, stored = _update(con, alert_id, {**changes, counter: attempt}, expect_version)
            con.execute("INSERT INTO alert_attempts (alert_id, channel, attempt, at, ok, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (alert_id, channel, attempt, now_seconds(), int(ok), detail[:500]))
            new = {k: stored[k] for k in (*changes, counter)} | {"version": stored["version"]}
            action = f"alert.{channel}_{'sent' if ok else 'failed'}"
            append_audit_many(con, [AuditItem(action, "alerts", alert_id, old, new, _bound(stored))],
                              actor=user, role=role, source=source, os_user=os_user)
        return stored

    def read_alert_attempts(self, alert_id: str | None = None) -> pd.DataFrame:
        """Return every logged delivery attempt (of one alert when given), oldest first."""
        sql = f'SELECT {", ".join(ATTEMPT_COLUMNS)} FROM alert_attempts'
        params: tuple[object, ...] = ()
        if alert_id is not None:
            sql, params = sql + " WHERE alert_id = ?", (alert_id,)
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY id", params).fetchall()
        return pd.DataFrame([dict(zip(ATTEMPT_COLUMNS, r, strict=True)) for r in rows], columns=list(ATTEMPT_COLUMNS))
