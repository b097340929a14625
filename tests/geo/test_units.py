"""Only candidates need a sign, and parts count on their own: a park's lot signed and gated, the rest of the park not."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.reports.board import board_report
from geo.services import sites as site_service
from geo.services.analysis import analyze_store
from tests.actors import PLANNER, liaison
from tests.conftest import canonical_frame

RAP = "Recreation and Parks (RAP)"
PARK = shapely.box(-118.250, 34.050, -118.248, 34.052)
LOT = "POLYGON ((-118.2500 34.0500, -118.2494 34.0500, -118.2494 34.0505, -118.2500 34.0505, -118.2500 34.0500))"
AS_OF = dt.date(2026, 3, 10)  # after both deadlines (identify 25 Feb, sign 7 Mar)


@pytest.fixture
def park(store):
    """A RAP park, determined a candidate, whose parking lot is a part that is signed and locked."""
    sites = canonical_frame(schema.SITES, [PARK], site_id="PARK-1", name="DEMO Park", owning_dept=RAP,
                            asset_type="RAP park", area_sqft=1.0, site_origin="asset_list", listed_basis="owned")
    store.write_layers({schema.SITES: sites})
    lia = liaison(RAP)
    site_service.save_control(store, lia, "PARK-1", {schema.DETERMINATION: "candidate"}, expect_version=0)
    part = site_service.add_part(store, lia, "PARK-1", part_type="parking_lot", geometry=LOT, name="Lot A",
                                 fields={schema.DETERMINATION: "candidate", schema.BARRIER_APPROPRIATE: "yes"})
    site_service.save_part(store, lia, str(part[schema.PART_ID]), {
        schema.SIGN_STATUS: "posted", schema.SIGN_POSTED_ON: "2026-03-02", schema.GATE_STATUS: "closed_locked"},
        expect_version=1)
    return store


def test_the_lot_is_protected_the_rest_of_the_park_is_not_and_the_kpis_say_so(park):
    res = analyze_store(park, as_of=AS_OF)
    units = res.units.set_index("unit_id")
    assert units.loc["PARK-1-P01", "protection"] == "protected" and units.loc["PARK-1", "protection"] == "unprotected"
    assert units.loc["PARK-1-P01", "category"] == "parking_lot" and units.loc["PARK-1", "category"] == "park"
    kpi = res.kpi_department.set_index(schema.OWNING_DEPT).loc[RAP]
    assert (kpi["sites"], kpi["parts"], kpi["candidates"], kpi["signed_identified"], kpi["pct_signed"]) == (
        1, 1, 2, 1, 50.0)
    # a barrier applies to the lot, not to open parkland (A.2); the lot's gate is locked
    assert (kpi["barrier_sites"], kpi["gated"], kpi["pct_gated"], kpi["sign_overdue"]) == (1, 1, 100.0, 1)
    assert int(res.matrix.loc[:, "protected"].sum()) == 1 and int(res.matrix.loc[:, "unprotected"].sum()) == 1


def test_when_the_rest_of_the_park_is_not_a_candidate_only_the_lot_counts(park):
    row = site_service.control_of(park, "PARK-1")
    site_service.save_control(park, liaison(RAP), "PARK-1", {
        schema.DETERMINATION: "not_candidate", schema.DETERMINATION_REASON: "open parkland with no vehicle access"},
        expect_version=int(str(row[schema.VERSION])))
    res = analyze_store(park, as_of=AS_OF)
    kpi = res.kpi_department.set_index(schema.OWNING_DEPT).loc[RAP]
    assert (kpi["candidates"], kpi["signed_identified"], kpi["pct_signed"], kpi["sign_overdue"]) == (1, 1, 100.0, 0)
    site = res.sites.set_index(schema.SITE_ID).loc["PARK-1"]
    assert site["protection"] == "not_needed" and site[schema.DETERMINED_BY] == "ana"
    assert res.near_unprotected.empty and int(res.matrix.to_numpy().sum()) == 1


def test_a_retired_part_drops_out(park):
    site_service.save_part(park, liaison(RAP), "PARK-1-P01", {schema.RETIRED: True}, expect_version=2)
    res = analyze_store(park, as_of=AS_OF)
    assert res.units["unit_id"].tolist() == ["PARK-1"] and res.parts.empty
    assert res.kpi_department.set_index(schema.OWNING_DEPT).loc[RAP, "signed_identified"] == 0


def test_the_board_report_lists_the_lot_and_the_rest_of_the_park(park):
    res = analyze_store(park, as_of=AS_OF)
    report = board_report(res.sites, {}, department="Recreation", as_of=AS_OF, units=res.units)
    summary = dict(zip(report.summary["Measure"], report.summary["Sites"], strict=True))
    assert summary["Candidates: need a sign (A.1)"] == 2 and summary["Signed (directive sign posted)"] == 1
    overdue = report.overdue.set_index("Site")
    assert list(overdue.index) == ["PARK-1"] and overdue.loc["PARK-1", "Sign days overdue"] == 3


def test_pending_sites_need_their_determination_not_a_sign(store):
    sites = canonical_frame(schema.SITES, [PARK], site_id="P2", owning_dept=RAP, area_sqft=1.0,
                            site_origin="asset_list")
    store.write_layers({schema.SITES: sites},
                       status=pd.DataFrame({schema.SITE_ID: ["P2"], schema.SIGN_STATUS: ["none"]}))
    kpi = analyze_store(store, as_of=AS_OF).kpi_department.iloc[0]
    assert (kpi["pending"], kpi["identify_overdue"], kpi["candidates"], kpi["sign_overdue"]) == (1, 1, 0, 0)
    site_service.save_control(store, PLANNER, "P2", {schema.DETERMINATION: "candidate"}, expect_version=0)
    kpi = analyze_store(store, as_of=AS_OF).kpi_department.iloc[0]
    assert (kpi["pending"], kpi["candidates"], kpi["sign_overdue"]) == (0, 1, 1)
