"""A status save touches one site: re-status only the sites whose rows changed and update the KPIs by difference.

:func:`geo.services.persisted.restatus` rebuilds every site row, part, unit and KPI from the
persisted per-site features. :func:`restatus_delta` starts instead from the previous re-statused
run (:class:`Restated`: the run and the status, override and determination rows it was computed
from), finds the sites whose rows differ, runs :func:`geo.analysis.analyze.site_stage` on those
sites only (every step of it is per site), splices them into the site table, re-sorts it, and
updates the KPI tables and the risk x protection matrix by subtracting the changed units' old
counts and adding their new ones. The result equals a full rebuild (tests/geo/test_restatus_delta.py).
A change of site parts, or of many sites at once, takes the full rebuild.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.analysis import gaps
from geo.analysis.analyze import AnalysisConfig, AnalysisResult, site_stage, unit_tables
from geo.analysis.control import PART_UNIT, SITE_UNIT, UNIT_KIND
from geo.analysis.risk import RISK_SCORE, score_sites
from geo.services.persisted import replace, stage_inputs

#: Above this share of the sites changed at once, the full rebuild is as cheap and is used.
FULL_SHARE = 0.25
_KPIS = (("kpi_department", schema.OWNING_DEPT), ("kpi_district", schema.COUNCIL_DISTRICT))


@dataclass(frozen=True)
class Restated:
    """A re-statused run and the rows it was computed from (where the next delta starts), with the run's staging."""

    res: AnalysisResult
    status: pd.DataFrame
    overrides: pd.DataFrame
    control: pd.DataFrame | None
    parts: pd.DataFrame | None
    staged: tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]  # sites, features, inherent scores (never change)
    digests: tuple[dict[str, int], ...] = ()  # per site, of the status, override and determination rows


def restatus_delta(prev: Restated | None, base: AnalysisResult, status: pd.DataFrame, overrides: pd.DataFrame, *,
                   config: AnalysisConfig, control: pd.DataFrame | None = None, parts: pd.DataFrame | None = None,
                   listed: pd.DataFrame | None = None) -> Restated:
    """Return the run re-statused for these rows, starting from ``prev`` when there is one (else from ``base``).

    ``base`` is the persisted run (its per-site features; ``prev`` must come from the same one);
    ``listed`` the store's sites layer, as for :func:`geo.services.persisted.restatus`, whose result
    this equals.
    """
    rows: dict[str, Any] = {"status": status, "overrides": overrides, "control": control, "parts": parts}
    if prev is None:
        sites, features = stage_inputs(base, listed)
        staged = (sites, features, score_sites(features, rules=config.risk))
    else:
        staged = prev.staged
    digests = tuple(_digest(f) for f in (status, overrides, control))
    known = prev is not None and len(prev.digests) == len(digests)
    changed = set() if prev is None or not known else set().union(*(
        {s for s in a.keys() | b.keys() if a.get(s) != b.get(s)} for a, b in zip(prev.digests, digests, strict=True)))
    rows["digests"] = digests
    if prev is None or not known or not _same(prev.parts, parts) or len(changed) > FULL_SHARE * max(len(base.sites), 1):
        sites, features, scored = staged  # the full rebuild (persisted.restatus), its inherent scores kept
        table, part_table, units = site_stage(sites, features, status, overrides, control=control, parts=parts,
                                              as_of=base.as_of, config=config, scored=scored)
        return Restated(replace(base, sites=table, parts=part_table, units=units,
                                **unit_tables(table, units, base.incidents)), staged=staged, **rows)
    if not changed:
        return Restated(prev.res, staged=staged, **rows)
    return Restated(_splice(prev.res, staged, changed, status, overrides, config=config, control=control, parts=parts),
                    staged=staged, **rows)


def _splice(prev: AnalysisResult, staged: tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame], changed: Collection[str],
            status: pd.DataFrame, overrides: pd.DataFrame, *, config: AnalysisConfig, control: pd.DataFrame | None,
            parts: pd.DataFrame | None) -> AnalysisResult:
    sites, features, scored = staged
    ids = list(changed)
    mine = sites[schema.SITE_ID].astype(str).isin(ids).to_numpy()
    fresh, _parts, _units = site_stage(sites[mine], features[mine], status, overrides, control=control, parts=parts,
                                       as_of=prev.as_of, config=config, scored=scored[mine])
    kept = prev.sites[~prev.sites[schema.SITE_ID].astype(str).isin(ids).to_numpy()]
    table = pd.concat([kept, fresh]).sort_index()  # the store's order, as the full rebuild starts from
    dtypes = fresh.dtypes.drop(fresh.geometry.name)
    for col in dtypes.index[(dtypes != kept.dtypes.reindex(dtypes.index)).to_numpy()]:
        table[col] = pd.Series(table[col].astype(object).tolist(), index=table.index, name=col)  # typed from
        # every row's value, as the full rebuild's column is
    table = table.loc[gaps.priority_order(table["final_tier"], table[gaps.PROTECTION], table[RISK_SCORE])]
    table = gpd.GeoDataFrame(table, geometry=table.geometry.name, crs=prev.sites.crs)
    units = gaps.unit_table(table, prev.parts)  # parts unchanged; a part takes its site's tier
    old = prev.units[prev.units[schema.SITE_ID].astype(str).isin(ids).to_numpy()]
    new = units[units[schema.SITE_ID].astype(str).isin(ids).to_numpy()]
    kpis = {name: _kpi_delta(getattr(prev, name), by, old, new) for name, by in _KPIS}
    return replace(prev, sites=table, units=units, matrix=_matrix_delta(prev.matrix, old, new),
                   near_unprotected=gaps.incidents_near_unprotected(prev.incidents, table), **kpis)


def _indicators(units: pd.DataFrame) -> np.ndarray:
    """Return the counts each unit adds to its KPI row, in :data:`COUNTS` order (as :func:`gaps.kpis` counts them)."""
    def flag(col: str) -> np.ndarray:
        return np.asarray(units[col].fillna(False).to_numpy(dtype=bool), dtype=bool)

    kind = units[UNIT_KIND].to_numpy(dtype=object)
    cand, barrier = flag(gaps.CANDIDATE), flag(gaps.BARRIER_APPLIES)
    identified = units[gaps.IDENTIFIED].to_numpy()
    return np.column_stack([
        kind == SITE_UNIT, kind == PART_UNIT, identified.astype(np.int64), ~identified.astype(bool), cand,
        flag(gaps.SIGNED) & cand, barrier & cand, flag(gaps.GATED) & barrier & cand,
        units[gaps.IDENTIFY_OVERDUE_DAYS].to_numpy() > 0, units[gaps.SIGN_OVERDUE_DAYS].to_numpy() > 0,
    ]).astype(np.int64)


COUNTS = ("sites", "parts", "identified", "pending", "candidates", "signed_identified", "barrier_sites", "gated",
          "identify_overdue", "sign_overdue")


def _kpi_delta(kpi: pd.DataFrame, by: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return ``kpi`` (:func:`geo.analysis.gaps.kpis` by ``by``) with the ``old`` units' counts replaced by ``new``'s."""
    keys = {k: i for i, k in enumerate(kpi[by].tolist())}
    values = kpi[list(COUNTS)].to_numpy(dtype=np.int64, copy=True)
    for units, sign in ((old, -1), (new, 1)):
        if not len(units):
            continue
        key = units[by].astype(object).where(units[by].notna(), "(none)").tolist()
        np.add.at(values, [keys[k] for k in key], sign * _indicators(units))
    out = kpi.copy()
    out[list(COUNTS)] = values
    out["pct_signed"] = (100.0 * out["signed_identified"] / out["candidates"].where(out["candidates"] > 0)).round(1)
    out["pct_gated"] = (100.0 * out["gated"] / out["barrier_sites"].where(out["barrier_sites"] > 0)).round(1)
    return out.astype({c: kpi[c].dtype for c in kpi.columns})


def _matrix_delta(matrix: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return the risk x protection counts with the ``old`` units taken out and the ``new`` ones put in."""
    values = matrix.to_numpy(copy=True)
    rows, cols = {t: i for i, t in enumerate(matrix.index)}, {p: j for j, p in enumerate(matrix.columns)}
    for units, sign in ((old, -1), (new, 1)):
        for tier, protection in zip(units["final_tier"].tolist(), units[gaps.PROTECTION].tolist(), strict=True):
            if tier in rows and protection in cols:
                values[rows[tier], cols[protection]] += sign
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


def _digest(frame: pd.DataFrame | None) -> dict[str, int]:
    """Return a digest per site id of a per-site table's rows (in order, the latest last): a change shows as a new digest."""
    if frame is None or not len(frame):
        return {}
    rows = pd.util.hash_pandas_object(frame.astype(object), index=False).to_numpy()
    out: dict[str, int] = {}
    for site, h in zip(frame[schema.SITE_ID].astype(str).to_numpy(), rows, strict=True):
        out[site] = hash((out.get(site, 0), int(h)))
    return out


def _same(before: pd.DataFrame | None, after: pd.DataFrame | None) -> bool:
    if before is None or after is None:
        return before is after or not len(before if before is not None else after)  # type: ignore[arg-type]
    return before.shape == after.shape and bool(before.astype(object).equals(after.astype(object)))
