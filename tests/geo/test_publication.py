"""Publication resists differencing: each month is published once after it closes and never moves.

The red-team probe: publish the public table, add one incident in a withheld cell, publish again,
and read the withheld cell off the change in the district and month totals. Here every public
number comes from a frozen monthly publication, so successive publications agree on every month
they share, and within each published month no withheld count is solvable from what is shown.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema
from geo.errors import AccessDenied, SchemaError
from geo.reports.publication import KIND_MONTHLY
from geo.reports.publish import SUPPRESSED, recoverable_cells
from geo.services.reports import monthly_from_store, public_table
from tests.actors import RECORDS, liaison
from tests.conftest import canonical_frame

DISTRICTS = [1, 2, 3, 4]
MONTHS = ["2026-03", "2026-04", "2026-05"]
WITHHELD = "withheld"


def _districts():
    geoms = [shapely.box(-118.30 + i * 0.01, 34.00, -118.29 + i * 0.01, 34.01) for i in range(len(DISTRICTS))]
    return canonical_frame(schema.DISTRICTS, geoms, district=DISTRICTS, district_name=[f"D{d}" for d in DISTRICTS])


def _incidents(rows: list[tuple[int, str, int]], start: int = 0):
    """Incidents from (district, month, count) rows, each inside its district, mid-month at noon LA time."""
    points, ids, when, districts = [], [], [], []
    n = start
    for district, month, count in rows:
        x = -118.30 + DISTRICTS.index(district) * 0.01 + 0.005
        for _ in range(count):
            n += 1
            points.append(shapely.Point(x, 34.005))
            ids.append(f"SYN-T-{n:05d}")
            when.append(pd.Timestamp(f"{month}-15 12:00", tz="America/Los_Angeles").tz_convert("UTC"))
            districts.append(district)
    return canonical_frame(schema.INCIDENTS, points, incident_id=ids, occurred_at=when, incident_type="arrest",
                           verification_status="unverified", source_type="community_tracker", warrant_shown="unknown",
                           council_district=districts, relevance=schema.SUSPECTED_UNLAWFUL_CONDUCT,
                           conduct_observed="masking"), n


@pytest.fixture
def store(store):
    store.write_layers({schema.DISTRICTS: _districts()})
    return store


def published_values(table: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(str(r), str(c)): str(table.loc[r, c]) for r in table.index for c in table.columns}


def test_a_month_is_published_once_after_it_closes_and_never_moves(store):
    frame, n = _incidents([(1, "2026-03", 3), (2, "2026-03", 25), (3, "2026-03", 14), (4, "2026-03", 12)])
    store.write_layers({schema.INCIDENTS: frame})
    with pytest.raises(SchemaError, match=r"2026-03 is still open .* on or after 01 Apr 2026"):
        monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 3, 31))
    assert public_table(store).empty  # nothing is public before a month is published
    first = monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 1))
    before = public_table(store)
    assert before.loc["CD 1", "2026-03"] in (SUPPRESSED, WITHHELD)
    # the red-team probe: one more incident in the withheld cell, then publish again
    late, n = _incidents([(1, "2026-03", 1)], start=n)
    store.write_layers({schema.INCIDENTS: late})
    again = monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 6, 1))
    after = public_table(store)
    assert published_values(after) == published_values(before), "a published month moved"
    assert all(again.tables[k].published().equals(first.tables[k].published()) for k in first.tables)
    assert again.incidents == first.incidents  # the late report is not in the frozen publication
    pubs = store.read_publications(KIND_MONTHLY)
    assert [p.period for p in pubs] == ["2026-03"]
    entries = [e for e in store.read_audit() if e["action"] == "publication.create"]
    assert len(entries) == 1 and entries[0]["entity_id"] == "monthly_b8:2026-03"


def test_the_public_view_has_no_totals_across_months(store):
    frame, _ = _incidents([(1, "2026-03", 30), (1, "2026-04", 2), (2, "2026-04", 40), (3, "2026-04", 15)])
    store.write_layers({schema.INCIDENTS: frame})
    for month in ("2026-03", "2026-04"):
        monthly_from_store(store, RECORDS, month=month, as_of=dt.date(2026, 5, 1))
    table = public_table(store)
    assert list(table.columns) == ["2026-03", "2026-04"] and "Total" not in table.columns


def test_only_records_admin_and_planning_publish(store):
    with pytest.raises(AccessDenied, match="may not publish report"):
        monthly_from_store(store, liaison("Transportation (LADOT)"), month="2026-03", as_of=dt.date(2026, 4, 1))
    assert store.read_publications(KIND_MONTHLY) == []


def _no_withheld_value_solvable(table: pd.DataFrame) -> bool:
    """Each published month column with its total: is any withheld district count determined?"""
    for month in table.columns:
        col = table[month]
        body = col.drop("Total")
        mask = body.isin([SUPPRESSED, WITHHELD]).to_numpy()[:, None]
        total_hidden = col["Total"] in (SUPPRESSED, WITHHELD)
        row_hidden = np.ones(len(body), bool)  # the public view shows no totals across months
        if recoverable_cells(mask, rows_hidden=row_hidden, cols_hidden=np.array([total_hidden]),
                             grand_hidden=total_hidden).any():
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.lists(st.integers(0, 40), min_size=len(DISTRICTS), max_size=len(DISTRICTS)),
                       min_size=len(MONTHS), max_size=len(MONTHS)),
       late=st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(MONTHS)), max_size=4))
def test_replayed_publications_never_reveal_a_withheld_count(tmp_path_factory, counts, late):
    """Publish month after month, with late incidents landing between publications in any cell."""
    from geo.store import open_store

    store = open_store(str(tmp_path_factory.mktemp("pub") / "s.gpkg"))
    store.write_layers({schema.DISTRICTS: _districts()})
    rows = [(d, m, c) for m, row in zip(MONTHS, counts, strict=True) for d, c in zip(DISTRICTS, row, strict=True)]
    frame, n = _incidents(rows)
    if len(frame):
        store.write_layers({schema.INCIDENTS: frame})
    seen: dict[tuple[str, str], str] = {}
    for i, month in enumerate(MONTHS):
        first_day_after = (pd.Period(month, "M") + 1).start_time.date()
        monthly_from_store(store, RECORDS, month=month, as_of=first_day_after)
        table = public_table(store)
        for key, value in published_values(table).items():
            assert seen.setdefault(key, value) == value, f"{key} changed from {seen[key]} to {value}"
        assert _no_withheld_value_solvable(table)
        if i < len(late):  # a late or new incident between two publications
            extra, n = _incidents([late[i] + (1,)], start=n)
            store.write_layers({schema.INCIDENTS: extra})


def test_b8_report_counts_incidents_entered_by_form_and_cli_each_placed_in_its_district(store, cli_accounts):
    """The B.8 crash: form- and CLI-entered incidents had no district; they get one at intake now."""
    from geo.access.roles import Actor
    from geo.intake.reports import IncidentReport
    from geo.services.intake import submit_incident
    from stagemap_cli.main import main

    x = -118.30 + DISTRICTS.index(3) * 0.01 + 0.005
    suspected = {"relevance": schema.SUSPECTED_UNLAWFUL_CONDUCT, "conduct": ("force", "masking")}
    form = submit_incident(store, Actor("desk", "records", source="app"),
                           IncidentReport("arrest", 34.005, x, "2026-03-10T09:00", "officer", **suspected))
    outside = submit_incident(store, Actor("desk", "records", source="app"),
                              IncidentReport("arrest", 34.2, -118.5, "2026-03-11T09:00", "officer", **suspected))
    code = main(["incident", "add", "--type", "checkpoint", "--lat", "34.005", "--lon", str(x), "--occurred",
                 "2026-03-12T10:00", "--source", "staff", "--relevance", "suspected_unlawful_conduct",
                 "--conduct", "no_visible_id", "--user", "records1", "--store", store.url])
    assert code == 0
    placed = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)[schema.COUNCIL_DISTRICT]
    assert placed[form.incident_id] == 3 and pd.isna(placed[outside.incident_id])
    assert placed.dropna().tolist() == [3, 3]
    report = monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 1))
    assert report.incidents == 3
    counts = report.tables["District by verification level"].counts
    assert counts.loc["CD 3"].sum() == 2 and counts.loc["Not located"].sum() == 1
    conduct = report.tables["District by observed conduct"].counts
    assert conduct.loc["CD 3", "Masking"] == 1 and conduct.loc["CD 3", "No visible identification"] == 1
