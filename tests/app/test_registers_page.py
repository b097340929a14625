"""AppTest: the Registers page shows records users packages and section C, planners section E and site consent."""
from __future__ import annotations

import io
import json
import zipfile

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP

KEY = "cd" * 32


def _page(role: str, name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.session_state["user_name"] = name
    at.run()
    return at.switch_page("app_pages/registers.py").run()


def _tabs(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def test_records_build_a_package_and_record_an_agency(sample_store, monkeypatch):
    monkeypatch.setenv("STAGEMAP_PACKAGE_KEY", KEY)
    at = _page("records", "rita records")
    assert not at.exception, at.exception
    assert _tabs(at) == ["Evidence packages", "Agency policies (C)"]
    assert any("enjoined" in str(df.value.to_csv()) for df in at.dataframe)
    at.text_input(key="reg_pkg_from").input("2020-01-01")
    next(b for b in at.button if b.label == "Build package").click().run()
    assert not at.exception, at.exception
    assert any("Package PKG-" in s.value for s in at.success), [e.value for e in at.error]
    data = at.session_state["reg_pkg_file"][1]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["selection"]["council_district"] == 15 and manifest["incidents"]
    assert all(r["incident"]["council_district"] == 15 for r in manifest["incidents"])
    row = sample_store.packages()[0]
    assert row["created_by"] == "rita records" and not row["include_reporter"]
    at.text_input(key="reg_agency_agency_id_(new entry)").input("dhs-ice")
    at.text_input(key="reg_agency_name_(new entry)").input("<b>ICE</b> *bold*")
    at.selectbox(key="reg_agency_kind_(new entry)").select("federal")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert any("dhs-ice: created, version 1" in s.value for s in at.success), [e.value for e in at.error]
    entries = sample_store.register_entries("agency")
    assert entries[0]["fields"]["name"] == "<b>ICE</b> *bold*" and entries[0]["created_by"] == "rita records"


def test_a_bad_entry_is_shown_and_nothing_is_saved(sample_store):
    at = _page("records", "rita records")
    at.text_input(key="reg_agency_agency_id_(new entry)").input("x")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("name: required" in e.value and "kind: required" in e.value for e in at.error)
    assert sample_store.register_entries("agency") == []


def test_planners_see_section_e_and_site_consent_and_export_is_audited(sample_store):
    at = _page("planner", "pat planner")
    assert not at.exception, at.exception
    assert _tabs(at) == ["Contractor disclosures (E)", "Private opt-in and site control"]
    at.button(key="reg_export_contractor_disclosure_csv").click().run()
    assert not at.exception, at.exception
    assert any(b.proto.label == "Download CSV" for b in at.get("download_button"))
    assert any(e["action"] == "export.register.contractor_disclosure" and e["actor"] == "pat planner"
               for e in sample_store.read_audit())


def test_admin_sees_every_tab(sample_store):
    at = _page("admin", "ada admin")
    assert not at.exception, at.exception
    assert _tabs(at) == ["Evidence packages", "Agency policies (C)", "Contractor disclosures (E)",
                         "Private opt-in and site control"]


def test_public_view_shows_the_section_c_summary_only(sample_store):
    from geo.services.registers import save_entry
    from tests.actors import RECORDS
    from tests.app.text_scan import all_text

    save_entry(sample_store, RECORDS, "agency", {"agency_id": "dhs-ice", "name": "Immigration and Customs Enforcement",
                                                 "kind": "federal"}, expect_version=0)
    save_entry(sample_store, RECORDS, "agency_policy", {"agency_id": "dhs-ice", "requirement": "visible_id",
                                                        "posted": "yes", "url": "https://ice.gov/id",
                                                        "compliance": "non_compliant",
                                                        "note": "INTERNAL-NOTE commission file"}, expect_version=0)
    save_entry(sample_store, RECORDS, "commission_action", {"action_id": "CH-77", "agency_id": "dhs-ice",
                                                            "action": "challenge", "requirement": "visible_id",
                                                            "opened_on": "2026-03-01", "status": "filed"},
               expect_version=0)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "public"
    at.run()
    assert not at.exception, at.exception
    text = all_text(at)
    assert "identification policies (SB 627 / SB 805)" in text
    table = next(df.value for df in at.dataframe if {"legal_status", "Legal status"} & set(df.value.columns))
    column = "legal_status" if "legal_status" in table.columns else "Legal status"  # raw or readable headers
    assert set(table[column]) == {"enjoined since 2026-02-09", "in force"}
    for word in ("INTERNAL-NOTE", "CH-77", "non_compliant", "open_commission_actions"):
        assert word not in text and word not in table.to_csv(), word
