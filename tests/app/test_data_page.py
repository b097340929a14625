"""AppTest: the Data page imports a good file with its report and rejects a bad one unchanged."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from geo.store import open_store
from tests.app.test_overview_page import APP, small_store  # noqa: F401  (fixture)


def _districts_geojson(lon: float = -118.3) -> bytes:
    feats = [{"type": "Feature", "properties": {"District": d, "District_Name": f"CD {d}"},
              "geometry": {"type": "Polygon", "coordinates": [[[lon + d * 0.01, 34.0], [lon + d * 0.01 + 0.009, 34.0],
                                                               [lon + d * 0.01 + 0.009, 34.01],
                                                               [lon + d * 0.01, 34.01], [lon + d * 0.01, 34.0]]]}}
             for d in (5, 6)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def _import(at: AppTest, name: str, data: bytes) -> AppTest:
    at.session_state["demo_role"] = "admin"
    at.run()
    at = at.switch_page("app_pages/data.py").run()
    at.selectbox(key="data_kind").set_value("districts")
    at.file_uploader[0].set_value((name, data, "application/geo+json"))
    at.run()
    at.button[0].click().run()
    return at


def test_data_page_rejects_feet_in_geojson_and_changes_nothing(small_store):  # noqa: F811
    before = open_store(small_store.url).counts()
    feet = _districts_geojson().replace(b"-118.", b"6488151.").replace(b"34.0", b"1842013.")
    at = _import(AppTest.from_file(APP, default_timeout=60).run(), "cd.geojson", feet)
    assert not at.exception
    assert at.error and "Nothing was stored" in at.error[0].value
    assert open_store(small_store.url).counts() == before


def test_data_page_imports_districts_into_an_empty_store_and_shows_the_report(tmp_path, monkeypatch):
    store = open_store(str(tmp_path / "real.gpkg"))
    monkeypatch.setenv("STAGEMAP_STORE", store.url)
    at = _import(AppTest.from_file(APP, default_timeout=60).run(), "Council_Districts.geojson", _districts_geojson())
    assert not at.exception, at.exception
    assert not at.error, at.error[0].value if at.error else ""
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Read"] == "2" and metrics["Accepted"] == "2" and metrics["Rejected"] == "0"
    assert "Council_Districts.geojson" in at.code[0].value
    assert open_store(store.url).counts()["districts"] == 2


def test_data_page_refuses_real_data_into_the_synthetic_sample(small_store):  # noqa: F811
    at = _import(AppTest.from_file(APP, default_timeout=60).run(), "cd.geojson", _districts_geojson())
    assert at.error and "never mix" in at.error[0].value
