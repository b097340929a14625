"""AppTest: the Data page imports in the background with progress and cancel, reports, and rejects unchanged."""
from __future__ import annotations

import json
import os
import signal

import pytest
from streamlit.testing.v1 import AppTest

from geo.access.accounts import add_account
from geo.store import open_store
from tests.app.test_overview_page import APP, small_store  # noqa: F401  (fixture)
from ui.import_form import AUTO, map_key
from ui.jobs import SESSION_KEY, ImportJob

PASSWORD = "a long passphrase 42"


def _districts_geojson(lon: float = -118.3) -> bytes:
    feats = [{"type": "Feature", "properties": {"District": d, "District_Name": f"CD {d}"},
              "geometry": {"type": "Polygon", "coordinates": [[[lon + d * 0.01, 34.0], [lon + d * 0.01 + 0.009, 34.0],
                                                               [lon + d * 0.01 + 0.009, 34.01],
                                                               [lon + d * 0.01, 34.01], [lon + d * 0.01, 34.0]]]}}
             for d in (5, 6)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def _incidents_csv(n: int) -> bytes:
    rows = "".join(f"T{i},2025-03-01T10:00,{34.0 + (i % 997) * 1e-4:.4f},{-118.3 + (i // 997) * 1e-4:.4f},true\n"
                   for i in range(n))
    return ("incident_id,occurred_at,lat,lon,is_synthetic\n" + rows).encode()


def _start(at: AppTest, name: str, data: bytes, kind: str = "districts") -> tuple[AppTest, ImportJob]:
    at = at.switch_page("app_pages/data.py").run()
    at.selectbox(key="data_kind").set_value(kind)
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    at.run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    return at, at.session_state[SESSION_KEY]


def _import(at: AppTest, name: str, data: bytes) -> AppTest:
    at, job = _start(at, name, data)
    assert job.wait(180), "the background import did not finish"
    return at.run()


def _demo_admin() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "admin"
    return at.run()


def test_data_page_rejects_feet_in_geojson_and_changes_nothing(small_store):  # noqa: F811
    before = open_store(small_store.url).counts()
    feet = _districts_geojson().replace(b"-118.", b"6488151.").replace(b"34.0", b"1842013.")
    at = _import(_demo_admin(), "cd.geojson", feet)
    assert not at.exception
    assert at.error and "Nothing was stored" in at.error[0].value
    assert open_store(small_store.url).counts() == before


def test_data_page_imports_districts_into_an_empty_store_and_shows_the_report(tmp_path, monkeypatch):
    store = open_store(str(tmp_path / "real.gpkg"))
    monkeypatch.setenv("STAGEMAP_STORE", store.url)
    users = tmp_path / "users.json"
    add_account(users, "kim", PASSWORD, role="admin")
    monkeypatch.setenv("STAGEMAP_USERS", str(users))
    monkeypatch.setenv("STAGEMAP_AUTH", "local")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="sign_in_name").input("kim")
    at.sidebar.text_input(key="sign_in_password").input(PASSWORD)
    at = at.sidebar.button(key="sign_in_submit").click().run()
    at = _import(at, "Council_Districts.geojson", _districts_geojson())
    assert not at.exception, at.exception
    assert not at.error, at.error[0].value if at.error else ""
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Read"] == "2" and metrics["Accepted"] == "2" and metrics["Rejected"] == "0"
    assert "Council_Districts.geojson" in at.code[0].value
    assert open_store(store.url).counts()["districts"] == 2


def test_data_page_refuses_real_data_into_the_synthetic_sample(small_store):  # noqa: F811
    at = _import(_demo_admin(), "cd.geojson", _districts_geojson())
    assert at.error and "never mix" in at.error[0].value


@pytest.mark.slow
def test_import_runs_in_the_background_other_sessions_render_and_cancel_changes_nothing(small_store):  # noqa: F811
    before = open_store(small_store.url).counts()
    at, job = _start(_demo_admin(), "many.csv", _incidents_csv(240_000), kind="incidents")
    assert job.running.wait(120), "the import never reported progress"
    assert not job.done.is_set()
    at.run()  # the page, while the import runs: a progress bar and a cancel button, no report yet
    assert [b.label for b in at.button if b.key == "data_cancel"] == ["Cancel import"]
    assert not at.metric
    os.kill(job._process.pid, signal.SIGSTOP)  # hold the import mid-file: the next render cannot wait it out
    try:
        other = _demo_admin().switch_page("app_pages/overview.py").run()  # another session's page renders meanwhile
        assert not other.exception and other.metric
        assert not job.done.is_set()
    finally:
        os.kill(job._process.pid, signal.SIGCONT)
    at.button(key="data_cancel").click().run()
    assert job.wait(120)
    at.run()
    assert job.outcome is not None and job.outcome.status == "cancelled", job.outcome
    assert at.error and at.error[0].value.startswith("Cancelled.") and "Nothing was stored" in at.error[0].value
    assert open_store(small_store.url).counts() == before


# --- steering an import: the column mapping and boundary vintages -------------------------------
def _signed_in_real_store(tmp_path, monkeypatch) -> tuple[AppTest, str]:
    store = open_store(str(tmp_path / "real.gpkg"))
    monkeypatch.setenv("STAGEMAP_STORE", store.url)
    users = tmp_path / "users.json"
    add_account(users, "kim", PASSWORD, role="admin")
    monkeypatch.setenv("STAGEMAP_USERS", str(users))
    monkeypatch.setenv("STAGEMAP_AUTH", "local")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="sign_in_name").input("kim")
    at.sidebar.text_input(key="sign_in_password").input(PASSWORD)
    return at.sidebar.button(key="sign_in_submit").click().run(), store.url


def _choose(at: AppTest, kind: str, name: str, data: bytes) -> AppTest:
    at = at.switch_page("app_pages/data.py").run()
    at.selectbox(key="data_kind").set_value(kind)
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    return at.run()


def _run_import(at: AppTest) -> AppTest:
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert at.session_state[SESSION_KEY].wait(180), "the background import did not finish"
    return at.run()


def test_data_page_column_mapping_lists_the_files_columns_and_steers_the_import(small_store):  # noqa: F811
    tracker = b"when,latitude,longitude,activity_type,is_synthetic\n2025-06-01 14:30,34.0522,-118.2437,arrest,true\n"
    at = _choose(_demo_admin(), "incidents", "tracker.csv", tracker)
    occurred = at.selectbox(key=map_key("incidents", "occurred_at"))
    assert occurred.options == [AUTO, "when", "latitude", "longitude", "activity_type", "is_synthetic"]
    at = _run_import(at)  # automatic: `when` is no alias, so the file is refused, naming the fix
    assert at.error and "no occurred_at column" in at.error[0].value and "--map occurred_at=COLUMN" in at.error[0].value
    at.selectbox(key=map_key("incidents", "occurred_at")).set_value("when").run()
    at = _run_import(at)
    assert not at.error, at.error[0].value
    assert {m.label: m.value for m in at.metric}["Accepted"] == "1"
    assert "occurred_at <- 'when'" in at.code[0].value


def test_data_page_mapping_text_field_refuses_a_missing_column_with_the_columns(small_store):  # noqa: F811
    at = _choose(_demo_admin(), "incidents", "tracker.csv", b"when,lat,lon\n2025-06-01,34.05,-118.24\n")
    at.text_input(key="data_map_text").input("occurred_at=timestamp").run()
    at = _run_import(at)
    assert at.error and "--map occurred_at=timestamp: the file has no column 'timestamp'" in at.error[0].value
    assert "Its columns are: 'when', 'lat', 'lon'" in at.error[0].value
    at.text_input(key="data_map_text").input("occurred_at").run()
    at.button(key="data_import").click().run()
    assert at.error and "tracker.csv: --map 'occurred_at': write canonical=column" in at.error[0].value


def _current_vintage(url: str) -> str:
    sets = open_store(url).read_boundary_sets()
    return str(sets.loc[sets["is_current"], "vintage"].iloc[0])


def test_data_page_boundary_vintage_and_make_current(tmp_path, monkeypatch):
    at, url = _signed_in_real_store(tmp_path, monkeypatch)
    at = _choose(at, "districts", "CD_2021.geojson", _districts_geojson())
    at.text_input(key="data_vintage").input("2021").run()
    at = _run_import(at)
    assert not at.error and not at.warning, at.error[0].value if at.error else at.warning[0].value
    at = _choose(at, "districts", "CD_2012.geojson", _districts_geojson(lon=-118.31))
    at.text_input(key="data_vintage").input("2012").run()
    at = _run_import(at)
    assert at.warning and "looks OLDER" in at.warning[0].value and "NOT made current" in at.warning[0].value
    assert _current_vintage(url) == "2021"
    at = _choose(at, "districts", "CD_2012b.geojson", _districts_geojson(lon=-118.31))
    at.text_input(key="data_vintage").input("2012").run()
    at.checkbox(key="data_make_current").check().run()
    at = _run_import(at)
    assert at.warning and "made current as asked" in at.warning[0].value
    assert _current_vintage(url) == "2012"
