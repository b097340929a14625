"""Evidence files: sniffed types, write-once content-addressed originals, re-hash verification (E1)."""
from __future__ import annotations

import hashlib
import os

import pytest

from geo.errors import StoreError
from geo.intake.evidence import EvidenceUpload, sniff_mime, write_once
from geo.intake.reports import IncidentReport
from geo.services.evidence import verify_evidence
from geo.services.intake import submit_incident
from stagemap_cli.main import main
from tests.actors import ADMIN, records


@pytest.mark.parametrize(("data", "mime"), [
    (b"\xff\xd8\xff\xe0rest", "image/jpeg"), (b"\x89PNG\r\n\x1a\nxx", "image/png"), (b"GIF89a..", "image/gif"),
    (b"%PDF-1.7\n", "application/pdf"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"\x00\x00\x00\x18ftypheic", "image/heic"), (b"\x00\x00\x00\x18ftypisom", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  ", "video/quicktime"), (b"call log 14:02\n", "text/plain"),
    (b"\x00\x01\x02\xff", "application/octet-stream"), (b"II*\x00", "image/tiff"),
])
def test_mime_is_sniffed_from_the_bytes(data, mime):
    assert sniff_mime(data) == mime


def test_write_once_stores_complete_read_only_files_and_never_rewrites(tmp_path):
    data = os.urandom(5000)
    sha = hashlib.sha256(data).hexdigest()
    path = write_once(tmp_path, data, sha)
    assert path == tmp_path / sha[:2] / sha and path.read_bytes() == data
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    ino = path.stat().st_ino
    assert write_once(tmp_path, data, sha).stat().st_ino == ino
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    os.chmod(path, 0o644)
    path.write_bytes(b"altered")
    with pytest.raises(StoreError, match="no longer matches its hash"):
        write_once(tmp_path, data, sha)


def test_evidence_root_is_next_to_the_store_or_configured(store, monkeypatch, tmp_path):
    assert store.evidence_dir() == store.path.parent / "store.gpkg.evidence"
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "worm"))
    assert store.evidence_dir() == tmp_path / "worm"


@pytest.fixture
def db(any_store, tmp_path, monkeypatch):
    """Each backend (SQLite file, PostgreSQL); a PostgreSQL store keeps evidence in a configured directory."""
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return any_store


def _stored(store, n: int = 5) -> list:
    files = [EvidenceUpload(f"f{i}.bin", os.urandom(64) + bytes([i])) for i in range(n)]
    rep = IncidentReport("other", 34.05, -118.25, "2026-03-01T09:00", "staff")
    return list(submit_incident(store, records("ana"), rep, evidence_files=files).evidence)


def test_rehash_of_100_objects_finds_no_mismatch_and_is_logged(db):
    """E1 (PR tier): 100 evidence objects hashed in their transaction; re-hash finds 0 mismatches."""
    store = db
    stored = _stored(store, 100)
    report = verify_evidence(store, records("nightly"))
    assert (report.checked, report.mismatches) == (100, ())
    assert len(stored) == 100
    last = store.read_audit()[-1]
    assert (last["action"], last["actor"]) == ("evidence.verify", "nightly")


def test_missing_file_is_reported(db):
    store = db
    stored = _stored(store)
    victim = store.evidence_dir() / stored[3].stored_path
    victim.unlink()
    report = verify_evidence(store, ADMIN)
    assert [m.evidence_id for m in report.mismatches] == [stored[3].evidence_id]
    assert "file missing" in str(report.mismatches[0])


def test_cli_evidence_verify_exit_codes(db, capsys):
    store = db
    stored = _stored(store)
    assert main(["evidence", "verify", "--store", store.url]) == 0
    assert "5 files match" in capsys.readouterr().out
    path = store.evidence_dir() / stored[0].stored_path
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    assert main(["evidence", "verify", "--store", store.url]) == 1
    err = capsys.readouterr().err
    assert f"MISMATCH evidence {stored[0].evidence_id}" in err and str(path) in err
