"""Days left or overdue against the directive's sign deadline, in words for a liaison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.analysis.gaps import SIGN_OVERDUE_DAYS, SIGNED, SIGNED_LATE_DAYS
from geo.config import Directive

DIRECTIVE = Directive()


def sign_deadline_text(site_table: pd.DataFrame, *, as_of: dt.date, directive: Directive = DIRECTIVE) -> pd.Series:
    """Return per site 'signed on time', 'signed N days late', 'N days left' or 'overdue N days'.

    Words only: the day counts come from :func:`geo.analysis.gaps.site_gaps` (``signed_late_days``,
    ``sign_overdue_days``), so the liaison list and the gap tables always agree.
    """
    signed = site_table[SIGNED].to_numpy(bool)
    late = site_table[SIGNED_LATE_DAYS].to_numpy(int)
    overdue = site_table[SIGN_OVERDUE_DAYS].to_numpy(int)
    left = (directive.sign_by - as_of).days
    unsigned = np.where(overdue > 0, "overdue " + overdue.astype(str) + " days", f"{max(left, 0)} days left")
    done = np.where(late > 0, "signed " + late.astype(str) + " days late", "signed on time")
    return pd.Series(np.where(signed, done, unsigned), index=site_table.index, name="sign_deadline")
