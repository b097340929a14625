"""Versioned site status on both backends: stale saves are refused with the newer edit, never overwritten."""
from __future__ import annotations

import sqlite3

import pytest
import shapely

from geo import schema
from geo.errors import SchemaError, StoreError
from geo.store.status import StatusConflict
from stagemap_cli.main import main
from tests.conftest import canonical_frame


def _add_sites(store):
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * 2,
                            site_id=["SYN-1", "SYN-2"], owning_dept="Transportation (LADOT)",
                            area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    return store


@pytest.fixture
def sited(any_store):
    """Two sites at status version 1, on each backend."""
    return _add_sites(any_store)


@pytest.fixture
def sqlite_sited(store):
    """Two sites at status version 1 in the embedded store."""
    return _add_sites(store)


def test_save_bumps_version_and_keeps_history(sited):
    new = sited.save_status("SYN-1", {"sign_status": "posted", "sign_posted_on": "2026-03-01"},
                            expect_version=1, user="ana")
    assert new["version"] == 2 and new["sign_status"] == "posted" and new["updated_by"] == "ana"
    edits = sited.status_history("SYN-1")
    assert [e.version for e in edits] == [1, 2]
    assert edits[1].changes == {"sign_status": ("unknown", "posted"), "sign_posted_on": (None, "2026-03-01")}


def test_stale_save_is_refused_with_who_when_and_what(sited):
    sited.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    with pytest.raises(StatusConflict) as info:
        sited.save_status("SYN-1", {"gate_status": "closed_locked"}, expect_version=1, user="bo")
    err = info.value
    assert err.current["version"] == 2
    assert "ana" in str(err) and "sign_status unknown -> posted" in str(err)
    assert "re-apply" in str(err)
    assert sited.read_status().set_index("site_id").loc["SYN-1", "gate_status"] == "unknown"
    # re-applying on top of the newer version works and keeps both changes
    final = sited.save_status("SYN-1", {"gate_status": "closed_locked"}, expect_version=err.current["version"],
                              user="bo")
    assert (final["sign_status"], final["gate_status"], final["version"]) == ("posted", "closed_locked", 3)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sign_status": "maybe"}, "sign status 'maybe' is not one of"),
        ({"gate_status": "ajar"}, "gate status 'ajar' is not one of"),
        ({"sign_posted_on": "03/01/2026"}, "is not a date; use YYYY-MM-DD"),
        ({"sign_posted_on": "2999-01-01"}, "is in the future"),
        ({"version": 9}, "cannot set"),
        ({}, "nothing to change"),
    ],
    ids=["bad-sign", "bad-gate", "us-date", "future", "version-field", "empty"],
)
def test_bad_changes_name_the_site_field_and_fix(sited, changes, message):
    with pytest.raises(SchemaError, match=message):
        sited.save_status("SYN-1", changes, expect_version=1, user="ana")
    assert sited.read_status().set_index("site_id").loc["SYN-1", "version"] == 1


def test_unknown_site_and_anonymous_edits_are_refused(sited):
    with pytest.raises(StoreError, match="No site 'SYN-9'"):
        sited.save_status("SYN-9", {"sign_status": "posted"}, expect_version=1, user="ana")
    with pytest.raises(SchemaError, match="never anonymous"):
        sited.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user=" ")


def test_every_acknowledged_save_has_one_audit_entry_and_the_chain_verifies(sited):
    for v in range(1, 6):
        sited.save_status("SYN-2", {"note": f"visit {v}"}, expect_version=v, user="ana")
    audit = sited.read_audit()
    assert sum(e["action"] == "status.update" for e in audit) == 5
    assert sited.verify_audit() == (len(audit), None)


def test_audit_rows_cannot_be_updated_or_deleted_through_sqlite(sqlite_sited):
    con = sqlite_sited.connect()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log")


def test_cli_status_set_conflict_exits_3_and_prints_the_newer_edit(sited, cli_accounts, capsys):
    assert main(["status", "set", "SYN-1", "--sign", "posted", "--expect-version", "1", "--user", "ana",
                 "--store", sited.url]) == 0
    code = main(["status", "set", "SYN-1", "--gate", "locked", "--expect-version", "1", "--user", "bo",
                 "--store", sited.url])
    err = capsys.readouterr().err
    assert code == 3
    assert "version 2 by ana" in err and "sign_status unknown -> posted" in err
    assert main(["status", "history", "SYN-1", "--store", sited.url]) == 0
    assert "version 2 by ana" in capsys.readouterr().out
    assert main(["audit", "verify", "--store", sited.url, "--user", "admin"]) == 0
