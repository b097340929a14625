"""Retention and minimisation in SQL: legal holds on an incident, and the expiry of reporter contacts.

A hold (``legal_holds``) covers one incident's reporter contacts and evidence; it is released,
never deleted, and each change appends an audit entry with the row's hash. Expiry deletes every
reporter contact created before the cutoff whose incident has no active hold, and appends one
``reporter_contact.delete`` entry per contact naming only its id, incident and age: never the
name, e-mail or phone. :meth:`geo.store.verify.VerifyStore.verify_state` accepts a row its
latest entry deleted, so the chain and the state still verify. On SQLite the delete runs with
``secure_delete`` and is followed by ``VACUUM`` and a WAL checkpoint, so the contact's bytes
leave the store file and its WAL too; evidence rows are append-only on both backends and are
never removed.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.errors import SchemaError, StoreError
from geo.messages import M
from geo.store.audit import append_audit, now_utc
from geo.store.core import StoreCore
from geo.store.values import BOUND, LEGAL_HOLD_COLUMNS, read_bound

_HOLD_ACTIVE = "released_at IS NULL"


def _hold_row(con: Any, hold_id: str) -> dict[str, object]:
    return read_bound(con, BOUND["legal_holds"], hold_id) or {}


class RetentionStore(StoreCore):
    """Legal holds and reporter-contact expiry."""

    def read_holds(self) -> pd.DataFrame:
        """Return every legal hold (released ones too), ordered by id."""
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(LEGAL_HOLD_COLUMNS)} FROM legal_holds ORDER BY hold_id").fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(LEGAL_HOLD_COLUMNS))

    def place_hold(self, incident_id: str, reason: str, *, user: str, role: str, source: str = "app",
                   os_user: str | None = None) -> str:
        """Place a legal hold on an incident's contacts and evidence; return the hold id (``HOLD-<incident>-NN``).

        Raises
        ------
        SchemaError
            When no reason is given.
        StoreError
            When the incident does not exist.
        """
        reason = " ".join(str(reason or "").split())[:2000]
        if not reason:
            raise SchemaError(M("Hold on {incident}: give the reason (the matter or order it serves).",
                                incident=incident_id))
        with self.write() as con:
            if con.execute("SELECT 1 FROM incidents WHERE incident_id = ?", (incident_id,)).fetchone() is None:
                raise StoreError(M("No incident {incident} in the store; check the incident id.",
                                   incident=repr(incident_id)))
            n = int(con.execute("SELECT COUNT(*) FROM legal_holds WHERE incident_id = ?", (incident_id,)).fetchone()[0])
            hold_id = f"HOLD-{incident_id}-{n + 1:02d}"
            con.execute("INSERT INTO legal_holds (hold_id, incident_id, reason, placed_by, placed_at) "
                        "VALUES (?, ?, ?, ?, ?)", (hold_id, incident_id, reason, user, now_utc()))
            append_audit(con, actor=user, role=role, action="legal_hold.create", entity="legal_holds",
                         entity_id=hold_id, old=None, new={"incident_id": incident_id, "reason": reason},
                         source=source, os_user=os_user, row=_hold_row(con, hold_id))
        return hold_id

    def release_hold(self, hold_id: str, reason: str, *, user: str, role: str, source: str = "app",
                     os_user: str | None = None) -> None:
        """Release an active hold (with the reason); the row stays on record.

        Raises
        ------
        SchemaError
            When no reason is given.
        StoreError
            When there is no active hold ``hold_id``.
        """
        reason = " ".join(str(reason or "").split())[:2000]
        if not reason:
            raise SchemaError(M("Release of {hold}: give the reason (the matter closed, the order lifted).",
                                hold=hold_id))
        with self.write() as con:
            cur = con.execute(f"UPDATE legal_holds SET released_by = ?, released_at = ?, release_reason = ? "
                              f"WHERE hold_id = ? AND {_HOLD_ACTIVE}", (user, now_utc(), reason, hold_id))
            if cur.rowcount != 1:
                raise StoreError(M("No active hold {hold}; list them with `stagemap retention report`.",
                                   hold=repr(hold_id)))
            append_audit(con, actor=user, role=role, action="legal_hold.update", entity="legal_holds",
                         entity_id=hold_id, old={"released_at": None}, new={"release_reason": reason},
                         source=source, os_user=os_user, row=_hold_row(con, hold_id))

    def contact_ages(self) -> pd.DataFrame:
        """Return every reporter contact's id, incident, creation time and active hold (no contact values)."""
        with self.read() as con:
            rows = con.execute(
                "SELECT c.contact_id, c.incident_id, c.created_at, "
                f"(SELECT MIN(h.hold_id) FROM legal_holds h WHERE h.incident_id = c.incident_id AND h.{_HOLD_ACTIVE}) "
                "FROM reporter_contacts c ORDER BY c.created_at, c.contact_id").fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["contact_id", "incident_id", "created_at", "hold_id"])

    def expire_contacts(self, cutoff: str, *, user: str, role: str, source: str = "system",
                        os_user: str | None = None) -> list[str]:
        """Delete reporter contacts created before ``cutoff`` (UTC ISO) whose incident has no active hold.

        Returns the contact ids deleted; each has a ``reporter_contact.delete`` audit entry without
        the contact itself.
        """
        sqlite = self.backend == "sqlite"
        with self.write() as con:
            if sqlite:
                con.execute("PRAGMA secure_delete = ON")
            due = con.execute(
                "SELECT contact_id, incident_id, created_at FROM reporter_contacts c WHERE created_at < ? AND NOT EXISTS "
                f"(SELECT 1 FROM legal_holds h WHERE h.incident_id = c.incident_id AND h.{_HOLD_ACTIVE}) "
                "ORDER BY contact_id", (cutoff,)).fetchall()
            for contact_id, incident_id, created in due:
                con.execute("DELETE FROM reporter_contacts WHERE contact_id = ?", (contact_id,))
                append_audit(con, actor=user, role=role, action="reporter_contact.delete", entity="reporter_contacts",
                             entity_id=str(contact_id), old={"incident_id": incident_id, "created_at": str(created)},
                             new={"reason": "retention period ended", "cutoff": cutoff}, source=source,
                             os_user=os_user)
        if sqlite and due:
            self._scrub()
        return [str(r[0]) for r in due]

    def _scrub(self) -> None:
        """Rewrite the SQLite file without free pages and empty the WAL, so deleted bytes leave the disk."""
        con = self.connect()
        try:
            con.execute("VACUUM")
            busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise StoreError(M("Reporter contacts were deleted, but another connection kept the store busy so "
                                   "the write-ahead log could not be emptied; run `stagemap retention run` again "
                                   "when idle."))
        finally:
            con.close()

    def held_evidence(self, incident_ids: Sequence[str]) -> list[str]:
        """Return the evidence ids of incidents in ``incident_ids`` (what a hold keeps)."""
        if not incident_ids:
            return []
        with self.read() as con:
            marks = ", ".join("?" * len(incident_ids))
            rows = con.execute(f"SELECT evidence_id FROM evidence WHERE incident_id IN ({marks}) ORDER BY evidence_id",
                               tuple(incident_ids)).fetchall()
        return [str(r[0]) for r in rows]
