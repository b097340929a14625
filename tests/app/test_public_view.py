"""The public view, opened as a visitor would: only protected sites and suppressed monthly counts."""
from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from geo.analysis.analyze import analyze
from geo.reports.publish import K_MIN, SUPPRESSED
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text

INTERNAL = ["risk_score", "final_tier", "protection_detail", "sign_overdue_days", "unprotected", "Gap analysis",
            "SYN-2025-", "risk tier"]


def test_visitor_sees_only_protected_sites_and_suppressed_counts(sample_store):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "public"
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "City property protected under Executive Directive 17" in text
    for word in INTERNAL:
        assert word not in text, word
    res = analyze(sample_store.read_layer("parcels"), sample_store.read_layer("sites"),
                  sample_store.read_layer("incidents"), sample_store.read_status(), sample_store.read_overrides(),
                  control=sample_store.read_control(), as_of=dt.date.today())  # not-candidates need no sign
    protected = int((res.sites["protection"] == "protected").sum())
    assert next(m.value for m in at.metric if m.label == "Protected City properties") == f"{protected:,}"
    table = at.dataframe[0].value
    cells = [v for v in table.iloc[:, 1:].to_numpy().ravel() if v not in (SUPPRESSED, "withheld")]  # after the district
    assert all(not (1 <= int(v) < K_MIN) for v in cells), "a small count reached the public table"
    assert {SUPPRESSED, "withheld"} & set(table.to_numpy().ravel()), "nothing withheld in a sparse sample"
    assert "Total" not in table.columns, "a total across months changes as months are added: never shown"
