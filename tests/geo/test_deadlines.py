"""Sign-deadline words agree with the gap table's day counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.analysis.deadlines import sign_deadline_text


def test_words_for_each_case():
    table = pd.DataFrame({"signed": [True, True, False, False], "signed_late_days": [0, 4, 0, 0],
                          "sign_overdue_days": [0, 0, 0, 12]})
    before = sign_deadline_text(table, as_of=dt.date(2026, 3, 1))
    assert before.tolist() == ["signed on time", "signed 4 days late", "6 days left", "overdue 12 days"]


def test_only_candidates_have_a_sign_deadline():
    table = pd.DataFrame({"signed": [False, False, False], "signed_late_days": [0, 0, 0],
                          "sign_overdue_days": [12, 0, 0], "candidate": [True, False, False],
                          "determination": ["candidate", "not_candidate", "pending"]})
    words = sign_deadline_text(table, as_of=dt.date(2026, 3, 19))
    assert words.tolist() == ["overdue 12 days", "no sign needed", "A.1 determination pending"]


def test_words_in_spanish_keep_the_same_day_counts():
    table = pd.DataFrame({"signed": [True, True, False, False, False, False], "signed_late_days": [0, 4, 0, 0, 0, 0],
                          "sign_overdue_days": [0, 0, 0, 12, 0, 0], "candidate": [True, True, True, True, False, False],
                          "determination": ["candidate"] * 4 + ["not_candidate", "pending"]})
    words = sign_deadline_text(table, as_of=dt.date(2026, 3, 1), lang="es")
    assert words.tolist() == ["letrero colocado a tiempo", "letrero colocado con 4 días de retraso", "quedan 6 días",
                              "vencido hace 12 días", "no requiere letrero", "determinación A.1 pendiente"]
    assert sign_deadline_text(table, as_of=dt.date(2026, 3, 1)).tolist()[:4] == [
        "signed on time", "signed 4 days late", "6 days left", "overdue 12 days"]
