"""Gap analysis on the hand-made town: overdue days, protection, KPIs, matrix, hot spots."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.analysis.classify import classify_sites
from geo.analysis.control import site_control
from geo.analysis.gaps import (
    incidents_near_unprotected,
    kpis,
    priority_order,
    private_hot_spots,
    risk_protection_matrix,
    site_gaps,
)
from geo.analysis.snap import snap_incidents
from tests.geo import town


def _gaps(as_of=town.AS_OF, control=None):
    sites = town.sites()
    cat = classify_sites(sites, parks=town.parks())["category"]
    ctl = site_control(sites, town.control() if control is None else control, as_of=as_of)
    return site_gaps(sites, town.status(), category=cat, as_of=as_of, control=ctl).set_index(sites[schema.SITE_ID])


def test_overdue_days_on_2026_03_10():
    g = _gaps()
    # identify by 2026-02-25 (13 days before), sign by 2026-03-07 (3 days before). S4 is still pending (its
    # A.1 determination is late); only candidates need a sign, so neither S4 nor S6 (not a candidate) is sign-late
    assert g["identify_overdue_days"].to_dict() == {"S1": 0, "S2": 0, "S3": 0, "S4": 13, "S5": 0, "S6": 0, "S7": 0}
    assert g["sign_overdue_days"].to_dict() == {"S1": 0, "S2": 3, "S3": 0, "S4": 0, "S5": 0, "S6": 0, "S7": 3}
    assert g.loc["S5", "signed_late_days"] == 2 and g.loc["S1", "signed_late_days"] == 0


def test_without_determinations_every_site_is_pending_and_none_is_sign_late():
    g = _gaps(control=town.control().iloc[:0])
    assert not g["identified"].any() and not g["candidate"].any()
    assert g["identify_overdue_days"].eq(13).all() and g["sign_overdue_days"].eq(0).all()


def test_control_that_ended_needs_no_sign():
    ctl = town.control().assign(**{schema.CONTROL_END: None})
    ctl.loc[ctl[schema.SITE_ID] == "S2", schema.CONTROL_END] = "2026-03-01"  # a lease that ran out before as-of
    g = _gaps(control=ctl)
    assert not g.loc["S2", "candidate"] and g.loc["S2", "sign_overdue_days"] == 0
    assert g.loc["S2", "protection"] == "not_needed" and "control ended" in g.loc["S2", "protection_detail"]


def test_nothing_overdue_on_the_deadline():
    g = _gaps(dt.date(2026, 3, 7))
    assert g["sign_overdue_days"].max() == 0 and g.loc["S4", "identify_overdue_days"] == 10


def test_barrier_and_protection():
    g = _gaps()
    assert g["barrier_applies"].to_dict() == {"S1": True, "S2": True, "S3": False, "S4": True, "S5": True,
                                              "S6": False, "S7": True}
    assert g["protection"].to_dict() == {"S1": "protected", "S2": "unprotected", "S3": "protected",
                                         "S4": "unprotected", "S5": "partial", "S6": "not_needed",
                                         "S7": "unprotected"}
    assert g.loc["S6", "protection_detail"] == "not a candidate (A.1): no sign needed"
    assert g.loc["S5", "protection_detail"] == "signed, not gated"
    assert g.loc["S3", "protection_detail"] == "signed, no barrier needed"


def test_kpis_by_department_and_district():
    g = _gaps().reset_index()
    g[schema.OWNING_DEPT] = town.sites()[schema.OWNING_DEPT]
    g[schema.COUNCIL_DISTRICT] = town.sites()[schema.COUNCIL_DISTRICT]
    dept = kpis(g, by=schema.OWNING_DEPT).set_index(schema.OWNING_DEPT)
    ladot = dept.loc["Transportation (LADOT)"]
    assert (ladot["sites"], ladot["candidates"], ladot["signed_identified"], ladot["pct_signed"]) == (2, 2, 1, 50.0)
    assert (ladot["barrier_sites"], ladot["gated"], ladot["pct_gated"], ladot["sign_overdue"]) == (2, 1, 50.0, 1)
    assert dept.loc[schema.UNASSIGNED, "identify_overdue"] == 1 and pd.isna(dept.loc[schema.UNASSIGNED, "pct_signed"])
    gsd = dept.loc["General Services (GSD)"]  # S6 is not a candidate: it needs no sign and counts nowhere
    assert (gsd["sites"], gsd["identified"], gsd["candidates"], gsd["signed_identified"], gsd["sign_overdue"]) == (
        2, 2, 1, 0, 1)
    cd = kpis(g, by=schema.COUNCIL_DISTRICT).set_index(schema.COUNCIL_DISTRICT)
    assert cd.loc[1, "sites"] == 4 and cd.loc[2, "sites"] == 3
    assert cd.loc[2, "pct_signed"] == 100.0  # S3, S5 signed; S4 pending


def test_matrix_and_priority():
    tier = pd.Series(["high", "high", "low", "medium"])
    prot = pd.Series(["protected", "unprotected", "unprotected", "partial"])
    m = risk_protection_matrix(tier, prot)
    assert m.index.tolist() == ["high", "medium", "low"] and m.columns.tolist() == ["unprotected", "partial", "protected"]
    assert m.loc["high"].tolist() == [1, 0, 1] and int(m.to_numpy().sum()) == 4
    assert priority_order(tier, prot, pd.Series([90, 80, 70, 60])).tolist() == [1, 0, 3, 2]


def test_incidents_near_unprotected_and_hot_spots():
    inc = town.incidents()
    snapped = pd.concat([inc[[schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE]],
                         snap_incidents(inc, sites=town.sites(), parcels=town.parcels())], axis=1)
    table = pd.DataFrame({schema.SITE_ID: ["S1"], "protection": ["partial"], "final_tier": ["high"], "risk_score": [75.0]})
    near = incidents_near_unprotected(snapped, table)
    assert near[schema.INCIDENT_ID].tolist() == ["I4", "I1"] or sorted(near[schema.INCIDENT_ID]) == ["I1", "I4"]
    table["protection"] = "protected"
    assert incidents_near_unprotected(snapped, table).empty
    per, owners = private_hot_spots(snapped, town.parcels(), as_of=town.AS_OF, recent_days=90, min_incidents=2)
    # PA: I2, I3, I8 up to 2026-03-10 (I7 is after); PC's I5 is other public, not private
    assert per[schema.AIN].tolist() == ["9900000001"]
    assert per.loc[0, "incidents"] == 3 and bool(per.loc[0, "repeat_recent"])
    assert owners[schema.OWNER_NAME].tolist() == ["ACME BUILDING SUPPLY"] and owners.loc[0, "incidents"] == 3
