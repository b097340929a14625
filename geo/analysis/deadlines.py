"""Days left or overdue against the directive's sign deadline, in words for a liaison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.analysis.gaps import CANDIDATE, SIGN_OVERDUE_DAYS, SIGNED, SIGNED_LATE_DAYS
from geo.config import Directive
from geo.schema import DETERMINATION, PENDING

DIRECTIVE = Directive()


def sign_deadline_text(site_table: pd.DataFrame, *, as_of: dt.date, directive: Directive = DIRECTIVE) -> pd.Series:
    """Return per site 'signed on time', 'signed N days late', 'N days left' or 'overdue N days'.

    A site that is not a candidate says 'no sign needed'; one still pending 'A.1 determination pending'.

    Words only: the day counts come from :func:`geo.analysis.gaps.site_gaps` (``signed_late_days``,
    ``sign_overdue_days``), so the liaison list and the gap tables always agree.
    """
    signed = site_table[SIGNED].to_numpy(bool)
    late = site_table[SIGNED_LATE_DAYS].to_numpy(int)
    overdue = site_table[SIGN_OVERDUE_DAYS].to_numpy(int)
    left = (directive.sign_by - as_of).days
    unsigned = np.where(overdue > 0, "overdue " + overdue.astype(str) + " days", f"{max(left, 0)} days left")
    done = np.where(late > 0, "signed " + late.astype(str) + " days late", "signed on time")
    words = np.where(signed, done, unsigned)
    if CANDIDATE in site_table and DETERMINATION in site_table:  # only candidates need a sign (A.1)
        candidate = site_table[CANDIDATE].to_numpy(bool)
        pending = (site_table[DETERMINATION] == PENDING).to_numpy(bool)
        words = np.where(candidate, words, np.where(pending, "A.1 determination pending", "no sign needed"))
    return pd.Series(words, index=site_table.index, name="sign_deadline")
