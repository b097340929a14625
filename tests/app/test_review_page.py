"""AppTest: Parcel review filters, detail panel, override and exports on the sample."""
from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from geo.analysis.analyze import analyze
from geo.analysis.review import KIND, PARCEL_KIND, SITE_KIND, ReviewFilter, filter_review, review_frame
from tests.app.test_overview_page import APP


def _review() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["user_name"] = "ana"
    return at.switch_page("app_pages/review.py").run()


def _matching(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Matching records").replace(",", ""))


def test_review_frame_holds_every_site_and_every_other_parcel(sample_store):
    parcels = sample_store.read_layer("parcels")
    sites = sample_store.read_layer("sites")
    res = analyze(parcels, sites, sample_store.read_layer("incidents"), sample_store.read_status(),
                  sample_store.read_overrides(), as_of=dt.date(2026, 11, 1))
    frame = review_frame(res, parcels)
    site_ains = {a for s in sites["ains"] for a in s.split(";")}
    assert (frame[KIND] == SITE_KIND).sum() == len(sites)
    assert (frame[KIND] == PARCEL_KIND).sum() == len(parcels) - parcels["ain"].isin(site_ains).sum()
    assert filter_review(frame, ReviewFilter()).all()
    assert not filter_review(frame, ReviewFilter(use_code="27", owner_classes=("private",))).sum() > \
        filter_review(frame, ReviewFilter(use_code="27")).sum()


def test_each_filter_narrows_the_set(sample_store):
    at = _review()
    assert not at.exception
    total = _matching(at)
    for key, value in [("rev_categories", "parking_lot"), ("rev_tiers", "high"), ("rev_districts", 1),
                       ("rev_owners", "private")]:
        at.multiselect(key=key).select(value).run()
        assert not at.exception
        assert _matching(at) < total, key
        at.multiselect(key=key).unselect(value).run()
    at.text_input(key="rev_use_code").input("27").run()
    assert 0 < _matching(at) < total


def test_site_detail_shows_factors_and_an_override_is_saved(sample_store):
    at = _review()
    at.session_state["selected_site"] = "SYN-SITE-0001"
    at.run()
    assert any(s.value.startswith("City site SYN-SITE-0001") for s in at.subheader)
    assert any("Why this score" in m.value for m in at.markdown)
    at.selectbox[0].set_value("low") if at.selectbox else None
    next(t for t in at.text_input if t.label == "Reason (required)").input("Fenced and patrolled nightly")
    next(b for b in at.button if b.label == "Save override").click().run()
    assert not at.exception
    latest = sample_store.read_overrides()
    assert latest.set_index("site_id").loc["SYN-SITE-0001", "set_by"] == "ana"
    assert any("Tier overridden" in i.value for i in at.info)


def test_exports_are_offered_and_logged(sample_store):
    at = _review()
    at.multiselect(key="rev_tiers").select("high").run()
    at.button(key="rev_export").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 3
    assert any(e["action"] == "export.review" and e["actor"] == "ana" for e in sample_store.read_audit())


def test_a_sign_packet_link_opens_the_site(sample_store):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["site"] = "SYN-SITE-0007"
    at.run()
    at.switch_page("app_pages/review.py").run()
    assert any(s.value.startswith("City site SYN-SITE-0007") for s in at.subheader)
