"""The CLI acts as a named account: role and department come from the accounts file; refusals change nothing."""
from __future__ import annotations

import getpass
import hashlib
import sqlite3

import pytest
import shapely

from geo import schema
from geo.store import open_store
from stagemap_cli.main import main
from tests.conftest import canonical_frame

LADOT, RAP = "Transportation (LADOT)", "Recreation and Parks (RAP)"
EXIT_DENIED = 4


def fingerprint(store) -> str:
    """SHA-256 over every row of every table: equal fingerprints mean nothing changed."""
    digest = hashlib.sha256()
    con = sqlite3.connect(store.url)
    try:
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    finally:
        con.close()
    return digest.hexdigest()


@pytest.fixture
def real(tmp_path):
    """A store of real (non-synthetic) data: one LADOT site and one RAP site, with districts."""
    store = open_store(str(tmp_path / "real.gpkg"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051),
                                           shapely.box(-118.24, 34.05, -118.239, 34.051)],
                            site_id=["LADOT-1", "RAP-1"], owning_dept=[LADOT, RAP], area_sqft=100.0,
                            site_origin="asset_list", is_synthetic=False)
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(-118.26, 34.04, -118.23, 34.06)], district=[14],
                                is_synthetic=False)
    store.write_layers({schema.SITES: sites, schema.DISTRICTS: districts})
    return store


@pytest.fixture
def accounts(cli_accounts):
    cli_accounts("ana", "liaison", LADOT)
    cli_accounts("pat", "planner")
    cli_accounts("cd14", "council_office", district=14)
    cli_accounts("desk", "records")
    return cli_accounts


def refused(argv: list[str], store, capsys) -> str:
    before = fingerprint(store)
    code = main([*argv, "--store", store.url])
    err = capsys.readouterr().err
    assert code == EXIT_DENIED, err
    assert err.startswith("denied: ") and "Nothing was changed." in err
    assert fingerprint(store) == before
    return err


def test_status_set_on_another_departments_site_is_refused(real, accounts, capsys):
    err = refused(["status", "set", "RAP-1", "--sign", "posted", "--expect-version", "1", "--user", "ana"], real,
                  capsys)
    assert "ana is the liaison for Transportation (LADOT)" in err and RAP in err


def test_status_set_takes_role_from_the_account_not_a_flag(real, accounts, capsys):
    with pytest.raises(SystemExit):  # --role is gone: a flag can no longer claim a role
        main(["status", "set", "RAP-1", "--sign", "posted", "--expect-version", "1", "--user", "ana",
              "--role", "admin", "--store", real.url])
    capsys.readouterr()
    refused(["status", "set", "RAP-1", "--sign", "posted", "--expect-version", "1", "--user", "cd14"], real, capsys)


def test_status_import_naming_another_departments_site_is_refused_whole(real, accounts, tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("site_id,version,sign\nLADOT-1,1,posted\nRAP-1,1,posted\n")
    err = refused(["status", "import", str(sheet), "--user", "ana"], real, capsys)
    assert "row 3 (RAP-1, Recreation and Parks (RAP))" in err


def test_import_needs_an_admin_account(real, accounts, tmp_path, capsys):
    parcels = tmp_path / "p.geojson"
    parcels.write_text('{"type": "FeatureCollection", "features": []}')
    for user in ("pat", "ana", "desk"):
        err = refused(["import", "parcels", str(parcels), "--user", user], real, capsys)
        assert "may not import data" in err


def test_nexus_snapshot_needs_planning(real, accounts, tmp_path, capsys):
    for user in ("cd14", "ana", "desk"):
        refused(["nexus", "--out", str(tmp_path / "out"), "--snapshot", "--snapshot-dir", str(tmp_path / "snaps"),
                 "--user", user], real, capsys)
    assert not (tmp_path / "snaps").exists() and not (tmp_path / "out").exists()


def test_reports_refuse_the_wrong_role_or_department(real, accounts, tmp_path, capsys):
    out = ["--out", str(tmp_path / "r")]
    refused(["report", "monthly", "--month", "2026-03", *out, "--user", "ana"], real, capsys)
    assert "liaison for Transportation" in refused(["report", "board", "--department", "Recreation", *out,
                                                    "--user", "ana"], real, capsys)
    assert "liaison for Transportation" in refused(["report", "sign-packet", "--department", "Recreation", *out,
                                                    "--user", "ana"], real, capsys)
    refused(["report", "board", "--department", "Recreation", *out, "--user", "cd14"], real, capsys)
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_unknown_or_missing_account_is_refused(real, accounts, capsys):
    assert "No account 'mallory'" in refused(["status", "set", "LADOT-1", "--sign", "posted", "--expect-version",
                                              "1", "--user", "mallory"], real, capsys)
    assert "Say who you are" in refused(["status", "set", "LADOT-1", "--sign", "posted", "--expect-version", "1"],
                                        real, capsys)


def test_real_data_without_any_accounts_file_is_refused(real, capsys):
    err = refused(["status", "set", "LADOT-1", "--sign", "posted", "--expect-version", "1"], real, capsys)
    assert "holds real City data: act as a named account" in err


def test_a_permitted_write_records_the_account_and_the_os_user(real, accounts, capsys, monkeypatch):
    monkeypatch.setenv("STAGEMAP_USER", "ana")
    assert main(["status", "set", "LADOT-1", "--sign", "posted", "--expect-version", "1", "--store", real.url]) == 0
    last = real.read_audit()[-1]
    assert (last["action"], last["actor"], last["role"], last["source"]) == ("status.update", "ana", "liaison", "cli")
    assert last["os_user"] == getpass.getuser()
    assert real.verify_audit()[1] is None


def test_local_operator_only_on_a_synthetic_or_empty_store(tmp_path, capsys):
    path = str(tmp_path / "sample.gpkg")
    assert main(["sample", "--parcels", "50", "--incidents", "5", "--store", path]) == 0
    assert "as local operator" in capsys.readouterr().out
    entry = open_store(path).read_audit()[-1]
    assert entry["actor"] == f"local operator ({getpass.getuser()})" and entry["os_user"] == getpass.getuser()
