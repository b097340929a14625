"""Section B scene records (B.1-B.6) and referrals (B.7): versioned, audited, bound to the chain, on both backends."""
from __future__ import annotations

import datetime as dt

import pytest

from geo import duties
from geo.errors import AccessDenied, SchemaError, StatusConflict, StoreError
from geo.intake.reports import IncidentReport
from geo.services import scenes
from geo.services.intake import submit_incident
from tests.actors import ADMIN, PLANNER, RECORDS, liaison

FULL = {duties.CAMERA_ACTIVATED: "yes", duties.VIDEO_PRESERVED: "yes", duties.VIDEO_REF: "EVD-2026-0042",
        duties.SUPERVISOR_IDENTIFIED: "yes", duties.SUPERVISOR_NAME: "J. Doe", duties.SUPERVISOR_BADGE: "ICE-7781",
        duties.DEESCALATION: "yes", duties.BYSTANDERS_INFORMED: "yes", duties.INJURIES: "yes",
        duties.AID_SUMMONED: "yes", duties.AID_TO: "LAFD paramedics", duties.PUBLIC_REPORT: "yes",
        duties.REPORT_NUMBER: "260412345"}


@pytest.fixture(autouse=True)
def _evidence_dir(tmp_path, monkeypatch):
    """PostgreSQL stores keep evidence files in a named local directory."""
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))


def incident(store, when: str = "2026-03-01T09:00") -> str:
    """Store one officer report of an enforcement event; return its id."""
    return submit_incident(store, RECORDS, IncidentReport("arrest", 34.05, -118.25, when, "officer")).incident_id


def test_a_scene_carries_every_b1_to_b6_field_versioned_and_audited(any_store):
    inc = incident(any_store)
    row = scenes.save_scene(any_store, RECORDS, inc, dict(FULL), expect_version=0)
    assert row["version"] == 1 and row[duties.CAMERA_ACTIVATED] in (True, 1) and row[duties.REPORT_NUMBER] == "260412345"
    row = scenes.save_scene(any_store, ADMIN, inc, {duties.DEESCALATION: "no"}, expect_version=1)
    assert row["version"] == 2 and row[duties.DEESCALATION] in (False, 0)
    first, second = any_store.scene_history(inc)
    assert first.changes[duties.SUPERVISOR_BADGE] == (None, "ICE-7781")
    assert second.changes[duties.DEESCALATION] == (True, False) or second.changes[duties.DEESCALATION] == (1, 0)
    actions = [e["action"] for e in any_store.read_audit() if e["entity"] == duties.SCENE_RECORDS]
    assert actions == ["scene.create", "scene.update"]
    assert all(e["row_hash"] for e in any_store.read_audit() if e["entity"] == duties.SCENE_RECORDS)
    report = any_store.verify_state()
    assert report.ok, report.problems()
    assert report.checked[duties.SCENE_HISTORY] == 2


def test_contradictory_scene_fields_are_refused_with_the_fix_and_nothing_changes(any_store):
    inc = incident(any_store)
    cases = [({duties.SUPERVISOR_IDENTIFIED: "yes", duties.SUPERVISOR_NAME: "J. Doe"}, "supervisor_badge"),
             ({duties.SUPERVISOR_IDENTIFIED: "no"}, "supervisor_reason"),
             ({duties.VIDEO_PRESERVED: "yes"}, "repository reference"),
             ({duties.AID_SUMMONED: "yes"}, "aid_to"),
             ({duties.REPORT_NUMBER: "123"}, "public_report_received"),
             ({duties.CAMERA_ACTIVATED: "perhaps"}, "not yes, no or unknown")]
    for changes, needle in cases:
        with pytest.raises(SchemaError, match=needle):
            scenes.save_scene(any_store, RECORDS, inc, changes, expect_version=0)
        assert scenes.check_scene(inc, changes), changes
    assert any_store.read_scenes().empty
    ok = {duties.SUPERVISOR_IDENTIFIED: "no", duties.SUPERVISOR_REASON: "agents refused to give names"}
    assert scenes.check_scene(inc, ok) == []
    assert scenes.save_scene(any_store, RECORDS, inc, ok, expect_version=0)["version"] == 1


def test_scene_edits_are_records_and_admin_only_and_stale_saves_conflict(any_store):
    inc = incident(any_store)
    for actor in (PLANNER, liaison("Recreation and Parks (RAP)")):
        with pytest.raises(AccessDenied):
            scenes.save_scene(any_store, actor, inc, {duties.CAMERA_ACTIVATED: "yes"}, expect_version=0)
    scenes.save_scene(any_store, RECORDS, inc, {duties.CAMERA_ACTIVATED: "yes"}, expect_version=0)
    with pytest.raises(StatusConflict):
        scenes.save_scene(any_store, ADMIN, inc, {duties.CAMERA_ACTIVATED: "no"}, expect_version=0)
    with pytest.raises(StoreError, match="No incident 'INC-nope'"):
        scenes.save_scene(any_store, RECORDS, "INC-nope", {duties.CAMERA_ACTIVATED: "yes"}, expect_version=0)


def test_a_referral_moves_through_its_states_with_audit_entries(any_store):
    inc = incident(any_store)
    ref = scenes.send_referral(any_store, RECORDS, inc, recipient="district_attorney", sent_on="2026-03-02",
                               package_ref="PKG-17")
    rid = str(ref[duties.REFERRAL_ID])
    assert (rid, ref[duties.REFERRAL_STATUS], ref["version"]) == (f"REF-{inc}-01", "sent", 1)
    scenes.move_referral(any_store, RECORDS, rid, "acknowledged", on="2026-03-05")
    scenes.move_referral(any_store, RECORDS, rid, "charged", on="2026-04-01", outcome="felony complaint filed")
    done = scenes.move_referral(any_store, ADMIN, rid, "closed", on="2026-06-01")
    assert (done[duties.REFERRAL_STATUS], done["version"], done[duties.ACKNOWLEDGED_ON], done[duties.DECIDED_ON],
            done[duties.CLOSED_ON], done[duties.OUTCOME]) == ("closed", 4, "2026-03-05", "2026-04-01", "2026-06-01",
                                                              "felony complaint filed")
    entries = [e for e in any_store.read_audit() if e["entity"] == duties.REFERRALS]
    assert [e["action"] for e in entries] == ["referral.create"] + ["referral.update"] * 3
    assert all(e["row_hash"] for e in entries)
    report = any_store.verify_state()
    assert report.ok, report.problems()


def test_referral_moves_out_of_order_or_backwards_in_time_are_refused(any_store):
    inc = incident(any_store)
    rid = str(scenes.send_referral(any_store, RECORDS, inc, recipient="attorney_general",
                                   sent_on="2026-03-02")[duties.REFERRAL_ID])
    with pytest.raises(SchemaError, match="cannot move from sent to charged; from sent it may go to acknowledged"):
        scenes.move_referral(any_store, RECORDS, rid, "charged", on="2026-03-09")
    with pytest.raises(SchemaError, match="before an earlier step"):
        scenes.move_referral(any_store, RECORDS, rid, "acknowledged", on="2026-03-01")
    scenes.move_referral(any_store, RECORDS, rid, "acknowledged", on="2026-03-03")
    scenes.move_referral(any_store, RECORDS, rid, "declined", on="2026-03-20")
    with pytest.raises(SchemaError, match="outcome"):
        scenes.move_referral(any_store, RECORDS, rid, "closed", on="2026-03-21")
    with pytest.raises(SchemaError, match="recipient 'police' is not one of"):
        scenes.send_referral(any_store, RECORDS, inc, recipient="police", sent_on="2026-03-02")
    with pytest.raises(SchemaError, match="recipient_other"):
        scenes.send_referral(any_store, RECORDS, inc, recipient="other", sent_on="2026-03-02")
    with pytest.raises(AccessDenied):
        scenes.send_referral(any_store, PLANNER, inc, recipient="attorney_general", sent_on="2026-03-02")
    assert scenes.referral_of(any_store, rid)[duties.REFERRAL_STATUS] == "declined"
    assert len(any_store.read_referrals()) == 1


def test_the_overdue_view_lists_referrals_never_acknowledged_past_the_configured_days(any_store):
    inc = incident(any_store)
    old = scenes.send_referral(any_store, RECORDS, inc, recipient="us_attorney", sent_on="2026-01-01")
    scenes.send_referral(any_store, RECORDS, inc, recipient="attorney_general", sent_on="2026-03-01")
    acked = scenes.send_referral(any_store, RECORDS, inc, recipient="district_attorney", sent_on="2026-01-01")
    scenes.move_referral(any_store, RECORDS, str(acked[duties.REFERRAL_ID]), "acknowledged", on="2026-01-10")
    late = scenes.overdue_referrals(any_store, RECORDS, as_of=dt.date(2026, 3, 15), days=30)
    assert list(late[duties.REFERRAL_ID]) == [old[duties.REFERRAL_ID]]
    assert int(late["days_waiting"].iloc[0]) == 73
    assert len(scenes.overdue_referrals(any_store, RECORDS, as_of=dt.date(2026, 3, 15), days=10)) == 2


@pytest.mark.parametrize(("table", "sql"), [
    ("scene_records", "UPDATE scene_records SET camera_activated = ?"),
    ("referrals", "UPDATE referrals SET outcome = ?"),
    ("legal_holds", "UPDATE legal_holds SET reason = ?"),
])
def test_tampering_with_section_b_rows_is_found_by_verify(any_store, table, sql):
    from geo.services import retention

    inc = incident(any_store)
    scenes.save_scene(any_store, RECORDS, inc, {duties.CAMERA_ACTIVATED: "yes"}, expect_version=0)
    scenes.send_referral(any_store, RECORDS, inc, recipient="district_attorney", sent_on="2026-03-02")
    retention.place_hold(any_store, RECORDS, inc, "preservation order")
    assert any_store.verify_state().ok
    value = {"scene_records": False, "referrals": "charges filed", "legal_holds": "nothing"}[table]
    with any_store.write() as con:
        con.execute(sql, (value,))
    problems = any_store.verify_state().problems()
    assert any(p.startswith(table) and "differs" in p for p in problems), problems


def test_a_0006_store_gains_the_section_b_tables_on_open(tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from geo.store import open_store
    from geo.store.migrations.runner import alembic_config

    path = tmp_path / "old.gpkg"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    engine.dispose()
    store = open_store(str(path))
    inc = incident(store)
    assert scenes.save_scene(store, RECORDS, inc, {duties.DEESCALATION: "yes"}, expect_version=0)["version"] == 1
    assert store.read_holds().empty and store.read_referrals().empty


def test_a_recorded_flag_can_be_set_back_to_unknown(any_store):
    inc = incident(any_store)
    scenes.save_scene(any_store, RECORDS, inc, {duties.BYSTANDERS_INFORMED: "yes"}, expect_version=0)
    row = scenes.save_scene(any_store, RECORDS, inc, {duties.BYSTANDERS_INFORMED: "unknown"}, expect_version=1)
    assert row[duties.BYSTANDERS_INFORMED] is None and row["version"] == 2
    assert any_store.verify_state().ok
