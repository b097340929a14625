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
    at.selectbox(key="district").set_value(1).run()  # the session's one district selector
    assert not at.exception and _matching(at) < total
    at.selectbox(key="district").set_value(0).run()  # all districts
    for key, value in [("rev_categories", "parking_lot"), ("rev_tiers", "high"), ("rev_owners", "private")]:
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


# --- parcels from tiles, the persisted analysis -------------------------------------------
def _tiled(sample_store, tmp_path, monkeypatch):
    from geo.access.roles import Actor
    from geo.services.tiles import build_parcel_tiles
    from geo.tiles.archive import ARCHIVE_DIR_ENV, ARCHIVE_URL_ENV

    monkeypatch.setenv(ARCHIVE_DIR_ENV, str(tmp_path / "static-tiles"))
    monkeypatch.setenv(ARCHIVE_URL_ENV, "/app/static/test-tiles")
    return build_parcel_tiles(sample_store, Actor("pia", "planner", source="cli"))


def test_with_an_archive_every_parcel_comes_from_tiles_and_only_sites_are_drawn_live(sample_store, tmp_path,
                                                                                    monkeypatch):
    from tests.app.text_scan import all_text

    archive = _tiled(sample_store, tmp_path, monkeypatch)
    at = _review()
    assert not at.exception
    text = all_text(at)
    assert archive.url in text and "parcels drawn from tiles" in text
    assert "zoom in to street level" not in text
    n_sites = len(sample_store.read_layer("sites"))
    assert text.count('\\"kind\\": \\"parcel\\"') + text.count('"kind": "parcel"') <= n_sites  # no parcel list shipped
    assert "last_object_clicked_tooltip" in text  # the tile click comes back as the layer's tooltip


def test_a_tiled_parcel_click_resolves_by_ain_into_the_panel(sample_store, tmp_path, monkeypatch):
    from ui.tiles import tile_pick

    _tiled(sample_store, tmp_path, monkeypatch)
    at = _review()
    parcels = sample_store.read_layer("parcels")
    sites = sample_store.read_layer("sites")
    site_ains = {a for s in sites["ains"] for a in s.split(";")}
    ain = next(a for a in parcels["ain"] if a not in site_ains)
    res = analyze(parcels, sites, sample_store.read_layer("incidents"), sample_store.read_status(),
                  sample_store.read_overrides(), as_of=dt.date(2026, 11, 1))
    review = review_frame(res, parcels)
    assert tile_pick({"last_object_clicked_tooltip": f"Parcel AIN {ain}"}, review, res.sites) == ain
    first_site = sites.iloc[0]
    site_ain = first_site["ains"].split(";")[0]
    assert tile_pick({"last_object_clicked_tooltip": f"Parcel AIN {site_ain}"}, review, res.sites) == \
        first_site["site_id"]
    at.session_state["selected_site"] = ain  # what the page stores after tile_pick
    at.run()
    assert not at.exception
    assert any(s.value.startswith(f"parcel {ain}") for s in at.subheader)


def test_an_app_process_reads_the_persisted_analysis_instead_of_rerunning_it(sample_store, monkeypatch):
    import streamlit as st

    at = _review()  # the first process analyses this data version once and saves it
    assert not at.exception
    st.cache_resource.clear()  # a new process: nothing in memory

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis was rerun although it is persisted for this data version")

    from geo.services import persisted

    whole = persisted.review_frame
    monkeypatch.setattr("ui.analysis._run", refuse)
    monkeypatch.setattr(persisted, "review_frame",  # the site rows are rebuilt; the parcel rows must be read back
                        lambda res, parcels: refuse() if len(parcels) else whole(res, parcels))
    at = _review()
    assert not at.exception, at.exception
    assert _matching(at) > 0


def test_the_first_analysis_of_a_data_version_shows_its_progress(sample_store):
    import streamlit as st

    from tests.app.text_scan import all_text

    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()  # the first page to need the analysis computes it
    assert not at.exception
    assert "Analysis ready and saved" in all_text(at)
    at.run()
    assert "Analysis ready and saved" not in all_text(at)  # read back: nothing to show
