"""The day-15 board measures in the board report: what each police department does on City property.

The Airport (LAWA), Harbor (Port Police) and Recreation and Parks boards report to the Mayor by
day 15 (25 Feb 2026) the measures their police departments implement. The section lists the
structured measures (type, description, start date, sites covered, status) and says plainly when
none is recorded past the due date, or when a measure started after it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from geo.config import Directive
from geo.reports import pdf

MEASURE_LABELS = {"patrol": "Patrol", "access_control": "Access control", "signage": "Signage", "training": "Training",
                  "reporting_protocol": "Reporting protocol", "coordination_with_lapd": "Coordination with LAPD",
                  "other": "Other"}
DISPLAY = ["Type", "Measure", "Start", "Sites covered", "Status"]


def measures_table(measures: pd.DataFrame) -> pd.DataFrame:
    """Return the measures as the report shows them, by start date."""
    if measures is None or not len(measures):
        return pd.DataFrame(columns=DISPLAY)
    m = measures.sort_values(["start_date", "measure_id"], na_position="last")
    sites = m["site_ids"].fillna("").map(lambda s: ", ".join(p for p in str(s).split(";") if p) or "all sites")
    return pd.DataFrame({"Type": m["measure_type"].map(MEASURE_LABELS).fillna(m["measure_type"]),
                         "Measure": m["description"], "Start": m["start_date"].fillna("-"), "Sites covered": sites,
                         "Status": m["status"].str.replace("_", " ")}).reset_index(drop=True)


def measures_overdue(measures: pd.DataFrame | None, *, as_of: dt.date) -> list[str]:
    """Return what is overdue about the board's measures as of ``as_of`` (empty: nothing)."""
    due = Directive().identify_by
    live = measures if measures is not None else pd.DataFrame(columns=["status", "start_date"])
    out: list[str] = []
    if not len(live) and as_of > due:
        out.append(f"No measure is recorded: the board's report was due {due:%d %B %Y} "
                   f"({(as_of - due).days} days overdue).")
    late = live[live["start_date"].notna() & (live["start_date"].astype(str) > due.isoformat())]
    if len(late):
        out.append(f"{len(late)} measure(s) started after the day-15 due date ({due:%d %B %Y}).")
    planned = live[(live["status"] == "planned") & live["start_date"].notna()
                   & (live["start_date"].astype(str) < as_of.isoformat())]
    if len(planned):
        out.append(f"{len(planned)} measure(s) still planned past their start date.")
    return out


def measure_section(measures: pd.DataFrame | None, *, police: str | None, as_of: dt.date, st: pdf.Styles) -> list[Any]:
    """Return the flowables of the board-measures section (empty for a department without a board)."""
    if police is None:
        return []
    table = measures_table(measures if measures is not None else pd.DataFrame())
    flow: list[Any] = [pdf.para(f"Measures by the {police} (day 15)", st.h2)]
    if len(table):
        flow.append(pdf.table(table, st=st, widths=[80, 200, 56, 90, 54], note_columns=("Measure",)))
    else:
        flow.append(pdf.para("No structured measure is recorded (Inbox page or `stagemap measures add`).", st.small))
    for line in measures_overdue(measures, as_of=as_of):
        flow.append(pdf.para(f"Overdue: {line}", st.body))
    return flow
