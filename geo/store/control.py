"""Site control and the A.1 determination, and site parts: versioned rows with history, like site status.

A site's ``site_control`` row (control basis, dates, document, determination with reason, who and
when, whether a barrier is appropriate) is created by its first save, at version 1; until then
the site is pending, with the basis its import listed. A part (``site_parts``) is created at
version 1 when it is drawn. Every save names the version it was based on; a stale save raises
:class:`geo.errors.StatusConflict` with the newer edits, and nothing is written. Every change
keeps a copy in the history table and appends one audit entry carrying the digest of the row
as re-read, so :meth:`geo.store.verify.VerifyStore.verify_state` checks these tables as it
checks ``site_status``.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo import schema
from geo.errors import SchemaError, StatusConflict, StoreError
from geo.messages import M
from geo.records import Edit
from geo.store.audit import AuditItem, append_audit_many
from geo.store.core import StoreCore
from geo.store.values import BOUND, canonical_row, now_seconds, to_series
from geo.store.words import row_label, row_title, row_word

_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Versioned:
    """A versioned state table, its history table, key, columns, editable fields and the word for a row."""

    table: str
    history: str
    key: str
    columns: tuple[schema.Column, ...]
    editable: tuple[str, ...]
    what: str
    action: str  # audit action prefix: <action>.create / .update / .seed

    @property
    def names(self) -> list[str]:
        """Column names in table order."""
        return [c.name for c in self.columns]


CONTROL = Versioned(schema.SITE_CONTROL, "control_history", schema.SITE_ID, schema.CONTROL_COLUMNS,
                    schema.EDITABLE_CONTROL, "Site", "control")
PARTS = Versioned(schema.SITE_PARTS, "part_history", schema.PART_ID, schema.PART_COLUMNS, schema.EDITABLE_PART, "Part",
                  "part")
_ENUMS = {schema.DETERMINATION: schema.DETERMINATIONS, schema.CONTROL_BASIS: schema.CONTROL_BASES,
          schema.BARRIER_APPROPRIATE: schema.BARRIER_VALUES, schema.PART_TYPE: schema.PART_TYPES,
          schema.SIGN_STATUS: schema.SIGN_STATUSES, schema.GATE_STATUS: schema.GATE_STATUSES}
_PAST_DATES = (schema.SIGN_POSTED_ON, schema.LAST_INSPECTED)


def check_changes(spec: Versioned, key: str, changes: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate a change to one row of ``spec``; return it with dates as ISO text and flags as booleans.

    Raises
    ------
    SchemaError
        Naming the row, the field, the value and what is allowed.
    """
    today = today or dt.date.today()
    label = row_label(spec.what, key)
    unknown = sorted(set(changes) - set(spec.editable))
    if unknown:
        raise SchemaError(M("{label}: cannot set {fields}; editable fields are {editable}.", label=label,
                            fields=unknown, editable=list(spec.editable)))
    if not changes:
        raise SchemaError(M("{label}: nothing to change.", label=label))
    kinds = {c.name: c.kind for c in spec.columns}
    nullable = {c.name: c.nullable for c in spec.columns}
    out: dict[str, Any] = {}
    for name, value in changes.items():
        value = missing_as_none(value)
        if isinstance(value, str) and not value.strip() and kinds[name] in ("date", "text"):
            value = None
        if name in _ENUMS and value not in _ENUMS[name]:
            raise SchemaError(M("{label}: {field} {value} is not one of {allowed}.", label=label, field=name,
                                value=repr(value), allowed=list(_ENUMS[name])))
        if kinds[name] == "date" and value is not None:
            try:
                day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip()[:10])
            except ValueError:
                raise SchemaError(M("{label}: {field} {value} is not a date; use YYYY-MM-DD.", label=label,
                                    field=name, value=repr(value))) from None
            if name in _PAST_DATES and day > today:
                raise SchemaError(M("{label}: {field} {day} is in the future; give the date it happened.",
                                    label=label, field=name, day=str(day)))
            value = day.isoformat()
        elif kinds[name] == "bool" and not (value is None and nullable[name]):  # a nullable flag may be cleared
            if str(value).strip().lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise SchemaError(M("{label}: {field} {value} is not yes or no.", label=label, field=name,
                                    value=repr(value)))
            value = str(value).strip().lower() in ("true", "1", "yes")
        elif kinds[name] == "text" and value is not None:
            value = str(value).strip()[:_TEXT_LIMIT]
            bad = sorted({f"U+{ord(c):04X}" for c in value if ord(c) < 32 and c not in "\t\n\r"})
            if bad:
                raise SchemaError(M("{label}: {field} contains control characters {characters}; remove them and "
                                    "retry.", label=label, field=name, characters=bad))
        out[name] = value
    return out


def missing_as_none(value: Any) -> Any:
    """Return ``None`` for a missing value (NaN, NaT, pandas NA), else ``value``."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def check_row(spec: Versioned, row: Mapping[str, Any]) -> None:
    """Refuse a row whose fields contradict each other (checked on the row as it would be saved).

    Raises
    ------
    SchemaError
        When 'not a candidate' has no reason, or control ends before it starts.
    """
    label = row_label(spec.what, row[spec.key])
    if row.get(schema.DETERMINATION) == schema.NOT_CANDIDATE and not (row.get(schema.DETERMINATION_REASON) or "").strip():
        raise SchemaError(M("{label}: 'not a candidate' needs a reason (why it cannot serve as a staging area, "
                            "processing location or operations base); add one and save again.", label=label))
    start, end = row.get(schema.CONTROL_START), row.get(schema.CONTROL_END)
    if start and end and str(end) < str(start):
        raise SchemaError(M("{label}: control ends {end} before it starts {start}; check the dates.", label=label,
                            end=end, start=start))


def read_row(con: Any, spec: Versioned, key: str) -> dict[str, Any] | None:
    """Return the current row of ``key`` as a dict, or ``None``."""
    found = con.execute(f'SELECT {", ".join(spec.names)} FROM "{spec.table}" WHERE "{spec.key}" = ?', (key,)).fetchone()
    return None if found is None else dict(zip(spec.names, found, strict=True))


def bound_row(spec: Versioned, row: Mapping[str, Any]) -> dict[str, object]:
    """Return a row in the canonical form its audit entry hashes (as :func:`geo.store.values.read_bound`)."""
    return canonical_row(BOUND[spec.table], tuple(row.get(k) for k in spec.names))


def record_history(con: Any, spec: Versioned, row: Mapping[str, Any], *, role: str | None, source: str) -> None:
    """Keep a copy of one version in the history table."""
    names = [*spec.names, "role", "source"]
    con.execute(f'INSERT OR IGNORE INTO "{spec.history}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                (*(row.get(k) for k in spec.names), role, source))


def history(con: Any, spec: Versioned, key: str, *, after: int = 0) -> list[Edit]:
    """Return the saved versions of ``key`` after version ``after``, oldest first, with field diffs."""
    cols = ["version", *spec.editable, "updated_by", "updated_at"]
    rows = con.execute(f'SELECT {", ".join(cols)} FROM "{spec.history}" WHERE "{spec.key}" = ? ORDER BY version',
                       (key,)).fetchall()
    edits: list[Edit] = []
    prev: dict[str, Any] | None = None
    for r in rows:
        rec = dict(zip(cols, r, strict=True))
        if rec["version"] > after:
            diff = {k: (None if prev is None else prev[k], rec[k]) for k in spec.editable
                    if (prev is None and rec[k] is not None) or (prev is not None and prev[k] != rec[k])}
            edits.append(Edit(key, int(rec["version"]), rec["updated_by"], rec["updated_at"], diff))
        prev = rec
    return edits


def _stamp(clean: dict[str, Any], current: Mapping[str, Any], user: str, at: str) -> dict[str, Any]:
    """Add who and when of the determination when it (or its reason) changes."""
    if any(k in clean and clean[k] != current.get(k) for k in (schema.DETERMINATION, schema.DETERMINATION_REASON)):
        return {**clean, schema.DETERMINED_BY: user, schema.DETERMINED_AT: at}
    return clean


def save_row(con: Any, spec: Versioned, key: str, changes: Mapping[str, Any], *, expect_version: int, user: str,
             role: str, source: str, os_user: str | None, create: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Apply ``changes`` to ``key`` if it is still at ``expect_version``; ``create`` holds a new row's defaults.

    A row that does not exist yet is at version 0: a save based on version 0 inserts it (from
    ``create`` and the changes) at version 1.

    Raises
    ------
    StatusConflict
        When another save came first; nothing is written.
    SchemaError
        For invalid values, or a 'not a candidate' without a reason.
    StoreError
        When the row does not exist and cannot be created.
    """
    if not user or not user.strip():
        raise SchemaError(M("{label}: say who is saving (user name); edits are never anonymous.",
                            label=row_label(spec.what, key)))
    clean = check_changes(spec, key, changes)
    current = read_row(con, spec, key)
    at = now_seconds()
    if current is None:
        if create is None:
            raise StoreError(M("No {what} {key} in the store; check the id.", what=row_word(spec.what),
                               key=repr(key)))
        if int(expect_version) != 0:
            raise StatusConflict(key, int(expect_version), {**create, schema.VERSION: 0}, [], what=row_title(spec.what))
        new = {**create, **_stamp(clean, create, user, at), schema.VERSION: 1, schema.UPDATED_BY: user,
               schema.UPDATED_AT: at}
        check_row(spec, new)
        cur = con.execute(f'INSERT OR IGNORE INTO "{spec.table}" ({", ".join(spec.names)}) '
                          f'VALUES ({", ".join("?" * len(spec.names))})', tuple(new.get(k) for k in spec.names))
        if cur.rowcount != 1:  # another writer created it first
            raise StatusConflict(key, 0, read_row(con, spec, key) or new, history(con, spec, key), what=row_title(spec.what))
        action, old = f"{spec.action}.create", None
    else:
        if int(current[schema.VERSION]) != int(expect_version):
            raise StatusConflict(key, int(expect_version), current, history(con, spec, key, after=int(expect_version)), what=row_title(spec.what))
        clean = _stamp(clean, current, user, at)
        check_row(spec, {**current, **clean})
        sets = ", ".join(f'"{k}" = ?' for k in clean)
        cur = con.execute(f'UPDATE "{spec.table}" SET {sets}, version = version + 1, updated_by = ?, updated_at = ? '
                          f'WHERE "{spec.key}" = ? AND version = ?', (*clean.values(), user, at, key, int(expect_version)))
        if cur.rowcount != 1:
            raise StatusConflict(key, int(expect_version), read_row(con, spec, key) or current, [], what=row_title(spec.what))
        action = f"{spec.action}.update"
        old = {**{k: current[k] for k in clean}, schema.VERSION: current[schema.VERSION]}
    stored = read_row(con, spec, key)
    assert stored is not None
    record_history(con, spec, stored, role=role, source=source)
    new_values = {k: stored[k] for k in clean} | {schema.VERSION: stored[schema.VERSION]}
    append_audit_many(con, [AuditItem(action, spec.table, key, old, new_values, bound_row(spec, stored))],
                      actor=user, role=role, source=source, os_user=os_user)
    return stored


def insert_rows(con: Any, spec: Versioned, rows: Sequence[Mapping[str, Any]], *, action: str, user: str, role: str,
                source: str, os_user: str | None) -> list[dict[str, Any]]:
    """Insert new rows at version 1 (keys already present are left alone); history and one entry each."""
    at = now_seconds()
    items, stored_rows = [], []
    for given in rows:
        given = {k: missing_as_none(v) for k, v in given.items()}
        row = {**given, schema.VERSION: 1, schema.UPDATED_BY: given.get(schema.UPDATED_BY) or user,
               schema.UPDATED_AT: given.get(schema.UPDATED_AT) or at}
        check_row(spec, row)
        cur = con.execute(f'INSERT OR IGNORE INTO "{spec.table}" ({", ".join(spec.names)}) '
                          f'VALUES ({", ".join("?" * len(spec.names))})', tuple(row.get(k) for k in spec.names))
        if cur.rowcount != 1:
            continue
        stored = read_row(con, spec, str(row[spec.key]))
        assert stored is not None
        record_history(con, spec, stored, role=role, source=source)
        items.append(AuditItem(action, spec.table, str(row[spec.key]), None,
                               {k: stored[k] for k in spec.editable if stored[k] is not None}
                               | {schema.VERSION: 1}, bound_row(spec, stored)))
        stored_rows.append(stored)
    if items:
        append_audit_many(con, items, actor=user, role=role, source=source, os_user=os_user)
    return stored_rows


def carried_control(con: Any, old_ids: Sequence[str], new_sites: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Return the control rows of deleted sites re-keyed to the new site that covers one of their AINs.

    Only for a new site without a control row of its own: an asset list replacing a derived site
    keeps the determination made on it (the old row and its history stay on record).
    """
    if new_sites is None or not len(new_sites):
        return []
    owner = {a: str(sid) for sid, ains in zip(new_sites[schema.SITE_ID], new_sites[schema.AINS].fillna(""), strict=True)
             for a in str(ains).split(";") if a}
    out: list[dict[str, Any]] = []
    for old in old_ids:
        row = read_row(con, CONTROL, old)
        found = con.execute("SELECT ains FROM sites WHERE site_id = ?", (old,)).fetchone()
        new = next((owner[a] for a in str(found[0] if found else "").split(";") if a in owner), None)
        if row is None or new is None or read_row(con, CONTROL, new) is not None or any(r[schema.SITE_ID] == new for r in out):
            continue
        note = f"determination carried over from {old}" + (f"; {row[schema.STATUS_NOTE]}" if row[schema.STATUS_NOTE] else "")
        out.append({**{k: row[k] for k in CONTROL.names if k not in (schema.VERSION, schema.UPDATED_BY, schema.UPDATED_AT)},
                    schema.SITE_ID: new, schema.STATUS_NOTE: note})
    return out


def frame_of(spec: Versioned, rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Return stored rows as a frame with canonical dtypes."""
    data: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in spec.columns]
    return pd.DataFrame({c.name: to_series(c.kind, data[i]) for i, c in enumerate(spec.columns)})


class ControlStore(StoreCore):
    """Control basis and A.1 determination per site, and site parts, each versioned and audited."""

    def read_control(self) -> pd.DataFrame:
        """Return every ``site_control`` row (sites never saved have none: they are pending)."""
        with self.read() as con:
            rows = con.execute(f'SELECT {", ".join(CONTROL.names)} FROM site_control ORDER BY site_id').fetchall()
        return frame_of(CONTROL, rows)

    def control_defaults(self, site_id: str) -> dict[str, Any]:
        """Return the control row a site has before its first save (version 0, pending, the listed basis).

        Raises
        ------
        StoreError
            When the site does not exist.
        """
        with self.read() as con:
            return _defaults(con, site_id)

    def save_control(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                     role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a control or determination change based on ``expect_version`` (0: the site has no row yet)."""
        with self.write() as con:
            return save_row(con, CONTROL, site_id, changes, expect_version=expect_version, user=user, role=role,
                            source=source, os_user=os_user, create=_defaults(con, site_id))

    def seed_control(self, rows: Sequence[Mapping[str, object]], *, user: str, role: str = "admin",
                     source: str = "system", os_user: str | None = None) -> int:
        """Create control rows at version 1 for sites that have none (the synthetic sample); return how many."""
        with self.write() as con:
            full = [{**_defaults(con, str(r[schema.SITE_ID])), **r} for r in rows]
            return len(insert_rows(con, CONTROL, full, action="control.seed", user=user, role=role, source=source,
                                   os_user=os_user))

    def control_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's control row, oldest first, with diffs."""
        with self.read() as con:
            return history(con, CONTROL, site_id)

    def read_parts(self) -> pd.DataFrame:
        """Return every part (retired ones too), ordered by site and part id."""
        with self.read() as con:
            rows = con.execute(f'SELECT {", ".join(PARTS.names)} FROM site_parts ORDER BY site_id, part_id').fetchall()
        return frame_of(PARTS, rows)

    def add_parts(self, parts: Sequence[Mapping[str, object]], *, user: str, role: str = "liaison",
                  source: str = "app", os_user: str | None = None) -> list[dict[str, object]]:
        """Create parts at version 1, ids ``<site_id>-P01``, ``-P02``...; return them as stored.

        Each part needs ``site_id``, ``part_type`` and ``geometry_wkt`` (EPSG:4326, checked by the
        caller); the determination starts pending and sign and gate unknown unless given.

        Raises
        ------
        StoreError
            When a part's site does not exist; nothing is written.
        SchemaError
            For invalid values; nothing is written.
        """
        with self.write() as con:
            rows: list[dict[str, Any]] = []
            for given in parts:
                site = str(given[schema.SITE_ID])
                if con.execute("SELECT 1 FROM sites WHERE site_id = ?", (site,)).fetchone() is None:
                    raise StoreError(M("No site {site} in the store; a part belongs to an existing site.",
                                       site=repr(site)))
                n = int(con.execute("SELECT COUNT(*) FROM site_parts WHERE site_id = ?", (site,)).fetchone()[0])
                n += len([r for r in rows if r[schema.SITE_ID] == site])
                editable = {k: v for k, v in given.items() if k in PARTS.editable}
                row = {schema.DETERMINATION: schema.PENDING, schema.BARRIER_APPROPRIATE: "unknown",
                       schema.SIGN_STATUS: "unknown", schema.GATE_STATUS: "unknown", schema.RETIRED: False,
                       **check_changes(PARTS, f"{site} (new part)", editable),
                       schema.PART_ID: str(given.get(schema.PART_ID) or f"{site}-P{n + 1:02d}"), schema.SITE_ID: site,
                       schema.GEOMETRY_WKT: given[schema.GEOMETRY_WKT], schema.AREA_SQFT: given.get(schema.AREA_SQFT)}
                if schema.DETERMINATION in editable:
                    row |= {schema.DETERMINED_BY: user, schema.DETERMINED_AT: now_seconds()}
                rows.append(row)
            return insert_rows(con, PARTS, rows, action="part.create", user=user, role=role, source=source,
                               os_user=os_user)

    def save_part(self, part_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                  role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a change to a part based on ``expect_version``; raise ``StatusConflict`` if stale."""
        with self.write() as con:
            return save_row(con, PARTS, part_id, changes, expect_version=expect_version, user=user, role=role,
                            source=source, os_user=os_user)

    def part_history(self, part_id: str) -> list[Edit]:
        """Return every saved version of a part, oldest first, with diffs."""
        with self.read() as con:
            return history(con, PARTS, part_id)


def _defaults(con: Any, site_id: str) -> dict[str, Any]:
    """Return a site's control row before its first save, from the basis its import listed."""
    found = con.execute("SELECT listed_basis, listed_start, listed_end, listed_doc FROM sites WHERE site_id = ?",
                        (site_id,)).fetchone()
    if found is None:
        raise StoreError(M("No site {site} in the store; check the site id.", site=repr(site_id)))
    basis = found[0] if found[0] in schema.CONTROL_BASES else "unknown"
    return {schema.SITE_ID: site_id, schema.DETERMINATION: schema.PENDING, schema.DETERMINATION_REASON: None,
            schema.DETERMINED_BY: None, schema.DETERMINED_AT: None, schema.CONTROL_BASIS: basis,
            schema.CONTROL_START: found[1], schema.CONTROL_END: found[2], schema.CONTROL_DOC: found[3],
            schema.BARRIER_APPROPRIATE: "unknown", schema.STATUS_NOTE: None, schema.VERSION: 0,
            schema.UPDATED_BY: None, schema.UPDATED_AT: None}
