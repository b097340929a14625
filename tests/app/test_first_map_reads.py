"""The first pages read only what they show: no parcel layer for the public view or the overview's count,
no incidents for the public view, and the persisted run's big tables only when a page uses them (W11)."""
from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from geo.analysis.analyze import AnalysisConfig
from geo.analysis.timefmt import today_local
from geo.services import persisted
from geo.services.analysis import analysis_inputs, analyze_inputs
from layers.overview import PARCEL_DRAW_CAP
from tests.app.test_overview_page import APP
from ui.data import Loader, load_frames


def read(url: str, version: int, layer: str) -> bool:
    """Whether this process has read ``layer`` of the store's frames (a loader not yet run means unread)."""
    held = load_frames(url, version).__dict__[f"_{layer}"]
    return not isinstance(held, Loader) or held._value is not None


def persist(store) -> None:
    res = analyze_inputs(analysis_inputs(store), as_of=today_local(), config=AnalysisConfig())
    persisted.save_result(store, res, version=store.data_version(), config=AnalysisConfig(),
                          token=persisted.status_token(store))


def test_the_visitor_first_map_reads_neither_parcels_nor_incidents(sample_store):
    persist(sample_store)
    load_frames.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "public"
    at.run()
    assert not at.exception
    assert any(m.label == "Protected City properties" for m in at.metric)
    url, version = sample_store.url, sample_store.data_version()
    assert not read(url, version, "parcels") and not read(url, version, "incidents")
    assert load_frames(url, version).parcel_count == sample_store.counts()["parcels"]  # known without the read


def test_a_liaison_overview_never_reads_the_parcels_it_may_not_see(sample_store):
    persist(sample_store)  # (a store without its persisted run reads every layer once, to analyse it)
    load_frames.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "liaison"
    at.run()
    assert not at.exception
    assert not read(sample_store.url, sample_store.data_version(), "parcels")


def test_the_overview_counts_parcels_above_the_cap_without_reading_them():
    from layers.overview import store_overview_map
    from tests.layers.test_overview import _frames

    frames = _frames()
    html = store_overview_map(**{**frames, "parcels": None}, parcel_count=PARCEL_DRAW_CAP + 1,
                              synthetic=False).get_root().render()
    assert f"{PARCEL_DRAW_CAP + 1:,} parcels: too many for a citywide map" in html


def test_a_persisted_run_reads_its_big_tables_on_first_use(sample_store):
    persist(sample_store)
    res, _ = persisted.load_result(sample_store, version=sample_store.data_version(), as_of=today_local(),
                                   config=AnalysisConfig())
    raw = object.__getattribute__(res, "parcel_counts")
    assert type(raw).__name__ == "_Lazy"  # not read with the run
    again = persisted.replace(res, as_of=res.as_of)
    assert type(object.__getattribute__(again, "parcel_counts")).__name__ == "_Lazy"  # nor by a re-status
    assert len(res.parcel_counts) and res.parcel_counts is again.parcel_counts  # read once, on first use
    assert isinstance(res.as_of, dt.date)
