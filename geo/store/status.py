"""Versioned site status, its history and tier overrides, as SQL run inside a write transaction.

Every save names the version it was based on; ``UPDATE ... WHERE version = ?`` touching no
row is a conflict, reported with the newer edits (who, when, what changed), never
overwritten. Every change appends one hash-chained audit entry in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.errors import SchemaError, StatusConflict, StoreError
from geo.messages import M
from geo.records import Edit
from geo.store.audit import AuditItem, append_audit, append_audit_many, now_utc
from geo.store.core import StoreCore
from geo.store.values import BOUND, canonical_row, iso, now_seconds, read_bound, to_series

STATUS_FIELDS = [c.name for c in schema.STATUS_COLUMNS]


def check_changes(site_id: str, changes: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate a status change; return it with dates as ISO text.

    Raises
    ------
    SchemaError
        Naming the site, the field, the value and the allowed values.
    """
    today = today or dt.date.today()
    unknown = sorted(set(changes) - set(schema.EDITABLE_STATUS))
    if unknown:
        raise SchemaError(M("Site {site}: cannot set {fields}; editable fields are {editable}.", site=site_id,
                            fields=unknown, editable=list(schema.EDITABLE_STATUS)))
    if not changes:
        raise SchemaError(M("Site {site}: nothing to change; give a sign status, gate status or date.", site=site_id))
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == schema.SIGN_STATUS and value not in schema.SIGN_STATUSES:
            raise SchemaError(M("Site {site}: sign status {value} is not one of {allowed}.", site=site_id,
                                value=repr(value), allowed=list(schema.SIGN_STATUSES)))
        if key == schema.GATE_STATUS and value not in schema.GATE_STATUSES:
            raise SchemaError(M("Site {site}: gate status {value} is not one of {allowed}.", site=site_id,
                                value=repr(value), allowed=list(schema.GATE_STATUSES)))
        if key in (schema.SIGN_POSTED_ON, schema.LAST_INSPECTED) and value is not None:
            try:
                day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                raise SchemaError(M("Site {site}: {field} {value} is not a date; use YYYY-MM-DD.", site=site_id,
                                    field=key, value=repr(value))) from None
            if day > today:
                raise SchemaError(M("Site {site}: {field} {day} is in the future; give the date it happened.",
                                    site=site_id, field=key, day=str(day)))
            value = day.isoformat()
        if key in (schema.SIGN_TEXT_VERSION, schema.SIGN_LANGUAGE, schema.STATUS_NOTE) and value is not None:
            value = str(value)[:2000]
            bad = sorted({f"U+{ord(c):04X}" for c in value if ord(c) < 32 and c not in "\t\n\r"})
            if bad:
                raise SchemaError(M("Site {site}: {field} contains control characters {characters}; remove them and "
                                    "retry.", site=site_id, field=key, characters=bad))
        out[key] = value
    return out


def read_status_row(con: Any, site_id: str) -> dict[str, Any] | None:
    """Return the current status of one site as a dict, or ``None``."""
    row = con.execute(f"SELECT {', '.join(STATUS_FIELDS)} FROM site_status WHERE site_id = ?", (site_id,)).fetchone()
    return None if row is None else dict(zip(STATUS_FIELDS, row, strict=True))


def save_status(con: Any, site_id: str, changes: Mapping[str, Any], *, expect_version: int, user: str,
                role: str, source: str, os_user: str | None = None) -> dict[str, Any]:
    """Apply ``changes`` to a site's status if it is still at ``expect_version``.

    Raises
    ------
    StatusConflict
        When another save came first; nothing is written.
    StoreError
        When the site does not exist.
    """
    if not user or not user.strip():
        raise SchemaError(M("Site {site}: say who is saving (user name); edits are never anonymous.", site=site_id))
    clean = check_changes(site_id, changes)
    current = read_status_row(con, site_id)
    if current is None:
        raise StoreError(M("No site {site} in the store; check the site id (stagemap info lists counts).",
                           site=repr(site_id)))
    if int(current[schema.VERSION]) != int(expect_version):
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
                 old={**old_values, "version": current[schema.VERSION]}, new={**clean, "version": new[schema.VERSION]},
                 source=source, os_user=os_user, row=status_row(new))
    return new


def status_row(row: Mapping[str, Any]) -> dict[str, object]:
    """Return a ``site_status`` (or ``status_history``) row in the canonical form its audit entry hashes."""
    return canonical_row(BOUND[schema.SITE_STATUS], tuple(row.get(k) for k in STATUS_FIELDS))


def record_history(con: Any, row: Mapping[str, Any], *, role: str | None, source: str) -> None:
    """Keep a copy of one status version in ``status_history``."""
    con.execute(
        "INSERT OR IGNORE INTO status_history (site_id, version, sign_status, sign_posted_on, gate_status, "
        "last_inspected, sign_text_version, sign_language, note, updated_by, updated_at, role, source) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (row[schema.SITE_ID], row[schema.VERSION], row[schema.SIGN_STATUS], row[schema.SIGN_POSTED_ON], row[schema.GATE_STATUS],
         row[schema.LAST_INSPECTED], row.get(schema.SIGN_TEXT_VERSION), row.get(schema.SIGN_LANGUAGE), row.get(schema.STATUS_NOTE),
         row.get(schema.UPDATED_BY), row.get(schema.UPDATED_AT), role, source),
    )


def history(con: Any, site_id: str, *, after: int = 0) -> list[Edit]:
    """Return the edits of one site after version ``after``, oldest first, with field diffs."""
    cols = ["version", *schema.EDITABLE_STATUS, "updated_by", "updated_at"]
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM status_history WHERE site_id = ? ORDER BY version", (site_id,)
    ).fetchall()
    edits: list[Edit] = []
    prev: dict[str, Any] | None = None
    for r in rows:
        rec = dict(zip(cols, r, strict=True))
        if prev is not None and rec["version"] > after:
            diff = {k: (prev[k], rec[k]) for k in schema.EDITABLE_STATUS if prev[k] != rec[k]}
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"], diff))
        elif prev is None and rec["version"] > after:
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"],
                              {k: (None, rec[k]) for k in schema.EDITABLE_STATUS if rec[k] is not None}))
        prev = rec
    return edits


def carried_status(con: Any, old_ids: list[str], new_sites: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Return status rows of ``old_ids`` re-keyed to the new site that covers one of their AINs."""
    cols = [schema.SITE_ID, schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS, schema.LAST_INSPECTED, schema.STATUS_NOTE]
    if new_sites is None or not len(new_sites):
        return pd.DataFrame(columns=cols)
    owner = {a: sid for sid, ains in zip(new_sites[schema.SITE_ID], new_sites[schema.AINS].fillna(""), strict=True)
             for a in str(ains).split(";") if a}
    rows = []
    for old in old_ids:
        ains = con.execute("SELECT ains FROM sites WHERE site_id = ?", (old,)).fetchone()
        st = con.execute(f"SELECT {', '.join(cols)} FROM site_status WHERE site_id = ?", (old,)).fetchone()
        new = next((owner[a] for a in str(ains[0] if ains else "").split(";") if a in owner), None)
        if st is None or new is None:
            continue
        rec = dict(zip(cols, st, strict=True))
        if rec[schema.SIGN_STATUS] == "unknown" and rec[schema.GATE_STATUS] == "unknown":
            continue
        note = f"status carried over from {old}" + (f"; {rec[schema.STATUS_NOTE]}" if rec[schema.STATUS_NOTE] else "")
        rows.append({**rec, schema.SITE_ID: new, schema.STATUS_NOTE: note})
    return pd.DataFrame(rows, columns=cols)


def seed_status(con: Any, sites: gpd.GeoDataFrame, status: pd.DataFrame | None, *, user: str | None,
                actor: str = "system", role: str = "admin", source: str = "bulk_import",
                os_user: str | None = None) -> int:
    """Give every site without a status row one at version 1, kept in the history too; return how many.

    Each seeded row is bound to the audit chain by its own ``status.seed`` entry carrying the
    digest of the row as stored (appended with one ``executemany``), like a status save.
    """
    given = {} if status is None else {r[schema.SITE_ID]: r for r in status.to_dict("records")}
    existing = {r[0] for r in con.execute("SELECT site_id FROM site_status").fetchall()}
    at = now_seconds()
    seeded: list[str] = []
    for sid in sites[schema.SITE_ID]:
        if sid in existing:
            continue
        existing.add(sid)
        r = given.get(sid, {})
        row = {
            schema.SITE_ID: sid, schema.SIGN_STATUS: r.get(schema.SIGN_STATUS) or "unknown",
            schema.SIGN_POSTED_ON: iso(r.get(schema.SIGN_POSTED_ON)), schema.GATE_STATUS: r.get(schema.GATE_STATUS) or "unknown",
            schema.LAST_INSPECTED: iso(r.get(schema.LAST_INSPECTED)), schema.SIGN_TEXT_VERSION: r.get(schema.SIGN_TEXT_VERSION),
            schema.SIGN_LANGUAGE: r.get(schema.SIGN_LANGUAGE), schema.STATUS_NOTE: r.get(schema.STATUS_NOTE), schema.VERSION: 1,
            schema.UPDATED_BY: r.get(schema.UPDATED_BY) or user or "import", schema.UPDATED_AT: r.get(schema.UPDATED_AT) or at,
        }
        con.execute(f"INSERT INTO site_status ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
        seeded.append(str(sid))
    if not seeded:
        return 0
    wanted = set(seeded)
    stored = {str(r[0]): dict(zip(STATUS_FIELDS, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(STATUS_FIELDS)} FROM site_status").fetchall() if str(r[0]) in wanted}  # as stored
    items = []
    for sid in seeded:
        new = stored[sid]
        record_history(con, new, role="admin", source="bulk_import")
        items.append(AuditItem("status.seed", schema.SITE_STATUS, sid, None,
                               {k: new[k] for k in (schema.SIGN_STATUS, schema.GATE_STATUS, schema.VERSION)},
                               status_row(new)))
    append_audit_many(con, items, actor=actor, role=role, source=source, os_user=os_user)
    return len(seeded)


def drop_status(con: Any, site_ids: list[str], *, actor: str, role: str, source: str,
                os_user: str | None = None) -> None:
    """Delete the status rows of deleted sites (their history stays), one ``status.delete`` entry each."""
    items = []
    for sid in site_ids:
        old = read_status_row(con, sid)
        if old is None:
            continue
        con.execute("DELETE FROM site_status WHERE site_id = ?", (sid,))
        items.append(AuditItem("status.delete", schema.SITE_STATUS, sid, {"version": old[schema.VERSION]}, None))
    append_audit_many(con, items, actor=actor, role=role, source=source, os_user=os_user)


class StatusStore(StoreCore):
    """Versioned sign and gate status per site, its history, and reviewers' tier overrides."""

    def read_status(self) -> pd.DataFrame:
        """Return the ``site_status`` table, one row per site."""
        cols = ", ".join(c.name for c in schema.STATUS_COLUMNS)
        with self.read() as con:
            rows = con.execute(f"SELECT {cols} FROM site_status ORDER BY site_id").fetchall()
        data: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in schema.STATUS_COLUMNS]
        return pd.DataFrame({c.name: to_series(c.kind, data[i]) for i, c in enumerate(schema.STATUS_COLUMNS)})

    def status_site_ids(self) -> set[str]:
        """Return the ids of every site that has a status row."""
        with self.read() as con:
            return {str(r[0]) for r in con.execute("SELECT site_id FROM site_status").fetchall()}

    def save_status(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                    role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a status change based on ``expect_version``; raise ``StatusConflict`` if stale."""
        with self.write() as con:
            self._lock_status_row(con, site_id)
            return save_status(con, site_id, changes, expect_version=expect_version, user=user,
                               role=role, source=source, os_user=os_user)

    def status_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's status, oldest first, with diffs.

        Raises
        ------
        StoreError
            When the site does not exist.
        """
        with self.read() as con:
            if con.execute("SELECT 1 FROM site_status WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(M("No site {site} in the store; check the site id.", site=repr(site_id)))
            return history(con, site_id)

    def read_status_history(self) -> pd.DataFrame:
        """Return every saved version of every site's sign and gate, oldest first per site.

        Columns: ``site_id``, ``version``, ``sign_status``, ``gate_status``, ``updated_at`` (UTC).
        """
        cols = [schema.SITE_ID, schema.VERSION, schema.SIGN_STATUS, schema.GATE_STATUS, schema.UPDATED_AT]
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(cols)} FROM status_history ORDER BY site_id, version").fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        return frame.assign(**{schema.UPDATED_AT: pd.to_datetime(frame[schema.UPDATED_AT], utc=True, errors="coerce",
                                                                 format="ISO8601")})

    def set_override(self, site_id: str, tier: str, *, reason: str, user: str, role: str = "planner",
                     source: str = "app", os_user: str | None = None) -> None:
        """Record a reviewer's tier override for a site (audited); earlier overrides stay as history.

        Raises
        ------
        StoreError
            When the tier is unknown, the reason or reviewer is missing, or the site does not exist.
        """
        if tier not in ("high", "medium", "low"):
            raise StoreError(M("Override tier {tier} for site {site}: use high, medium or low.", tier=repr(tier),
                               site=site_id))
        if not reason.strip() or not user.strip():
            raise StoreError(M("Override for site {site} needs a reason and the reviewer's name.", site=site_id))
        with self.write() as con:
            if con.execute("SELECT 1 FROM sites WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(M("No site {site} in the store; check the site id.", site=repr(site_id)))
            row = {"site_id": site_id, "tier": tier, "reason": reason.strip(), "set_by": user.strip(),
                   "set_at": now_seconds()}
            row_id = con.execute("INSERT INTO risk_overrides (site_id, tier, reason, set_by, set_at) "
                                 "VALUES (?,?,?,?,?) RETURNING id", tuple(row.values())).fetchall()[0][0]
            append_audit(con, actor=user.strip(), role=role, action="override.create", entity="risk_overrides",
                         entity_id=site_id, old=None, new=row, source=source, os_user=os_user,
                         row=read_bound(con, BOUND["risk_overrides"], site_id, row_id=row_id))

    def read_overrides(self, *, latest_only: bool = True) -> pd.DataFrame:
        """Return tier overrides (site_id, tier, reason, set_by, set_at), latest per site by default."""
        sql = "SELECT site_id, tier, reason, set_by, set_at FROM risk_overrides"
        if latest_only:
            sql += " WHERE id IN (SELECT MAX(id) FROM risk_overrides GROUP BY site_id)"
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY id").fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["site_id", "tier", "reason", "set_by", "set_at"])
