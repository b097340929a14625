"""The joint disclosure audit of the B.8 tables: no withheld count may be solvable from what is published.

The unknowns are the month's counts by district x observed-conduct combination x verification
level (an incident may show several kinds of conduct, so each combination seen is one unknown
column). Every published cell and total of the three tables is a linear equation over them; a
published zero also fixes every unknown under it at zero. A withheld cell, or a withheld total of
1 to k - 1, is *solvable* when its equation lies in the span of the published ones; the audit then withholds more
(the smallest published cell beside it, or the smallest published total on the same margin)
until nothing withheld is solvable. Using only the combinations seen gives the reader more
knowledge than they have, so the check is conservative.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import SchemaError
from geo.messages import M
from geo.reports.publish import K_MIN, SuppressedTable

#: A withheld item: (table, 'cell' | 'row' | 'col' | 'grand', i, j).
Item = tuple[str, str, int, int]


@dataclass(frozen=True)
class Layout:
    """Which unknowns each cell and total of each table adds up (0/1 coefficient arrays)."""

    cells: Mapping[str, np.ndarray]  # name -> (rows, cols, n)
    rows: Mapping[str, np.ndarray]  # name -> (rows, n): what each row total counts
    cols: Mapping[str, np.ndarray]  # name -> (cols, n)

    @property
    def n(self) -> int:
        """Number of unknowns."""
        return int(next(iter(self.cells.values())).shape[-1])


def equations(tables: Mapping[str, SuppressedTable], layout: Layout, *, k: int = K_MIN
              ) -> tuple[list[np.ndarray], list[tuple[Item, np.ndarray]]]:
    """Return (published equations, the withheld items to protect with their equations) over all unknowns.

    Every withheld cell is protected; a withheld total only when it is a small count (1 to
    ``k - 1``): a larger total withheld to protect others may well follow from what is shown.
    """
    published: list[np.ndarray] = []
    withheld: list[tuple[Item, np.ndarray]] = []
    for name, tab in tables.items():
        mask = tab.withheld.to_numpy(dtype=bool)
        cells = layout.cells[name]
        for i, j in np.ndindex(mask.shape):
            (withheld.append(((name, "cell", i, j), cells[i, j])) if mask[i, j] else published.append(cells[i, j]))
        for i, (hidden, value) in enumerate(zip(np.asarray(tab.row_total_withheld, dtype=bool), tab.row_totals)):
            if not hidden:
                published.append(layout.rows[name][i])
            elif 1 <= value < k:
                withheld.append(((name, "row", i, -1), layout.rows[name][i]))
        for j, (hidden, value) in enumerate(zip(np.asarray(tab.col_total_withheld, dtype=bool), tab.col_totals)):
            if not hidden:
                published.append(layout.cols[name][j])
            elif 1 <= value < k:
                withheld.append(((name, "col", -1, j), layout.cols[name][j]))
    first = next(iter(tables.values()))
    grand = np.ones(layout.n)
    total = int(first.col_totals.sum()) if first.grand_total is None else int(first.grand_total)
    if not first.grand_total_withheld:
        published.append(grand)
    elif 1 <= total < k:
        withheld.append(((next(iter(tables)), "grand", -1, -1), grand))
    return published, withheld


def known_zeros(tables: Mapping[str, SuppressedTable], layout: Layout) -> np.ndarray:
    """Return which unknowns a published zero (cell or total) fixes at zero."""
    out = np.zeros(layout.n, bool)
    for name, tab in tables.items():
        zero = ~tab.withheld.to_numpy(dtype=bool) & (tab.counts.to_numpy() == 0)
        for i, j in zip(*np.nonzero(zero)):
            out |= layout.cells[name][i, j] > 0
        for i, (hidden, value) in enumerate(zip(tab.row_total_withheld, tab.row_totals.to_numpy())):
            if not hidden and value == 0:
                out |= layout.rows[name][i] > 0
        for j, (hidden, value) in enumerate(zip(tab.col_total_withheld, tab.col_totals.to_numpy())):
            if not hidden and value == 0:
                out |= layout.cols[name][j] > 0
    return out


def solvable(tables: Mapping[str, SuppressedTable], layout: Layout, *, k: int = K_MIN) -> list[Item]:
    """Return every withheld cell, or withheld small total, whose value follows from everything published."""
    published, withheld = equations(tables, layout, k=k)
    keep = ~known_zeros(tables, layout)
    if not keep.any():
        return []
    live = np.array([e[keep] for e in published]) if published else np.zeros((0, int(keep.sum())))
    live = live[live.any(axis=1)] if len(live) else live
    basis = _row_space(live) if len(live) else np.zeros((0, int(keep.sum())))
    out = []
    for item, vec in withheld:
        v = vec[keep]
        if not v.any():  # every unknown under it is a published zero: it is 0 and hides nothing
            continue
        if np.linalg.norm(v - basis.T @ (basis @ v)) < 1e-8:
            out.append(item)
    return out


def audit(tables: dict[str, SuppressedTable], layout: Layout, *, shared: Mapping[str, tuple[tuple[str, str], ...]],
          max_rounds: int = 400) -> tuple[dict[str, SuppressedTable], int]:
    """Withhold more until nothing withheld is solvable; return the tables and the rounds taken.

    ``shared`` names the margins the tables have in common (``{"district": (("t1", "row"), ("t2", "row"))}``):
    a total withheld in one is withheld in all. When a round finds nothing left to withhold beside a
    solvable item, every total is withheld.

    Raises
    ------
    SchemaError
        When the suppression does not settle (a bug: report it with the month used).
    """
    for rounds in range(1, max_rounds + 1):
        tables = _harmonise(tables, shared)
        found = solvable(tables, layout)
        if not found:
            return _publish_known_zeros(tables, layout), rounds
        grown = {n: _Masks.of(t) for n, t in tables.items()}
        changed = False
        for name, kind, i, j in found:
            m, tab, live = grown[name], tables[name], _live(layout, name)
            counts = tab.counts.to_numpy()
            if kind == "cell":
                changed |= _protect_line(m.cells[i, :], counts[i, :], live[i, :], m.rows, i)
                changed |= _protect_line(m.cells[:, j], counts[:, j], live[:, j], m.cols, j)
            elif kind in ("row", "grand"):
                changed |= _smallest(m.rows, tab.row_totals.to_numpy(), np.asarray(layout.rows[name].any(axis=1)))
            else:
                changed |= _smallest(m.cols, tab.col_totals.to_numpy(), np.asarray(layout.cols[name].any(axis=1)))
        if not changed:  # nothing left beside them: withhold what covers their counts in any table
            changed = _withhold_exposed(grown, tables, layout, found)
        if not changed:  # the last resort: every total
            changed = any(not (m.rows.all() and m.cols.all() and m.grand) for m in grown.values())
            for m in grown.values():
                m.rows[:], m.cols[:], m.grand = True, True, True
        if not changed:
            break
        tables = {n: grown[n].apply(t) for n, t in tables.items()}
    raise SchemaError(M("monthly report: suppression did not settle; report this as a bug with the month used."))


def support(item: Item, layout: Layout) -> np.ndarray:
    """Return the 0/1 vector of the unknowns a cell or total adds up."""
    name, kind, i, j = item
    if kind == "cell":
        return np.asarray(layout.cells[name][i, j])
    if kind == "row":
        return np.asarray(layout.rows[name][i])
    if kind == "col":
        return np.asarray(layout.cols[name][j])
    return np.ones(layout.n)


# --- private steps -------------------------------------------------------------------------
@dataclass
class _Masks:
    cells: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    grand: bool

    @classmethod
    def of(cls, tab: SuppressedTable) -> _Masks:
        return cls(tab.withheld.to_numpy(dtype=bool).copy(), np.array(tab.row_total_withheld, dtype=bool),
                   np.array(tab.col_total_withheld, dtype=bool), bool(tab.grand_total_withheld))

    def apply(self, tab: SuppressedTable) -> SuppressedTable:
        return dataclasses.replace(tab, withheld=pd.DataFrame(self.cells, index=tab.withheld.index,
                                                              columns=tab.withheld.columns),
                                   row_total_withheld=self.rows, col_total_withheld=self.cols,
                                   grand_total_withheld=self.grand)


def _protect_line(cells: np.ndarray, values: np.ndarray, live: np.ndarray, totals: np.ndarray, at: int) -> bool:
    """Protect a line holding a solvable withheld cell (in place); return whether anything more was withheld.

    The smallest published cell of the line that can hold a count is withheld; a line with no
    such cell left, and a single withheld cell, has its total withheld instead.
    """
    if (~cells & live).any():
        return _smallest(cells, values, live)
    if int((cells & live).sum()) < 2 and not totals[at]:
        totals[at] = True
        return True
    return False


def _withhold_exposed(grown: dict[str, _Masks], tables: Mapping[str, SuppressedTable], layout: Layout,
                      found: list[Item]) -> bool:
    """Withhold (in place) every published cell, in any table, that covers a count under a solvable item."""
    exposed = np.zeros(layout.n, bool)
    for item in found:
        exposed |= support(item, layout) > 0
    exposed &= ~known_zeros(tables, layout)
    changed = False
    for name, m in grown.items():
        hit = (layout.cells[name][..., exposed] > 0).any(axis=-1) & ~m.cells
        if hit.any():
            m.cells |= hit
            changed = True
    return changed


def _live(layout: Layout, name: str) -> np.ndarray:
    """Return which cells of a table can hold a count at all (a combination seen lies under them)."""
    return np.asarray(layout.cells[name].any(axis=2))


def _smallest(mask: np.ndarray, values: np.ndarray, live: np.ndarray) -> bool:
    """Withhold (in place) the smallest published non-zero entry of a line that can hold a count, else a zero.

    Entries no count can fall in (an observed-conduct column nobody reported) hide nothing and are
    never chosen. Returns whether one was withheld.
    """
    free = np.flatnonzero(~mask & live)
    if not len(free):
        return False
    order = free[np.lexsort((values[free], values[free] == 0))]
    mask[order[0]] = True
    return True


def _harmonise(tables: dict[str, SuppressedTable], shared: Mapping[str, tuple[tuple[str, str], ...]]
               ) -> dict[str, SuppressedTable]:
    """Withhold a shared total in every table that shows it when any one withholds it; the grand total too."""
    masks = {n: _Masks.of(t) for n, t in tables.items()}
    for margin in shared.values():
        hidden = np.any([getattr(masks[name], axis + "s") for name, axis in margin], axis=0)
        for name, axis in margin:
            setattr(masks[name], axis + "s", hidden.copy())
    grand = any(m.grand for m in masks.values())
    for m in masks.values():
        m.grand = grand
    return {n: masks[n].apply(t) for n, t in tables.items()}


def _publish_known_zeros(tables: dict[str, SuppressedTable], layout: Layout) -> dict[str, SuppressedTable]:
    """Show as 0 the withheld cells that published zeros elsewhere already prove are zero."""
    zero = known_zeros(tables, layout)
    out = {}
    for name, tab in tables.items():
        m = _Masks.of(tab)
        for i, j in zip(*np.nonzero(m.cells)):
            support = layout.cells[name][i, j] > 0
            m.cells[i, j] = not zero[support].all()
        out[name] = m.apply(tab)
    return out


def _row_space(eqs: np.ndarray) -> np.ndarray:
    """Return an orthonormal basis (rows) of the span of ``eqs``."""
    _, sing, vt = np.linalg.svd(eqs, full_matrices=False)
    rank = int((sing > 1e-9 * max(eqs.shape) * (sing[0] if len(sing) else 1.0)).sum())
    return vt[:rank]
