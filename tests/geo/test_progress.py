"""Signs and barriers done over time, per group, from the status history (geo.analysis.progress)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.analysis.progress import (
    BARRIERS,
    DONE,
    GOAL,
    GROUP,
    MEASURE,
    SIGNS,
    barriers_done,
    goals,
    signs_done,
)

AS_OF = dt.date(2026, 4, 30)
UNITS = pd.DataFrame({
    "site_id": ["A", "B", "C", "D", "A"], "unit_kind": ["site", "site", "site", "site", "part"],
    "owning_dept": ["Parks", "Parks", "LADOT", "LADOT", "Parks"], "council_district": [1, 1, 14, 14, 1],
    "candidate": [True, True, True, False, True], "barrier_applies": [True, True, False, True, True],
    "sign_posted_on": [dt.date(2026, 3, 1), None, dt.date(2026, 3, 5), dt.date(2026, 3, 2), dt.date(2026, 5, 3)],
})


def _history(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"site_id": s, "version": v, "gate_status": g, "sign_status": "posted",
                          "updated_at": pd.Timestamp(t, tz="UTC")} for s, v, g, t in rows])


def test_signs_count_candidates_by_posting_day_up_to_the_as_of_date():
    city = signs_done(UNITS, as_of=AS_OF)
    assert city[["Date", DONE]].values.tolist() == [["2026-03-01", 1], ["2026-03-05", 2], ["2026-04-30", 2]]
    assert set(city[MEASURE]) == {SIGNS}  # D is not a candidate; the part's sign is after the as-of date
    by_dept = signs_done(UNITS, as_of=AS_OF, by="department")
    assert by_dept.groupby(GROUP)[DONE].max().to_dict() == {"LADOT": 1, "Parks": 1}
    assert set(signs_done(UNITS, as_of=AS_OF, by="district")[GROUP]) == {"District 1", "District 14"}


def test_barriers_follow_the_gate_history_up_and_down_in_los_angeles_days():
    history = _history([
        ("A", 1, "open", "2026-03-01T18:00:00"), ("A", 2, "closed_locked", "2026-03-10T06:30:00"),  # 9 Mar in LA
        ("A", 3, "open", "2026-04-02T18:00:00"), ("B", 1, "closed_locked", "2026-03-20T18:00:00"),
        ("B", 2, "closed_locked", "2026-03-25T18:00:00"),  # a note changed: still locked, no new count
        ("C", 1, "closed_locked", "2026-03-01T18:00:00"),  # no barrier applies: not counted
        ("B", 3, "open", "2026-05-05T18:00:00"),  # after the as-of date
    ])
    done = barriers_done(history, UNITS, as_of=AS_OF)
    assert done[["Date", DONE]].values.tolist() == [
        ["2026-03-09", 1], ["2026-03-20", 2], ["2026-04-02", 1], ["2026-04-30", 1]]
    assert set(done[MEASURE]) == {BARRIERS}
    assert barriers_done(history.iloc[:0], UNITS, as_of=AS_OF).empty


def test_goals_are_candidates_and_barrier_sites_per_group():
    frame = goals(UNITS, by="department").set_index([GROUP, MEASURE])[GOAL].to_dict()
    assert frame == {("LADOT", SIGNS): 1, ("Parks", SIGNS): 3, ("LADOT", BARRIERS): 0, ("Parks", BARRIERS): 2}


def test_the_status_history_is_read_through_the_service_on_both_backends(any_store):
    """Barriers over time count from the versioned status rows themselves, read through geo.services.status."""
    import pytest
    import shapely

    from geo import schema
    from geo.access.roles import Actor
    from geo.errors import AccessDenied
    from geo.services.status import status_timeline
    from tests.conftest import canonical_frame

    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * 2, site_id=["A", "B"],
                            owning_dept="Parks", area_sqft=100.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    any_store.save_status("A", {"gate_status": "closed_locked"}, expect_version=1, user="bo")
    any_store.save_status("A", {"gate_status": "open"}, expect_version=2, user="bo")
    history = status_timeline(any_store, Actor("pat", "planner"))
    assert history[["site_id", "version"]].values.tolist() == [["A", 1], ["A", 2], ["A", 3], ["B", 1]]
    assert history.loc[history["version"] == 2, "gate_status"].tolist() == ["closed_locked"]
    assert str(history["updated_at"].dt.tz) == "UTC"
    units = pd.DataFrame({"site_id": ["A", "B"], "unit_kind": "site", "owning_dept": "Parks", "candidate": True,
                          "barrier_applies": True})
    done = barriers_done(history, units, as_of=dt.date(2100, 1, 1))
    assert done[DONE].tolist() == [0, 0]  # locked, then found open the same day: that day nets to none
    with pytest.raises(AccessDenied):
        status_timeline(any_store, Actor("anon", "public"))
