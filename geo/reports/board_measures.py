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
from geo.i18n import N_, long_date, translator
from geo.reports import pdf

MEASURE_LABELS = {"patrol": N_("Patrol"), "access_control": N_("Access control"), "signage": N_("Signage"),
                  "training": N_("Training"), "reporting_protocol": N_("Reporting protocol"),
                  "coordination_with_lapd": N_("Coordination with LAPD"), "other": N_("Other")}
DISPLAY = [N_("Type"), N_("Measure"), N_("Start"), N_("Sites covered"), N_("Status")]
#: Measure statuses as the report prints them (the codes with spaces), marked for translation.
STATUS_WORDS = {"planned": N_("planned"), "in_place": N_("in place"), "ended": N_("ended")}
ALL_SITES = N_("all sites")


def measures_table(measures: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return the measures as the report shows them, by start date, words in ``lang`` (descriptions as recorded)."""
    _ = translator(lang)
    if measures is None or not len(measures):
        return pd.DataFrame(columns=[_(c) for c in DISPLAY])
    m = measures.sort_values(["start_date", "measure_id"], na_position="last")
    sites = m["site_ids"].fillna("").map(lambda s: ", ".join(p for p in str(s).split(";") if p) or _(ALL_SITES))
    kinds = m["measure_type"].map(lambda k: _(MEASURE_LABELS[k]) if k in MEASURE_LABELS else k)
    status = m["status"].map(lambda s: _(STATUS_WORDS[s]) if s in STATUS_WORDS else str(s).replace("_", " "))
    return pd.DataFrame(dict(zip([_(c) for c in DISPLAY], [kinds, m["description"], m["start_date"].fillna("-"), sites,
                                                           status], strict=True))).reset_index(drop=True)


def measures_overdue(measures: pd.DataFrame | None, *, as_of: dt.date, lang: str = "en") -> list[str]:
    """Return what is overdue about the board's measures as of ``as_of`` (empty: nothing), in ``lang``."""
    _ = translator(lang)
    due = Directive().identify_by
    live = measures if measures is not None else pd.DataFrame(columns=["status", "start_date"])
    out: list[str] = []
    if not len(live) and as_of > due:
        out.append(_("No measure is recorded: the board's report was due {due} ({days} days overdue).").format(
            due=long_date(due, lang), days=(as_of - due).days))
    late = live[live["start_date"].notna() & (live["start_date"].astype(str) > due.isoformat())]
    if len(late):
        out.append(_("{n} measure(s) started after the day-15 due date ({due}).").format(n=len(late),
                                                                                        due=long_date(due, lang)))
    planned = live[(live["status"] == "planned") & live["start_date"].notna()
                   & (live["start_date"].astype(str) < as_of.isoformat())]
    if len(planned):
        out.append(_("{n} measure(s) still planned past their start date.").format(n=len(planned)))
    return out


def measure_section(measures: pd.DataFrame | None, *, police: str | None, as_of: dt.date, st: pdf.Styles,
                    lang: str = "en") -> list[Any]:
    """Return the flowables of the board-measures section (empty for a department without a board), in ``lang``."""
    if police is None:
        return []
    _ = translator(lang)
    table = measures_table(measures if measures is not None else pd.DataFrame(), lang)
    flow: list[Any] = [pdf.para(_("Measures by the {police} (day 15)").format(police=_(police)), st.h2)]
    if len(table):
        flow.append(pdf.table(table, st=st, widths=[80, 200, 56, 90, 54], note_columns=(_("Measure"),)))
    else:
        flow.append(pdf.para(_("No structured measure is recorded (Inbox page or `stagemap measures add`)."),
                             st.small))
    for line in measures_overdue(measures, as_of=as_of, lang=lang):
        flow.append(pdf.para(_("Overdue: {line}").format(line=line), st.body))
    return flow
