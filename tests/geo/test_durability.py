"""D1/C4: kill -9 during intake writes loses no acknowledged commit and leaves no half-written incident; D3 full disk.

The kill -9 trials wait on events, never on the clock: the child prints each incident id after its
commit returns, and the parent kills it once it has read N acknowledgements (N random per trial),
while the child is already inside its next write. Faults without traces: a failing evidence write
(file-size limit, full disk) leaves no temporary file and reports one line.
"""
from __future__ import annotations

import errno
import hashlib
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import StoreError
from geo.intake import evidence as evidence_module
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from geo.store import open_store
from geo.store.sqlite import SQLiteStore
from tests.actors import records
from tests.geo.test_intake import INSIDE, add_sites, counts, jpeg

TRIALS = 10
#: The parent kills the child after reading this many acknowledged commits (drawn per trial).
ACKS_BEFORE_KILL = (1, 6)
#: A guard against a hung child only; no trial's outcome depends on it.
STALL_S = 300.0
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


def acknowledged_then_kill(child: subprocess.Popen[bytes], n: int) -> set[str]:
    """Wait until the child printed ``ready`` and ``n`` incident ids, kill -9 it, return every id it acknowledged.

    Reads the pipe unbuffered as lines arrive (an event, not a delay), so a slow machine only
    makes a trial slower, never different. Only complete lines count as acknowledged.
    """
    fd = child.stdout.fileno()  # type: ignore[union-attr]
    buf, lines = b"", []
    deadline = time.monotonic() + STALL_S
    while sum(ln.startswith(b"INC-") for ln in lines) < n:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            child.kill()
            _, err = child.communicate(timeout=30)
            pytest.fail(f"child stopped after {len(lines)} lines without {n} acknowledgements: {err.decode()[-2000:]}")
        *complete, buf = (buf + chunk).split(b"\n")
        lines += complete
    assert lines[0] == b"ready"
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    complete = (buf + rest).split(b"\n")[:-1]  # a last line without its newline was not acknowledged
    return {ln.decode() for ln in [*lines, *complete] if ln.startswith(b"INC-")}


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
    state = store.verify_state()
    assert state.ok, state.problems()  # no row without its entry, no entry without its row
    return {"incidents": len(incidents), "evidence": len(evidence)}


@pytest.mark.slow
def test_kill_9_mid_write_loses_no_acknowledged_incident(store, record_property):
    add_sites(store)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(17)
    acknowledged: set[str] = set()
    kills = 0
    for trial in range(TRIALS):
        sync = ("FULL", "NORMAL")[trial % 2]
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(store.path), sync, str(trial)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
        n = rng.randint(*ACKS_BEFORE_KILL)
        acked = acknowledged_then_kill(child, n)
        assert child.returncode == -signal.SIGKILL and len(acked) >= n
        acknowledged |= acked
        kills += n
        stored = check_store(store.path)
        with open_store(str(store.path), create=False).read() as con:
            ids = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        assert acknowledged <= ids, f"trial {trial} ({sync}): lost {sorted(acknowledged - ids)}"
    assert len(acknowledged) >= kills  # every trial killed a child that had committed n times
    figures = {"trials": TRIALS, "acks_waited_for": kills, "acknowledged": len(acknowledged),
               "stored": stored["incidents"], "evidence_rows": stored["evidence"], "lost": 0, "integrity_failures": 0,
               "half_written": 0}
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
    state = store.verify_state()
    assert state.ok, state.problems()
    return {"incidents": len(incidents), "evidence": len(evidence)}


@pytest.mark.slow
def test_kill_9_of_the_app_mid_write_on_postgresql_loses_nothing(pg_store, tmp_path, monkeypatch, record_property):
    """D2 (app side): the writing process dies mid-transaction; the server keeps every acknowledged commit."""
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    add_sites(pg_store)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(29)
    acknowledged: set[str] = set()
    kills = 0
    for trial in range(TRIALS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, pg_store.url, "FULL", str(trial)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
        n = rng.randint(*ACKS_BEFORE_KILL)
        acked = acknowledged_then_kill(child, n)
        assert len(acked) >= n
        acknowledged |= acked
        kills += n
        stored = check_pg_store(pg_store)
        with pg_store.read() as con:
            ids = {r[0] for r in con.execute("SELECT incident_id FROM incidents")}
        assert acknowledged <= ids, f"trial {trial}: lost {sorted(acknowledged - ids)}"
    assert len(acknowledged) >= kills
    figures = {"trials": TRIALS, "acks_waited_for": kills, "acknowledged": len(acknowledged),
               "stored": stored["incidents"], "lost": 0}
    for k, v in figures.items():
        record_property(k, v)
    print(f"\nD2 durability (postgresql, app kill -9): {figures}")


# --- faults without traces: a failing evidence write leaves nothing behind ---------------------------
def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_full_disk_during_an_evidence_write_leaves_no_temporary_file(store, monkeypatch):
    """ENOSPC after part of the bytes: one-line StoreError, no file left, nothing saved, and the retry works."""
    add_sites(store)
    root = store.evidence_dir()
    before = counts(store)
    real_write = os.write
    written = {"bytes": 0}

    def full_disk(fd: int, data) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            return real_write(fd, data)
        if written["bytes"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written["bytes"] = real_write(fd, bytes(data[:1000]))  # part of the file reaches the disk
        return written["bytes"]

    monkeypatch.setattr(evidence_module.os, "write", full_disk)
    rep = IncidentReport("staging_area", *INSIDE, "2026-03-01T09:00", "contractor")
    with pytest.raises(StoreError) as info:
        submit_incident(store, records("ana"), rep, evidence_files=[EvidenceUpload("big.bin", os.urandom(50_000))])
    message = str(info.value)
    assert "No space left on device" in message and "the file was not stored and nothing was saved" in message
    assert "\n" not in message and written["bytes"] == 1000
    assert _leftovers(root) == [] and counts(store) == before
    monkeypatch.setattr(evidence_module.os, "write", real_write)
    res = submit_incident(store, records("ana"), rep, evidence_files=[EvidenceUpload("big.bin", os.urandom(50_000))])
    assert _leftovers(root) == [res.evidence[0].stored_path] and store.verify_state().ok


CAPPED_CLI = r"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from stagemap_cli.main import main
raise SystemExit(main(sys.argv[2:]))
"""


def test_a_file_size_limit_hit_by_the_cli_gives_one_line_and_no_trace(store, cli_accounts, tmp_path):
    """RLIMIT_FSIZE in a child `stagemap incident add`: exit 2, one line on stderr, no traceback, nothing left."""
    add_sites(store)
    photo = tmp_path / "big.bin"
    photo.write_bytes(os.urandom(3_000_000))
    root = store.evidence_dir()
    before = counts(store)
    argv = ["incident", "add", "--type", "staging_area", "--lat", str(INSIDE[0]), "--lon", str(INSIDE[1]),
            "--occurred", "2026-03-01T09:00", "--source", "contractor", "--evidence", str(photo), "--user", "ana",
            "--store", str(store.path)]
    done = subprocess.run([sys.executable, "-c", CAPPED_CLI, str(1_000_000), *argv], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=STALL_S)
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("error: Cannot store evidence file") and "File too large" in lines[0]
    assert _leftovers(root) == [] and counts(store) == before
    assert store.verify_state().ok
