"""B.8 counts suspected unlawful conduct only, by district, observed conduct and verification; nothing withheld
can be worked out, even though one incident can show several kinds of conduct.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema
from geo.reports import monthly
from geo.reports.publish import SUPPRESSED

DISTRICTS = [1, 2, 3, 4]
LEVELS = list(schema.VERIFICATION_STATUSES)
WHEN = pd.Timestamp("2026-03-15 12:00", tz="America/Los_Angeles").tz_convert("UTC")


def incidents(rows: list[tuple[int, tuple[str, ...], str, str]]) -> pd.DataFrame:
    """Incidents of March 2026 from (district, conduct, level, relevance) rows."""
    return pd.DataFrame({
        schema.OCCURRED_AT: pd.Series([WHEN] * len(rows), dtype="datetime64[ns, UTC]"),
        schema.COUNCIL_DISTRICT: pd.array([r[0] for r in rows], dtype="Int64"),
        schema.CONDUCT: [";".join(r[1]) or None for r in rows], schema.VERIFICATION: [r[2] for r in rows],
        schema.RELEVANCE: [r[3] for r in rows]})


def test_only_suspected_unlawful_conduct_is_counted_and_conduct_columns_overlap():
    suspected = schema.SUSPECTED_UNLAWFUL_CONDUCT
    rows = ([(1, ("force", "masking"), "unverified", suspected)] * 12 + [(1, ("masking",), "unverified", suspected)] * 3
            + [(2, (), "corroborated", schema.ENFORCEMENT)] * 40 + [(2, (), "unverified", schema.GENERAL_CRIME)] * 90)
    report = monthly.monthly_report(incidents(rows), month="2026-03", districts=DISTRICTS)
    assert report.incidents == 15  # neither the 40 enforcement reports nor the 90 crime reports
    by_type = report.tables[monthly.BY_TYPE]
    assert by_type.counts.loc["CD 1", "Force"] == 12 and by_type.counts.loc["CD 1", "Masking"] == 15
    assert by_type.row_totals["CD 1"] == 15 and by_type.counts.loc["CD 1"].sum() == 27  # columns overlap
    assert by_type.published().loc["CD 1", "Total"] == 15 and monthly.published_total(report) == "15"
    assert monthly.solvable_items(report) == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sets(st.sampled_from(schema.CONDUCT_TYPES), max_size=3),
                          st.sampled_from(LEVELS), st.sampled_from([schema.SUSPECTED_UNLAWFUL_CONDUCT] * 3
                                                                   + [schema.ENFORCEMENT, schema.GENERAL_CRIME])),
                min_size=0, max_size=90),
       st.integers(0, 30))
def test_no_published_count_is_small_and_no_withheld_count_is_solvable(rows, bulk):
    rows = [(d, tuple(sorted(c)), v, r) for d, c, v, r in rows]
    rows += [(3, ("masking",), "unverified", schema.SUSPECTED_UNLAWFUL_CONDUCT)] * bulk  # some cells can publish
    frame = incidents(rows)
    report = monthly.monthly_report(frame, month="2026-03", districts=DISTRICTS)
    counted = [r for r in rows if r[3] == schema.SUSPECTED_UNLAWFUL_CONDUCT]
    assert report.incidents == len(counted)
    for name, tab in report.tables.items():
        pub = tab.published()
        numbers = [v for v in pub.to_numpy().ravel() if not isinstance(v, str)]
        assert all(v == 0 or v >= 11 for v in numbers), (name, pub)
        assert set(pub.to_numpy().ravel()) - set(numbers) <= {SUPPRESSED, "withheld"}
    combos = sorted({c or ("other",) for _, c, _, r in counted}) or [("other",)]
    assert monthly.solvable_items(report, combos=combos) == []
    by_level = report.tables[monthly.BY_LEVEL]
    assert int(np.asarray(by_level.counts).sum()) == len(counted)
