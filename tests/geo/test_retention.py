"""Retention: reporter contacts past their period are gone from every table and file; contacts on hold remain.

Canary contacts are entered through intake; the expiry run deletes them with an audit entry that
never carries the contact, the audit chain and the bound state still verify, and a byte scan of
every file of the SQLite store (database and WAL) finds none of the expired canaries.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.errors import AccessDenied, SchemaError, StoreError
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services import retention
from geo.services.intake import reporter_contacts, submit_incident
from geo.store import open_store
from tests.actors import PLANNER, RECORDS

GONE = ("Quillon Expirable-Canary", "quillon.canary5512@example.org", "213-555-0177")
KEPT = ("Held Onto-Canary", "held.canary8840@example.net", "213-555-0133")
LATER = dt.date.today() + dt.timedelta(days=400)  # every contact entered today is past a 365-day period


@pytest.fixture(autouse=True)
def _evidence_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))


def _report(store, who: tuple[str, str, str]) -> str:
    name, email, phone = who
    return submit_incident(store, RECORDS, IncidentReport(
        "arrest", 34.05, -118.25, "2026-03-01T09:00", "public", reporter_name=name, reporter_email=email,
        reporter_phone=phone)).incident_id


def _all_table_text(store) -> str:
    """Every row of every table, as text (what SQL can still see)."""
    with store.read() as con:
        if store.backend == "sqlite":
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
        else:
            tables = [r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                      .fetchall()]
        return "\n".join(str(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables
                         if t not in ("spatial_ref_sys",))


def test_expired_contacts_are_gone_and_held_ones_remain(any_store):
    gone, kept = _report(any_store, GONE), _report(any_store, KEPT)
    with pytest.raises(SchemaError, match="give the reason"):
        retention.place_hold(any_store, RECORDS, kept, "  ")
    with pytest.raises(AccessDenied):
        retention.place_hold(any_store, PLANNER, kept, "subpoena 26-114")
    hold = retention.place_hold(any_store, RECORDS, kept, "DA subpoena 26-114")
    due = retention.retention_report(any_store, RECORDS, as_of=LATER)
    assert set(due["incident_id"]) == {gone, kept} and set(due["hold_id"].dropna()) == {hold}
    assert not any(s in due.to_csv() for s in (*GONE, *KEPT))  # the report names ids, never the contact

    run = retention.run_retention(any_store, RECORDS, as_of=LATER)
    assert len(run.deleted) == 1 and len(run.kept_on_hold) == 1
    assert reporter_contacts(any_store, RECORDS, gone) == []
    assert [c["name"] for c in reporter_contacts(any_store, RECORDS, kept)] == [KEPT[0]]
    text = _all_table_text(any_store)
    assert not [s for s in GONE if s in text] and all(s in text for s in KEPT)
    [entry] = [e for e in any_store.read_audit() if e["action"] == "reporter_contact.delete"]
    assert entry["entity_id"] == run.deleted[0] and not any(s in str(entry) for s in GONE)
    report = any_store.verify_state()
    assert report.ok, report.problems()

    retention.release_hold(any_store, RECORDS, hold, "matter closed")
    with pytest.raises(StoreError, match="No active hold"):
        retention.release_hold(any_store, RECORDS, hold, "again")
    assert len(retention.run_retention(any_store, RECORDS, as_of=LATER).deleted) == 1
    assert not [s for s in (*GONE, *KEPT) if s in _all_table_text(any_store)]
    assert any_store.verify_state().ok


def test_contacts_within_their_period_are_kept(any_store):
    inc = _report(any_store, GONE)
    run = retention.run_retention(any_store, RECORDS, as_of=dt.date.today() + dt.timedelta(days=30))
    assert run.deleted == () and len(reporter_contacts(any_store, RECORDS, inc)) == 1
    soon = retention.retention_report(any_store, RECORDS, as_of=dt.date.today() + dt.timedelta(days=350), within=30)
    assert list(soon["incident_id"]) == [inc] and 0 < int(soon["days_left"].iloc[0]) <= 30


def test_the_canary_scan_finds_no_expired_contact_in_any_file_of_the_store(tmp_path):
    store = open_store(str(tmp_path / "store" / "s.gpkg"), create=True)
    _report(store, GONE)
    kept = _report(store, KEPT)
    retention.place_hold(store, RECORDS, kept, "DA subpoena 26-114")
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert any(GONE[1].encode() in p.read_bytes() for p in files)  # the scan can see them before
    retention.run_retention(store, RECORDS, as_of=LATER)
    blobs = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}  # store, WAL, cache, evidence
    for needle in GONE:
        assert not [str(p) for p, b in blobs.items() if needle.encode() in b], needle
    assert any(KEPT[1].encode() in b for b in blobs.values())
    assert store.verify_state().ok


def test_evidence_of_a_held_incident_cannot_be_removed(tmp_path):
    store = open_store(str(tmp_path / "s.gpkg"), create=True)
    inc = submit_incident(store, RECORDS, IncidentReport("arrest", 34.05, -118.25, "2026-03-01T09:00", "officer"),
                          evidence_files=[EvidenceUpload("n.txt", b"notes 09:05\n")]).incident_id
    retention.place_hold(store, RECORDS, inc, "preservation order")
    [evidence_id] = store.held_evidence([inc])
    with store.write() as con, pytest.raises(Exception, match="write-once"):
        con.execute("DELETE FROM evidence WHERE evidence_id = ?", (evidence_id,))
    assert store.held_evidence([inc]) == [evidence_id] and Path(store.evidence_dir()).exists()
