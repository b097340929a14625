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

from geo import schema as S
from geo.errors import SchemaError, StatusConflict, StoreError
from geo.records import Edit
from geo.store.audit import append_audit, now_utc
from geo.store.core import StoreCore
from geo.store.values import iso, now_seconds, to_series

STATUS_FIELDS = [c.name for c in S.STATUS_COLUMNS]


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
                 source=source, os_user=os_user, row=new)
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
    edits: list[Edit] = []
    prev: dict[str, Any] | None = None
    for r in rows:
        rec = dict(zip(cols, r, strict=True))
        if prev is not None and rec["version"] > after:
            diff = {k: (prev[k], rec[k]) for k in S.EDITABLE_STATUS if prev[k] != rec[k]}
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"], diff))
        elif prev is None and rec["version"] > after:
            edits.append(Edit(site_id, rec["version"], rec["updated_by"], rec["updated_at"],
                              {k: (None, rec[k]) for k in S.EDITABLE_STATUS if rec[k] is not None}))
        prev = rec
    return edits


def carried_status(con: Any, old_ids: list[str], new_sites: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Return status rows of ``old_ids`` re-keyed to the new site that covers one of their AINs."""
    cols = [S.SITE_ID, S.SIGN_STATUS, S.SIGN_POSTED_ON, S.GATE_STATUS, S.LAST_INSPECTED, S.STATUS_NOTE]
    if new_sites is None or not len(new_sites):
        return pd.DataFrame(columns=cols)
    owner = {a: sid for sid, ains in zip(new_sites[S.SITE_ID], new_sites[S.AINS].fillna(""), strict=True)
             for a in str(ains).split(";") if a}
    rows = []
    for old in old_ids:
        ains = con.execute("SELECT ains FROM sites WHERE site_id = ?", (old,)).fetchone()
        st = con.execute(f"SELECT {', '.join(cols)} FROM site_status WHERE site_id = ?", (old,)).fetchone()
        new = next((owner[a] for a in str(ains[0] if ains else "").split(";") if a in owner), None)
        if st is None or new is None:
            continue
        rec = dict(zip(cols, st, strict=True))
        if rec[S.SIGN_STATUS] == "unknown" and rec[S.GATE_STATUS] == "unknown":
            continue
        note = f"status carried over from {old}" + (f"; {rec[S.STATUS_NOTE]}" if rec[S.STATUS_NOTE] else "")
        rows.append({**rec, S.SITE_ID: new, S.STATUS_NOTE: note})
    return pd.DataFrame(rows, columns=cols)


def seed_status(con: Any, sites: gpd.GeoDataFrame, status: pd.DataFrame | None, *, user: str | None) -> None:
    """Give every site without a status row one at version 1, kept in the history too."""
    given = {} if status is None else {r[S.SITE_ID]: r for r in status.to_dict("records")}
    existing = {r[0] for r in con.execute("SELECT site_id FROM site_status").fetchall()}
    at = now_seconds()
    for sid in sites[S.SITE_ID]:
        if sid in existing:
            continue
        r = given.get(sid, {})
        row = {
            S.SITE_ID: sid, S.SIGN_STATUS: r.get(S.SIGN_STATUS) or "unknown",
            S.SIGN_POSTED_ON: iso(r.get(S.SIGN_POSTED_ON)), S.GATE_STATUS: r.get(S.GATE_STATUS) or "unknown",
            S.LAST_INSPECTED: iso(r.get(S.LAST_INSPECTED)), S.SIGN_TEXT_VERSION: r.get(S.SIGN_TEXT_VERSION),
            S.SIGN_LANGUAGE: r.get(S.SIGN_LANGUAGE), S.STATUS_NOTE: r.get(S.STATUS_NOTE), S.VERSION: 1,
            S.UPDATED_BY: r.get(S.UPDATED_BY) or user or "import", S.UPDATED_AT: r.get(S.UPDATED_AT) or at,
        }
        con.execute(f"INSERT INTO site_status ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
        record_history(con, row, role="admin", source="bulk_import")


class StatusStore(StoreCore):
    """Versioned sign and gate status per site, its history, and reviewers' tier overrides."""

    def read_status(self) -> pd.DataFrame:
        """Return the ``site_status`` table, one row per site."""
        cols = ", ".join(c.name for c in S.STATUS_COLUMNS)
        with self.read() as con:
            rows = con.execute(f"SELECT {cols} FROM site_status ORDER BY site_id").fetchall()
        data = list(zip(*rows, strict=True)) if rows else [[] for _ in S.STATUS_COLUMNS]
        return pd.DataFrame({c.name: to_series(c.kind, data[i]) for i, c in enumerate(S.STATUS_COLUMNS)})

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
                raise StoreError(f"No site {site_id!r} in the store; check the site id.")
            return history(con, site_id)

    def set_override(self, site_id: str, tier: str, *, reason: str, user: str, role: str = "planner",
                     source: str = "app", os_user: str | None = None) -> None:
        """Record a reviewer's tier override for a site (audited); earlier overrides stay as history.

        Raises
        ------
        StoreError
            When the tier is unknown, the reason or reviewer is missing, or the site does not exist.
        """
        if tier not in ("high", "medium", "low"):
            raise StoreError(f"Override tier {tier!r} for site {site_id}: use high, medium or low.")
        if not reason.strip() or not user.strip():
            raise StoreError(f"Override for site {site_id} needs a reason and the reviewer's name.")
        with self.write() as con:
            if con.execute("SELECT 1 FROM sites WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(f"No site {site_id!r} in the store; check the site id.")
            row = {"site_id": site_id, "tier": tier, "reason": reason.strip(), "set_by": user.strip(),
                   "set_at": now_seconds()}
            con.execute("INSERT INTO risk_overrides (site_id, tier, reason, set_by, set_at) VALUES (?,?,?,?,?)",
                        tuple(row.values()))
            append_audit(con, actor=user.strip(), role=role, action="override.create", entity="risk_overrides",
                         entity_id=site_id, old=None, new=row, source=source, os_user=os_user, row=row)

    def read_overrides(self, *, latest_only: bool = True) -> pd.DataFrame:
        """Return tier overrides (site_id, tier, reason, set_by, set_at), latest per site by default."""
        sql = "SELECT site_id, tier, reason, set_by, set_at FROM risk_overrides"
        if latest_only:
            sql += " WHERE id IN (SELECT MAX(id) FROM risk_overrides GROUP BY site_id)"
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY id").fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["site_id", "tier", "reason", "set_by", "set_at"])
