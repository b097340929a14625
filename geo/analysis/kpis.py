"""The headline KPIs, computed once so the app, ``stagemap analyze``, reports and exports say the same numbers.

Every screen and file that shows a headline number takes it from :func:`headline_kpis` for one
analysis run (one store, one as-of date), so they cannot drift apart: the coverage numbers are
the sums of the per-department KPI table, the risk number is read off the same site table.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from geo.analysis.asof import count_in_window, last_days_window, month_window
from geo.i18n import N_

#: Column of the site table: the final tier (after reviewer overrides) and the protection level.
FINAL_TIER, PROTECTION = "final_tier", "protection"


@dataclass(frozen=True)
class Headline:
    """The headline numbers of one analysis run, as of one date."""

    as_of: dt.date
    sites: int
    identified: int
    signed: int
    barrier_sites: int
    gated: int
    sign_overdue: int
    high_not_protected: int
    incidents_month: int
    incidents_30d: int
    units: int = 0  # sites and their parts (a park's parking lot): what A.1 determines
    candidates: int = 0  # units determined candidates: only these need a sign (A.1)

    def as_dict(self) -> dict[str, object]:
        """Return the numbers by name (the as-of date as ISO text)."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out


#: Labels used wherever a headline number is shown.
LABELS = {
    "sites": N_("Sites"), "identified": N_("Determined (A.1)"), "signed": N_("Signed"), "barrier_sites": N_("Barrier applies"),
    "gated": N_("Gated where a barrier applies"), "sign_overdue": N_("Overdue signs"),
    "high_not_protected": N_("High risk, not protected"), "incidents_month": N_("Incidents this month"),
    "incidents_30d": N_("Incidents in the last 30 days"), "units": N_("Sites and parts"),
    "candidates": N_("Candidates: need a sign"),
}


def headline_kpis(sites: pd.DataFrame, kpi_department: pd.DataFrame, incidents: pd.DataFrame, *,
                  as_of: dt.date) -> Headline:
    """Return the headline KPIs of one analysis (``AnalysisResult.sites`` and ``.kpi_department``).

    Parameters
    ----------
    sites : DataFrame
        The analysis site table (``final_tier``, ``protection``).
    kpi_department : DataFrame
        The per-department KPI table of the same run; coverage numbers are its column sums.
    incidents : DataFrame
        Incidents with ``occurred_at`` (and ``relevance``); only enforcement activity is counted.
    as_of : date
        The analysis date: 'this month' is its month up to it, 'last 30 days' ends on it.
    """
    total = kpi_department[["sites", "identified", "signed_identified", "barrier_sites", "gated",
                            "sign_overdue"]].sum() if len(kpi_department) else pd.Series(0, index=[
                                "sites", "identified", "signed_identified", "barrier_sites", "gated", "sign_overdue"])
    # a site that is not a candidate (A.1) needs no protection: it is not a gap
    high = int(((sites[FINAL_TIER] == "high") & sites[PROTECTION].isin(("unprotected", "partial"))).sum()) \
        if len(sites) else 0
    return Headline(
        as_of=as_of, sites=int(total["sites"]), identified=int(total["identified"]),
        signed=int(total["signed_identified"]), barrier_sites=int(total["barrier_sites"]), gated=int(total["gated"]),
        sign_overdue=int(total["sign_overdue"]), high_not_protected=high,
        incidents_month=count_in_window(incidents, *month_window(as_of)),
        incidents_30d=count_in_window(incidents, *last_days_window(as_of, 30)),
        units=int(total["sites"]) + _column_sum(kpi_department, "parts"),
        candidates=_column_sum(kpi_department, "candidates"),
    )


def _column_sum(table: pd.DataFrame, column: str) -> int:
    return int(table[column].sum()) if column in table and len(table) else 0
