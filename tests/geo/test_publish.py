"""Publication gate: small cells withheld, no withheld cell recoverable, only protected sites public."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.linalg import null_space

from geo.reports.publish import K_MIN, SUPPRESSED, public_sites, suppress


def _determined_by_nullspace(table) -> np.ndarray:
    """Independent check: a withheld cell is solvable iff every null-space vector is 0 there."""
    mask = table.withheld.to_numpy()
    cells = np.argwhere(mask)
    if not len(cells):
        return np.zeros(0, bool)
    n_rows, n_cols = mask.shape
    eq = []
    for i in range(n_rows):
        if not table.row_total_withheld[i]:
            eq.append([1.0 if r == i else 0.0 for r, _ in cells])
    for j in range(n_cols):
        if not table.col_total_withheld[j]:
            eq.append([1.0 if c == j else 0.0 for _, c in cells])
    if not table.grand_total_withheld:
        eq.append([1.0] * len(cells))
    if not eq:
        return np.zeros(len(cells), bool)
    ns = null_space(np.array(eq))
    return np.all(np.abs(ns) < 1e-9, axis=1) if ns.size else np.ones(len(cells), bool)


def test_hand_checked_table():
    counts = pd.DataFrame([[3, 20, 30], [15, 25, 12], [40, 14, 16]], index=[1, 2, 3], columns=["a", "b", "c"])
    table = suppress(counts)
    pub = table.published()
    assert pub.loc[1, "a"] == SUPPRESSED
    # row 1 and column a each need a second withheld cell; the smallest published ones are chosen
    assert table.withheld.to_numpy().sum() >= 4
    assert not _determined_by_nullspace(table).any()
    assert pub.loc["Total", "Total"] == counts.to_numpy().sum()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 8).flatmap(lambda r: st.integers(1, 8).flatmap(
    lambda c: arrays(np.int64, (r, c), elements=st.one_of(st.integers(0, 14), st.integers(0, 60)))))
)
def test_no_small_cell_published_and_no_withheld_cell_recoverable(values):
    counts = pd.DataFrame(values)
    table = suppress(counts)
    pub = table.published()
    body = pub.iloc[:-1, :-1]
    shown = body[body != SUPPRESSED].to_numpy().ravel()
    shown = shown[pd.notna(shown)].astype(int)
    assert not ((shown >= 1) & (shown < K_MIN)).any()
    assert not _determined_by_nullspace(table).any()
    # totals are counts too: none of 1-10 is published
    for totals, hidden in ((table.row_totals, table.row_total_withheld), (table.col_totals, table.col_total_withheld)):
        visible = totals.to_numpy()[~hidden]
        assert not ((visible >= 1) & (visible < K_MIN)).any()
    grand = int(counts.to_numpy().sum())
    assert table.grand_total_withheld or not (1 <= grand < K_MIN)


def test_only_protected_sites_are_public():
    import geopandas as gpd

    sites = gpd.GeoDataFrame({
        "site_id": ["A", "B", "C"], "name": ["Lot A", "Lot B", "Park C"], "owning_dept": ["LADOT"] * 3,
        "council_district": [1, 1, 2], "protection": ["protected", "unprotected", "protected"],
        "barrier_applies": [True, True, False], "risk_score": [90, 95, 10], "final_tier": ["high"] * 3,
    }, geometry=[shapely.box(0, 0, 1, 1)] * 3, crs="EPSG:4326")
    pub = public_sites(sites)
    assert pub["name"].tolist() == ["Lot A", "Park C"]
    assert pub["protected_status"].tolist() == ["signed and gated", "signed"]
    assert not {"risk_score", "final_tier", "protection", "site_id"} & set(pub.columns)
    assert (pub.geometry.geom_type == "Point").all()


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        suppress(pd.DataFrame([[-1]]))
