"""Registers of issue 17: section C agencies, section E disclosures, private opt-in and grants (both backends)."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.errors import AccessDenied, SchemaError, StatusConflict
from geo.services.register_views import (
    agency_compliance,
    contractor_flags,
    public_agency_summary,
    site_consent,
)
from geo.services.registers import export_register, import_register, read_register, save_entry
from tests.actors import ADMIN, COUNCIL, PLANNER, RECORDS, liaison
from tests.conftest import canonical_frame

PUBLIC = Actor("anyone", "public")


@pytest.fixture
def db(any_store, tmp_path, monkeypatch):
    """A store with two City sites; LOT-7 determined a candidate (A.1)."""
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.248, 34.052),
                                           shapely.box(-118.245, 34.05, -118.2445, 34.0505)],
                            site_id=["PARK-1", "LOT-7"], owning_dept="GSD", area_sqft=1.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    any_store.save_control("LOT-7", {schema.DETERMINATION: "candidate"}, expect_version=0, user="planner")
    return any_store


def _agencies(store) -> None:
    save_entry(store, RECORDS, "agency", {"agency_id": "dhs-ice", "name": "U.S. Immigration and Customs Enforcement",
                                          "kind": "federal", "parent": "DHS"}, expect_version=0)
    save_entry(store, RECORDS, "agency", {"agency_id": "lasd", "name": "LA County Sheriff's Department",
                                          "kind": "county"}, expect_version=0)


def test_entries_are_versioned_audited_and_bound(db):
    _agencies(db)
    saved = save_entry(db, RECORDS, "agency_policy", {"agency_id": "lasd", "requirement": "visible_id", "posted": "yes",
                                                      "url": "https://lasd.org/policy", "seen_on": "2026-03-02",
                                                      "compliance": "compliant"}, expect_version=0,
                       document=("policy.pdf", b"%PDF-1.7 the posted policy"))
    assert (saved.entry_id, saved.version, saved.outcome) == ("lasd:visible_id", 1, "created")
    again = save_entry(db, RECORDS, "agency_policy", {"agency_id": "lasd", "requirement": "visible_id",
                                                      "posted": "no", "compliance": "non_compliant"}, expect_version=1)
    assert again.version == 2
    with pytest.raises(StatusConflict):
        save_entry(db, RECORDS, "agency_policy", {"agency_id": "lasd", "requirement": "visible_id", "posted": "unknown",
                                                  "compliance": "not_assessed"}, expect_version=1)
    live = read_register(db, RECORDS, "agency_policy")
    assert live.loc[0, "posted"] == "no" and live.loc[0, "version"] == 2 and len(live.loc[0, "document_sha256"]) == 64
    actions = [e["action"] for e in db.read_audit() if e["entity"] == "register_entries"]
    assert actions.count("agency_policy.create") == 1 and actions.count("agency_policy.update") == 1
    assert db.verify_state().ok


def test_bad_entries_say_what_and_where_and_save_nothing(db):
    _agencies(db)
    before = len(db.read_audit())
    with pytest.raises(SchemaError, match=r"posted: 'maybe' is not one of yes, no, unknown"):
        save_entry(db, RECORDS, "agency_policy", {"agency_id": "lasd", "requirement": "visible_id", "posted": "maybe",
                                                  "compliance": "compliant"}, expect_version=0)
    with pytest.raises(SchemaError, match="not in the agency register"):
        save_entry(db, RECORDS, "agency_policy", {"agency_id": "fbi", "requirement": "visible_id", "posted": "no",
                                                  "compliance": "not_assessed"}, expect_version=0)
    with pytest.raises(SchemaError, match="dhs_agency"):
        save_entry(db, PLANNER, "contractor_disclosure", {"contract_id": "C-1", "bidder": "Acme", "dhs_agreement": "yes"},
                   expect_version=0)
    with pytest.raises(SchemaError, match="not City sites"):
        save_entry(db, PLANNER, "contractor_disclosure", {"contract_id": "C-1", "bidder": "Acme", "dhs_agreement": "no",
                                                          "site_ids": "NOPE-1"}, expect_version=0)
    assert len(db.read_audit()) == before


@pytest.mark.parametrize(("actor", "name"), [(PLANNER, "agency"), (COUNCIL, "agency"), (liaison("GSD"), "agency"),
                                             (RECORDS, "contractor_disclosure"), (RECORDS, "private_parcel"),
                                             (COUNCIL, "site_control_grant"), (PUBLIC, "contractor_disclosure")])
def test_role_rules(db, actor, name):
    with pytest.raises(AccessDenied):
        read_register(db, actor, name)


def test_section_c_legal_status_and_public_summary(db):
    _agencies(db)
    save_entry(db, RECORDS, "agency_policy", {"agency_id": "dhs-ice", "requirement": "face_covering", "posted": "no",
                                              "compliance": "non_compliant", "note": "internal: do not publish"},
               expect_version=0)
    save_entry(db, RECORDS, "commission_action", {"action_id": "CH-1", "agency_id": "lasd", "action": "inquiry",
                                                  "requirement": "both", "opened_on": "2026-03-01", "status": "open"},
               expect_version=0)
    table = agency_compliance(db, RECORDS).set_index(["agency_id", "requirement"])
    assert table.loc[("dhs-ice", "face_covering"), "legal_status"] == "enjoined"
    assert table.loc[("dhs-ice", "face_covering"), "status_since"] == "2026-02-09"
    assert table.loc[("dhs-ice", "visible_id"), "legal_status"] == "in_force"
    assert table.loc[("lasd", "visible_id"), "open_commission_actions"] == 1
    public = public_agency_summary(db, PUBLIC)
    assert list(public.columns) == ["agency", "kind", "requirement", "policy_posted", "policy_url", "seen_on",
                                    "legal_status"]
    row = public[(public["kind"] == "federal") & (public["requirement"] == "face_covering")].iloc[0]
    assert row["legal_status"] == "enjoined since 2026-02-09"
    text = public.to_csv()
    assert "internal" not in text and "CH-1" not in text and "compliance" not in text


def test_section_e_flags(db):
    save_entry(db, PLANNER, "contractor_disclosure", {"contract_id": "C-1", "bidder": "Acme Parking",
                                                      "dhs_agreement": "yes", "dhs_agency": "ICE",
                                                      "nature_of_work": "detainee transport", "site_ids": "LOT-7;PARK-1",
                                                      "disclosed_on": "2026-02-20", "renewal_date": "2027-01-01"},
               expect_version=0)
    save_entry(db, ADMIN, "contractor_disclosure", {"contract_id": "C-2", "bidder": "Blue Data", "dhs_agreement": "no",
                                                    "renewal_date": "2026-04-15", "site_ids": "PARK-1"},
               expect_version=0)
    flags = contractor_flags(db, PLANNER, as_of=dt.date(2026, 3, 1))
    got = sorted(zip(flags["contract_id"], flags["flag"], strict=True))
    assert got == [("C-1", "dhs_on_candidate_site"), ("C-2", "renewal_without_disclosure")]
    assert "LOT-7" in flags.set_index("contract_id").loc["C-1", "reason"]


def test_import_reports_every_bad_row_and_saves_nothing_then_applies(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("contract_id,bidder,dhs_agreement,dhs_agency,renewal_date,site_ids,colour\n"
                   "C-1,Acme,yes,ICE,2027-01-01,LOT-7,red\n"
                   "C-2,Blue,perhaps,,2026-13-40,,\n"
                   "C-1,Acme,no,,,,\n")
    before = len(db.read_audit())
    report = import_register(db, PLANNER, "contractor_disclosure", bad)
    text = report.summary()
    assert not report.ok and "column 'colour'" in text and "row 3" in text and "dhs_agreement" in text \
        and "renewal_date" in text and "row 4: C-1:Acme repeats row 2" in text and "nothing was saved" in text
    assert len(db.read_audit()) == before and read_register(db, PLANNER, "contractor_disclosure").empty
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"contract_id": ["C-1", "C-2"], "bidder": ["Acme", "Blue"], "dhs_agreement": ["yes", "no"],
                  "dhs_agency": ["ICE", None], "third_party_data_sharing": ["licence plates to a vendor", None],
                  "site_ids": ["LOT-7", None]}).to_excel(good, index=False)
    report = import_register(db, PLANNER, "contractor_disclosure", good)
    assert report.ok, report.summary()
    assert [s.outcome for _, s in report.saved] == ["created", "created"]
    assert import_register(db, ADMIN, "contractor_disclosure", good).saved[0][1].outcome == "unchanged"
    save_entry(db, PLANNER, "contractor_disclosure", {"contract_id": "C-1", "bidder": "Acme", "dhs_agreement": "yes",
                                                      "dhs_agency": "ICE", "site_ids": "LOT-7",
                                                      "third_party_data_sharing": '=HYPERLINK("x")'}, expect_version=1)
    name, data = export_register(db, PLANNER, "contractor_disclosure", "xlsx")
    assert name.endswith(".xlsx")
    cells = pd.read_excel(io.BytesIO(data))
    assert cells.loc[cells["contract_id"] == "C-1", "third_party_data_sharing"].iloc[0].startswith("'=")
    name, data = export_register(db, PLANNER, "contractor_disclosure", "csv")
    assert b"'=HYPERLINK" in data
    events = [e for e in db.read_audit() if e["action"] == "export.register.contractor_disclosure"]
    assert len(events) == 2 and events[-1]["actor"] == PLANNER.name
    assert db.verify_state().ok


def test_private_opt_in_and_grants_for_the_nexus_study(db):
    save_entry(db, PLANNER, "private_parcel", {"ain": "5555-001-001", "owner": "Harbor Storage LLC",
                                               "declaration": "refuses_site_control", "declared_on": "2026-03-03"},
               expect_version=0, document=("letter.pdf", b"%PDF-1.4 the owner's letter"))
    save_entry(db, ADMIN, "site_control_grant", {"grant_id": "G-1", "ain": "5555002002", "grantee": "ICE",
                                                 "granted_on": "2026-02-01", "source": "Lease recorded 2026-123456"},
               expect_version=0)
    with pytest.raises(SchemaError, match="10-digit AIN"):
        save_entry(db, PLANNER, "private_parcel", {"ain": "12", "owner": "X", "declaration": "sign_requested",
                                                   "declared_on": "2026-03-03"}, expect_version=0)
    with pytest.raises(SchemaError, match="ended_on"):
        save_entry(db, PLANNER, "site_control_grant", {"grant_id": "G-2", "ain": "5555002002", "grantee": "ICE",
                                                       "granted_on": "2026-02-01", "ended_on": "2026-01-01",
                                                       "source": "x"}, expect_version=0)
    private, grants = site_consent(db, PLANNER)
    assert list(private["ain"]) == ["5555001001"] and list(grants["grant_id"]) == ["G-1"]
    with pytest.raises(AccessDenied):
        site_consent(db, RECORDS)


def test_fresh_store_is_at_0009_and_entries_are_append_only(db):
    assert db.schema_revision() >= "0009"
    save_entry(db, PLANNER, "private_parcel", {"ain": "5555001001", "owner": "O", "declaration": "sign_requested",
                                               "declared_on": "2026-03-03"}, expect_version=0)
    for sql in ("UPDATE register_entries SET fields = '{}'", "DELETE FROM register_entries"):
        # the trigger, or the app role's grants on PostgreSQL
        with pytest.raises(Exception, match=r"append-only|permission denied"), db.write() as con:
            con.execute(sql)
    assert len(read_register(db, PLANNER, "private_parcel")) == 1


def test_a_recorded_legal_status_overrides_the_directive_default(db):
    _agencies(db)
    save_entry(db, RECORDS, "legal_status", {"requirement": "face_covering", "agency_kind": "federal",
                                             "status": "in_force", "since": "2026-06-01",
                                             "authority": "SB 627 as amended (synthetic test)"}, expect_version=0)
    table = agency_compliance(db, RECORDS).set_index(["agency_id", "requirement"])
    assert table.loc[("dhs-ice", "face_covering"), "legal_status"] == "in_force"
    assert "enjoined" not in set(public_agency_summary(db, PUBLIC)["legal_status"])


def test_private_parcels_import_from_xlsx_with_numeric_and_dashed_ains(db, tmp_path):
    sheet = tmp_path / "owners.xlsx"
    pd.DataFrame({"AIN": [5555001001, "5555-001-002"], "Owner": ["A LLC", "B Trust"],
                  "Declaration": ["sign requested", "refuses-site-control"],
                  "Declared on": ["2026-03-01", "03/04/2026"]}).to_excel(sheet, index=False)
    report = import_register(db, PLANNER, "private_parcel", sheet)
    assert report.ok, report.summary()
    live = read_register(db, PLANNER, "private_parcel")
    assert list(live["ain"]) == ["5555001001", "5555001002"]
    assert list(live["declaration"]) == ["sign_requested", "refuses_site_control"]
    assert list(live["declared_on"]) == ["2026-03-01", "2026-03-04"]


def test_an_entry_edited_outside_stagemap_is_caught_by_verify(store):
    save_entry(store, PLANNER, "site_control_grant", {"grant_id": "G-1", "ain": "5555002002", "grantee": "ICE",
                                                      "granted_on": "2026-02-01", "source": "lease"}, expect_version=0)
    assert store.verify_state().ok
    with store.write() as con:  # someone with the file drops the guard and rewrites the grant's source
        con.execute("DROP TRIGGER register_entries_no_update")
        con.execute("UPDATE register_entries SET fields = replace(fields, 'lease', 'nothing')")
    report = store.verify_state()
    assert not report.ok and any("register_entries" in f for f in report.findings), report.findings


def test_an_altered_stored_document_is_named_by_evidence_verify(store):
    from geo.services.evidence import verify_evidence

    save_entry(store, PLANNER, "private_parcel", {"ain": "5555001001", "owner": "O", "declaration": "sign_requested",
                                                  "declared_on": "2026-03-03"}, expect_version=0,
               document=("request.pdf", b"%PDF-1.4 please post a sign"))
    assert verify_evidence(store, ADMIN).ok
    sha = store.document_hashes()[0][1]
    path = store.evidence_dir() / sha[:2] / sha
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 please post a sigN")
    report = verify_evidence(store, ADMIN)
    assert [m.evidence_id for m in report.mismatches] == ["private_parcel:5555001001 v1"]
