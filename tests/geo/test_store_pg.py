"""PostgreSQL/PostGIS store: least privilege (E3), concurrency (C1, C3), migrations, PostGIS types.

Runs on a throwaway cluster (tests/pgcluster.py); skipped locally without PostGIS, failing
under CI=true. Behaviour shared with SQLite is tested on both backends through ``any_store``
in test_store.py and test_status.py; this file holds what only PostgreSQL has.
"""
from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely

from geo import schema
from geo.errors import GeoDataError, StoreError
from geo.store import open_store
from geo.store.migrations.runner import head_revision
from geo.store.status import StatusConflict
from stagemap_cli.main import main
from tests.conftest import canonical_frame

pytestmark = pytest.mark.usefixtures("pg_cluster")


def _sites(n: int = 2):
    return canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * n,
                           site_id=[f"SYN-{i + 1}" for i in range(n)], owning_dept="Transportation (LADOT)",
                           area_sqft=100.0, site_origin="asset_list")


@pytest.fixture
def pg_sited(pg_store):
    pg_store.write_layers({schema.SITES: _sites(5)})
    pg_store.log_event(actor="ana", role="planner", action="export.csv", entity="sites")
    return pg_store


# --- E3: the application role cannot rewrite history -----------------------------------------
@pytest.mark.parametrize("table", ["audit_log", "status_history", "evidence"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET source = 'x'", "DELETE FROM {t}", "TRUNCATE {t}"])
def test_app_role_cannot_update_delete_or_truncate_append_only_tables(pg_sited, table, statement):
    with psycopg.connect(pg_sited.url, autocommit=True) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            con.execute(statement.format(t=table))
        assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] >= (table != "evidence")


@pytest.mark.parametrize("statement", [
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
    "DROP TABLE audit_log",
    "CREATE TABLE mine (x int)",
    "INSERT INTO alembic_version VALUES ('9999')",
    "LOCK TABLE audit_log IN EXCLUSIVE MODE",
])
def test_app_role_owns_nothing_and_cannot_change_the_schema(pg_sited, statement):
    with psycopg.connect(pg_sited.url) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(statement)


def test_even_the_owner_hits_the_append_only_triggers(pg_cluster, pg_sited, pg_database):
    with psycopg.connect(pg_cluster.owner_url(pg_database), autocommit=True) as con:
        for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                    "DELETE FROM status_history"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                con.execute(sql)


def test_an_entry_that_does_not_extend_the_chain_is_refused(pg_sited):
    last = pg_sited.read_audit()[-1]
    with psycopg.connect(pg_sited.url) as con, pytest.raises(psycopg.errors.IntegrityConstraintViolation,
                                                               match="must not fork"):
        con.execute(
            "INSERT INTO audit_log VALUES (%s, 'now', 'mallory', 'admin', 'x', 'x', NULL, NULL, NULL, 'cli', %s, %s)",
            (last["seq"] + 1, "f" * 64, "e" * 64))


def test_tampering_by_a_superuser_is_caught_by_audit_verify(pg_cluster, pg_sited, pg_database, capsys):
    pg_sited.log_event(actor="bo", role="planner", action="export.csv", entity="sites")
    assert main(["audit", "head", "--store", pg_sited.url]) == 0
    head = capsys.readouterr().out.strip()
    pg_cluster.admin_sql(pg_database, [
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
    ])
    assert main(["audit", "verify", "--store", pg_sited.url]) == 1
    assert "audit entry 2: content does not match its hash" in capsys.readouterr().err
    pg_cluster.admin_sql(pg_database, ["DELETE FROM audit_log WHERE seq >= 2"])
    # the chain is consistent in itself, but the state check finds the seeded rows those entries covered
    assert main(["audit", "verify", "--store", pg_sited.url]) == 1
    assert main(["audit", "verify", "--head", head, "--store", pg_sited.url]) == 1
    assert "entries were removed from the end" in capsys.readouterr().err


# --- R5 / C1 / C3: versioned saves and the audit chain under concurrency -----------------------
def test_stale_save_is_rejected_and_conflict_names_the_newer_edit(pg_sited):
    pg_sited.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    with pytest.raises(StatusConflict, match="version 2 by ana") as info:
        pg_sited.save_status("SYN-1", {"gate_status": "open"}, expect_version=1, user="bo")
    assert info.value.current["version"] == 2
    assert pg_sited.read_status().set_index("site_id").loc["SYN-1", "gate_status"] == "unknown"


def test_concurrent_writers_lose_nothing_and_never_fork_the_audit_chain(pg_sited):
    """10 threads x 20 edits on 3 hot sites, plus export events: acks == history == audit entries."""
    n_threads, n_edits = 10, 20
    acks: list[tuple[str, int]] = []
    conflicts: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(n_threads)

    def worker(w: int) -> None:
        store = open_store(pg_sited.url)
        start.wait()
        for i in range(n_edits):
            site = f"SYN-{(w + i) % 3 + 1}"
            try:
                if i % 5 == 4:
                    store.log_event(actor=f"u{w}", role="planner", action="export.csv", entity="sites")
                    continue
                version = int(store.read_status().set_index("site_id").loc[site, "version"])
                new = store.save_status(site, {"note": f"w{w} e{i}"}, expect_version=version, user=f"u{w}")
                with lock:
                    acks.append((site, int(new["version"])))
            except StatusConflict:
                with lock:
                    conflicts.append(w)
            except BaseException as exc:
                with lock:
                    errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    print(f"PostgreSQL concurrency: {n_threads} writers x {n_edits} actions, {len(acks)} saves acknowledged, "
          f"{len(conflicts)} stale saves refused, {len(errors)} errors")
    assert not errors, errors[:3]
    assert len(acks) + len(conflicts) == n_threads * n_edits * 4 // 5
    assert len(set(acks)) == len(acks)  # no two saves acknowledged the same version of a site
    status = pg_sited.read_status().set_index("site_id")
    for site in ("SYN-1", "SYN-2", "SYN-3"):
        assert status.loc[site, "version"] == 1 + sum(s == site for s, _ in acks)
        assert len(pg_sited.status_history(site)) == status.loc[site, "version"]
    audit = pg_sited.read_audit()
    assert [e["seq"] for e in audit] == list(range(1, len(audit) + 1))
    assert sum(e["action"] == "status.update" for e in audit) == len(acks)
    assert sum(e["action"] == "export.csv" for e in audit) == 1 + n_threads * (n_edits // 5)
    assert pg_sited.verify_audit() == (len(audit), None)


def test_stale_versions_are_rejected_in_every_generated_interleaving(pg_sited):
    """C3 on PostgreSQL: a save based on any version but the current one is refused (hypothesis)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    current = {"SYN-4": 1}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(lag=st.integers(0, 3), note=st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20))
    def check(lag, note):
        based = max(1, current["SYN-4"] - lag)
        try:
            new = pg_sited.save_status("SYN-4", {"note": note}, expect_version=based, user="hyp")
        except StatusConflict as exc:
            assert based != current["SYN-4"] and exc.current["version"] == current["SYN-4"]
        else:
            assert based == current["SYN-4"] and new["version"] == based + 1
            current["SYN-4"] = new["version"]

    check()
    assert pg_sited.verify_audit()[1] is None


def test_nul_characters_are_refused_with_a_clear_error_and_nothing_written(pg_sited):
    with pytest.raises(GeoDataError, match=r"control characters \['U\+0000'\]"):
        pg_sited.save_status("SYN-1", {"note": "a\x00b"}, expect_version=1, user="ana")
    assert pg_sited.read_status().set_index("site_id").loc["SYN-1", "version"] == 1


# --- migrations and roles --------------------------------------------------------------------
def test_app_role_cannot_create_the_schema_and_says_to_run_migrate_as_owner(pg_cluster):
    db = pg_cluster.new_database(migrated=False)
    try:
        with pytest.raises(StoreError, match="No StageMap schema"):
            open_store(pg_cluster.app_url(db), create=False)
        with pytest.raises(StoreError, match="stagemap migrate --store postgresql://OWNER"):
            open_store(pg_cluster.app_url(db))
        assert main(["migrate", "--store", pg_cluster.owner_url(db)]) == 0
        store = open_store(pg_cluster.app_url(db))
        assert store.schema_revision() == head_revision()
        store.write_layers({schema.SITES: _sites()})
        assert store.counts()[schema.SITE_STATUS] == 2
    finally:
        pg_cluster.drop_database(db)


def test_many_processes_migrating_a_new_database_at_once_all_succeed(pg_cluster):
    db = pg_cluster.new_database(migrated=False)
    try:
        code = (f"from geo.store import open_store; s = open_store({pg_cluster.owner_url(db)!r}); "
                "print(s.schema_revision())")
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, [o[1].decode()[-400:] for o in outs]
        assert {o[0].decode().strip() for o in outs} == {head_revision()}
    finally:
        pg_cluster.drop_database(db)


def test_info_and_errors_never_show_the_password(pg_store):
    info = pg_store.info()
    assert info.backend == "postgresql" and ":***@" in info.url
    assert pg_store.url.split(":")[2].split("@")[0] not in info.url


# --- PostGIS storage and identical round trips --------------------------------------------------
def test_geometry_is_postgis_4326_with_a_gist_index(pg_store, three_districts):
    pg_store.write_layers({schema.DISTRICTS: three_districts})
    with pg_store.read() as con:
        srid, kind = con.execute("SELECT DISTINCT ST_SRID(geom), GeometryType(geom) FROM districts").fetchone()
        indexes = {r[0] for r in con.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'parcels'")}
    assert (srid, kind) == (4326, "MULTIPOLYGON")
    assert any("USING gist (geom)" in i for i in indexes)


def _awkward_parcels(n: int = 3000):
    rng = np.random.default_rng(7)
    x = -118.5 + rng.random(n) * 0.5
    y = 33.9 + rng.random(n) * 0.3
    geoms = list(shapely.box(x, y, x + 0.0005, y + 0.0004))
    geoms[1] = shapely.MultiPolygon([shapely.box(-118.3, 34.0, -118.29, 34.01),
                                     shapely.box(-118.28, 34.0, -118.27, 34.01)])
    texts = ["plain", "", None, "tab\there", "new\nline", "back\\slash", "quote\"'", "ünïcödé 中文", "\\N", "a,b"]
    frame = canonical_frame(
        schema.PARCELS, geoms, ain=[f"{i:010d}" for i in range(n)],
        situs_address=[texts[i % len(texts)] for i in range(n)],
        land_value=[None if i % 7 == 0 else float(i) * 1.1 for i in range(n)],
        year_built=[None if i % 5 == 0 else 1900 + i % 120 for i in range(n)],
        lot_sqft=(rng.random(n) * 1e4).tolist(), centroid_x_ft=(6.4e6 + rng.random(n)).tolist(),
        centroid_y_ft=(1.8e6 + rng.random(n)).tolist(),
        merged_count=1, fetched_at="2026-02-10T00:00:00+00:00",
    )
    return frame


def test_bulk_write_round_trips_identically_on_both_backends(pg_store, store):
    parcels = _awkward_parcels()
    dup = parcels.iloc[[5]].assign(situs_address="second copy wins")
    frame = pd.concat([parcels, dup], ignore_index=True).set_crs("EPSG:4326", allow_override=True)
    results = [s.write_layers({schema.PARCELS: frame})[schema.PARCELS] for s in (store, pg_store)]
    assert results[0] == results[1]
    lite, pg = store.read_layer(schema.PARCELS), pg_store.read_layer(schema.PARCELS)
    pd.testing.assert_frame_equal(pd.DataFrame(lite.drop(columns="geometry")),
                                  pd.DataFrame(pg.drop(columns="geometry")))
    assert shapely.equals(lite.geometry.values, pg.geometry.values).all()
    assert pg.loc[5, schema.SITUS_ADDRESS] == "second copy wins"
    again = [s.write_layers({schema.PARCELS: parcels.iloc[:10]})[schema.PARCELS] for s in (store, pg_store)]
    assert again[0] == again[1] and again[0].updated == 10
    assert store.counts() == pg_store.counts()
    assert store.delete_rows(schema.PARCELS, ["0000000001", "0000000002", "nope"]) == \
        pg_store.delete_rows(schema.PARCELS, ["0000000001", "0000000002", "nope"]) == 2
