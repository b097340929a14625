"""Change over time: incidents per month, signs posted running total, KPI change against last month."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.analysis.trends import (
    COUNT,
    SIGNED_TOTAL,
    incidents_month_change,
    incidents_per_month,
    signed_month_change,
    signs_over_time,
)

AS_OF = dt.date(2026, 3, 20)


def _incidents() -> pd.DataFrame:
    times = ["2026-02-03T18:00:00Z", "2026-02-15T18:00:00Z", "2026-03-01T07:30:00Z", "2026-03-10T18:00:00Z",
             "2026-03-02T07:30:00Z", "2026-03-25T18:00:00Z"]  # 07:30Z on 1 Mar is 28 Feb in Los Angeles
    return pd.DataFrame({schema.OCCURRED_AT: pd.to_datetime(times, utc=True),
                         schema.RELEVANCE: ["enforcement"] * 4 + ["general_crime", "enforcement"],
                         schema.VERIFICATION: ["corroborated", "unverified", "lapd_confirmed", "unverified",
                                               "unverified", "unverified"]})


def test_incidents_per_month_in_los_angeles_time_with_readable_series():
    out = incidents_per_month(_incidents(), as_of=AS_OF)
    feb = out[out["Month"] == "2026-02"]
    assert feb[COUNT].sum() == 3  # the 1 Mar 07:30 UTC incident happened on 28 Feb in Los Angeles
    assert "LAPD confirmed" in set(feb["Verification"]) and "General crime (context)" in set(out["Relevance"])
    assert out[COUNT].sum() == 5  # the one after the as-of date is not counted
    assert incidents_per_month(_incidents().iloc[:0], as_of=AS_OF).empty


def test_month_change_counts_the_same_days_of_last_month():
    change = incidents_month_change(_incidents(), as_of=AS_OF)
    assert (change.now, change.before, change.delta) == (1, 2, -1)  # 1-20 Mar against 1-20 Feb; context never counts


def test_signs_running_total_and_change():
    units = pd.DataFrame({"candidate": [True, True, True, False],
                          schema.SIGN_POSTED_ON: ["2026-02-10", "2026-03-05", None, "2026-03-06"]})
    running = signs_over_time(units, as_of=AS_OF)
    assert running[SIGNED_TOTAL].tolist() == [1, 2]  # a non-candidate's sign is not counted
    change = signed_month_change(units, as_of=AS_OF)
    assert (change.now, change.before, change.delta) == (2, 1, 1)
