"""Section B through the one door: scene records (B.1-B.6) and referrals (B.7), role-checked.

Records (LAPD) and admins record and edit a scene and its referrals; every save is versioned
and audited by the store. Referrals move only along :data:`geo.duties.TRANSITIONS`; the overdue
view lists referrals still ``sent`` more than the configured days after they were sent, as of
the one as-of date.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from geo import duties
from geo.access.roles import Actor, authorize
from geo.errors import SchemaError, StoreError
from geo.messages import M
from geo.records import Edit
from geo.store import Store

#: Yes/no words accepted from forms and the CLI; ``unknown`` (or empty) clears a flag.
_YES, _NO, _UNKNOWN = ("yes", "true", "1", "y"), ("no", "false", "0", "n"), ("unknown", "")


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def parse_flags(given: dict[str, object]) -> dict[str, object]:
    """Turn yes/no/unknown words of the scene's flags into ``True``/``False``/``None`` (other fields unchanged).

    Raises
    ------
    SchemaError
        Naming the field and the word that is not yes, no or unknown.
    """
    out: dict[str, object] = {}
    for name, value in given.items():
        if name in duties.SCENE_FLAGS and not isinstance(value, bool) and value is not None:
            word = str(value).strip().lower()
            if word not in (*_YES, *_NO, *_UNKNOWN):
                raise SchemaError(M("{field}: {value} is not yes, no or unknown.", field=name, value=repr(value)))
            value = True if word in _YES else False if word in _NO else None
        out[name] = value
    return out


def scene_of(store: Store, incident_id: str) -> dict[str, object]:
    """Return an incident's scene record, or an empty one at version 0."""
    scenes = store.read_scenes()
    row = scenes[scenes[duties.INCIDENT_ID] == incident_id]
    if row.empty:
        return {c.name: None for c in duties.SCENE_COLUMNS} | {duties.INCIDENT_ID: incident_id, "version": 0}
    return {k: (None if _missing(v) else v) for k, v in row.iloc[0].to_dict().items()}


def save_scene(store: Store, actor: Actor, incident_id: str, changes: dict[str, object], *,
               expect_version: int) -> dict[str, object]:
    """Save B.1-B.6 fields of one incident's scene as ``actor`` (records, admin).

    Raises
    ------
    AccessDenied
        When the actor's role may not record scenes.
    SchemaError, StatusConflict, StoreError
        Invalid or contradictory fields, a stale save, or no such incident; nothing is written.
    """
    authorize(actor, "record_scene")
    return store.save_scene(incident_id, parse_flags(changes), expect_version=expect_version, user=actor.name,
                            role=actor.role, source=actor.source, os_user=actor.os_user)


def check_scene(incident_id: str, changes: dict[str, object]) -> list[str]:
    """Return the problems of a new scene record before anything is stored (the officer form checks first)."""
    try:
        flags = parse_flags(changes)
    except SchemaError as exc:
        return [str(exc)]
    unknown = sorted(set(flags) - set(duties.EDITABLE_SCENE))
    if unknown:
        return [f"cannot set {unknown}; scene fields are {list(duties.EDITABLE_SCENE)}"]
    return duties.scene_problems({duties.INCIDENT_ID: incident_id, **flags})


def scene_history(store: Store, actor: Actor, incident_id: str) -> list[Edit]:
    """Return every saved version of a scene record (records, admin)."""
    authorize(actor, "record_scene")
    return store.scene_history(incident_id)


def send_referral(store: Store, actor: Actor, incident_id: str, *, recipient: str, sent_on: dt.date | str,
                  package_ref: str | None = None, recipient_other: str | None = None) -> dict[str, object]:
    """Record that an incident was referred to ``recipient`` on ``sent_on`` (state ``sent``)."""
    authorize(actor, "manage_referrals")
    fields: dict[str, object] = {duties.RECIPIENT: recipient, duties.SENT_ON: sent_on, duties.PACKAGE_REF: package_ref,
                                 duties.RECIPIENT_OTHER: recipient_other}
    return store.send_referral(incident_id, fields, user=actor.name, role=actor.role, source=actor.source,
                               os_user=actor.os_user)


def move_referral(store: Store, actor: Actor, referral_id: str, to: str, *, on: dt.date | str,
                  outcome: str | None = None, expect_version: int | None = None) -> dict[str, object]:
    """Move a referral to ``to`` on ``on`` (acknowledged, charged, declined, closed), audited.

    ``expect_version`` defaults to the version read now (the CLI); the app passes the version shown.
    """
    authorize(actor, "manage_referrals")
    if expect_version is None:
        expect_version = int(str(referral_of(store, referral_id)["version"]))
    return store.move_referral(referral_id, to, on=on, outcome=outcome, expect_version=expect_version,
                               user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)


def referral_of(store: Store, referral_id: str) -> dict[str, object]:
    """Return one referral as stored.

    Raises
    ------
    StoreError
        When there is no such referral.
    """
    refs = store.read_referrals()
    row = refs[refs[duties.REFERRAL_ID] == referral_id]
    if row.empty:
        raise StoreError(M("No referral {referral} in the store; list them with `stagemap referral list`.",
                           referral=repr(referral_id)))
    return {k: (None if _missing(v) else v) for k, v in row.iloc[0].to_dict().items()}


def referrals(store: Store, actor: Actor) -> pd.DataFrame:
    """Return every referral (records, admin)."""
    authorize(actor, "manage_referrals")
    return store.read_referrals()


def overdue_referrals(store: Store, actor: Actor, *, as_of: dt.date,
                      days: int = duties.REFERRAL_OVERDUE_DAYS) -> pd.DataFrame:
    """Return referrals still ``sent`` (never acknowledged) more than ``days`` after they were sent, as of ``as_of``.

    Adds ``days_waiting``; oldest first.
    """
    refs = referrals(store, actor)
    return overdue(refs, as_of=as_of, days=days)


def overdue(refs: pd.DataFrame, *, as_of: dt.date, days: int) -> pd.DataFrame:
    """Return the rows of ``refs`` waiting for acknowledgement more than ``days`` as of ``as_of`` (pure)."""
    sent = pd.to_datetime(refs[duties.SENT_ON], errors="coerce").dt.date
    waiting = pd.Series([(as_of - d).days if isinstance(d, dt.date) else -1 for d in sent], index=refs.index,
                        dtype="int64")
    out = refs.assign(days_waiting=waiting)
    out = out[(out[duties.REFERRAL_STATUS] == "sent") & (out["days_waiting"] > days)]
    return out.sort_values("days_waiting", ascending=False).reset_index(drop=True)
