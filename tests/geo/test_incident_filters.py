"""Incident filters: each filter narrows what is shown, with hand-checked counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.analysis.incident_filters import IncidentFilter, counts_by_district, filter_incidents
from geo.errors import SchemaError
from tests.conftest import canonical_frame


@pytest.fixture
def incidents():
    # occurred in UTC; 2026-03-01 06:30 UTC is still 2026-02-28 in Los Angeles
    times = ["2026-03-01T06:30Z", "2026-03-01T20:00Z", "2026-02-01T12:00Z", "2025-12-24T12:00Z"]
    return canonical_frame(
        schema.INCIDENTS, [shapely.Point(-118.25, 34.05)] * 4, incident_id=["a", "b", "c", "d"],
        occurred_at=list(pd.to_datetime(times, utc=True)), council_district=[1, 1, 2, None],
        incident_type=["staging_area", "arrest", "staging_area", "checkpoint"],
        verification_status=["unverified", "lapd_confirmed", "corroborated", "unverified"])


def _ids(frame):
    return sorted(frame[schema.INCIDENT_ID])


def test_no_filter_shows_all(incidents):
    assert _ids(filter_incidents(incidents, IncidentFilter())) == ["a", "b", "c", "d"]


def test_district_type_and_verification_filters(incidents):
    assert _ids(filter_incidents(incidents, IncidentFilter(districts=(1,)))) == ["a", "b"]
    assert _ids(filter_incidents(incidents, IncidentFilter(types=("staging_area",)))) == ["a", "c"]
    assert _ids(filter_incidents(incidents, IncidentFilter(verification=("unverified",)))) == ["a", "d"]


def test_last_n_days_counts_los_angeles_calendar_days(incidents):
    flt = IncidentFilter(last_days=1, as_of=dt.date(2026, 3, 1))
    assert _ids(filter_incidents(incidents, flt)) == ["b"]  # 'a' happened on 28 Feb in LA
    assert _ids(filter_incidents(incidents, IncidentFilter(last_days=30, as_of=dt.date(2026, 3, 1)))) == ["a", "b", "c"]


def test_date_range_is_inclusive(incidents):
    flt = IncidentFilter(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert _ids(filter_incidents(incidents, flt)) == ["a", "c"]


def test_bad_windows_say_what_to_fix(incidents):
    with pytest.raises(SchemaError, match="swap the dates"):
        filter_incidents(incidents, IncidentFilter(start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1)))
    with pytest.raises(SchemaError, match="at least 1"):
        filter_incidents(incidents, IncidentFilter(last_days=0))


def test_counts_by_district_include_empty_districts(incidents):
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(0, 0, 1, 1)] * 3, district=[1, 2, 3])
    assert counts_by_district(incidents, districts).to_dict() == {1: 2, 2: 1, 3: 0}
