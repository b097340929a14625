"""``stagemap sites``: determinations one by one and from a sheet, parts drawn from the command line; refusals change nothing."""
from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.store import open_store
from stagemap_cli.main import main
from tests.cli.test_named_accounts import EXIT_DENIED, LADOT, RAP, fingerprint
from tests.conftest import canonical_frame

PARK = shapely.box(-118.250, 34.050, -118.248, 34.052)
LOT = "POLYGON ((-118.2500 34.0500, -118.2494 34.0500, -118.2494 34.0505, -118.2500 34.0505, -118.2500 34.0500))"


@pytest.fixture
def real(tmp_path):
    """A real-data store: a LADOT lot and a RAP park."""
    store = open_store(str(tmp_path / "real.gpkg"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.245, 34.05, -118.244, 34.051), PARK],
                            site_id=["LADOT-1", "RAP-1"], owning_dept=[LADOT, RAP], area_sqft=100.0,
                            site_origin="asset_list", is_synthetic=False, listed_basis="owned")
    store.write_layers({schema.SITES: sites})
    return store


@pytest.fixture
def accounts(cli_accounts):
    cli_accounts("ana", "liaison", LADOT)
    cli_accounts("rita", "liaison", RAP)
    cli_accounts("cd14", "council_office", district=14)
    return cli_accounts


def run(argv: list[str], store, user: str) -> int:
    return main([*argv, "--store", store.url, "--user", user])


def test_determine_then_a_stale_save_conflicts(real, accounts, capsys):
    assert run(["sites", "determine", "LADOT-1", "--as", "candidate", "--barrier", "yes", "--expect-version", "0"],
               real, "ana") == 0
    assert "saved LADOT-1 version 1: candidate, control owned, barrier appropriate yes" in capsys.readouterr().out
    assert run(["sites", "determine", "LADOT-1", "--as", "not-candidate", "--reason", "fenced",
                "--expect-version", "0"], real, "ana") == 3
    assert "changed since you loaded version 0" in capsys.readouterr().err
    assert run(["sites", "determine", "LADOT-1", "--as", "not-candidate", "--expect-version", "1"], real, "ana") == 2
    assert "'not a candidate' needs a reason" in capsys.readouterr().err
    assert real.read_control().set_index(schema.SITE_ID).loc["LADOT-1", schema.DETERMINATION] == "candidate"


def test_a_park_lot_drawn_and_marked_from_the_command_line(real, accounts, capsys):
    assert run(["sites", "part-add", "RAP-1", "--type", "parking_lot", "--name", "Lot A", "--wkt", LOT], real,
               "rita") == 0
    assert "added part RAP-1-P01 of RAP-1: parking_lot" in capsys.readouterr().out
    assert run(["sites", "part-set", "RAP-1-P01", "--as", "candidate", "--sign", "posted", "--gate", "locked",
                "--posted-on", "2026-03-02", "--expect-version", "1"], real, "rita") == 0
    assert "sign posted, gate closed_locked" in capsys.readouterr().out
    assert main(["sites", "history", "RAP-1-P01", "--part", "--store", real.url]) == 0
    assert "version 2 by rita" in capsys.readouterr().out


def test_other_departments_and_roles_are_refused_and_nothing_changes(real, accounts, capsys):
    for argv, user in ((["sites", "determine", "RAP-1", "--as", "candidate", "--expect-version", "0"], "ana"),
                       (["sites", "part-add", "RAP-1", "--type", "parking_lot", "--wkt", LOT], "ana"),
                       (["sites", "determine", "LADOT-1", "--as", "candidate", "--expect-version", "0"], "cd14")):
        before = fingerprint(real)
        assert run(argv, real, user) == EXIT_DENIED, argv
        assert "Nothing was changed" in capsys.readouterr().err
        assert fingerprint(real) == before


def test_a_determination_sheet_applies_row_by_row(real, accounts, tmp_path, capsys):
    pd.DataFrame({
        "Site": ["LADOT-1", "LADOT-1", "NOPE-9", "LADOT-1"],
        "Version": [0, 0, 0, 1],
        "Determination": ["candidate", "not a candidate", "candidate", "maybe"],
        "Reason": [None, "fenced", None, None],
        "Control": ["leased", None, None, None],
        "Lease End": ["2031-06-30", None, None, None],
    }).to_excel(tmp_path / "a1.xlsx", index=False)
    assert run(["sites", "import", str(tmp_path / "a1.xlsx")], real, "ana") == 0
    out = capsys.readouterr().out
    assert "row 2 site LADOT-1: APPLIED saved as version 1." in out
    assert "row 3, column Version site LADOT-1: CONFLICT changed since version 0" in out
    assert "row 4, column Site site NOPE-9: UNKNOWN_SITE" in out
    assert "row 5, column Determination site LADOT-1: INVALID 'maybe' is not valid here. Fix: use candidate" in out
    row = real.read_control().set_index(schema.SITE_ID).loc["LADOT-1"]
    assert (row[schema.DETERMINATION], row[schema.CONTROL_BASIS], str(row[schema.CONTROL_END])) == (
        "candidate", "leased_in", "2031-06-30")


def test_a_sheet_naming_another_departments_site_is_refused_whole(real, accounts, tmp_path, capsys):
    pd.DataFrame({"site_id": ["LADOT-1", "RAP-1"], "expect_version": [0, 0],
                  "determination": ["candidate", "candidate"]}).to_csv(tmp_path / "a1.csv", index=False)
    before = fingerprint(real)
    assert run(["sites", "import", str(tmp_path / "a1.csv")], real, "ana") == EXIT_DENIED
    assert "row 3 (RAP-1, Recreation and Parks (RAP))" in capsys.readouterr().err
    assert fingerprint(real) == before
