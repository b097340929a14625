"""Section B state in SQL: scene records (B.1-B.6) and referrals (B.7), versioned and audited like site control.

A scene record belongs to one incident and is created at version 1 by its first save; a
referral is created ``sent`` at version 1 and then moves only along
:data:`geo.duties.TRANSITIONS`, each move stamping its date. Every change keeps a history row
and appends one audit entry with the digest of the row as re-read, so
:meth:`geo.store.verify.VerifyStore.verify_state` checks both tables as it checks ``site_control``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo import duties
from geo.errors import SchemaError, StoreError
from geo.messages import M, join
from geo.records import Edit
from geo.store.control import Versioned, check_changes, frame_of, history, read_row, save_row
from geo.store.core import StoreCore
from geo.store.words import row_label

SCENE = Versioned(duties.SCENE_RECORDS, duties.SCENE_HISTORY, duties.INCIDENT_ID, duties.SCENE_COLUMNS,
                  duties.EDITABLE_SCENE, "Scene of", "scene")
REFERRAL = Versioned(duties.REFERRALS, duties.REFERRAL_HISTORY, duties.REFERRAL_ID, duties.REFERRAL_COLUMNS,
                     duties.EDITABLE_REFERRAL, "Referral", "referral")


def _incident_exists(con: Any, incident_id: str) -> None:
    if con.execute("SELECT 1 FROM incidents WHERE incident_id = ?", (incident_id,)).fetchone() is None:
        raise StoreError(M("No incident {incident} in the store; check the incident id.", incident=repr(incident_id)))


def _check_scene(con: Any, incident_id: str, clean: Mapping[str, Any]) -> None:
    current = read_row(con, SCENE, incident_id) or {duties.INCIDENT_ID: incident_id}
    problems = duties.scene_problems({**current, **clean})
    if problems:
        raise SchemaError(join(problems, sep=" "))


def _check_referral(label: str, row: Mapping[str, Any]) -> None:
    """Refuse a referral row with an unknown recipient or status, or dates out of order."""
    if row.get(duties.RECIPIENT) not in duties.RECIPIENTS:
        raise SchemaError(M("{label}: recipient {recipient} is not one of {allowed}.", label=label,
                            recipient=repr(row.get(duties.RECIPIENT)), allowed=list(duties.RECIPIENTS)))
    if row.get(duties.RECIPIENT) == "other" and not str(row.get(duties.RECIPIENT_OTHER) or "").strip():
        raise SchemaError(M("{label}: recipient 'other' needs recipient_other (who received it).", label=label))
    if row.get(duties.REFERRAL_STATUS) not in duties.REFERRAL_STATES:
        raise SchemaError(M("{label}: status {status} is not one of {allowed}.", label=label,
                            status=repr(row.get(duties.REFERRAL_STATUS)), allowed=list(duties.REFERRAL_STATES)))
    last = str(row.get(duties.SENT_ON) or "")
    for name in (duties.ACKNOWLEDGED_ON, duties.DECIDED_ON, duties.CLOSED_ON):
        day = str(row.get(name) or "")
        if day and day < last:
            raise SchemaError(M("{label}: {field} {day} is before an earlier step ({last}); check the dates.",
                                label=label, field=name, day=day, last=last))
        last = day or last


class SceneStore(StoreCore):
    """Scene records and referrals of LAPD-attended incidents."""

    def read_scenes(self) -> pd.DataFrame:
        """Return every scene record, ordered by incident id."""
        with self.read() as con:
            rows = con.execute(f'SELECT {", ".join(SCENE.names)} FROM scene_records ORDER BY incident_id').fetchall()
        return frame_of(SCENE, rows)

    def save_scene(self, incident_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                   role: str = "records", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save B.1-B.6 fields of one incident's scene based on ``expect_version`` (0: no record yet).

        Raises
        ------
        StatusConflict
            When another save came first; nothing is written.
        SchemaError
            For invalid or contradictory values; nothing is written.
        StoreError
            When the incident does not exist.
        """
        with self.write() as con:
            _incident_exists(con, incident_id)
            _check_scene(con, incident_id, check_changes(SCENE, incident_id, changes))
            create = {c.name: None for c in duties.SCENE_COLUMNS} | {duties.INCIDENT_ID: incident_id}
            return save_row(con, SCENE, incident_id, changes, expect_version=expect_version, user=user, role=role,
                            source=source, os_user=os_user, create=create)

    def scene_history(self, incident_id: str) -> list[Edit]:
        """Return every saved version of a scene record, oldest first, with diffs."""
        with self.read() as con:
            return history(con, SCENE, incident_id)

    def read_referrals(self) -> pd.DataFrame:
        """Return every referral, ordered by id."""
        with self.read() as con:
            rows = con.execute(f'SELECT {", ".join(REFERRAL.names)} FROM referrals ORDER BY referral_id').fetchall()
        return frame_of(REFERRAL, rows)

    def send_referral(self, incident_id: str, fields: dict[str, object], *, user: str, role: str = "records",
                      source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Record a referral of one incident as ``sent`` (id ``REF-<incident>-NN``); return it as stored."""
        given = {k: v for k, v in fields.items() if k != duties.REFERRAL_STATUS}
        with self.write() as con:
            _incident_exists(con, incident_id)
            n = int(con.execute("SELECT COUNT(*) FROM referrals WHERE incident_id = ?", (incident_id,)).fetchone()[0])
            key = f"REF-{incident_id}-{n + 1:02d}"
            clean = check_changes(REFERRAL, key, {**given, duties.REFERRAL_STATUS: "sent"})
            if not clean.get(duties.SENT_ON):
                raise SchemaError(M("Referral {referral}: give the date it was sent (sent_on, YYYY-MM-DD).",
                                    referral=key))
            create = {c.name: None for c in duties.REFERRAL_COLUMNS} | {duties.REFERRAL_ID: key,
                                                                        duties.INCIDENT_ID: incident_id}
            _check_referral(row_label(REFERRAL.what, key), {**create, **clean})
            return save_row(con, REFERRAL, key, clean, expect_version=0, user=user, role=role, source=source,
                            os_user=os_user, create=create)

    def move_referral(self, referral_id: str, to: str, *, on: dt.date | str, outcome: str | None = None,
                      expect_version: int, user: str, role: str = "records", source: str = "app",
                      os_user: str | None = None) -> dict[str, object]:
        """Move a referral to state ``to`` on day ``on`` (stamping that step's date), with an outcome when given.

        Raises
        ------
        SchemaError
            When the move is not allowed from the current state, dates run backwards, or a
            referral is closed without an outcome; nothing is written.
        StatusConflict
            When another save came first.
        """
        with self.write() as con:
            current = read_row(con, REFERRAL, referral_id)
            if current is None:
                raise StoreError(M("No referral {referral} in the store; list them with `stagemap referral list`.",
                                   referral=repr(referral_id)))
            state = str(current[duties.REFERRAL_STATUS])
            allowed = duties.TRANSITIONS.get(state, {})
            if to not in allowed:
                raise SchemaError(M("Referral {referral}: cannot move from {state} to {to}; from {state} it may go "
                                    "to {targets}.", referral=referral_id, state=state, to=to,
                                    targets=", ".join(allowed) or M("nowhere (it is closed)")))
            changes: dict[str, object] = {duties.REFERRAL_STATUS: to, allowed[to]: on}
            if outcome is not None and outcome.strip():
                changes[duties.OUTCOME] = outcome
            clean = check_changes(REFERRAL, referral_id, changes)
            row = {**current, **clean}
            if to == "closed" and not str(row.get(duties.OUTCOME) or "").strip():
                raise SchemaError(M("Referral {referral}: say what came of it (outcome) before closing it.",
                                    referral=referral_id))
            _check_referral(row_label(REFERRAL.what, referral_id), row)
            return save_row(con, REFERRAL, referral_id, clean, expect_version=expect_version, user=user, role=role,
                            source=source, os_user=os_user)

    def referral_history(self, referral_id: str) -> list[Edit]:
        """Return every saved version of a referral, oldest first, with diffs."""
        with self.read() as con:
            return history(con, REFERRAL, referral_id)
