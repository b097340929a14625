"""The Police Commission's monthly Section B report: duty compliance, public reports, referrals and cadence.

The internal PDF (for the Board of Police Commissioners and the Mayor's Office) prints the true
counts and shares per duty, city-wide and by LAPD division. The public version prints only the
city-wide duty table of met / not met counts after :func:`geo.reports.publish.suppress` (k = 11,
with complementary suppression), frozen once per closed month through the publication log like
the B.8 tables; no division, scene or referral detail reaches it.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo import duties
from geo.analysis.duties import Cadence
from geo.i18n import N_, translator
from geo.reports import pdf
from geo.reports.publish import SuppressedTable, suppress

KIND_COMMISSION = "commission_b"
#: The labels of :data:`geo.duties.DUTIES`, marked for translation (the ground imports no translations);
#: ``tests/geo/test_i18n_documents.py`` keeps the two equal.
DUTY_WORDS = (N_("Body-worn camera activated"), N_("Video preserved with a repository reference"),
              N_("Immigration supervisor identified (name and badge)"), N_("De-escalation used"),
              N_("Bystanders told of LAPD's neutral role"), N_("Aid summoned for the injured (where anyone was injured)"),
              N_("Public report taken (where one was received)"))
TABLE_WORDS = (N_("Duty"), N_("Section"), N_("Scenes"), N_("Met"), N_("Share"), N_("Not met"), N_("recipient"),
               N_("Total"), N_("withheld"))


@dataclass(frozen=True)
class CommissionReport:
    """One month of the Commission's view (internal: true counts)."""

    month: str
    synthetic: bool
    citywide: pd.DataFrame  # compliance rows, division 'All'
    by_division: pd.DataFrame  # compliance rows per division
    public_reports: dict[str, int]
    referrals: pd.DataFrame  # recipient x status
    overdue: int
    cadence: Cadence


def share_text(met: int, scenes: int, lang: str = "en") -> str:
    """Return e.g. ``'7 of 9 (78%)'``, or ``'no scene'`` (in ``lang``)."""
    _ = translator(lang)
    return _("no scene") if not scenes else _("{met} of {scenes} ({share})").format(met=met, scenes=scenes,
                                                                                  share=f"{met / scenes:.0%}")


def duty_table(rows: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return compliance rows as printed: duty, section, scenes, met and the share (words in ``lang``)."""
    _ = translator(lang)
    columns = [_(c) for c in ("Duty", "Section", "Scenes", "Met", "Share")]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    shares = [share_text(int(m), int(s), lang) for m, s in zip(rows["met"], rows["scenes"], strict=True)]
    return pd.DataFrame(dict(zip(columns, [rows["label"].map(_).tolist(), rows["section"].tolist(),
                                           rows["scenes"].astype(int).tolist(), rows["met"].astype(int).tolist(),
                                           shares], strict=True)))


def public_counts(report: CommissionReport) -> SuppressedTable:
    """Return the public table: duty x (met, not met) city-wide, suppressed."""
    labels = [label for _, label, _ in duties.DUTIES]
    rows = report.citywide.set_index("duty")
    met = [int(rows.loc[k, "met"]) if k in rows.index else 0 for k, _, _ in duties.DUTIES]
    scenes = [int(rows.loc[k, "scenes"]) if k in rows.index else 0 for k, _, _ in duties.DUTIES]
    counts = pd.DataFrame({"Met": met, "Not met": np.subtract(scenes, met)}, index=pd.Index(labels, name="Duty"))
    return suppress(counts)


def public_content(report: CommissionReport) -> tuple[str, str]:
    """Return (stored content, public part) of the month's public table, as canonical JSON."""
    tab = public_counts(report).published().astype(str)
    public = {"month": report.month, "synthetic": report.synthetic,
              "index": [str(i) for i in tab.index], "columns": [str(c) for c in tab.columns],
              "values": tab.to_numpy().tolist()}
    text = json.dumps(public, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, text


def public_frame(content: str) -> pd.DataFrame:
    """Rebuild a published public table from its stored content."""
    data = json.loads(content)
    return pd.DataFrame(data["values"], index=pd.Index(data["index"], name="Duty"), columns=data["columns"])


def internal_pdf_bytes(report: CommissionReport, *, lang: str = "en") -> bytes:
    """Return the internal monthly PDF for the Commission and the Mayor (true counts, by division), in ``lang``."""
    _ = translator(lang)
    st = pdf.styles()
    title = _("ED 17 Section B: LAPD scene duties and referrals, {month}").format(month=report.month)
    pr = report.public_reports
    widths = [200, 50, 55, 45, 110] if lang == "en" else [188, 50, 55, 57, 110]  # "Cumplido" needs the room
    referrals = _words(report.referrals, _)
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para(_("To the Board of Police Commissioners and the Office of the Mayor. Scenes are LAPD-attended "
                   "immigration enforcement incidents with a Section B scene record; each duty's share counts the "
                   "scenes where it applies (B.5 where someone was injured, B.6 where a public report was received)."),
                 st.body),
        pdf.para(report.cadence.sentence(lang), st.h2),
        pdf.para(_("Compliance city-wide"), st.h2),
        pdf.table(duty_table(report.citywide, lang), st=st, widths=widths),
        pdf.para(_("Public reports (B.6): {received} received at scenes, {taken} taken with a report number, "
                   "{not_taken} without one.").format(received=pr["received"], taken=pr["taken"],
                                                      not_taken=pr["not_taken"]), st.body),
        pdf.para(_("Referrals (B.7) by recipient and status"), st.h2),
        pdf.table(referrals, st=st, index=True),
        pdf.para(_("Referrals awaiting acknowledgement longer than {days} days: {n}.").format(
            days=duties.REFERRAL_OVERDUE_DAYS, n=report.overdue), st.body),
        pdf.para(_("Compliance by LAPD division"), st.h2),
    ]
    for division, rows in report.by_division.groupby("division", sort=True):
        story += [pdf.para(str(division), st.body), pdf.table(duty_table(rows, lang), st=st, widths=widths)]
    if not len(report.by_division):
        story.append(pdf.para(_("No scene records this month."), st.body))
    return pdf.build_pdf(story, title=title, tier=pdf.INTERNAL, synthetic=report.synthetic, lang=lang)


def public_pdf_bytes(month: str, table: pd.DataFrame, *, synthetic: bool, lang: str = "en") -> bytes:
    """Return the public PDF of a published month: the suppressed city-wide duty table only, in ``lang``."""
    _ = translator(lang)
    st = pdf.styles()
    title = _("ED 17 Section B: LAPD scene duties, {month} (public)").format(month=month)
    shown = _words(table, _).map(lambda v: _(v) if isinstance(v, str) else v)
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para(_("Scenes where each duty was met and not met, city-wide. Counts of 1 to 10 show as '<11' and "
                   "further cells are withheld so that no small count can be worked out."), st.body),
        pdf.table(shown, st=st, index=True, total_row=True),
    ]
    return pdf.build_pdf(story, title=title, tier=pdf.PUBLIC, synthetic=synthetic, lang=lang)


def _words(table: pd.DataFrame, _: Callable[[str], str]) -> pd.DataFrame:
    """Return ``table`` with its index, columns and index name through ``_`` (the counts stay as they are)."""
    out = table.rename(index=lambda v: _(v) if isinstance(v, str) else v, columns=lambda v: _(str(v)))
    return out.rename_axis(_(str(table.index.name))) if table.index.name is not None else out
