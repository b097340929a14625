"""Days left or overdue against the directive's sign deadline, in words for a liaison."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.config import Directive

DIRECTIVE = Directive()


def sign_deadline_text(signed: pd.Series, posted_on: pd.Series, *, as_of: dt.date,
                       directive: Directive = DIRECTIVE) -> pd.Series:
    """Return per site 'signed on time', 'signed N days late', 'N days left' or 'overdue N days'."""
    due = directive.sign_by
    posted = pd.to_datetime(posted_on, errors="coerce")
    late = (posted - pd.Timestamp(due)).dt.days
    left = (due - as_of).days
    text = np.where(
        signed.to_numpy(bool),
        np.where(late.fillna(0).to_numpy() > 0, "signed " + late.fillna(0).astype(int).astype(str) + " days late",
                 "signed on time"),
        f"{left} days left" if left >= 0 else f"overdue {-left} days",
    )
    return pd.Series(text, index=signed.index, name="sign_deadline")
