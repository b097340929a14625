"""Versioned site status and the audit log, as SQL run inside the caller's write transaction.

Every save names the version it was based on; ``UPDATE ... WHERE version = ?`` touching no
row is a conflict, reported with the newer edits (who, when, what changed), never
overwritten. Every change appends one hash-chained audit entry in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geo import schema as S
from geo.errors import ConflictError, SchemaError, StoreError
from geo.store.audit import GENESIS, canonical_json, entry_hash

STATUS_FIELDS = [c.name for c in S.STATUS_COLUMNS]
HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS status_history (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "site_id TEXT NOT NULL, version INTEGER NOT NULL, sign_status TEXT, sign_posted_on TEXT, "
    "gate_status TEXT, last_inspected TEXT, sign_text_version TEXT, sign_language TEXT, note TEXT, "
    "updated_by TEXT, updated_at TEXT, role TEXT, source TEXT, UNIQUE (site_id, version))"
)
AUDIT_DDL = (
    "CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, "
    "actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, "
    "entity_id TEXT, old TEXT, new TEXT, source TEXT NOT NULL, prev_hash TEXT NOT NULL, "
    "entry_hash TEXT NOT NULL)"
)
AUDIT_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


@dataclass(frozen=True)
class Edit:
    """One saved version of a site's status: who, when, and what changed."""

    site_id: str
    version: int
    updated_by: str | None
    updated_at: str | None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        """Return e.g. ``version 3 by bo at 2026-03-01T10:00Z: sign_status none -> posted``."""
        diff = "; ".join(f"{k} {old!s} -> {new!s}" for k, (old, new) in self.changes.items()) or "no field changes"
        return f"version {self.version} by {self.updated_by or 'unknown'} at {self.updated_at or 'unknown time'}: {diff}"


class StatusConflict(ConflictError):
    """A stale save: carries the current status and the newer edits to show the user."""

    def __init__(self, site_id: str, based_on: int, current: dict[str, Any], newer: list[Edit]) -> None:
        self.site_id, self.based_on, self.current, self.newer = site_id, based_on, current, newer
        lines = "; ".join(e.describe() for e in newer) or f"now at version {current[S.VERSION]}"
        super().__init__(
            f"Site {site_id} changed since you loaded version {based_on}: {lines}. "
            f"Your change was not saved. Review the newer edit and re-apply your change on top of "
            f"version {current[S.VERSION]}."
        )


def now_utc() -> str:
    """Return the current UTC time as ISO-8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def check_changes(site_id: str, changes: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate a status change; return it with dates as ISO text.

    Raises
    ------
    SchemaError
        Naming the site, the field, the value and the allowed values.
    """
    today = today or dt.date.today()
    unknown = sorted(set(changes) - set(S.EDITABLE_STATUS))
    if unknown:
        raise SchemaError(f"Site {site_id}: cannot set {unknown}; editable fields are {list(S.EDITABLE_STATUS)}.")
    if not changes:
        raise SchemaError(f"Site {site_id}: nothing to change; give a sign status, gate status or date.")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == S.SIGN_STATUS and value not in S.SIGN_STATUSES:
            raise SchemaError(f"Site {site_id}: sign status {value!r} is not one of {list(S.SIGN_STATUSES)}.")
        if key == S.GATE_STATUS and value not in S.GATE_STATUSES:
            raise SchemaError(f"Site {site_id}: gate status {value!r} is not one of {list(S.GATE_STATUSES)}.")
        if key in (S.SIGN_POSTED_ON, S.LAST_INSPECTED) and value is not None:
            try:
                day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                raise SchemaError(f"Site {site_id}: {key} {value!r} is not a date; use YYYY-MM-DD.") from None
            if day > today:
                raise SchemaError(f"Site {site_id}: {key} {day} is in the future; give the date it happened.")
            value = day.isoformat()
        if key in (S.SIGN_TEXT_VERSION, S.SIGN_LANGUAGE, S.STATUS_NOTE) and value is not None:
            value = str(value)[:2000]
            bad = sorted({f"U+{ord(c):04X}" for c in value if ord(c) < 32 and c not in "\t\n\r"})
            if bad:
                raise SchemaError(f"Site {site_id}: {key} contains control characters {bad}; remove them and retry.")
        out[key] = value
    return out


def append_audit(con: Any, *, actor: str, role: str, action: str, entity: str, entity_id: str | None,
                 old: object, new: object, source: str) -> dict[str, Any]:
    """Append one hash-chained audit entry inside the caller's transaction; return it.

    A backend whose transactions do not serialise writers (PostgreSQL) provides
    ``con.lock_audit()``, taken before the chain head is read so writers never fork the chain.
    """
    lock = getattr(con, "lock_audit", None)
    if lock is not None:
        lock()
    last = con.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    entry = {"seq": seq, "at": now_utc(), "actor": actor, "role": role, "action": action, "entity": entity,
             "entity_id": entity_id, "old": None if old is None else canonical_json(old),
             "new": None if new is None else canonical_json(new), "source": source}
    entry["prev_hash"], entry["entry_hash"] = prev, entry_hash(prev, entry)
    con.execute(
        "INSERT INTO audit_log (seq, at, actor, role, action, entity, entity_id, old, new, source, "
        "prev_hash, entry_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        tuple(entry[k] for k in ("seq", "at", "actor", "role", "action", "entity", "entity_id", "old",
                                 "new", "source", "prev_hash", "entry_hash")),
    )
    return entry


def read_status_row(con: Any, site_id: str) -> dict[str, Any] | None:
    """Return the current status of one site as a dict, or ``None``."""
    row = con.execute(f"SELECT {', '.join(STATUS_FIELDS)} FROM site_status WHERE site_id = ?", (site_id,)).fetchone()
    return None if row is None else dict(zip(STATUS_FIELDS, row))


def save_status(con: Any, site_id: str, changes: Mapping[str, Any], *, expect_version: int, user: str,
                role: str, source: str) -> dict[str, Any]:
    """Apply ``changes`` to a site's status if it is still at ``expect_version``.

    Raises
    ------
    StatusConflict
        When another save came first; nothing is written.
    StoreError
        When the site does not exist.
    """
    if not user or not user.strip():
        raise SchemaError(f"Site {site_id}: say who is saving (user name); edits are never anonymous.")
    clean = check_changes(site_id, changes)
    current = read_status_row(con, site_id)
    if current is None:
        raise StoreError(f"No site {site_id!r} in the store; check the site id (stagemap info lists counts).")
    if int(current[S.VERSION]) != int(expect_version):
        raise StatusConflict(site_id, int(expect_version), current, history(con, site_id, after=int(expect_version)))
    at = now_utc()
    sets = ", ".join(f"{k} = ?" for k in clean)
    cur = con.execute(
        f"UPDATE site_status SET {sets}, version = version + 1, updated_by = ?, updated_at = ? "
        "WHERE site_id = ? AND version = ?",
        (*clean.values(), user, at, site_id, int(expect_version)),
    )
    if cur.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; kept as a guard
        raise StatusConflict(site_id, int(expect_version), read_status_row(con, site_id) or current, [])
    new = read_status_row(con, site_id)
    assert new is not None
    record_history(con, new, role=role, source=source)
    old_values = {k: current[k] for k in clean}
    append_audit(con, actor=user, role=role, action="status.update", entity="site_status", entity_id=site_id,
                 old={**old_values, "version": current[S.VERSION]}, new={**clean, "version": new[S.VERSION]},
                 source=source)
    return new


def record_history(con: Any, row: Mapping[str, Any], *, role: str | None, source: str) -> None:
    """Keep a copy of one status version in ``status_history``."""
    con.execute(
        "INSERT OR IGNORE INTO status_history (site_id, version, sign_status, sign_posted_on, gate_status, "
        "last_inspected, sign_text_version, sign_language, note, updated_by, updated_at, role, source) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (row[S.SITE_ID], row[S.VERSION], row[S.SIGN_STATUS], row[S.SIGN_POSTED_ON], row[S.GATE_STATUS],
         row[S.LAST_INSPECTED], row.get(S.SIGN_TEXT_VERSION), row.get(S.SIGN_LANGUAGE), row.get(S.STATUS_NOTE),
         row.get(S.UPDATED_BY), row.get(S.UPDATED_AT), role, source),
    )


def history(con: Any, site_id: str, *, after: int = 0) -> list[Edit]:
    """Return the edits of one site after version ``after``, oldest first, with field diffs."""
    cols = ["version", *S.EDITABLE_STATUS, "updated_by", "updated_at"]
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM status_history WHERE site_id = ? ORDER BY version", (site_id,)
    ).fetchall()
    edits, prev = [], None
    for r in rows:
        rec = dict(zip(cols, r))
        if prev is not None and rec["version"] > after:
            diff = {k: (prev[k], rec[k]) for k in S.EDITABLE_STATUS if prev[k] != rec[k]}
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"], diff))
        elif prev is None and rec["version"] > after:
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"],
                              {k: (None, rec[k]) for k in S.EDITABLE_STATUS if rec[k] is not None}))
        prev = rec
    return edits
