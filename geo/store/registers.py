"""Evidence packages and register entries in SQL: append-only rows, each bound to its audit entry.

A register entry is never updated: a change appends the next version with the full set of
fields, so ``register_entries`` is its own history, and the live entry is the newest version.
Every row (package or entry version) gets one audit entry carrying the digest of the row as
re-read, so :meth:`geo.store.verify.VerifyStore.verify_state` checks both tables through
:data:`geo.store.values.BOUND` like the other bound tables.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo import schema
from geo.errors import SchemaError, StatusConflict
from geo.messages import M
from geo.store.audit import AuditItem, append_audit_many, canonical_json, now_utc
from geo.store.core import StoreCore
from geo.store.ddl_registers import ENTRY_COLUMNS, PACKAGE_COLUMNS
from geo.store.values import BOUND, BUMP_DATA_VERSION, read_bound

_CHUNK = 500


@dataclass(frozen=True)
class EntryWrite:
    """One register entry to save: its id, all its fields, the stored document's hash, the version it is based on.

    ``expect_version`` ``None`` means latest wins (a spreadsheet import); otherwise a stale
    version raises :class:`geo.errors.StatusConflict`.
    """

    entry_id: str
    fields: Mapping[str, object]
    document_sha256: str | None = None
    expect_version: int | None = None


@dataclass(frozen=True)
class EntrySaved:
    """What a save did to one entry: ``created``, ``updated`` or ``unchanged``, and its version now."""

    entry_id: str
    version: int
    outcome: str


def _entry(names: Sequence[str], values: Sequence[object]) -> dict[str, Any]:
    row = dict(zip(names, values, strict=True))
    row["fields"] = json.loads(str(row["fields"]))
    row["version"] = int(str(row["version"]))
    return row


class RegisterStore(StoreCore):
    """Evidence packages handed over, and versioned register entries."""

    def add_package(self, row: Mapping[str, object], *, user: str, role: str, source: str,
                    os_user: str | None = None) -> dict[str, Any]:
        """Record one evidence package (write-once) with its audit entry; return the audit entry."""
        values = {k: row.get(k) for k in PACKAGE_COLUMNS}
        with self.write() as con:
            con.execute(f"INSERT INTO evidence_packages ({', '.join(PACKAGE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(PACKAGE_COLUMNS))})", tuple(values.values()))
            bound = read_bound(con, BOUND["evidence_packages"], values["package_id"])
            detail = {k: values[k] for k in ("recipient", "incidents", "evidence_files", "include_reporter",
                                             "manifest_sha256", "key_id")}
            return append_audit_many(con, [AuditItem("evidence_package.create", "evidence_packages",
                                                     str(values["package_id"]), None, detail, bound)],
                                     actor=user, role=role, source=source, os_user=os_user)[0]

    def packages(self) -> list[dict[str, object]]:
        """Return every evidence package row, newest first."""
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(PACKAGE_COLUMNS)} FROM evidence_packages "
                               "ORDER BY created_at DESC, package_id").fetchall()
        return [dict(zip(PACKAGE_COLUMNS, r, strict=True)) for r in rows]

    def save_entries(self, register: str, items: Sequence[EntryWrite], *, user: str, role: str, source: str,
                     os_user: str | None = None) -> list[EntrySaved]:
        """Append a new version of each changed entry in ONE transaction, each with its audit entry.

        Raises
        ------
        StatusConflict
            When an item names a version that is no longer the newest; nothing is written.
        SchemaError
            When no user is named.
        """
        if not user or not user.strip():
            raise SchemaError(M("{register}: say who is saving (user name); entries are never anonymous.",
                                register=register))
        out: list[EntrySaved] = []
        with self.write() as con:
            current = _latest(con, register, [i.entry_id for i in items])
            audit: list[AuditItem] = []
            at = now_utc()
            for item in items:
                cur = current.get(item.entry_id)
                have = 0 if cur is None else int(cur["version"])
                if item.expect_version is not None and item.expect_version != have:
                    shown = {**(cur["fields"] if cur else {}), schema.VERSION: have}
                    raise StatusConflict(item.entry_id, item.expect_version, shown, [], what=M("{register} entry", register=register))
                fields = dict(item.fields)
                doc = item.document_sha256 if item.document_sha256 is not None else \
                    (cur["document_sha256"] if cur else None)
                if cur is not None and cur["fields"] == json.loads(canonical_json(fields)) \
                        and cur["document_sha256"] == doc:
                    out.append(EntrySaved(item.entry_id, have, "unchanged"))
                    continue
                row_id = uuid.uuid4().hex
                values = (row_id, register, item.entry_id, have + 1, canonical_json(fields), doc, user, at, source)
                con.execute(f"INSERT INTO register_entries ({', '.join(ENTRY_COLUMNS)}) "
                            f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})", values)
                current[item.entry_id] = _entry(ENTRY_COLUMNS, values)
                audit.append(AuditItem(f"{register}.{'create' if cur is None else 'update'}", "register_entries",
                                       row_id, None if cur is None else {"version": have},
                                       {"register": register, "entry_id": item.entry_id, "version": have + 1,
                                        "fields": fields, "document_sha256": doc},
                                       read_bound(con, BOUND["register_entries"], row_id)))
                out.append(EntrySaved(item.entry_id, have + 1, "created" if cur is None else "updated"))
            if audit:
                append_audit_many(con, audit, actor=user, role=role, source=source, os_user=os_user)
                con.execute(BUMP_DATA_VERSION)
        return out

    def register_entries(self, register: str) -> list[dict[str, Any]]:
        """Return the newest version of every entry of ``register`` (fields decoded), by entry id."""
        with self.read() as con:
            rows = con.execute(
                f"SELECT {', '.join('e.' + c for c in ENTRY_COLUMNS)} FROM register_entries e WHERE e.register = ? "
                "AND e.version = (SELECT MAX(version) FROM register_entries m WHERE m.register = e.register "
                "AND m.entry_id = e.entry_id) ORDER BY e.entry_id", (register,)).fetchall()
        return [_entry(ENTRY_COLUMNS, r) for r in rows]

    def entry_history(self, register: str, entry_id: str) -> list[dict[str, Any]]:
        """Return every version of one entry, oldest first."""
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM register_entries WHERE register = ? "
                               "AND entry_id = ? ORDER BY version", (register, entry_id)).fetchall()
        return [_entry(ENTRY_COLUMNS, r) for r in rows]

    def document_hashes(self) -> list[tuple[str, str]]:
        """Return ``(register:entry_id vN, document SHA-256)`` of every entry version that kept a document."""
        with self.read() as con:
            rows = con.execute("SELECT register, entry_id, version, document_sha256 FROM register_entries "
                               "WHERE document_sha256 IS NOT NULL ORDER BY register, entry_id, version").fetchall()
        return [(f"{r[0]}:{r[1]} v{r[2]}", str(r[3])) for r in rows]

    def audit_for(self, entity_ids: Sequence[str], *, imports_of: str | None = None) -> list[dict[str, object]]:
        """Return the audit entries naming any of ``entity_ids`` (a chain of custody), in chain order.

        ``imports_of`` (a layer) adds the bulk imports that wrote that layer: imported rows have no
        entry of their own, the import's entry (with its digest of the layer) is their custody.
        """
        ids = sorted({str(i) for i in entity_ids})
        out: list[dict[str, object]] = []
        with self.read() as con:
            if imports_of is not None:
                cur = con.execute("SELECT seq, at, actor, role, action, entity, entity_id, source, os_user, row_hash, "
                                  "entry_hash FROM audit_log WHERE action LIKE 'import.%' AND "
                                  "(',' || entity || ',') LIKE ?", (f"%,{imports_of},%",))
                names = [d[0] for d in cur.description]
                out.extend(dict(zip(names, r, strict=True)) for r in cur.fetchall())
            for start in range(0, len(ids), _CHUNK):
                part = ids[start:start + _CHUNK]
                cur = con.execute("SELECT seq, at, actor, role, action, entity, entity_id, source, os_user, row_hash, "
                                  f"entry_hash FROM audit_log WHERE entity_id IN ({', '.join('?' * len(part))})",
                                  tuple(part))
                names = [d[0] for d in cur.description]
                out.extend(dict(zip(names, r, strict=True)) for r in cur.fetchall())
        return sorted(out, key=lambda e: int(str(e["seq"])))

    def intake_rows(self, table: str, incident_ids: Sequence[str]) -> list[dict[str, object]]:
        """Return the ``incident_reports`` or ``evidence`` rows of ``incident_ids`` (never reporter contacts)."""
        if table not in ("incident_reports", "evidence"):
            raise SchemaError(M("intake_rows: {table} is not incident_reports or evidence.", table=repr(table)))
        cols = BOUND[table].columns
        ids = sorted({str(i) for i in incident_ids})
        out: list[dict[str, object]] = []
        with self.read() as con:
            for start in range(0, len(ids), _CHUNK):
                part = ids[start:start + _CHUNK]
                rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE incident_id IN "
                                   f"({', '.join('?' * len(part))})", tuple(part)).fetchall()
                out.extend(dict(zip(cols, r, strict=True)) for r in rows)
        return out


def _latest(con: Any, register: str, entry_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Return the newest row of each of ``entry_ids`` that exists, inside the caller's transaction."""
    ids = sorted(set(entry_ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        part = ids[start:start + _CHUNK]
        rows = con.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM register_entries WHERE register = ? AND entry_id "
                           f"IN ({', '.join('?' * len(part))}) ORDER BY version", (register, *part)).fetchall()
        for r in rows:
            row = _entry(ENTRY_COLUMNS, r)
            out[str(row["entry_id"])] = row
    return out
