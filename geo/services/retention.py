"""Retention and minimisation through the one door: legal holds, the contact expiry run and its report.

Reporter contacts are kept :data:`geo.duties.CONTACT_RETENTION_DAYS` days from the report, then
deleted unless a records user placed a legal hold on the incident (with a reason, audited). The
run and the report count from the one as-of date. Evidence is write-once on both backends: a
hold only documents why it must be kept, and nothing here removes evidence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo import duties
from geo.access.roles import Actor, authorize
from geo.config import LOCAL_TZ
from geo.store import Store


def cutoff_of(as_of: dt.date, days: int) -> str:
    """Return the UTC instant before which contacts have expired: the start of (``as_of`` - ``days``) in LA."""
    start = pd.Timestamp(as_of - dt.timedelta(days=days)).tz_localize(LOCAL_TZ).tz_convert("UTC")
    return str(start.isoformat(timespec="microseconds"))


@dataclass(frozen=True)
class RetentionRun:
    """What one expiry run deleted, and what it kept because of a hold."""

    cutoff: str
    deleted: tuple[str, ...]
    kept_on_hold: tuple[str, ...]


def place_hold(store: Store, actor: Actor, incident_id: str, reason: str) -> str:
    """Place a legal hold on an incident's reporter contacts and evidence (records, admin); audited."""
    authorize(actor, "manage_retention")
    return store.place_hold(incident_id, reason, user=actor.name, role=actor.role, source=actor.source,
                            os_user=actor.os_user)


def release_hold(store: Store, actor: Actor, hold_id: str, reason: str) -> None:
    """Release a legal hold (records, admin); audited, the hold stays on record."""
    authorize(actor, "manage_retention")
    store.release_hold(hold_id, reason, user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)


def retention_report(store: Store, actor: Actor, *, as_of: dt.date, within: int = 30,
                     days: int = duties.CONTACT_RETENTION_DAYS) -> pd.DataFrame:
    """Return reporter contacts expiring within ``within`` days of ``as_of`` (or already due), soonest first.

    Columns: contact id, incident, created, expires on (LA date), days left, hold (id or empty).
    No name, e-mail or phone is ever read.
    """
    authorize(actor, "manage_retention")
    ages = store.contact_ages()
    created = pd.to_datetime(ages["created_at"], utc=True, format="ISO8601")
    expires = (created.dt.tz_convert(LOCAL_TZ).dt.normalize() + pd.Timedelta(days=days + 1)).dt.date
    left = pd.Series([(d - as_of).days for d in expires], index=ages.index, dtype="int64")
    out = ages.assign(expires_on=expires, days_left=left)
    out = out[out["days_left"] <= within].sort_values(["days_left", "contact_id"]).reset_index(drop=True)
    return out[["contact_id", "incident_id", "created_at", "expires_on", "days_left", "hold_id"]]


def run_retention(store: Store, actor: Actor, *, as_of: dt.date,
                  days: int = duties.CONTACT_RETENTION_DAYS) -> RetentionRun:
    """Delete the reporter contacts older than ``days`` as of ``as_of`` whose incident has no active hold."""
    authorize(actor, "manage_retention")
    cutoff = cutoff_of(as_of, days)
    ages = store.contact_ages()
    created = pd.to_datetime(ages["created_at"], utc=True, format="ISO8601")
    held = ages[((created < pd.Timestamp(cutoff)) & ages["hold_id"].notna()).to_numpy()]
    deleted = store.expire_contacts(cutoff, user=actor.name, role=actor.role, source=actor.source,
                                    os_user=actor.os_user)
    return RetentionRun(cutoff, tuple(deleted), tuple(held["contact_id"].astype(str)))
