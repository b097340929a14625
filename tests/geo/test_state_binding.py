"""State bound to the audit chain: every tampering with a state table, the chain tail or the whole chain is found.

A world (the synthetic sample, status saves, overrides, liaisons, an intake report with a
reporter contact and evidence) is built once per backend; each case tampers with a copy of it
directly in the store, as someone with the file (SQLite) or the app role's password
(PostgreSQL) could, and :meth:`Store.verify_state` must name the change. The ten red-team
cases that passed ``stagemap audit verify`` and ``stagemap evidence verify`` before are named
``rt01``..``rt10``.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo import schema
from geo.intake.evidence import EvidenceUpload, stored_relpath, write_once
from geo.intake.reports import IncidentReport
from geo.services.admin import load_liaisons
from geo.services.evidence import verify_evidence
from geo.services.intake import submit_incident
from geo.services.status import override_tier, save_site_status
from geo.store import open_store
from geo.store.audit import entry_hash, row_digest
from geo.store.values import BOUND, canonical_row, stored_value
from geo.synthetic import generate_sample
from tests.actors import ADMIN, PLANNER, records
from tests.geo.test_intake import jpeg


@dataclass(frozen=True)
class World:
    """Ids of the rows the cases tamper with, and the chain head recorded before."""

    site: str  # saved twice: versions 1..3
    other: str  # seeded at version 1, then overridden
    incident: str  # from intake, with contact and evidence
    imported: str  # an incident from the sample (bulk layer data)
    contact: str
    evidence: str  # an original (a derived copy exists too)
    department: str  # a loaded liaison
    head: tuple[int, str]


def build_world(store, tmp_path: Path) -> World:
    """The synthetic sample plus status saves, overrides, liaisons and one intake report; verifies clean."""
    sample = generate_sample(n_parcels=200, n_incidents=40)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    store.adopt_boundary_layers(user=ADMIN.name, label="synthetic sample")  # the current boundary sets, bound
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
    site, other = str(sites[schema.SITE_ID].iloc[0]), str(sites[schema.SITE_ID].iloc[1])
    version = int(store.read_status().set_index(schema.SITE_ID).loc[site, schema.VERSION])
    for note in ("first visit", "second visit"):
        version = int(save_site_status(store, ADMIN, site, {"note": note}, expect_version=version)[schema.VERSION])
    (tmp_path / "liaisons.csv").write_text("department,liaison_name,liaison_email\n"
                                           "Test Department,Dana Liaison,dana@example.invalid\n")
    load_liaisons(store, ADMIN, tmp_path / "liaisons.csv")
    point = sites.geometry.iloc[0].representative_point()
    res = submit_incident(store, records("ana"), IncidentReport(
        "staging_area", point.y, point.x, "2026-03-01T09:00", "contractor", description="vans in the lot",
        reporter_name="Canary Reporter", reporter_email="canary@example.org"),
        evidence_files=[EvidenceUpload("p.jpg", jpeg(point.y, point.x)), EvidenceUpload("n.txt", b"notes 09:05\n")])
    override_tier(store, PLANNER, other, "high", reason="vans seen twice")
    override_tier(store, PLANNER, site, "low", reason="gate repaired")  # the last entry binds a row
    report = store.verify_state()
    assert report.ok, report.problems()
    imported = str(sample.frames[schema.INCIDENTS][schema.INCIDENT_ID].iloc[0])
    original = next(e for e in res.evidence if e.derived_from is None)
    return World(site, other, res.incident_id, imported, str(res.contact_id), original.evidence_id,
                 "Test Department", report.head)


# --- the cases -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One tampering: the table it hits, whether the PostgreSQL app role can do it, what must be reported."""

    name: str
    table: str
    run: Callable[..., list[str]]
    app_role_can: bool = True  # False: needs the file (append-only tables, chain rewrites)
    needs_head: bool = False  # consistent in itself: only a head kept outside the store reveals it
    red_team: bool = False


CASES: list[Case] = []


def case(table: str, *, app_role_can: bool = True, needs_head: bool = False) -> Callable[..., Callable[..., list[str]]]:
    def register(fn: Callable[..., list[str]]) -> Callable[..., list[str]]:
        name = fn.__name__.removeprefix("case_")
        CASES.append(Case(name, table, fn, app_role_can, needs_head, name.startswith("rt")))
        return fn
    return register


def _one(con, sql: str, params: tuple = ()) -> tuple:
    return tuple(con.execute(sql, params).fetchone())


def _drop(con, *triggers: str) -> None:
    for trigger in triggers:
        con.execute(f"DROP TRIGGER IF EXISTS {trigger}")


@case("site_status")
def case_rt01_sign_status_flipped(con, w, store):
    con.execute("UPDATE site_status SET sign_status = 'posted' WHERE site_id = ?", (w.site,))
    return [f"site_status {w.site}: live row differs from its history version 3 (sign_status)"]


@case("site_status", app_role_can=False)
def case_rt02_sign_status_and_history_flipped(con, w, store):
    con.execute("UPDATE site_status SET sign_status = 'posted' WHERE site_id = ?", (w.site,))
    con.execute("UPDATE status_history SET sign_status = 'posted' WHERE site_id = ? AND version = 3", (w.site,))
    return [f"status_history {w.site} version 3: differs from audit entry",
            f"site_status {w.site}: live row differs from its latest audit entry"]


@case("status_history", app_role_can=False)
def case_rt03_history_deleted(con, w, store):
    con.execute("DELETE FROM status_history WHERE site_id = ?", (w.site,))
    return [f"site_status {w.site}: no status_history row at all", f"status_history {w.site} version 1: row deleted",
            f"status_history {w.site} version 3: row deleted"]


@case("incidents")
def case_rt04_incident_time_and_type_changed(con, w, store):
    con.execute("UPDATE incidents SET occurred_at = ?, incident_type = 'other' WHERE incident_id = ?",
                ("2026-02-20T08:00:00+00:00", w.incident))
    return [f"incidents {w.incident}: live row differs from audit entry", "incident_type", "occurred_at"]


@case("reporter_contacts")
def case_rt05_reporter_contact_changed(con, w, store):
    con.execute("UPDATE reporter_contacts SET email = 'someone-else@example.org' WHERE contact_id = ?", (w.contact,))
    return [f"reporter_contacts {w.contact}: live row differs from audit entry"]


@case("risk_overrides")
def case_rt06_override_inserted(con, w, store):
    con.execute("INSERT INTO risk_overrides (site_id, tier, reason, set_by, set_at) VALUES (?, 'low', 'x', 'pat', ?)",
                (w.other, "2026-03-02T00:00:00+00:00"))
    (row_id,) = _one(con, "SELECT MAX(id) FROM risk_overrides")
    return [f"risk_overrides id {row_id} ({w.other}): no audit entry created this row"]


@case("evidence", app_role_can=False)
def case_rt07_evidence_repointed_to_swapped_original(con, w, store):
    swapped = b"a different photo, stored by hand"
    sha = hashlib.sha256(swapped).hexdigest()
    write_once(store.evidence_dir(), swapped, sha)  # the file matches its new row: evidence verify passes
    _drop(con, "evidence_no_update")
    con.execute("UPDATE evidence SET sha256 = ?, stored_path = ?, size_bytes = ? WHERE evidence_id = ?",
                (sha, stored_relpath(sha), len(swapped), w.evidence))
    return [f"evidence {w.evidence}: live row differs from audit entry", "sha256", "size_bytes"]


@case("evidence", app_role_can=False)
def case_rt08_evidence_row_deleted(con, w, store):
    _drop(con, "evidence_no_delete")
    con.execute("DELETE FROM evidence WHERE evidence_id = ?", (w.evidence,))
    return [f"evidence {w.evidence}: row deleted (audit entry"]


@case("audit_log", app_role_can=False)
def case_rt09_last_audit_row_deleted(con, w, store):
    _drop(con, "audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq = ?", (w.head[0],))
    return [f"({w.site}): no audit entry created this row", "entries were removed from the end"]


@case("audit_log", app_role_can=False, needs_head=True)
def case_rt10_entry_edited_and_chain_recomputed(con, w, store):
    """Flip a status consistently (live, history, the entry's row hash) and re-hash the chain from there."""
    con.execute("UPDATE site_status SET sign_status = 'posted' WHERE site_id = ?", (w.site,))
    con.execute("UPDATE status_history SET sign_status = 'posted' WHERE site_id = ? AND version = 3", (w.site,))
    bound = BOUND["site_status"]
    row = canonical_row(bound, _one(con, f"{bound.select()} WHERE site_id = ?", (w.site,)))
    digest = row_digest(row)
    (seq,) = _one(con, "SELECT MAX(seq) FROM audit_log WHERE action = 'status.update' AND entity_id = ?", (w.site,))
    _drop(con, "audit_log_no_update")
    con.execute("UPDATE audit_log SET row_hash = ?, new = ? WHERE seq = ?",
                (digest, '{"note":"second visit","sign_status":"posted","version":3}', seq))
    recompute_chain(con, seq)
    return ["differs from the chain head recorded outside the store"]


def recompute_chain(con, start: int) -> None:
    """Re-hash every entry from ``start`` on, as an attacker with the file would."""
    cur = con.execute("SELECT * FROM audit_log ORDER BY seq")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    prev = None
    for e in rows:
        if e["seq"] >= start:
            e["prev_hash"] = prev if prev is not None else e["prev_hash"]
            e["entry_hash"] = entry_hash(e["prev_hash"], e)
            con.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE seq = ?",
                        (e["prev_hash"], e["entry_hash"], e["seq"]))
        prev = e["entry_hash"]


# more flips, inserts, deletes and re-points, table by table
@case("site_status")
def case_status_row_deleted(con, w, store):
    con.execute("DELETE FROM site_status WHERE site_id = ?", (w.other,))
    return [f"site_status {w.other}: row deleted (latest audit entry"]


@case("site_status")
def case_status_row_inserted(con, w, store):
    con.execute("INSERT INTO site_status (site_id, sign_status, gate_status, version, updated_by, updated_at) "
                "VALUES ('FAKE-SITE', 'posted', 'closed_locked', 1, 'mallory', '2026-03-01')")
    return ["site_status FAKE-SITE: no status_history row at all", "site_status FAKE-SITE: no audit entry created"]


@case("site_status")
def case_status_version_bumped(con, w, store):
    con.execute("UPDATE site_status SET version = 4, gate_status = 'closed_locked' WHERE site_id = ?", (w.site,))
    return [f"site_status {w.site}: live row is at version 4 but its history ends at version 3"]


@case("status_history", app_role_can=False)
def case_history_version_flipped(con, w, store):
    con.execute("UPDATE status_history SET note = 'nothing seen' WHERE site_id = ? AND version = 2", (w.site,))
    return [f"status_history {w.site} version 2: differs from audit entry"]


@case("status_history", app_role_can=False)
def case_history_version_inserted(con, w, store):
    con.execute("INSERT INTO status_history (site_id, version, sign_status, gate_status, note, updated_by, updated_at) "
                "VALUES (?, 4, 'posted', 'closed_locked', 'forged', 'mallory', '2026-03-03')", (w.site,))
    return [f"status_history {w.site} version 4: no audit entry records this version",
            f"site_status {w.site}: live row is at version 3 but its history ends at version 4"]


@case("status_history", app_role_can=False)
def case_history_middle_version_deleted(con, w, store):
    con.execute("DELETE FROM status_history WHERE site_id = ? AND version = 2", (w.site,))
    return [f"status_history {w.site} version 2: row deleted (audit entry"]


@case("risk_overrides")
def case_override_tier_flipped(con, w, store):
    con.execute("UPDATE risk_overrides SET tier = 'low' WHERE site_id = ?", (w.other,))
    return [f"({w.other}): differs from audit entry", "tier"]


@case("risk_overrides")
def case_override_deleted(con, w, store):
    con.execute("DELETE FROM risk_overrides WHERE site_id = ?", (w.other,))
    return [f"risk_overrides {w.other}: the row of audit entry"]


@case("risk_overrides")
def case_override_repointed(con, w, store):
    con.execute("UPDATE risk_overrides SET site_id = ? WHERE site_id = ?", (w.incident, w.other))
    return [f"risk_overrides {w.other}: the row of audit entry", f"({w.incident}): no audit entry created this row"]


@case("incidents")
def case_incident_deleted(con, w, store):
    con.execute("DELETE FROM incidents WHERE incident_id = ?", (w.incident,))
    return [f"incidents {w.incident}: row deleted (audit entry"]


@case("incidents")
def case_incident_moved(con, w, store):
    sql, value = store._point_param(-118.3, 34.1)
    con.execute(f"UPDATE incidents SET geom = {sql} WHERE incident_id = ?", (value, w.incident))
    return [f"incidents {w.incident}: live row differs from audit entry", "lat, lon"]


@case("incidents")
def case_incident_inserted(con, w, store):
    sql, value = store._point_param(-118.25, 34.05)
    con.execute("INSERT INTO incidents (incident_id, occurred_at, incident_type, verification_status, source_type, "
                "warrant_shown, is_synthetic, source, relevance, geom) VALUES ('INC-FORGED', '2026-03-01T10:00:00+00:00', "
                f"'arrest', 'unverified', 'public', 'no', ?, 'incident intake (app)', 'enforcement', {sql})", (True, value))
    return ["incidents INC-FORGED: no audit entry created this row"]


@case("incidents")
def case_incident_relevance_downgraded(con, w, store):
    """Turning a B.8 report into context would drop it from the monthly count."""
    con.execute("UPDATE incidents SET relevance = 'general_crime' WHERE incident_id = ?", (w.incident,))
    return [f"incidents {w.incident}: live row differs from audit entry", "relevance"]


@case("boundary_sets")
def case_current_boundary_set_flipped(con, w, store):
    con.execute("UPDATE boundary_sets SET is_current = 0")
    return ["boundary_sets", "live row differs from audit entry", "is_current"]


@case("incident_reports")
def case_report_routing_changed(con, w, store):
    con.execute("UPDATE incident_reports SET routed_to = 'nobody', status = 'closed' WHERE incident_id = ?",
                (w.incident,))
    return [f"incident_reports {w.incident}: live row differs from audit entry", "routed_to", "status"]


@case("incident_reports")
def case_report_deleted(con, w, store):
    con.execute("DELETE FROM incident_reports WHERE incident_id = ?", (w.incident,))
    return [f"incident_reports {w.incident}: row deleted (audit entry"]


@case("incident_reports")
def case_report_inserted(con, w, store):
    con.execute("INSERT INTO incident_reports (incident_id, report_kind, created_by, created_at) "
                "VALUES (?, 'public', 'mallory', '2026-03-01')", (w.imported,))
    return [f"incident_reports {w.imported}: no audit entry created this row"]


@case("incident_reports")
def case_report_repointed(con, w, store):
    con.execute("UPDATE incident_reports SET incident_id = ? WHERE incident_id = ?", (w.imported, w.incident))
    return [f"incident_reports {w.incident}: row deleted", f"incident_reports {w.imported}: no audit entry"]


@case("reporter_contacts")
def case_contact_deleted(con, w, store):
    con.execute("DELETE FROM reporter_contacts WHERE contact_id = ?", (w.contact,))
    return [f"reporter_contacts {w.contact}: row deleted (audit entry"]


@case("reporter_contacts")
def case_contact_inserted(con, w, store):
    con.execute("INSERT INTO reporter_contacts (contact_id, incident_id, email, created_at) "
                "VALUES ('RC-FORGED', ?, 'planted@example.org', '2026-03-01')", (w.incident,))
    return ["reporter_contacts RC-FORGED: no audit entry created this row"]


@case("reporter_contacts")
def case_contact_repointed(con, w, store):
    con.execute("UPDATE reporter_contacts SET incident_id = ? WHERE contact_id = ?", (w.imported, w.contact))
    return [f"reporter_contacts {w.contact}: live row differs from audit entry", "incident_id"]


@case("evidence", app_role_can=False)
def case_evidence_label_changed(con, w, store):
    _drop(con, "evidence_no_update")
    con.execute("UPDATE evidence SET label = 'EV-OTHER' WHERE evidence_id = ?", (w.evidence,))
    return [f"evidence {w.evidence}: live row differs from audit entry", "label"]


@case("evidence", app_role_can=False)
def case_evidence_inserted(con, w, store):
    columns = ", ".join(BOUND["evidence"].columns)
    con.execute(f"INSERT INTO evidence ({columns}) SELECT 'EV-FORGED', {columns.split(', ', 1)[1]} FROM evidence "
                "WHERE evidence_id = ?", (w.evidence,))
    return ["evidence EV-FORGED: no audit entry created this row"]


@case("department_liaisons")
def case_liaison_email_changed(con, w, store):
    con.execute("UPDATE department_liaisons SET liaison_email = 'attacker@example.org' WHERE department = ?",
                (w.department,))
    return [f"department_liaisons {w.department}: live row differs from audit entry", "liaison_email"]


@case("department_liaisons")
def case_liaison_deleted(con, w, store):
    con.execute("DELETE FROM department_liaisons WHERE department = ?", (w.department,))
    return [f"department_liaisons {w.department}: row deleted (audit entry"]


@case("department_liaisons")
def case_liaison_inserted(con, w, store):
    con.execute("INSERT INTO department_liaisons (department, liaison_name, liaison_email, is_synthetic, source, "
                "updated_at) VALUES ('Forged Dept', 'M', 'm@example.org', 0, 'x', '2026-03-01')")
    return ["department_liaisons Forged Dept: no audit entry created this row"]


@case("bulk layers")
def case_parcel_moved(con, w, store):
    (ain,) = _one(con, "SELECT ain FROM parcels ORDER BY ain LIMIT 1")
    (other,) = _one(con, "SELECT geom FROM parcels WHERE ain <> ? ORDER BY ain LIMIT 1", (ain,))
    con.execute("UPDATE parcels SET geom = ? WHERE ain = ?", (other, ain))
    return ["parcels: live layer (596 rows) differs from the keys and geometry written by the replace import"]


@case("bulk layers")
def case_site_deleted(con, w, store):
    con.execute("DELETE FROM sites WHERE site_id = ?", (w.other,))
    return ["sites: live layer (359 rows) differs"]


@case("audit_log", app_role_can=False)
def case_audit_tail_truncated(con, w, store):
    _drop(con, "audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq > ?", (w.head[0] - 3,))
    return ["no audit entry created this row", "entries were removed from the end"]


@case("audit_log", app_role_can=False)
def case_audit_entry_edited(con, w, store):
    _drop(con, "audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
    return ["audit entry 5: content does not match its hash"]


def _sqlite_copy(world_path: Path, dest: Path):
    src, dst = sqlite3.connect(world_path), sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    return open_store(str(dest), create=False)


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory):
    """The world on SQLite, built once; each case works on a copy (evidence files are shared)."""
    root = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STAGEMAP_EVIDENCE_DIR", str(root / "evidence"))
        store = open_store(str(root / "world.gpkg"))
        world = build_world(store, root)
    return root, world


def _problems(report) -> str:
    return "\n".join(report.problems())


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_tampering_is_detected_on_sqlite(c, sqlite_world, tmp_path, monkeypatch):
    root, w = sqlite_world
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(root / "evidence"))
    store = _sqlite_copy(root / "world.gpkg", tmp_path / "case.gpkg")
    con = sqlite3.connect(store.path)
    expected = c.run(con, w, store)
    con.commit()
    con.close()
    anchored = store.verify_state(head=w.head)
    assert not anchored.ok
    for text in expected:
        assert text in _problems(anchored), f"{c.name}: {text!r} not in\n{_problems(anchored)}"
    plain = store.verify_state()
    assert plain.ok is c.needs_head
    if not c.needs_head:
        assert expected[0] in _problems(plain)
    if c.red_team and c.name not in ("rt09_last_audit_row_deleted", "rt10_entry_edited_and_chain_recomputed"):
        # what passed before: the chain walk alone and the evidence re-hash
        assert store.verify_audit()[1] is None
        assert verify_evidence(store, ADMIN, record=False).ok


@pytest.fixture
def pg_world(pg_store, tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return pg_store, build_world(pg_store, tmp_path)


PG_CASES = [c for c in CASES if c.app_role_can]


@pytest.mark.parametrize("c", PG_CASES, ids=[c.name for c in PG_CASES])
def test_tampering_by_the_app_role_is_detected_on_postgresql(c, pg_world):
    store, w = pg_world
    with store.write() as con:  # the least-privilege app role
        expected = c.run(con, w, store)
    report = store.verify_state(head=w.head)
    for text in expected:
        assert text in _problems(report), f"{c.name}: {text!r} not in\n{_problems(report)}"


@pytest.mark.parametrize("sql", [
    "UPDATE status_history SET sign_status = 'posted'", "DELETE FROM status_history",
    "UPDATE evidence SET sha256 = repeat('0', 64)", "DELETE FROM evidence",
    "UPDATE audit_log SET row_hash = NULL", "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"])
def test_the_postgresql_app_role_cannot_touch_history_evidence_or_the_chain(pg_world, sql):
    store, w = pg_world
    with pytest.raises(Exception, match=r"append-only|write-once|permission denied"), store.write() as con:
        con.execute(sql)
    assert store.verify_state(head=w.head).ok


def test_an_untampered_world_verifies_clean_on_both_backends(any_store, tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    w = build_world(any_store, tmp_path)
    report = any_store.verify_state(head=w.head)
    assert report.ok and report.unverified == ()
    assert report.entries == w.head[0] and report.head == w.head
    for table in ("site_status", "status_history", "risk_overrides", "incidents", "incident_reports",
                  "reporter_contacts", "evidence", "department_liaisons", "parcels layer", "sites layer"):
        assert report.checked[table] > 0, table
    assert report.checked["status_history"] == report.checked["site_status"] + 2


def test_audited_bulk_changes_are_not_findings(store, tmp_path, monkeypatch):
    """Deleting a site through an import (status carried over), upserting and deleting layer rows stay clean."""
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    w = build_world(store, tmp_path)
    sites = store.read_layer(schema.SITES)
    moved = sites[sites[schema.SITE_ID] == w.other].copy()
    moved[schema.SITE_ID] = "NEW-SITE-1"
    store.write_layers({schema.SITES: moved}, delete={schema.SITES: [w.other]})
    store.delete_rows(schema.INCIDENTS, [w.imported])
    report = store.verify_state()
    assert report.ok, report.problems()
    assert any("sites: last changed by audit entry" in n for n in report.unverified)
    status = store.read_status().set_index(schema.SITE_ID)
    assert w.other not in status.index and "NEW-SITE-1" in status.index
    actions = [(e["action"], e["entity_id"]) for e in store.read_audit()]
    assert actions[-4:] == [("status.delete", w.other), ("status.seed", "NEW-SITE-1"), ("import.upsert", None),
                            ("layer.delete", None)]


def test_every_finding_is_reported_not_just_the_first(sqlite_world, tmp_path, monkeypatch):
    root, w = sqlite_world
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(root / "evidence"))
    store = _sqlite_copy(root / "world.gpkg", tmp_path / "many.gpkg")
    con = sqlite3.connect(store.path)
    for c in [c for c in CASES if c.name in ("rt01_sign_status_flipped", "rt05_reporter_contact_changed",
                                             "rt06_override_inserted", "liaison_deleted", "rt08_evidence_row_deleted")]:
        c.run(con, w, store)
    con.commit()
    con.close()
    assert len(store.verify_state().findings) >= 5


def test_seeded_status_rows_each_have_an_entry_with_their_hash(store):
    sample = generate_sample(n_parcels=200, n_incidents=40)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    seeds = [e for e in store.read_audit() if e["action"] == "status.seed"]
    assert len(seeds) == len(store.read_status()) and all(e["row_hash"] for e in seeds)
    last = store.read_audit()[-1]
    assert last["action"] == "import.replace" and '"digests"' in last["new"]


@pytest.mark.parametrize(("sqlite_value", "pg_value", "kind"), [
    (1, True, "bool"), (0, False, "bool"),
    ("2026-03-01T17:00:00+00:00", dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC), "datetime"),
    ("2026-03-01T09:00:00-08:00", dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC), "datetime"),
    ("2026-03-01", dt.date(2026, 3, 1), "date"), (3, decimal.Decimal("3"), "int"), (2.5, decimal.Decimal("2.5"), None),
    (3, 3.0, "int"), (None, float("nan"), "float"), (1, True, None),
])
def test_values_read_back_from_either_backend_hash_the_same(sqlite_value, pg_value, kind):
    assert stored_value(sqlite_value, kind) == stored_value(pg_value, kind)
    assert type(stored_value(sqlite_value, kind)) is type(stored_value(pg_value, kind))


def test_the_red_team_list_is_covered_and_counted(record_property):
    """The ten red-team cases are named cases; print the tampering figures per table."""
    assert [c.name[:4] for c in CASES if c.red_team] == [f"rt{i:02d}" for i in range(1, 11)]
    per_table: dict[str, int] = {}
    for c in CASES:
        per_table[c.table] = per_table.get(c.table, 0) + 1
    record_property("cases_per_table", per_table)
    print(f"\nstate-binding tamperings (each detected by test_tampering_is_detected_on_sqlite): {len(CASES)} "
          f"on SQLite, {len(PG_CASES)} by the app role on PostgreSQL; per table {per_table}")
