"""D1/C4: kill -9 during intake writes loses no acknowledged commit and leaves no half-written incident; D3 full disk."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import StoreError
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from geo.store import open_store
from geo.store.sqlite import SQLiteStore
from tests.actors import records
from tests.geo.test_intake import INSIDE, add_sites, counts, jpeg

TRIALS = 10
REPO = Path(__file__).resolve().parents[2]
CHILD = r"""
import os, sys
from geo.store import open_store
from geo.store.sqlite import SQLiteStore
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from tests.actors import records
from geo.services.intake import site_index

path, sync, trial = sys.argv[1], sys.argv[2], sys.argv[3]
if sync == "NORMAL":
    _connect = SQLiteStore.connect
    def connect(self):
        con = _connect(self)
        con.execute("PRAGMA synchronous = NORMAL")
        return con
    SQLiteStore.connect = connect
store = open_store(path, create=False)
index = site_index(store)
print("ready", flush=True)
i = 0
while True:
    i += 1
    rep = IncidentReport("staging_area", 34.0505, -118.2495, "2026-03-01T09:00", "contractor",
                         description=f"trial {trial} report {i}", reporter_email="r@example.org" if i % 2 else None)
    files = [EvidenceUpload(f"t{trial}-{i}.bin", os.urandom(256 + i % 512), label=f"T{trial}-{i}")]
    res = submit_incident(store, records("durability", source="cli"), rep, evidence_files=files,
                          index=index)
    print(res.incident_id, flush=True)
"""


def check_store(path: Path) -> dict[str, int]:
    """Integrity, then the all-or-nothing invariant of every intake record; return counts."""
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    store = open_store(str(path), create=False)
    with store.read() as con:
        incidents = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        reports = {r[0] for r in con.execute("SELECT incident_id FROM incident_reports")}
        evidence = con.execute("SELECT evidence_id, incident_id, sha256, stored_path FROM evidence").fetchall()
        contacts = {r[0] for r in con.execute("SELECT incident_id FROM reporter_contacts")}
        audited = {(r[0], r[1]) for r in con.execute("SELECT action, entity_id FROM audit_log")}
    assert reports == incidents, "incident without its report, or a report without its incident"
    assert {e[1] for e in evidence} == incidents, "incident without evidence, or evidence without incident"
    assert contacts <= incidents
    for iid in incidents:
        assert ("incident.create", iid) in audited and ("incident_report.create", iid) in audited
    root = store.evidence_dir()
    for evidence_id, _, sha, rel in evidence:
        assert ("evidence.create", evidence_id) in audited
        assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == sha, f"evidence {evidence_id} file"
    assert store.verify_audit()[1] is None
    return {"incidents": len(incidents), "evidence": len(evidence)}


@pytest.mark.slow
def test_kill_9_mid_write_loses_no_acknowledged_incident(store, record_property):
    add_sites(store)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(17)
    acknowledged: set[str] = set()
    for trial in range(TRIALS):
        sync = ("FULL", "NORMAL")[trial % 2]
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(store.path), sync, str(trial)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
        line = child.stdout.readline()
        assert line == b"ready\n", child.stderr.read().decode()
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        acked = {ln for ln in out.decode().split("\n")[:-1] if ln.startswith("INC-")}  # complete lines only
        acknowledged |= acked
        stored = check_store(store.path)
        with open_store(str(store.path), create=False).read() as con:
            ids = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        assert acknowledged <= ids, f"trial {trial} ({sync}): lost {sorted(acknowledged - ids)}"
    assert len(acknowledged) >= TRIALS  # the child did commit in most trials
    figures = {"trials": TRIALS, "acknowledged": len(acknowledged), "stored": stored["incidents"],
               "evidence_rows": stored["evidence"], "lost": 0, "integrity_failures": 0, "half_written": 0}
    for k, v in figures.items():
        record_property(k, v)
    print(f"\nD1 durability (sqlite, FULL/NORMAL alternating): {figures}")


def test_full_disk_gives_a_clear_error_nothing_partial_and_writes_resume(store, monkeypatch):
    """D3: SQLite max_page_count at the current size; the intake fails whole, then works once space is freed."""
    add_sites(store)
    original = SQLiteStore.connect

    def tiny(self):
        con = original(self)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    before = counts(store)
    rep = IncidentReport("staging_area", *INSIDE, "2026-03-01T09:00", "contractor", description="x" * 4500,
                         reporter_name="R")
    files = [EvidenceUpload("p.jpg", jpeg(*INSIDE))]
    monkeypatch.setattr(SQLiteStore, "connect", tiny)
    with pytest.raises(StoreError, match=r"full.*nothing was written"):
        submit_incident(store, records("ana", source="app"), rep, evidence_files=files)
    monkeypatch.setattr(SQLiteStore, "connect", original)
    assert counts(store) == before
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    res = submit_incident(store, records("ana", source="app"), rep, evidence_files=files)
    assert counts(store)["incidents"] == before["incidents"] + 1 and len(res.evidence) == 2
    check_store(store.path)


def check_pg_store(store) -> dict[str, int]:
    """The all-or-nothing invariant of every intake record on PostgreSQL; return counts."""
    with store.read() as con:
        incidents = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        reports = {r[0] for r in con.execute("SELECT incident_id FROM incident_reports")}
        evidence = con.execute("SELECT evidence_id, incident_id, sha256, stored_path FROM evidence").fetchall()
        audited = {(r[0], r[1]) for r in con.execute("SELECT action, entity_id FROM audit_log")}
    assert reports == incidents and {e[1] for e in evidence} == incidents
    for iid in incidents:
        assert ("incident.create", iid) in audited and ("incident_report.create", iid) in audited
    root = store.evidence_dir()
    for evidence_id, _, sha, rel in evidence:
        assert ("evidence.create", evidence_id) in audited
        assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == sha
    assert store.verify_audit()[1] is None
    return {"incidents": len(incidents), "evidence": len(evidence)}


@pytest.mark.slow
def test_kill_9_of_the_app_mid_write_on_postgresql_loses_nothing(pg_store, tmp_path, monkeypatch, record_property):
    """D2 (app side): the writing process dies mid-transaction; the server keeps every acknowledged commit."""
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    add_sites(pg_store)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(29)
    acknowledged: set[str] = set()
    for trial in range(TRIALS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, pg_store.url, "FULL", str(trial)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
        line = child.stdout.readline()
        assert line == b"ready\n", child.stderr.read().decode()
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        acknowledged |= {ln for ln in out.decode().split("\n")[:-1] if ln.startswith("INC-")}
        stored = check_pg_store(pg_store)
        with pg_store.read() as con:
            ids = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        assert acknowledged <= ids, f"trial {trial}: lost {sorted(acknowledged - ids)}"
    assert len(acknowledged) >= TRIALS // 2
    figures = {"trials": TRIALS, "acknowledged": len(acknowledged), "stored": stored["incidents"], "lost": 0}
    for k, v in figures.items():
        record_property(k, v)
    print(f"\nD2 durability (postgresql, app kill -9): {figures}")
