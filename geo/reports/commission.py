"""The Police Commission's monthly Section B report: duty compliance, public reports, referrals and cadence.

The internal PDF (for the Board of Police Commissioners and the Mayor's Office) prints the true
counts and shares per duty, city-wide and by LAPD division. The public version prints only the
city-wide duty table of met / not met counts after :func:`geo.reports.publish.suppress` (k = 11,
with complementary suppression), frozen once per closed month through the publication log like
the B.8 tables; no division, scene or referral detail reaches it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo import duties
from geo.analysis.duties import Cadence
from geo.reports import pdf
from geo.reports.publish import SuppressedTable, suppress

KIND_COMMISSION = "commission_b"


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


def share_text(met: int, scenes: int) -> str:
    """Return e.g. ``'7 of 9 (78%)'``, or ``'no scene'``."""
    return "no scene" if not scenes else f"{met} of {scenes} ({met / scenes:.0%})"


def duty_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return compliance rows as printed: duty, section, scenes, met and the share."""
    if not len(rows):
        return pd.DataFrame(columns=["Duty", "Section", "Scenes", "Met", "Share"])
    return pd.DataFrame({"Duty": rows["label"], "Section": rows["section"], "Scenes": rows["scenes"].astype(int),
                         "Met": rows["met"].astype(int),
                         "Share": [share_text(int(m), int(s)) for m, s in zip(rows["met"], rows["scenes"], strict=True)]})


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


def internal_pdf_bytes(report: CommissionReport) -> bytes:
    """Return the internal monthly PDF for the Commission and the Mayor (true counts, by division)."""
    st = pdf.styles()
    title = f"ED 17 Section B: LAPD scene duties and referrals, {report.month}"
    pr = report.public_reports
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para("To the Board of Police Commissioners and the Office of the Mayor. Scenes are LAPD-attended "
                 "immigration enforcement incidents with a Section B scene record; each duty's share counts the "
                 "scenes where it applies (B.5 where someone was injured, B.6 where a public report was received).",
                 st.body),
        pdf.para(report.cadence.sentence(), st.h2),
        pdf.para("Compliance city-wide", st.h2),
        pdf.table(duty_table(report.citywide), st=st, widths=[200, 50, 55, 45, 110]),
        pdf.para(f"Public reports (B.6): {pr['received']} received at scenes, {pr['taken']} taken with a report "
                 f"number, {pr['not_taken']} without one.", st.body),
        pdf.para("Referrals (B.7) by recipient and status", st.h2),
        pdf.table(report.referrals, st=st, index=True),
        pdf.para(f"Referrals awaiting acknowledgement longer than {duties.REFERRAL_OVERDUE_DAYS} days: "
                 f"{report.overdue}.", st.body),
        pdf.para("Compliance by LAPD division", st.h2),
    ]
    for division, rows in report.by_division.groupby("division", sort=True):
        story += [pdf.para(str(division), st.body), pdf.table(duty_table(rows), st=st, widths=[200, 50, 55, 45, 110])]
    if not len(report.by_division):
        story.append(pdf.para("No scene records this month.", st.body))
    return pdf.build_pdf(story, title=title, tier=pdf.INTERNAL, synthetic=report.synthetic)


def public_pdf_bytes(month: str, table: pd.DataFrame, *, synthetic: bool) -> bytes:
    """Return the public PDF of a published month: the suppressed city-wide duty table only."""
    st = pdf.styles()
    title = f"ED 17 Section B: LAPD scene duties, {month} (public)"
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para("Scenes where each duty was met and not met, city-wide. Counts of 1 to 10 show as '<11' and further "
                 "cells are withheld so that no small count can be worked out.", st.body),
        pdf.table(table, st=st, index=True, total_row=True),
    ]
    return pdf.build_pdf(story, title=title, tier=pdf.PUBLIC, synthetic=synthetic)
