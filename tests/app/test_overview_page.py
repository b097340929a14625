"""AppTest: the router and the overview page render the store with the synthetic banner."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.store import open_store
from tests.layers.test_overview import _frames

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def small_store(tmp_path, monkeypatch):
    f = _frames()
    store = open_store(str(tmp_path / "app.gpkg"))
    store.write_layers({schema.SITES: f["sites"], schema.PARCELS: f["parcels"].assign(
        lot_sqft=1.0, centroid_x_ft=0.0, centroid_y_ft=0.0, merged_count=1),
        schema.INCIDENTS: f["incidents"].assign(source_type="public", warrant_shown="unknown"),
        schema.DISTRICTS: f["districts"]})
    monkeypatch.setenv("STAGEMAP_STORE", store.url)
    return store


def test_overview_renders_counts_and_synthetic_banner(small_store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # never determined (A.1 pending): it needs its determination, not (yet) a sign
    assert metrics == {"Determined (A.1)": "0 / 1", "Signed": "0 / 0", "Gated": "0 / 0", "Overdue signs": "0",
                       "Incidents this month": "0"}
    assert any("SYNTHETIC DEMO DATA" in w.value for w in at.warning)
    small_store.save_control("SYN-1", {"determination": "candidate"}, expect_version=0, user="ana")
    metrics = {m.label: m.value for m in at.run().metric}
    assert metrics == {"Determined (A.1)": "1 / 1", "Signed": "0 / 1", "Gated": "0 / 0", "Overdue signs": "1",
                       "Incidents this month": "0"}


def test_missing_store_shows_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEMAP_STORE", "postgresql://nobody@localhost/none")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("PostgreSQL" in e.value for e in at.error)
