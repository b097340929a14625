"""Did signs work? Enforcement events near protected sites before and after, against unprotected sites.

The method, in words (shown on the page):

* A site is *treated* when it was protected (its directive sign posted) on a known date ``d`` and a
  full window of ``window_days`` after ``d`` has passed by the as-of date. Its *before* count is
  the enforcement events within ``radius_ft`` in the ``window_days`` before ``d``; its *after*
  count those in the ``window_days`` from ``d``.
* *Comparison* sites are the sites still unprotected on the as-of date. For each treated site
  their mean counts over the **same two windows** give the change that happened anyway.
* The difference in differences of a site is (after - before) - (comparison after - comparison
  before); a department's or the City's estimate is the mean over its treated sites. Negative
  means fewer events near protected sites than the comparison suggests.
* Counts are treated as Poisson: the variance of the estimate is the treated sites' before + after
  counts over their number squared, plus the comparison change's variance (comparison counts over
  comparison sites squared; shared by every treated site, so it never averages away); the 95%
  interval is the estimate +- 1.96 standard errors.
* With fewer than ``min_events`` events (before + after, at the treated sites) the answer is
  **"too few events to say"** and no interval is given.

Internal only: this is about where enforcement happens; it never reaches a public view.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, LOCAL_TZ

TOO_FEW, FEWER, MORE, UNCLEAR = ("too few events to say", "fewer events after protection",
                                 "more events after protection", "no clear change")
SUMMARY_COLUMNS = ("scope", "name", "treated_sites", "comparison_sites", "before", "after", "comparison_before_mean",
                   "comparison_after_mean", "did", "ci_low", "ci_high", "verdict")


@dataclass(frozen=True)
class EffectRules:
    """Radius and window of the comparison, and the fewest events worth an answer."""

    radius_ft: float = 500.0
    window_days: int = 90
    min_events: int = 20


def _pairs(sites_ft: gpd.GeoDataFrame, events_ft: gpd.GeoDataFrame, radius_ft: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (site index, event index) of every event within ``radius_ft`` of a site (one bulk query)."""
    if not len(sites_ft) or not len(events_ft):
        return np.array([], dtype=int), np.array([], dtype=int)
    tree = shapely.STRtree(np.asarray(sites_ft.geometry.values, dtype=object))
    ev, si = tree.query(np.asarray(events_ft.geometry.values, dtype=object), predicate="dwithin", distance=radius_ft)
    return si, ev


def _window_counts(times: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return how many of the sorted ``times`` fall in each [start, end)."""
    return np.searchsorted(times, ends, side="left") - np.searchsorted(times, starts, side="left")


def site_effects(sites: gpd.GeoDataFrame, protected_on: pd.Series, events: gpd.GeoDataFrame, *, as_of: dt.date,
                 rules: EffectRules = EffectRules()) -> tuple[pd.DataFrame, int]:
    """Return per treated site its counts and difference in differences, and the number of comparison sites.

    ``protected_on`` is each site's protection date (aligned to ``sites``; missing: unprotected).
    """
    on = pd.to_datetime(protected_on, errors="coerce").dt.date.to_numpy()
    window = dt.timedelta(days=rules.window_days)
    treated = np.array([d is not None and not pd.isna(d) and d + window <= as_of for d in on])
    comparison = np.array([d is None or pd.isna(d) or d > as_of for d in on])
    sites_ft, events_ft = sites.to_crs(ANALYSIS_CRS), events.to_crs(ANALYSIS_CRS)
    si, ev = _pairs(sites_ft, events_ft, rules.radius_ft)
    local = pd.to_datetime(events[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    ev_day = local.to_numpy().astype("datetime64[D]")  # the Los Angeles calendar day of each event
    pair_days = ev_day[ev] if len(ev) else np.array([], dtype="datetime64[D]")
    control_days = np.sort(pair_days[comparison[si]]) if len(si) else pair_days
    n_comp = int(comparison.sum())
    rows = []
    for i in np.flatnonzero(treated):
        d = np.datetime64(on[i], "D")
        mine = np.sort(pair_days[si == i])
        w = np.timedelta64(rules.window_days, "D")
        before, after = (int(x) for x in _window_counts(mine, np.array([d - w, d]), np.array([d, d + w])))
        cb, ca = (int(x) for x in _window_counts(control_days, np.array([d - w, d]), np.array([d, d + w])))
        cbm, cam = (cb / n_comp, ca / n_comp) if n_comp else (np.nan, np.nan)
        comp_var = (cb + ca) / n_comp**2 if n_comp else np.nan  # Poisson variance of the comparison change
        rows.append({schema.SITE_ID: sites[schema.SITE_ID].iloc[i], schema.OWNING_DEPT: sites[schema.OWNING_DEPT].iloc[i],
                     "protected_on": on[i], "before": before, "after": after, "comparison_before_mean": cbm,
                     "comparison_after_mean": cam, "did": (after - before) - (cam - cbm), "comparison_variance": comp_var})
    cols = [schema.SITE_ID, schema.OWNING_DEPT, "protected_on", "before", "after", "comparison_before_mean",
            "comparison_after_mean", "did", "comparison_variance"]
    return pd.DataFrame(rows, columns=cols), n_comp


def summarise(per_site: pd.DataFrame, n_comp: int, *, scope: str, name: str, rules: EffectRules) -> dict[str, object]:
    """Return one summary row: the mean difference in differences, its 95% interval and the verdict."""
    n = len(per_site)
    events = int(per_site["before"].sum() + per_site["after"].sum()) if n else 0
    row: dict[str, object] = {"scope": scope, "name": name, "treated_sites": n, "comparison_sites": n_comp,
                              "before": int(per_site["before"].sum()) if n else 0,
                              "after": int(per_site["after"].sum()) if n else 0,
                              "comparison_before_mean": float(per_site["comparison_before_mean"].mean()) if n else np.nan,
                              "comparison_after_mean": float(per_site["comparison_after_mean"].mean()) if n else np.nan,
                              "did": np.nan, "ci_low": np.nan, "ci_high": np.nan, "verdict": TOO_FEW}
    if n == 0 or n_comp == 0 or events < rules.min_events:
        return row
    est = float(per_site["did"].mean())
    # the treated sites' own counts average out; the comparison change is shared by all of them, so its
    # variance does not shrink with more treated sites (taken as fully correlated across dates: conservative)
    treated_var = float((per_site["before"] + per_site["after"]).sum()) / n**2
    se = float(np.sqrt(treated_var + float(per_site["comparison_variance"].mean())))
    low, high = est - 1.96 * se, est + 1.96 * se
    row |= {"did": est, "ci_low": low, "ci_high": high,
            "verdict": FEWER if high < 0 else MORE if low > 0 else UNCLEAR}
    return row


def before_after(sites: gpd.GeoDataFrame, protected_on: pd.Series, events: gpd.GeoDataFrame, *, as_of: dt.date,
                 rules: EffectRules = EffectRules()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (summary per site, department and citywide; per-site detail)."""
    per_site, n_comp = site_effects(sites, protected_on, events, as_of=as_of, rules=rules)
    rows = [summarise(per_site, n_comp, scope="citywide", name="City of Los Angeles", rules=rules)]
    for dept, part in per_site.groupby(schema.OWNING_DEPT, sort=True):
        rows.append(summarise(part, n_comp, scope="department", name=str(dept), rules=rules))
    for _, part in per_site.iterrows():
        rows.append(summarise(pd.DataFrame([part]), n_comp, scope="site", name=str(part[schema.SITE_ID]), rules=rules))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)), per_site.drop(columns="comparison_variance")
