"""The Police Commission's Section B view through the one door: dashboard, monthly PDF, public version.

Records and admins see compliance per duty by month and LAPD division, public reports taken,
referrals by status and the B.8 cadence, all as of the session's one as-of date. The monthly
internal PDF goes to the Commission and the Mayor; the public version is published once per
closed month through the publication log, suppressed (k = 11) like the B.8 tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import duties, schema
from geo.access.roles import Actor, authorize
from geo.analysis.duties import (
    Cadence,
    cadence,
    compliance,
    public_reports,
    referrals_by_status,
    reports_not_taken,
    scene_frame,
)
from geo.errors import SchemaError
from geo.i18n import normalise
from geo.io.export import export_name
from geo.messages import M
from geo.reports.commission import (
    KIND_COMMISSION,
    CommissionReport,
    internal_pdf_bytes,
    public_content,
    public_frame,
    public_pdf_bytes,
)
from geo.reports.monthly import parse_month
from geo.services.scenes import overdue
from geo.store import Store

_INCIDENT_COLUMNS = [schema.INCIDENT_ID, schema.OCCURRED_AT, schema.LAPD_AREA, schema.RELEVANCE, schema.SOURCE_TYPE]


@dataclass(frozen=True)
class Dashboard:
    """What the Commission page shows, as of one date."""

    by_month: pd.DataFrame  # compliance per month (all divisions)
    by_division: pd.DataFrame  # compliance per division (all months to the as-of date)
    by_month_division: pd.DataFrame  # compliance per month and division
    public_reports: dict[str, int]
    reports_not_taken: list[str]  # incidents with a public report received and no report number
    referrals: pd.DataFrame  # recipient x status
    overdue: pd.DataFrame
    cadence: Cadence
    scenes: int


def _inputs(store: Store, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (scene frame up to ``as_of``, scene records, incidents)."""
    incidents = pd.DataFrame(store.read_layer(schema.INCIDENTS, columns=_INCIDENT_COLUMNS).drop(columns="geometry"))
    scenes = store.read_scenes()
    frame = scene_frame(scenes, incidents)
    frame = frame[frame["month"] <= f"{as_of:%Y-%m}"]
    return frame, scenes, incidents


def cadence_now(store: Store, *, as_of: dt.date, threshold: int = duties.WEEKLY_THRESHOLD) -> Cadence:
    """Return the B.8 cadence as of ``as_of`` (no role needed: it is a count of the last 7 days, no detail)."""
    incidents = pd.DataFrame(store.read_layer(schema.INCIDENTS, columns=_INCIDENT_COLUMNS).drop(columns="geometry"))
    return cadence(incidents, as_of=as_of, threshold=threshold)


def dashboard(store: Store, actor: Actor, *, as_of: dt.date, threshold: int = duties.WEEKLY_THRESHOLD,
              overdue_days: int = duties.REFERRAL_OVERDUE_DAYS) -> Dashboard:
    """Return the Commission's dashboard as of ``as_of`` (records, admin)."""
    authorize(actor, "commission_report")
    frame, scenes, incidents = _inputs(store, as_of)
    refs = store.read_referrals()
    refs = refs[pd.to_datetime(refs[duties.SENT_ON], errors="coerce").dt.date <= as_of] if len(refs) else refs
    return Dashboard(by_month=compliance(frame, by=("month",)), by_division=compliance(frame, by=("division",)),
                     by_month_division=compliance(frame, by=("month", "division")),
                     public_reports=public_reports(frame, scenes), reports_not_taken=reports_not_taken(frame, scenes),
                     referrals=referrals_by_status(refs),
                     overdue=overdue(refs, as_of=as_of, days=overdue_days),
                     cadence=cadence(incidents, as_of=as_of, threshold=threshold), scenes=len(frame))


def commission_report(store: Store, actor: Actor, *, month: str, as_of: dt.date) -> CommissionReport:
    """Return one month's internal report (true counts), the cadence taken as of ``as_of``."""
    authorize(actor, "commission_report")
    first, last = parse_month(month)
    month = f"{first:%Y-%m}"
    frame, scenes, incidents = _inputs(store, max(as_of, last))
    frame = frame[frame["month"] == month]
    refs = store.read_referrals()
    sent = pd.to_datetime(refs[duties.SENT_ON], errors="coerce").dt.date
    month_refs = refs[((sent >= first) & (sent <= last)).to_numpy()] if len(refs) else refs
    return CommissionReport(month=month, synthetic=bool(store.is_synthetic()),
                            citywide=compliance(frame, by=("month",)), by_division=compliance(frame, by=("division",)),
                            public_reports=public_reports(frame, scenes), referrals=referrals_by_status(month_refs),
                            overdue=len(overdue(refs, as_of=as_of, days=duties.REFERRAL_OVERDUE_DAYS)),
                            cadence=cadence(incidents, as_of=as_of))


def commission_pdf(store: Store, actor: Actor, *, month: str, as_of: dt.date, lang: str = "en") -> tuple[str, bytes]:
    """Return (file name, bytes) of the month's internal PDF for the Commission and the Mayor, in ``lang``; audited."""
    lang = normalise(lang)
    report = commission_report(store, actor, month=month, as_of=as_of)
    data = internal_pdf_bytes(report, lang=lang)
    store.log_event(actor=actor.name, role=actor.role, action="export.report.commission", entity="reports",
                    detail={"month": report.month, "tier": "internal", "lang": lang}, source=actor.source,
                    os_user=actor.os_user)
    suffix = "" if lang == "en" else f"_{lang}"
    return export_name(f"commission_section_b_{report.month}{suffix}", "pdf", synthetic=report.synthetic), data


def write_commission(store: Store, actor: Actor, *, month: str, as_of: dt.date, out: Path, lang: str = "en") -> Path:
    """Write the month's internal PDF for the Commission and the Mayor (in ``lang``) into ``out``; audited."""
    name, data = commission_pdf(store, actor, month=month, as_of=as_of, lang=lang)
    path = out / name
    path.write_bytes(data)
    return path


def publish_commission(store: Store, actor: Actor, *, month: str, as_of: dt.date) -> pd.DataFrame:
    """Publish the month's public duty table once, after the month closes; return it as published.

    Raises
    ------
    SchemaError
        When the month has not closed by ``as_of``.
    """
    authorize(actor, "publish_report")
    authorize(actor, "commission_report")
    first, last = parse_month(month)
    month = f"{first:%Y-%m}"
    done = [p for p in store.read_publications(KIND_COMMISSION) if p.period == month]
    if done:
        return public_frame(done[0].content)
    if as_of <= last:
        raise SchemaError(M("{month} is still open (it ends {end:%d %b %Y}); the public Section B table is "
                            "published once, after the month closes: run it on or after {day:%d %b %Y}.",
                            month=month, end=last, day=last + dt.timedelta(days=1)))
    content, public = public_content(commission_report(store, actor, month=month, as_of=as_of))
    pub, _ = store.publish_once(KIND_COMMISSION, month, content, digest_of=public, user=actor.name, role=actor.role,
                                source=actor.source, os_user=actor.os_user)
    return public_frame(pub.content)


def commission_public_pdf(store: Store, actor: Actor, *, month: str, as_of: dt.date,
                          lang: str = "en") -> tuple[str, bytes]:
    """Return (file name, bytes) of the public PDF of a closed month (in ``lang``), publishing it first if needed."""
    lang = normalise(lang)
    table = publish_commission(store, actor, month=month, as_of=as_of)
    synthetic = bool(store.is_synthetic())
    month = f"{parse_month(month)[0]:%Y-%m}"
    suffix = "" if lang == "en" else f"_{lang}"
    return (export_name(f"commission_section_b_{month}_public{suffix}", "pdf", synthetic=synthetic),
            public_pdf_bytes(month, table, synthetic=synthetic, lang=lang))


def write_commission_public(store: Store, actor: Actor, *, month: str, as_of: dt.date, out: Path,
                            lang: str = "en") -> Path:
    """Write the public PDF of a published month (in ``lang``), publishing it first if needed."""
    name, data = commission_public_pdf(store, actor, month=month, as_of=as_of, lang=lang)
    path = out / name
    path.write_bytes(data)
    return path
