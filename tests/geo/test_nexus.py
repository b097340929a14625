"""Nexus tables tie out, snapshots hash reproducibly, and every export neutralises hostile text."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest

from geo import schema
from geo.analysis.analyze import analyze
from geo.analysis.timefmt import today_local
from geo.errors import SchemaError, StoreError
from geo.nexus.snapshot import (
    freeze,
    snapshot_hash,
    to_csv_zip_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
    verify_snapshot,
)
from geo.nexus.tables import (
    PLACEHOLDER,
    SUMMED,
    NexusRules,
    build_nexus,
    check_unit_costs,
    default_unit_costs,
    latest_incident_date,
)
from geo.services.nexus import nexus_tables
from geo.store import open_store
from geo.synthetic import generate_sample
from stagemap_cli import main as cli_main
from tests.actors import PLANNER


def nexus_from_store(store, **kw):
    """Build the tables as a planner through the one door."""
    return nexus_tables(store, PLANNER, **kw)

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "@SUM(A1:A9)", "<script>alert(1)</script>", "-2+3", "\tTAB Holdings"]
OWNERS = [*HOSTILE, "ACME PARKING LLC", "BIG BOX RETAIL INC"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def build_hostile_store(path) -> object:
    """Write the synthetic sample with hostile owner names, descriptions, evidence refs and a site name."""
    sample = generate_sample()
    frames = dict(sample.frames)
    parcels = frames[schema.PARCELS].copy()
    private = parcels[schema.OWNER_NAME].isna().to_numpy()
    names = np.array(OWNERS, dtype=object)[np.arange(private.sum()) % len(OWNERS)]
    parcels.loc[private, schema.OWNER_NAME] = names
    incidents = frames[schema.INCIDENTS].copy()
    incidents[schema.DESCRIPTION] = [HOSTILE[i % len(HOSTILE)] for i in range(len(incidents))]
    incidents[schema.EVIDENCE_REFS] = ["@evidence;=HYPERLINK(\"http://x\")"] * len(incidents)
    sites = frames[schema.SITES].copy()
    sites.loc[sites[schema.SITE_ID] == "SYN-SITE-0012", schema.NAME] = "<script>alert('x')</script> =HYPERLINK(\"x\")"
    frames.update({schema.PARCELS: parcels, schema.INCIDENTS: incidents, schema.SITES: sites})
    store = open_store(str(path))
    store.write_layers(frames, mode="replace", status=sample.status)
    return store


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile sample store and its nexus tables (default placeholder costs)."""
    store = build_hostile_store(tmp_path_factory.mktemp("nexus") / "hostile.gpkg")
    return store, nexus_from_store(store)


def _snapped(store, as_of: dt.date) -> pd.DataFrame:
    res = analyze(store.read_layer(schema.PARCELS), store.read_layer(schema.SITES), store.read_layer(schema.INCIDENTS),
                  store.read_status(), store.read_overrides(), districts=store.read_layer(schema.DISTRICTS),
                  parks=store.read_layer(schema.PARKS), as_of=as_of)
    return res.incidents


def test_ledger_counts_equal_the_snapped_incidents(hostile):
    store, t = hostile
    snapped = _snapped(store, t.as_of)
    stored = store.read_layer(schema.INCIDENTS)
    context = stored[schema.RELEVANCE] == schema.GENERAL_CRIME
    assert context.any() and len(t.ledger) == len(snapped) == int((~context).sum())  # general crime is not in the ledger
    assert not set(stored.loc[context, schema.INCIDENT_ID]) & set(t.ledger[schema.INCIDENT_ID])
    assert t.ledger["snap_kind"].value_counts().to_dict() == snapped["snap_kind"].value_counts().to_dict()
    private = snapped[snapped["owner_class"] == "private"]
    assert t.inventory["incidents_on_site"].sum() == (private["snap_kind"] == "on_site").sum()
    assert t.inventory["incidents_adjacent"].sum() == (private["snap_kind"] == "adjacent").sum()
    assert set(t.inventory[schema.AIN]) == set(private[schema.AIN])
    assert t.inventory["fee_incidents"].sum() == t.ledger["counts_toward_fee"].sum()
    counted = t.ledger[t.ledger["counts_toward_fee"]]
    assert (counted["snap_kind"] == "on_site").all()
    assert counted[schema.VERIFICATION].isin(["corroborated", "lapd_confirmed"]).all()
    assert (t.ledger["site_control"] == "not recorded").all()


def test_parcel_months_and_owner_rollup_sum_to_the_inventory(hostile):
    _, t = hostile
    by_ain = t.parcel_months.groupby(schema.AIN)[["on_site", "adjacent", "total"]].sum()
    inv = t.inventory.set_index(schema.AIN)
    assert (by_ain["on_site"] == inv["incidents_on_site"].reindex(by_ain.index)).all()
    assert (by_ain["total"] == inv["incidents_total"].reindex(by_ain.index)).all()
    assert t.owners["parcels"].sum() == len(t.inventory)
    for col in SUMMED:
        assert t.owners[col].sum() == pytest.approx(t.inventory[col].sum()), col
    listed = [a for ains in t.owners["ains"] for a in ains.split(";")]
    assert sorted(listed) == sorted(t.inventory[schema.AIN])
    assert (t.owners["parcels"] > 1).any(), "the fixture gives owners several parcels"
    assert (t.inventory["repeat_site"] == (t.inventory["incidents_total"] >= 2)).all()
    assert (t.inventory["est_open_area_sqft"] >= 0).all()
    assert (t.inventory["est_open_area_sqft"] <= t.inventory[schema.LOT_SQFT]).all()


def test_fee_scenarios_check_proportionality_per_parcel(hostile):
    _, t = hostile
    fees, scen = t.parcel_fees, t.scenarios
    assert (fees["fee_per_incident_usd"] <= fees["attributable_cost_usd"]).all()
    for basis in ("per_incident", "per_site", "per_parking_sqft"):
        rows = scen[scen["basis"] == basis].set_index("land_use_class")
        over = int((fees[f"fee_{basis}_usd"] > fees["attributable_cost_usd"] + 0.005).sum())
        assert rows.loc["all", "parcels_fee_exceeds_cost"] == over
        assert rows.loc["all", "proportional"] == (over == 0)
        assert rows.loc["all", "revenue_usd"] <= rows.loc["all", "attributable_cost_usd"] + 0.01
        parts = rows.drop(index="all")
        assert parts["parcels"].sum() == rows.loc["all", "parcels"]
        assert parts["revenue_usd"].sum() == pytest.approx(rows.loc["all", "revenue_usd"], abs=0.05)
    assert scen["uses_placeholders"].all()
    assert bool(scen.loc[scen["basis"] == "per_incident", "proportional"].all())


def test_unit_costs_report_every_problem_at_once():
    bad = default_unit_costs().drop(columns="status")
    bad.loc[0, "value"] = -5
    bad.loc[1, "year"] = 1066
    bad.loc[2, "applies_to"] = "owner"
    bad = bad[bad["key"] != "staff_hourly_rate"]
    with pytest.raises(SchemaError, match=r"missing key 'staff_hourly_rate'.*officer_hourly_rate: value '-5.*"
                                          r"year '1066.*applies_to 'owner'"):
        check_unit_costs(bad)
    with pytest.raises(SchemaError, match="lacks columns"):
        check_unit_costs(pd.DataFrame({"key": ["x"]}))


def test_defaults_are_placeholders_and_a_sourced_row_is_recognised():
    costs = default_unit_costs()
    assert (costs["status"] == PLACEHOLDER).all()
    assert costs["source"].str.startswith("PLACEHOLDER").all() and costs["year"].isna().all()
    edited = costs.drop(columns="status")
    edited.loc[0, ["value", "source", "year"]] = [123.0, "LAPD FY2025-26 cost study, table 4", 2025]
    checked = check_unit_costs(edited)
    assert checked.loc[0, "status"] == "sourced" and (checked.loc[1:, "status"] == PLACEHOLDER).all()


def test_snapshot_hash_is_stable_and_changes_with_an_assumption(hostile, tmp_path):
    store, t = hostile
    again = nexus_from_store(store)
    assert snapshot_hash(again) == snapshot_hash(t)
    copy = tmp_path / "elsewhere.gpkg"
    shutil.copy(store.url, copy)
    assert snapshot_hash(nexus_from_store(open_store(str(copy)))) == snapshot_hash(t), "path is not content"
    digest, path = freeze(t, root=tmp_path / "snaps")
    assert path.name == digest == snapshot_hash(t) and verify_snapshot(path) == digest
    assert freeze(again, root=tmp_path / "snaps") == (digest, path)
    costs = t.unit_costs.drop(columns="status")
    costs.loc[costs["key"] == "officer_hourly_rate", "value"] = 101.0
    assert snapshot_hash(nexus_from_store(store, unit_costs=costs)) != digest
    assert snapshot_hash(nexus_from_store(store, rules=NexusRules(recovery_share=0.5))) != digest
    assert snapshot_hash(nexus_from_store(store, as_of=t.as_of - dt.timedelta(days=30))) != digest
    (path / "ledger.csv").write_bytes((path / "ledger.csv").read_bytes() + b"x")
    with pytest.raises(StoreError, match=r"ledger\.csv has changed"):
        verify_snapshot(path)


def _assert_neutral(value: object, where: str) -> None:
    if isinstance(value, str):
        assert not value.startswith(FORMULA_START), f"{where}: {value!r}"


def test_xlsx_opens_with_every_sheet_and_no_formulas(hostile):
    _, t = hostile
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(t, snapshot="abc")))
    assert book.sheetnames == ["notice", *t.sheets()]
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                _assert_neutral(cell.value, f"{ws.title}!{cell.coordinate}")
                seen.add(cell.value)
    assert "'=cmd|' /C calc'!A0" in seen and "'@SUM(A1:A9)" in seen and "<script>alert(1)</script>" in seen
    assert any(isinstance(v, str) and "PLACEHOLDER" in v for v in seen)
    assert book["inventory"].max_row == len(t.inventory) + 1


def test_csv_zip_and_geopackage_neutralise_text(hostile, tmp_path):
    _, t = hostile
    with zipfile.ZipFile(io.BytesIO(to_csv_zip_bytes(t))) as zf:
        assert sorted(zf.namelist()) == sorted(f"SYNTHETIC_nexus_{n}.csv" for n in t.sheets())
        owners = zf.read("SYNTHETIC_nexus_owners.csv").decode("utf-8-sig")
        for name in zf.namelist():
            for row in csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig"))):
                for value in row:
                    _assert_neutral(value, name)
    assert "'=cmd|' /C calc'!A0" in owners and "'+1" in owners
    path = tmp_path / "n.gpkg"
    path.write_bytes(to_gpkg_bytes(t))
    layers = dict(pyogrio.list_layers(path))
    assert layers["SYNTHETIC_inventory"] == "MultiPolygon" and layers["SYNTHETIC_ledger"] == "Point"
    for layer in layers:
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        for col in frame.columns:
            for value in frame[col]:
                _assert_neutral(value, f"{layer}.{col}")
    ledger = pyogrio.read_dataframe(path, layer="SYNTHETIC_ledger")
    assert len(ledger) == len(t.ledger) and "'@evidence;=HYPERLINK(\"http://x\")" in set(ledger[schema.EVIDENCE_REFS])


def test_build_nexus_refuses_a_snapping_table_of_other_incidents(hostile):
    store, t = hostile
    incidents = store.read_layer(schema.INCIDENTS)
    snapped = _snapped(store, t.as_of)
    with pytest.raises(SchemaError, match="does not match the incidents"):
        build_nexus(store.read_layer(schema.PARCELS), incidents, snapped.iloc[:-1], as_of=t.as_of)
    assert latest_incident_date(incidents) < t.as_of == today_local()  # the as-of date is today, not the data's end


def test_cli_writes_exports_and_one_snapshot_per_content(hostile, tmp_path, capsys):
    store, t = hostile
    args = ["nexus", "--out", str(tmp_path / "out"), "--snapshot", "--snapshot-dir", str(tmp_path / "snaps"),
            "--store", store.url]
    assert cli_main(args) == 0
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert out.count(snapshot_hash(t)) == 4 and "PLACEHOLDER" in out
    assert [p.name for p in (tmp_path / "snaps").iterdir()] == [snapshot_hash(t)]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"SYNTHETIC_nexus.xlsx", "SYNTHETIC_nexus_csv.zip",
                                                               "SYNTHETIC_nexus.gpkg"}
    assert any(e["action"] == "export.nexus" for e in store.read_audit())
    bad = tmp_path / "costs.csv"
    t.unit_costs.drop(columns="status").assign(value="lots").to_csv(bad, index=False)
    assert cli_main([*args[:3], "--unit-costs", str(bad), "--store", store.url]) == 2
    assert "not a non-negative number" in capsys.readouterr().err
