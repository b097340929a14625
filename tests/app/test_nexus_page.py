"""AppTest: the planner goes from the sample to a frozen nexus snapshot and its XLSX in the app."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.access.roles import Actor
from geo.nexus.snapshot import snapshot_hash, snapshot_root, verify_snapshot
from geo.services.nexus import nexus_tables
from tests.actors import PLANNER
from tests.app.test_overview_page import APP


def _nexus(role: str = "planner") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.session_state["user_name"] = "pat planner"
    at.run()
    return at.switch_page("app_pages/nexus.py").run()


def _metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _hash_shown(at: AppTest) -> str:
    line = next(c.value for c in at.caption if c.value.startswith("Content hash"))
    return line.split("`")[1]


def test_planner_freezes_a_snapshot_with_the_cli_hash(sample_store):
    at = _nexus()
    assert not at.exception, at.exception
    expected = nexus_tables(sample_store, PLANNER)
    assert _metric(at, "Affected private parcels") == len(expected.inventory)
    assert _metric(at, "Incidents in the ledger") == len(expected.ledger)
    assert any("PLACEHOLDER" in w.value for w in at.warning)
    assert _hash_shown(at) == snapshot_hash(expected), "app and CLI build the same study"
    at.button(key="nex_freeze").click().run()
    assert not at.exception
    digest = at.session_state["nex_hash"]
    assert digest == snapshot_hash(expected) and any(digest in s.value for s in at.success)
    assert verify_snapshot(Path(snapshot_root(sample_store.url)) / digest) == digest
    assert any(e["action"] == "nexus.snapshot" and e["actor"] == "pat planner" for e in sample_store.read_audit())


def test_downloads_are_offered_and_logged(sample_store):
    at = _nexus()
    at.button(key="nex_export").click().run()
    assert not at.exception
    labels = sorted(b.proto.label for b in at.get("download_button"))
    assert labels == ["CSV (zip)", "GeoPackage", "XLSX (one sheet per table)"]
    assert any(e["action"] == "export.nexus" and e["actor"] == "pat planner" for e in sample_store.read_audit())


def test_recovery_share_changes_the_rates_and_the_hash(sample_store):
    at = _nexus()
    first = _hash_shown(at)
    at.slider(key="nex_recovery").set_value(0.5).run()
    assert not at.exception and _hash_shown(at) != first
    scen = next(d.value for d in at.dataframe if "Basis" in d.value.columns)  # human headers (geo.labels)
    full = nexus_tables(sample_store, PLANNER).scenarios
    shown = scen.loc[(scen["Basis"] == "Per incident") & (scen["Land use class"] == "All land-use classes"), "Rate (USD)"].item()
    whole = full.loc[(full["basis"] == "per_incident") & (full["land_use_class"] == "all"), "rate_usd"].item()
    assert shown == pytest.approx(whole / 2, abs=0.005)  # shown to the cent


def test_a_role_without_the_page_is_refused(sample_store):
    at = AppTest.from_file(str(Path(APP).parent / "app_pages" / "nexus.py"), default_timeout=60)
    at.session_state["auth_actor"] = Actor("lee", "council_office", district=1)
    at.run()
    assert at.error and "cannot open the nexus page" in at.error[0].value
    assert not at.metric and not at.dataframe and not at.button

