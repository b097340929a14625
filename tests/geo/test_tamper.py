"""E2: one flipped byte anywhere in a stored original is detected every time (property test)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.evidence import verify_evidence
from geo.services.intake import submit_incident
from stagemap_cli.main import main
from tests.actors import ADMIN, records
from tests.geo.test_intake import jpeg


@pytest.fixture
def db(any_store, tmp_path, monkeypatch):
    """Each backend (SQLite file, PostgreSQL); a PostgreSQL store keeps evidence in a configured directory."""
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return any_store


def test_any_flipped_byte_in_any_original_is_detected(store):
    """1,000 flips on the SQLite store (file hashing is backend-independent; the CLI test runs on both)."""
    files = [EvidenceUpload("photo.jpg", jpeg(34.0505, -118.2495)), EvidenceUpload("log.txt", b"call 14:02\n" * 40),
             EvidenceUpload("one.bin", b"\x07")]
    res = submit_incident(store, records("ana"), IncidentReport("other", 34.05, -118.25, "2026-03-01T09:00", "staff"),
                          evidence_files=files)
    root = store.evidence_dir()
    stored = [(e.evidence_id, root / e.stored_path) for e in res.evidence]
    assert verify_evidence(store, ADMIN, record=False).ok
    seen = {"cases": 0}

    @settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(which=st.integers(0, len(stored) - 1), where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
    def flip(which, where, mask):
        evidence_id, path = stored[which]
        data = path.read_bytes()
        i = int(where * len(data))
        os.chmod(path, 0o644)
        path.write_bytes(data[:i] + bytes([data[i] ^ mask]) + data[i + 1:])
        try:
            report = verify_evidence(store, ADMIN, record=False)
            assert [m.evidence_id for m in report.mismatches] == [evidence_id]
        finally:
            path.write_bytes(data)
            os.chmod(path, 0o444)
        seen["cases"] += 1

    flip()
    assert seen["cases"] >= 1000
    assert verify_evidence(store, ADMIN, record=False).ok


def test_cli_names_the_tampered_original(db, capsys):
    store = db
    res = submit_incident(store, records("ana"), IncidentReport("other", 34.05, -118.25, "2026-03-01T09:00", "staff"),
                          evidence_files=[EvidenceUpload("a.bin", b"original bytes")])
    path = store.evidence_dir() / res.evidence[0].stored_path
    os.chmod(path, 0o644)
    path.write_bytes(b"Original bytes")
    assert main(["evidence", "verify", "--store", store.url]) == 1
    assert res.evidence[0].evidence_id in capsys.readouterr().err


def test_an_evidence_row_re_pointed_at_a_swapped_original_is_caught_by_audit_verify(store, cli_accounts, capsys):
    """The file matches its (altered) row, so re-hashing files passes; the row no longer matches its audit entry."""
    import hashlib
    import sqlite3

    from geo.intake.evidence import stored_relpath, write_once

    res = submit_incident(store, records("ana"), IncidentReport("other", 34.05, -118.25, "2026-03-01T09:00", "staff"),
                          evidence_files=[EvidenceUpload("a.bin", b"original bytes")])
    evidence_id = res.evidence[0].evidence_id
    swapped = b"swapped bytes"
    sha = hashlib.sha256(swapped).hexdigest()
    write_once(store.evidence_dir(), swapped, sha)
    con = sqlite3.connect(store.path)
    con.execute("DROP TRIGGER evidence_no_update")
    con.execute("UPDATE evidence SET sha256 = ?, stored_path = ?, size_bytes = ? WHERE evidence_id = ?",
                (sha, stored_relpath(sha), len(swapped), evidence_id))
    con.commit()
    con.close()
    assert main(["evidence", "verify", "--user", "records1", "--store", store.url]) == 0  # files match rows
    capsys.readouterr()
    assert main(["audit", "verify", "--user", "records1", "--store", store.url]) == 1
    err = capsys.readouterr().err
    assert f"FINDING evidence {evidence_id}: live row differs from audit entry" in err and "sha256" in err
