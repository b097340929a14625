"""The nexus study uses the site-control registers: grants mark affected parcels, opt-in parcels are the comparison."""
from __future__ import annotations

import io

import openpyxl
import pytest

from geo.nexus.consent import CANDIDATE, GRANTED
from geo.nexus.snapshot import to_xlsx_bytes
from geo.services.nexus import nexus_tables
from geo.services.registers import save_entry
from geo.store import open_store
from geo.synthetic import generate_sample
from tests.actors import PLANNER


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """The synthetic sample in a store."""
    sample = generate_sample()
    store = open_store(str(tmp_path_factory.mktemp("consent") / "sample.gpkg"))
    store.write_layers(dict(sample.frames), mode="replace", status=sample.status)
    return store


def test_grants_and_opt_in_reach_the_nexus_tables(sample_store):
    store = sample_store
    before = nexus_tables(store, PLANNER)
    assert (before.ledger["site_control"] == "not recorded").all() and before.comparison is not None
    assert "comparison" not in before.sheets() and set(before.inventory["site_control"]) <= {CANDIDATE}
    inv = before.inventory.sort_values("incidents_total", ascending=False)
    granted_ain, opt_in_ain = str(inv.iloc[0]["ain"]), str(inv.iloc[1]["ain"])
    save_entry(store, PLANNER, "site_control_grant", {"grant_id": "G-1", "ain": granted_ain, "grantee": "ICE (synthetic)",
                                                      "granted_on": "2000-01-01", "source": "synthetic lease record"},
               expect_version=0)
    save_entry(store, PLANNER, "private_parcel", {"ain": opt_in_ain, "owner": "Owner (synthetic)",
                                                  "declaration": "sign_requested", "declared_on": "2026-03-01"},
               expect_version=0)
    after = nexus_tables(store, PLANNER)
    on_grant = after.ledger["ain"].astype(str) == granted_ain
    assert on_grant.any() and after.ledger.loc[on_grant, "site_control"].str.startswith("granted: G-1").all()
    assert (after.ledger.loc[~on_grant, "site_control"] == "not recorded").all()
    status = after.inventory.set_index("ain")["site_control"]
    assert status[granted_ain] == GRANTED and status[opt_in_ain] == CANDIDATE
    assert after.inventory.set_index("ain").loc[opt_in_ain, "owner_declaration"] == "sign_requested"
    comp = after.sheets()["comparison"]
    assert list(comp["ain"]) == [opt_in_ain] and comp.iloc[0]["incidents_total"] == inv.iloc[1]["incidents_total"]
    assert "M12" in set(after.register["ref"])
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(after)))
    assert "comparison" in book.sheetnames
