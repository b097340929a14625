"""The A.3 day-15 clock: which contractor notices were sent on time, late, or are still missing.

Executive Directive 17 (10 Feb 2026), A.3: within 15 days (by 25 Feb 2026) each department gives
written notice to its contractors. A notice sent on or before the due date is on time; after it,
late by the calendar days between; not sent is missing (due in N days, or N days overdue as of
the as-of date). A department with City sites but no contractor on its register shows as such,
so a blank register is visible rather than silently complete.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

CLOCK_COLUMNS = ("department", "contractor", "contract_number", "sent_on", "acknowledged_on", "state", "days_late")
ON_TIME, LATE, MISSING, OVERDUE, NONE_REGISTERED = "sent on time", "sent late", "missing", "missing, overdue", \
    "no contractor registered"


def _day(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    return dt.date.fromisoformat(str(value)[:10])


def notice_clock(notices: pd.DataFrame, departments: Sequence[str], *, as_of: dt.date, due: dt.date) -> pd.DataFrame:
    """Return one row per registered notice (and per department with none) with its state against ``due``.

    ``days_late`` is the days a sent notice came after ``due``, or for a missing one the days
    overdue as of ``as_of`` (negative: days left).
    """
    rows: list[dict[str, object]] = []
    for rec in notices.to_dict("records"):
        sent = _day(rec.get("sent_on"))
        if sent is not None:
            late = (sent - due).days
            state = ON_TIME if late <= 0 else LATE
            days = max(late, 0)
        else:
            days = (as_of - due).days
            state = OVERDUE if days > 0 else MISSING
        rows.append({"department": rec["department"], "contractor": rec["contractor"],
                     "contract_number": rec["contract_number"], "sent_on": rec.get("sent_on"),
                     "acknowledged_on": rec.get("acknowledged_on"), "state": state, "days_late": days})
    have = {str(r["department"]) for r in rows}
    for dept in sorted(set(departments) - have):
        rows.append({"department": dept, "contractor": None, "contract_number": None, "sent_on": None,
                     "acknowledged_on": None, "state": NONE_REGISTERED, "days_late": None})
    frame = pd.DataFrame(rows, columns=list(CLOCK_COLUMNS))
    return frame.sort_values(["department", "contractor"], na_position="first").reset_index(drop=True)


def clock_summary(clock: pd.DataFrame) -> pd.DataFrame:
    """Return per department: contractors, on time, late, missing (overdue or not), acknowledged."""
    reg = clock[clock["state"] != NONE_REGISTERED]
    out = pd.DataFrame({"department": sorted(clock["department"].unique())}).set_index("department")
    out["contractors"] = reg.groupby("department").size()
    for name, states in (("on_time", (ON_TIME,)), ("late", (LATE,)), ("missing", (MISSING, OVERDUE))):
        out[name] = reg[reg["state"].isin(states)].groupby("department").size()
    out["acknowledged"] = reg[reg["acknowledged_on"].notna()].groupby("department").size()
    return out.fillna(0).astype(int).reset_index()
