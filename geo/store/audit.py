"""The hash-chained, append-only audit log: canonical JSON, entry hashes, appends and verification."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.messages import M, Message
from geo.store.core import StoreCore

GENESIS = "0" * 64
#: Columns of an audit entry that the hash covers, in order.
HASHED_FIELDS = ("seq", "at", "actor", "role", "action", "entity", "entity_id", "old", "new", "source")
#: Columns added later (revision 0003); covered by the hash whenever they hold a value, so
#: entries written before them keep their hashes and blanking one is detected.
OPTIONAL_HASHED = ("os_user", "row_hash")
AUDIT_COLUMNS = (*HASHED_FIELDS, *OPTIONAL_HASHED, "prev_hash", "entry_hash")


def canonical_json(value: object) -> str:
    """Return compact, key-sorted JSON: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: Mapping[str, object]) -> str:
    """Return ``sha256(prev_hash + canonical_json(entry fields))`` as hex."""
    fields = {k: entry.get(k) for k in HASHED_FIELDS}
    fields.update({k: entry[k] for k in OPTIONAL_HASHED if entry.get(k) is not None})
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def now_utc() -> str:
    """Return the current UTC time as ISO-8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not verify, and why."""

    seq: int
    reason: str  # a translatable message

    def __str__(self) -> str:
        """Return e.g. ``audit entry 7: content does not match its hash``."""
        return str(self.message())

    def message(self) -> Message:
        """Return :meth:`__str__` as a translatable message."""
        return M("audit entry {seq}: {reason}", seq=self.seq, reason=self.reason)


def verify_chain(
    entries: Iterable[Mapping[str, object]], *, head: tuple[int, str] | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk ``entries`` in stored order; return (entries checked, first break or None).

    Detects an edited entry (hash mismatch), a deleted or reordered one (sequence gap or
    ``prev_hash`` not matching the previous entry's hash). Removing or rewriting the *last*
    entries leaves a shorter chain that is consistent in itself; ``head`` (a ``(seq, hash)``
    recorded earlier and kept outside the store) catches that too.
    """
    prev, expected_seq, n = GENESIS, 1, 0
    for e in entries:
        n += 1
        seq = int(str(e["seq"]))
        if seq != expected_seq:
            return n, ChainBreak(seq, M("sequence jumps from {last} to {seq}: an entry was deleted or moved",
                                        last=expected_seq - 1, seq=seq))
        if e["prev_hash"] != prev:
            return n, ChainBreak(seq, M("prev_hash does not match the previous entry: entries were deleted or "
                                        "reordered"))
        if entry_hash(prev, e) != e["entry_hash"]:
            return n, ChainBreak(seq, M("content does not match its hash: the entry was edited"))
        if head is not None and seq == head[0] and e["entry_hash"] != head[1]:
            return n, ChainBreak(seq, M("differs from the chain head recorded outside the store: it was rewritten"))
        prev, expected_seq = str(e["entry_hash"]), seq + 1
    if head is not None and expected_seq - 1 < head[0]:
        return n, ChainBreak(expected_seq, M("missing: the recorded chain head is entry {head}, the log ends at "
                                             "{last}; entries were removed from the end", head=head[0],
                                             last=expected_seq - 1))
    return n, None


def chain_head(entries: Sequence[Mapping[str, object]]) -> tuple[int, str]:
    """Return ``(seq, entry_hash)`` of the last entry, to keep outside the store."""
    last = entries[-1] if entries else None
    return (0, GENESIS) if last is None else (int(str(last["seq"])), str(last["entry_hash"]))


def row_digest(row: Mapping[str, object] | None) -> str | None:
    """Return the SHA-256 of a row's canonical JSON (``None`` for a deleted row)."""
    return None if row is None else hashlib.sha256(canonical_json(dict(row)).encode("utf-8")).hexdigest()


def append_audit(con: Any, *, actor: str, role: str, action: str, entity: str, entity_id: str | None,
                 old: object, new: object, source: str, os_user: str | None = None,
                 row: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Append one hash-chained audit entry inside the caller's transaction; return it.

    ``row`` is the new content of the changed row, as re-read from the store in its canonical
    form (:func:`geo.store.values.read_bound`); its digest is kept in ``row_hash`` so the live
    row can be checked against the chain. A backend whose transactions do not serialise
    writers (PostgreSQL) provides ``con.lock_audit()``, taken before the chain head is read
    so writers never fork the chain.
    """
    return append_audit_many(con, [AuditItem(action, entity, entity_id, old, new, row)], actor=actor, role=role,
                             source=source, os_user=os_user)[0]


@dataclass(frozen=True)
class AuditItem:
    """One change to record with :func:`append_audit_many`."""

    action: str
    entity: str
    entity_id: str | None
    old: object
    new: object
    row: Mapping[str, object] | None = None


def append_audit_many(con: Any, items: Sequence[AuditItem], *, actor: str, role: str, source: str,
                      os_user: str | None = None) -> list[dict[str, Any]]:
    """Append one chained entry per item (reading the chain head once) inside the caller's transaction.

    A bulk import binds thousands of seeded status rows this way at the cost of one
    ``executemany``.
    """
    lock = getattr(con, "lock_audit", None)
    if lock is not None:
        lock()
    last = con.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
    at = now_utc()
    entries: list[dict[str, Any]] = []
    for item in items:
        seq += 1
        entry: dict[str, Any] = {
            "seq": seq, "at": at, "actor": actor, "role": role, "action": item.action, "entity": item.entity,
            "entity_id": item.entity_id, "old": None if item.old is None else canonical_json(item.old),
            "new": None if item.new is None else canonical_json(item.new), "source": source, "os_user": os_user,
            "row_hash": row_digest(item.row)}
        entry["prev_hash"], entry["entry_hash"] = prev, entry_hash(prev, entry)
        prev = entry["entry_hash"]
        entries.append(entry)
    sql = f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})"
    if len(entries) == 1:
        con.execute(sql, tuple(entries[0][k] for k in AUDIT_COLUMNS))
    elif entries:
        con.executemany(sql, [tuple(e[k] for k in AUDIT_COLUMNS) for e in entries])
    return entries


class AuditStore(StoreCore):
    """Reading, verifying and appending to the audit log."""

    def read_audit(self) -> list[dict[str, object]]:
        """Return the audit log in stored order."""
        with self.read() as con:
            cur = con.execute("SELECT * FROM audit_log ORDER BY seq")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def verify_audit(self, *, head: tuple[int, str] | None = None) -> tuple[int, ChainBreak | None]:
        """Walk the audit chain (and check it against a recorded head); return (checked, first break)."""
        return verify_chain(self.read_audit(), head=head)

    def log_event(self, *, actor: str, role: str, action: str, entity: str, entity_id: str | None = None,
                  detail: object = None, source: str = "app", os_user: str | None = None) -> None:
        """Record a non-data event (an export, a sign-in, a verification) in the audit log."""
        with self.write() as con:
            append_audit(con, actor=actor, role=role, action=action, entity=entity, entity_id=entity_id,
                         old=None, new=detail, source=source, os_user=os_user)
