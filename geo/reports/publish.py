"""The one gate for anything public: suppressed aggregate counts and protected City sites only.

Public outputs never carry risk scores, gap lists, unsigned or ungated sites, incident points
or reporter identities (SECURITY.md R2, R8). Counts are published as a table with row and
column totals; cells of 1 to ``k - 1`` are withheld, and further cells are withheld
(complementary suppression) until no withheld cell can be solved from the published cells and
totals. That last property is checked by linear algebra, not assumed.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import LOCAL_TZ

K_MIN = 11  # CMS threshold: counts of 1-10 are withheld; zero may show
SUPPRESSED = "<11"
PUBLIC_SITE_COLUMNS = [schema.NAME, schema.OWNING_DEPT, schema.COUNCIL_DISTRICT, "protected_status"]


@dataclass(frozen=True)
class SuppressedTable:
    """A count table ready to publish: true values, the withheld mask and the published totals."""

    counts: pd.DataFrame  # true counts (never published as such)
    withheld: pd.DataFrame  # bool, same shape
    row_totals: pd.Series  # true totals; see the masks below for what is published
    col_totals: pd.Series
    row_total_withheld: np.ndarray
    col_total_withheld: np.ndarray
    grand_total_withheld: bool = False
    #: the true grand total when it is not the sum of the column totals (a table where one record can
    #: fall in several columns, such as observed conduct); ``None`` = the sum
    grand_total: int | None = None

    def published(self) -> pd.DataFrame:
        """Return the table as published: withheld cells as '<11', with a Total row and column."""
        body = self.counts.astype(object).mask(self.withheld, SUPPRESSED)
        body["Total"] = self.row_totals.astype(object).where(~self.row_total_withheld, "withheld")
        cols = self.col_totals.astype(object).where(~self.col_total_withheld, "withheld")
        total = int(self.col_totals.sum()) if self.grand_total is None else int(self.grand_total)
        grand = "withheld" if self.grand_total_withheld else total
        total_row = pd.DataFrame([[*cols.tolist(), grand]], columns=body.columns, index=["Total"])
        return pd.concat([body, total_row])


def suppress(counts: pd.DataFrame, *, k: int = K_MIN) -> SuppressedTable:
    """Withhold small cells and their complements so no withheld value can be recovered.

    Primary suppression withholds cells with 1 <= count < ``k``. Complementary suppression
    then withholds the smallest published cell in any row or column holding exactly one
    withheld cell, and, while any withheld cell is still determined by the published cells
    and the row and column totals (a linear-algebra test), the smallest published cell in
    its row and column. Zero cells may show but may be withheld as complements.
    """
    values = counts.to_numpy(dtype=np.int64)
    if (values < 0).any():
        raise ValueError("suppress: counts must be non-negative")
    def small(v: np.ndarray | np.integer) -> np.ndarray:
        return np.asarray((v >= 1) & (v < k))

    mask = small(values)
    rows_hidden, cols_hidden = small(values.sum(axis=1)), small(values.sum(axis=0))
    grand_hidden = bool(small(values.sum()))
    while True:
        changed = _complete_lines(values, mask)
        determined = recoverable_cells(mask, rows_hidden=rows_hidden, cols_hidden=cols_hidden,
                                       grand_hidden=grand_hidden)
        if not determined.any():
            break
        for i, j in zip(*np.nonzero(determined)):
            changed |= _withhold_smallest(values, mask, row=i) | _withhold_smallest(values, mask, col=j)
        if not changed:  # no published cell left to withhold beside them: withhold their totals
            hit_rows, hit_cols = np.nonzero(determined)
            rows_hidden[hit_rows] = True
            cols_hidden[hit_cols] = True
            if recoverable_cells(mask, rows_hidden=rows_hidden, cols_hidden=cols_hidden,
                                 grand_hidden=grand_hidden).any():
                grand_hidden = True  # a table with one withheld cell: only the grand total is left
            break
    return SuppressedTable(counts=counts.copy(), withheld=pd.DataFrame(mask, index=counts.index,
                                                                        columns=counts.columns),
                           row_totals=counts.sum(axis=1), col_totals=counts.sum(axis=0),
                           row_total_withheld=rows_hidden, col_total_withheld=cols_hidden,
                           grand_total_withheld=grand_hidden)


def recoverable_cells(mask: np.ndarray, *, rows_hidden: np.ndarray | None = None,
                      cols_hidden: np.ndarray | None = None, grand_hidden: bool = False) -> np.ndarray:
    """Return which withheld cells are determined by the published totals (exactly solvable).

    Withheld cell values are unknowns; every published row and column total, and the grand
    total, gives one linear equation over the withheld cells. A cell is determined iff its
    unit vector lies in the span of those equations, i.e. adding it does not raise the rank.
    """
    cells = np.argwhere(mask)
    out = np.zeros_like(mask, dtype=bool)
    if len(cells) == 0:
        return out
    n_rows, n_cols = mask.shape
    rows_hidden = np.zeros(n_rows, bool) if rows_hidden is None else rows_hidden
    cols_hidden = np.zeros(n_cols, bool) if cols_hidden is None else cols_hidden
    idx = np.arange(len(cells))
    eq = np.zeros((n_rows + n_cols + 1, len(cells)))
    eq[cells[:, 0], idx] = ~rows_hidden[cells[:, 0]]
    eq[n_rows + cells[:, 1], idx] = ~cols_hidden[cells[:, 1]]
    eq[-1, :] = 0 if grand_hidden else 1
    base = np.linalg.matrix_rank(eq)
    for n, (i, j) in enumerate(cells):
        unit = np.zeros((1, len(cells)))
        unit[0, n] = 1
        out[i, j] = np.linalg.matrix_rank(np.vstack([eq, unit])) == base
    return out


def _complete_lines(values: np.ndarray, mask: np.ndarray) -> bool:
    changed = False
    again = True
    while again:
        again = False
        for i in np.nonzero(mask.sum(axis=1) == 1)[0]:
            again |= _withhold_smallest(values, mask, row=int(i))
        for j in np.nonzero(mask.sum(axis=0) == 1)[0]:
            again |= _withhold_smallest(values, mask, col=int(j))
        changed |= again
    return changed


def _withhold_smallest(values: np.ndarray, mask: np.ndarray, *, row: int | None = None,
                       col: int | None = None) -> bool:
    """Withhold the smallest published cell of one row or column; return whether one was found."""
    line = values[row, :] if row is not None else values[:, col]
    free = ~(mask[row, :] if row is not None else mask[:, col])
    if not free.any():
        return False
    # prefer non-zero cells (withholding a zero protects less), then the smallest
    order = np.lexsort((line, line == 0))
    pick = next(p for p in order if free[p])
    if row is not None:
        mask[row, pick] = True
    else:
        mask[pick, col] = True
    return True


def district_month_counts(incidents: pd.DataFrame, *, districts: list[int], months: list[str]) -> pd.DataFrame:
    """Return incident counts by council district (rows) and LA calendar month 'YYYY-MM' (columns)."""
    month = incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m")
    table = pd.crosstab(incidents[schema.COUNCIL_DISTRICT], month)
    return table.reindex(index=districts, columns=months, fill_value=0).rename_axis(
        index="council_district", columns="month").astype(int)


def public_incident_table(incidents: pd.DataFrame, *, districts: list[int], months: list[str]) -> SuppressedTable:
    """Return the public district x month incident table with small-cell suppression."""
    return suppress(district_month_counts(incidents, districts=districts, months=months))


def public_sites(site_table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return only fully protected City sites, as points, with name, department, district and status.

    Unsigned, ungated or partly protected sites never appear: a public list of them would be a
    staging guide.
    """
    protected = site_table[site_table["protection"] == "protected"]
    points = protected.geometry.representative_point()
    out = pd.DataFrame({c: protected[c] for c in PUBLIC_SITE_COLUMNS[:-1]})
    out["protected_status"] = "signed" + np.where(protected["barrier_applies"], " and gated", "")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=points.to_numpy(), crs=site_table.crs)
