"""Days left or overdue against the directive's sign deadline, in words for a liaison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.analysis.gaps import CANDIDATE, SIGN_OVERDUE_DAYS, SIGNED, SIGNED_LATE_DAYS
from geo.config import Directive
from geo.i18n import N_, translate
from geo.schema import DETERMINATION, PENDING

DIRECTIVE = Directive()


OVERDUE, LEFT, LATE = N_("overdue {days} days"), N_("{days} days left"), N_("signed {days} days late")
ON_TIME, PENDING_WORDS, NOT_NEEDED = N_("signed on time"), N_("A.1 determination pending"), N_("no sign needed")


def _with_days(template: str, days: np.ndarray, lang: str) -> np.ndarray:
    """Return ``template`` in ``lang`` with each of ``days`` in its ``{days}`` (vectorised: one translation)."""
    before, _, after = translate(template, lang).partition("{days}")
    return np.asarray(before + days.astype(str).astype(object) + after, dtype=object)


def sign_deadline_text(site_table: pd.DataFrame, *, as_of: dt.date, directive: Directive = DIRECTIVE,
                       lang: str = "en") -> pd.Series:
    """Return per site 'signed on time', 'signed N days late', 'N days left' or 'overdue N days'.

    A site that is not a candidate says 'no sign needed'; one still pending 'A.1 determination pending'.

    Words only: the day counts come from :func:`geo.analysis.gaps.site_gaps` (``signed_late_days``,
    ``sign_overdue_days``), so the liaison list and the gap tables always agree. ``lang`` chooses the
    words' language (English by default).
    """
    signed = site_table[SIGNED].to_numpy(bool)
    late = site_table[SIGNED_LATE_DAYS].to_numpy(int)
    overdue = site_table[SIGN_OVERDUE_DAYS].to_numpy(int)
    left = (directive.sign_by - as_of).days
    unsigned = np.where(overdue > 0, _with_days(OVERDUE, overdue, lang),
                        _with_days(LEFT, np.full(len(overdue), max(left, 0)), lang))
    done = np.where(late > 0, _with_days(LATE, late, lang), translate(ON_TIME, lang))
    words = np.where(signed, done, unsigned)
    if CANDIDATE in site_table and DETERMINATION in site_table:  # only candidates need a sign (A.1)
        candidate = site_table[CANDIDATE].to_numpy(bool)
        pending = (site_table[DETERMINATION] == PENDING).to_numpy(bool)
        words = np.where(candidate, words, np.where(pending, translate(PENDING_WORDS, lang), translate(NOT_NEEDED, lang)))
    return pd.Series(words, index=site_table.index, name="sign_deadline")
