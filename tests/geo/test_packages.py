"""Evidence packages (issue 17, item 3): Harbor Area incidents, signed manifest, verifier, roles, reporter choice."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile

import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.errors import AccessDenied, GeoDataError, SchemaError
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from geo.services.packages import Selection, build_package, verify_package_file
from stagemap_cli.main import main
from tests.actors import ADMIN, PLANNER, records
from tests.conftest import canonical_frame

KEY = "ab" * 32
HARBOR = (-118.32, 33.70, -118.22, 33.80)  # San Pedro, Wilmington, Terminal Island


@pytest.fixture
def harbor(any_store, tmp_path, monkeypatch):
    """A store (each backend) with district 15 (the Harbor Area), three Harbor incidents with evidence, one elsewhere."""
    return _harbor(any_store, tmp_path, monkeypatch)


@pytest.fixture
def harbor_sqlite(store, tmp_path, monkeypatch):
    """The same on SQLite only, for what is the same on both backends (the CLI round trip, the store's files)."""
    return _harbor(store, tmp_path, monkeypatch)


def _harbor(store, tmp_path, monkeypatch):
    if store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("STAGEMAP_PACKAGE_KEY", KEY)
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(*HARBOR), shapely.box(-118.26, 34.04, -118.23, 34.07)],
                                district=[15, 14], district_name=["Harbor (synthetic)", "Downtown (synthetic)"])
    store.write_layers({schema.DISTRICTS: districts}, user="test-admin")
    clerk = records("clerk")
    for i, (lat, lon, day) in enumerate([(33.74, -118.28, 3), (33.77, -118.26, 9), (33.75, -118.27, 20),
                                         (34.05, -118.25, 9)]):
        files = [EvidenceUpload(f"clip{i}.mp4", b"\x00\x00\x00\x18ftypisom" + os.urandom(200), label=f"B7-{i}-video",
                                disposition_ref=f"DR-2603-{i}"),
                 EvidenceUpload(f"log{i}.txt", f"call log {i}\n".encode(), label=f"B7-{i}-log")]
        rep = IncidentReport("staging_area", lat, lon, f"2026-03-{day:02d}T10:00", "officer", agency="ICE",
                             supervisor_name="Sup", supervisor_badge="123", reporter_name=f"Witness {i}",
                             reporter_email=f"w{i}@example.org")
        submit_incident(store, clerk, rep, evidence_files=files)
    return store


def _build(store, actor, sel, recipient, **kw):
    """Build a package into memory; return (result, ZIP bytes)."""
    buf = io.BytesIO()
    res = build_package(store, actor, sel, recipient, buf, **kw)
    return res, buf.getvalue()


def _zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_harbor_package_verifies_and_one_changed_byte_fails(harbor, tmp_path):
    res, data = _build(harbor, records("clerk"), Selection(council_district=15, start=dt.date(2026, 3, 1),
                                                           end=dt.date(2026, 3, 31)), "us_attorney")
    assert (res.incidents, res.evidence_files) == (3, 6)
    members = _zip(data)
    manifest = json.loads(members["manifest.json"])
    assert manifest["recipient"] == "us_attorney" and not manifest["include_reporter"]
    assert {len(r["evidence"]) for r in manifest["incidents"]} == {2}
    assert all("B7-" in lab for r in manifest["incidents"] for lab in r["b7_labels"])
    custody = {e["action"] for e in manifest["custody"]}
    assert {"incident.create", "evidence.create"} <= custody
    assert "import.upsert" not in custody, "the districts import is not custody of any incident"
    assert "Witness" not in members["manifest.json"].decode()
    path = tmp_path / "pkg.zip"
    path.write_bytes(data)
    assert verify_package_file(path).ok
    # flip one byte of one evidence original inside the ZIP
    victim = next(n for n in members if n.startswith("evidence/"))
    altered = bytearray(members[victim])
    altered[-1] ^= 0x01
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, bytes(altered) if name == victim else data)
    check = verify_package_file(bad)
    assert not check.ok and any(victim in p and "altered" in p for p in check.problems)


def test_package_is_recorded_and_bound_to_the_audit_chain(harbor):
    res, _ = _build(harbor, ADMIN, Selection(bbox=HARBOR), "lapd")
    row = harbor.packages()[0]
    assert (row["package_id"], row["manifest_sha256"], row["recipient"]) == (res.package_id, res.manifest_sha256,
                                                                             "lapd")
    last = [e for e in harbor.read_audit() if e["action"] == "evidence_package.create"]
    assert last and last[-1]["entity_id"] == res.package_id
    assert harbor.verify_state().ok
    # a handed-over package stays on record
    with pytest.raises(Exception, match=r"append-only|permission denied"), harbor.write() as con:
        con.execute("DELETE FROM evidence_packages")


def test_reporter_identity_only_when_asked_and_audited(harbor):
    res, data = _build(harbor, records("clerk"), Selection(bbox=HARBOR), "district_attorney", include_reporter=True)
    manifest = json.loads(_zip(data)["manifest.json"])
    assert all(r["reporter"] and r["reporter"][0]["name"].startswith("Witness") for r in manifest["incidents"])
    events = [e for e in harbor.read_audit() if e["action"] == "reporter_contact.package"]
    assert events and events[-1]["entity_id"] == res.package_id and events[-1]["actor"] == "clerk"
    assert harbor.packages()[0]["include_reporter"] in (1, True)


def test_roles_and_bad_selections(harbor, monkeypatch):
    with pytest.raises(AccessDenied):
        _build(harbor, PLANNER, Selection(bbox=HARBOR), "lapd")
    with pytest.raises(AccessDenied):
        _build(harbor, Actor("l", "liaison", "GSD"), Selection(bbox=HARBOR), "lapd")
    with pytest.raises(SchemaError, match="Choose which incidents"):
        _build(harbor, ADMIN, Selection(), "lapd")
    with pytest.raises(SchemaError, match="not one of"):
        _build(harbor, ADMIN, Selection(bbox=HARBOR), "fbi")
    with pytest.raises(SchemaError, match="No enforcement incident"):
        _build(harbor, ADMIN, Selection(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 2)), "lapd")
    monkeypatch.delenv("STAGEMAP_PACKAGE_KEY")
    with pytest.raises(GeoDataError, match="no default key"):
        _build(harbor, ADMIN, Selection(bbox=HARBOR), "lapd")
    assert harbor.packages() == []


def test_cli_package_and_verify(harbor_sqlite, cli_accounts, tmp_path, capsys):
    harbor = harbor_sqlite
    cli_accounts("clerk", "records")
    cli_accounts("plan", "planner")
    store = str(harbor.path)
    assert main(["evidence", "package", "--store", store, "--user", "plan", "--recipient", "lapd", "--district", "15",
                 "--out", str(tmp_path)]) == 4
    assert main(["evidence", "package", "--store", store, "--user", "clerk", "--recipient", "us_attorney",
                 "--district", "15", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(tmp_path)]) == 0
    zips = list(tmp_path.glob("PKG-*.zip"))
    assert len(zips) == 1
    assert main(["evidence", "verify", str(zips[0])]) == 0
    assert "package ok" in capsys.readouterr().out
    members = _zip(zips[0].read_bytes())
    victim = next(n for n in members if n.startswith("evidence/"))
    with zipfile.ZipFile(zips[0], "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data[:-1] + bytes([data[-1] ^ 1]) if name == victim else data)
    assert main(["evidence", "verify", str(zips[0])]) == 1
    assert "altered" in capsys.readouterr().err
    assert main(["evidence", "packages", "--store", store, "--user", "clerk"]) == 0
    assert "us_attorney" in capsys.readouterr().out


def test_imported_incidents_carry_their_import_as_custody(store, monkeypatch):
    monkeypatch.setenv("STAGEMAP_PACKAGE_KEY", KEY)
    incidents = canonical_frame(schema.INCIDENTS, [shapely.Point(-118.27, 33.75)], **{
        schema.INCIDENT_ID: "IMP-1", schema.OCCURRED_AT: [pd_ts("2026-03-05T10:00:00Z")],
        schema.INCIDENT_TYPE: "staging_area", schema.VERIFICATION: "corroborated", schema.SOURCE_TYPE: "officer",
        schema.COUNCIL_DISTRICT: 15, schema.EVIDENCE_REFS: "B7-IMP-1", schema.WARRANT_SHOWN: "unknown"})
    store.write_layers({schema.INCIDENTS: incidents}, user="test-admin")
    _, data = _build(store, ADMIN, Selection(council_district=15), "attorney_general")
    manifest = json.loads(_zip(data)["manifest.json"])
    assert [e["action"] for e in manifest["custody"]] == ["import.upsert"]
    assert manifest["incidents"][0]["b7_labels"] == ["B7-IMP-1"]


def pd_ts(text: str):
    import pandas as pd

    return pd.Timestamp(text)


def test_an_altered_original_in_the_store_stops_the_package_and_nothing_is_recorded(harbor_sqlite, cli_accounts,
                                                                                     tmp_path):
    harbor = harbor_sqlite
    for _, _, rel in harbor.evidence_files():  # one changed byte at the end of every original
        victim = harbor.evidence_dir() / rel
        os.chmod(victim, 0o644)
        victim.write_bytes(victim.read_bytes()[:-1] + b"!")
    with pytest.raises(SchemaError, match="no longer matches its SHA-256"):
        _build(harbor, ADMIN, Selection(bbox=HARBOR), "lapd")
    cli_accounts("clerk", "records")
    out = tmp_path / "out"
    assert main(["evidence", "package", "--store", str(harbor.path), "--user", "clerk", "--recipient", "lapd",
                 "--bbox=" + ",".join(map(str, HARBOR)), "--out", str(out)]) == 2
    assert list(out.iterdir()) == [], "no partial ZIP is left behind"
    assert harbor.packages() == []
