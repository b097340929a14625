"""AppTest: the Gap analysis page renders its matrix, ranked list and KPIs, and reacts to saves."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP


def _gaps() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run().switch_page("app_pages/gaps.py").run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_gap_page_renders_and_toggle_narrows(sample_store):
    at = _gaps()
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert "Risk x protection" in headers and "By department" in headers
    rows_all = len(at.dataframe[1].value)
    at.toggle(key="gap_high_only").set_value(True).run()
    assert len(at.dataframe[1].value) < rows_all


def _signed(at: AppTest) -> tuple[int, int]:
    signed, candidates = _metric(at, "Signed").split(" / ")
    return int(signed.replace(",", "")), int(candidates.replace(",", ""))


def test_signing_a_candidate_changes_the_kpi_and_a_not_candidate_leaves_it(sample_store):
    status = sample_store.read_status().set_index("site_id")
    control = sample_store.read_control().set_index("site_id")
    unsigned = status.index[status["sign_status"] != "posted"]
    site = next(s for s in unsigned if s in control.index and control.loc[s, "determination"] == "candidate")
    other = next(s for s in unsigned if s in control.index and control.loc[s, "determination"] == "not_candidate")
    at = _gaps()
    before = _signed(at)
    sample_store.save_status(site, {"sign_status": "posted", "sign_posted_on": "2026-03-01"}, expect_version=1,
                             user="ana")
    sample_store.save_status(other, {"sign_status": "posted", "sign_posted_on": "2026-03-01"}, expect_version=1,
                             user="ana")
    at.run()
    assert _signed(at) == (before[0] + 1, before[1])  # only candidates need (and count) a sign
