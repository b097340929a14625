"""Staging-risk score (0-100), tier and the factors behind it in words; reviewer overrides."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis.classify import CATEGORY, CATEGORY_LABELS
from geo.analysis.proximity import count_column
from geo.config import ANALYSIS_CRS
from geo.crs import require_crs
from geo.errors import SchemaError

RISK_SCORE, RISK_TIER, RISK_FACTORS = "risk_score", "risk_tier", "risk_factors"
FINAL_TIER, TIER_SOURCE = "final_tier", "tier_source"
OVERRIDE_TIER, OVERRIDE_REASON, OVERRIDE_BY, OVERRIDE_AT = (
    "override_tier", "override_reason", "override_by", "override_at")
LOT_AREA_SQFT, FOOTPRINT_SQFT, OPEN_AREA_SQFT, COMPACTNESS = (
    "lot_area_sqft", "footprint_sqft", "open_area_sqft", "compactness")
DIST_REPEAT_FT, DIST_RAMP_FT = "dist_repeat_site_ft", "dist_ramp_ft"
FACTORS = ("category", "open_area", "shape", "near_recent", "near_wide", "repeat_site", "ramp", "gate")


@dataclass(frozen=True)
class RiskRules:
    """Every weight and threshold of the staging-risk score (points add up; 0-100 after clipping).

    Attributes
    ----------
    category_points : tuple of (category, points)
        Points per site category; open surface lots score highest.
    min_open_sqft, large_open_sqft : float
        Open/paved area (sq ft) from which a site can hold a vehicle staging operation
        (5,000 sq ft), and from which it can hold a large one.
    open_points, large_open_points : float
        Points at those two thresholds.
    assumed_stories : float
        Stories assumed when turning building floor area into a footprint (footprint =
        ``bldg_sqft / assumed_stories``, at most the lot). A garage's decks are its open area.
    compact_at, fair_at : float
        Polsby-Popper compactness (4 pi area / perimeter^2; square 0.785) from which a lot is
        compact enough to assemble vehicles, and fairly compact.
    compact_points, fair_points : float
        Points at those two thresholds.
    near_radius_m, near_days, near_each, near_cap : float, int, float, float
        Incidents within ``near_radius_m`` of the site in the last ``near_days`` days score
        ``near_each`` points each, at most ``near_cap``.
    wide_radius_m, wide_days, wide_each, wide_cap : float, int, float, float
        The same for the wider radius and window.
    repeat_min_incidents, repeat_days : int
        A private parcel with at least this many on-site or adjacent incidents in the last
        ``repeat_days`` days is a repeat-incident site.
    repeat_close_ft, repeat_near_ft, repeat_close_points, repeat_near_points : float
        Distance bands (ft) to the nearest repeat-incident site and their points.
    ramp_close_ft, ramp_near_ft, ramp_close_points, ramp_near_points : float
        Distance bands (ft) to the nearest freeway ramp and their points (only with a ramps layer).
    locked_gate_points : float
        Points for a closed and locked gate (negative: lowers the score).
    high_at, medium_at : float
        Score from which the tier is high, and medium; below ``medium_at`` it is low.
    """

    category_points: tuple[tuple[str, float], ...] = (
        ("parking_lot", 25.0), ("vacant_lot", 22.0), ("parking_garage", 20.0),
        ("facility", 12.0), ("park", 10.0), ("other", 0.0),
    )
    min_open_sqft: float = 5_000.0
    large_open_sqft: float = 20_000.0
    open_points: float = 15.0
    large_open_points: float = 20.0
    assumed_stories: float = 1.0
    compact_at: float = 0.5
    fair_at: float = 0.25
    compact_points: float = 10.0
    fair_points: float = 5.0
    near_radius_m: float = 250.0
    near_days: int = 30
    near_each: float = 5.0
    near_cap: float = 15.0
    wide_radius_m: float = 500.0
    wide_days: int = 90
    wide_each: float = 2.0
    wide_cap: float = 10.0
    repeat_min_incidents: int = 2
    repeat_days: int = 90
    repeat_close_ft: float = 500.0
    repeat_near_ft: float = 1_320.0
    repeat_close_points: float = 10.0
    repeat_near_points: float = 5.0
    ramp_close_ft: float = 1_320.0
    ramp_near_ft: float = 2_640.0
    ramp_close_points: float = 10.0
    ramp_near_points: float = 5.0
    locked_gate_points: float = -20.0
    high_at: float = 60.0
    medium_at: float = 35.0

    @property
    def near_column(self) -> str:
        """Count column of the near factor, e.g. ``incidents_250m_30d``."""
        return count_column(self.near_radius_m, self.near_days)

    @property
    def wide_column(self) -> str:
        """Count column of the wide factor, e.g. ``incidents_500m_90d``."""
        return count_column(self.wide_radius_m, self.wide_days)


def shape_metrics(sites: gpd.GeoDataFrame, *, category: pd.Series, rules: RiskRules = RiskRules()
                  ) -> pd.DataFrame:
    """Return lot area, building footprint estimate, open/paved area and compactness per site.

    Areas are in square feet, measured in EPSG:2229; compactness is Polsby-Popper
    (4 pi area / perimeter^2). Aligned to ``sites.index``.

    Raises
    ------
    CRSError
        When ``sites`` is not in EPSG:2229.
    """
    require_crs(sites, ANALYSIS_CRS, op="shape_metrics")
    geoms = np.asarray(sites.geometry.values, dtype=object)
    lot = shapely.area(geoms)
    perimeter = shapely.length(geoms)
    bldg = pd.to_numeric(sites[schema.BLDG_SQFT], errors="coerce").fillna(0.0).to_numpy() \
        if schema.BLDG_SQFT in sites else np.zeros(len(sites))
    footprint = np.minimum(np.maximum(bldg, 0.0) / rules.assumed_stories, lot)
    garage = category.reindex(sites.index).to_numpy() == "parking_garage"
    open_area = np.where(garage, lot, lot - footprint)
    pp = np.divide(4 * np.pi * lot, perimeter ** 2, out=np.zeros_like(lot), where=perimeter > 0)
    return pd.DataFrame({LOT_AREA_SQFT: lot, FOOTPRINT_SQFT: np.where(garage, 0.0, footprint),
                         OPEN_AREA_SQFT: open_area, COMPACTNESS: pp}, index=sites.index)


def score_sites(features: pd.DataFrame, *, rules: RiskRules = RiskRules()) -> pd.DataFrame:
    """Return the staging-risk score, tier, factors in words and points per factor.

    Parameters
    ----------
    features : DataFrame
        Per site: ``category``, ``open_area_sqft``, ``compactness``, the near and wide count
        columns (``rules.near_column``, ``rules.wide_column``), ``dist_repeat_site_ft`` (inf
        when none), ``dist_ramp_ft`` (NaN when no ramps layer) and ``gate_status``.
    rules : RiskRules
        Weights and thresholds.

    Returns
    -------
    DataFrame
        ``risk_score`` (0-100), ``risk_tier``, ``risk_factors`` ('; '-separated) and one
        ``pts_<factor>`` column per factor, aligned to ``features.index``.

    Raises
    ------
    SchemaError
        When a feature column is missing.
    """
    need = [CATEGORY, OPEN_AREA_SQFT, COMPACTNESS, rules.near_column, rules.wide_column,
            DIST_REPEAT_FT, DIST_RAMP_FT, schema.GATE_STATUS]
    missing = [c for c in need if c not in features.columns]
    if missing:
        raise SchemaError(f"score_sites: features lack {missing}. Build them with geo.analysis.analyze.site_features "
                          "or add the columns (NaN where unknown).")
    parts = [_category(features, rules), _open_area(features, rules), _shape(features, rules),
             _near(features, rules, wide=False), _near(features, rules, wide=True),
             _repeat(features, rules), _ramp(features, rules), _gate(features, rules)]
    points = pd.DataFrame({f"pts_{name}": p for name, (p, _) in zip(FACTORS, parts)}, index=features.index)
    text = parts[0][1]
    for _, words in parts[1:]:
        text = text + "; " + words
    score = points.sum(axis=1).clip(0.0, 100.0).round(1)
    out = pd.DataFrame({RISK_SCORE: score, RISK_TIER: tier_of(score, rules=rules), RISK_FACTORS: text},
                       index=features.index)
    return pd.concat([out, points], axis=1)


def tier_of(score: pd.Series, *, rules: RiskRules = RiskRules()) -> pd.Series:
    """Return high (score >= ``high_at``), medium (>= ``medium_at``) or low, aligned to ``score``."""
    tier = np.where(score >= rules.high_at, "high", np.where(score >= rules.medium_at, "medium", "low"))
    return pd.Series(tier, index=score.index, name=RISK_TIER)


def apply_overrides(site_ids: pd.Series, computed_tier: pd.Series, overrides: pd.DataFrame) -> pd.DataFrame:
    """Return the final tier: the latest reviewer override, else the computed tier.

    Parameters
    ----------
    site_ids, computed_tier : Series
        Aligned per site.
    overrides : DataFrame
        ``site_id, tier, reason, set_by, set_at`` (``store.read_overrides()``); when a site has
        several, the one with the latest ``set_at`` (then the last row) wins.

    Returns
    -------
    DataFrame
        ``final_tier``, ``tier_source`` (override / computed) and the override's tier, reason,
        who and when beside it, aligned to ``site_ids.index``.
    """
    cols = [OVERRIDE_TIER, OVERRIDE_REASON, OVERRIDE_BY, OVERRIDE_AT]
    if overrides is None or len(overrides) == 0:
        latest = pd.DataFrame(columns=cols, dtype=object)
    else:
        ordered = overrides.assign(_n=np.arange(len(overrides))).sort_values(["set_at", "_n"], kind="stable")
        latest = ordered.drop_duplicates(schema.SITE_ID, keep="last").set_index(schema.SITE_ID)[
            ["tier", "reason", "set_by", "set_at"]]
        latest.columns = cols
    joined = latest.reindex(site_ids.astype(str).to_numpy())
    joined.index = site_ids.index
    has = joined[OVERRIDE_TIER].notna()
    final = computed_tier.where(~has, joined[OVERRIDE_TIER])
    return pd.concat([pd.DataFrame({FINAL_TIER: final, TIER_SOURCE: np.where(has, "override", "computed")},
                                   index=site_ids.index), joined.astype(object)], axis=1)


# --- factors: each returns (points, words) ---------------------------------------------
def _fmt(values: pd.Series, spec: str = "{:,.0f}") -> pd.Series:
    return pd.Series([spec.format(v) for v in values], index=values.index, dtype=object)


def _band(value: pd.Series, cuts: list[tuple[pd.Series, float]]) -> pd.Series:
    pts = pd.Series(0.0, index=value.index)
    for mask, p in reversed(cuts):
        pts[mask] = p
    return pts


def _category(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    pts = f[CATEGORY].map(dict(r.category_points)).fillna(0.0).astype(float)
    label = f[CATEGORY].map(CATEGORY_LABELS).fillna(f[CATEGORY].astype(str))
    return pts, "category " + label + ": " + _signed(pts)


def _open_area(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    area = f[OPEN_AREA_SQFT].astype(float).fillna(0.0)
    large, fits = area >= r.large_open_sqft, area >= r.min_open_sqft
    pts = _band(area, [(large, r.large_open_points), (fits & ~large, r.open_points)])
    why = pd.Series(f"< {r.min_open_sqft:,.0f} sq ft, too small to stage vehicles", index=f.index)
    why[fits] = f">= {r.min_open_sqft:,.0f} sq ft can hold a vehicle staging operation"
    why[large] = f">= {r.large_open_sqft:,.0f} sq ft can hold a large staging operation"
    return pts, "paved/open area " + _fmt(area) + " sq ft (" + why + "): " + _signed(pts)


def _shape(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    pp = f[COMPACTNESS].astype(float).fillna(0.0)
    good, fair = pp >= r.compact_at, (pp >= r.fair_at) & (pp < r.compact_at)
    pts = _band(pp, [(good, r.compact_points), (fair, r.fair_points)])
    why = pd.Series(f"< {r.fair_at:.2f}: too narrow to assemble vehicles", index=f.index)
    why[fair] = f">= {r.fair_at:.2f}: fairly compact"
    why[good] = f">= {r.compact_at:.2f}: compact enough to assemble vehicles"
    return pts, "compactness " + _fmt(pp, "{:.2f}") + " (Polsby-Popper " + why + "): " + _signed(pts)


def _near(f: pd.DataFrame, r: RiskRules, *, wide: bool) -> tuple[pd.Series, pd.Series]:
    col, radius, days, each, cap = (
        (r.wide_column, r.wide_radius_m, r.wide_days, r.wide_each, r.wide_cap) if wide
        else (r.near_column, r.near_radius_m, r.near_days, r.near_each, r.near_cap))
    n = f[col].fillna(0).astype(int)
    pts = (n * each).clip(upper=cap).astype(float)
    words = (n.astype(str) + f" incidents within {radius:g} m in the last {days} days ({each:g} each, at most "
             f"{cap:g}): " + _signed(pts))
    return pts, words


def _repeat(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    d = f[DIST_REPEAT_FT].astype(float).fillna(np.inf)
    close, near = d <= r.repeat_close_ft, (d > r.repeat_close_ft) & (d <= r.repeat_near_ft)
    pts = _band(d, [(close, r.repeat_close_points), (near, r.repeat_near_points)])
    words = pd.Series(f"no private repeat-incident site within {r.repeat_near_ft:,.0f} ft: +0", index=f.index)
    within = close | near
    bound = pd.Series(f"<= {r.repeat_near_ft:,.0f} ft", index=f.index)
    bound[close] = f"<= {r.repeat_close_ft:,.0f} ft"
    words[within] = ("private repeat-incident site " + _fmt(d[within]) + " ft away (" + bound[within] + "): "
                     + _signed(pts[within]))
    return pts, words


def _ramp(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    d = f[DIST_RAMP_FT].astype(float)
    close, near = d <= r.ramp_close_ft, (d > r.ramp_close_ft) & (d <= r.ramp_near_ft)
    pts = _band(d, [(close, r.ramp_close_points), (near, r.ramp_near_points)])
    words = pd.Series("no ramps layer loaded: freeway access not scored", index=f.index)
    known = d.notna()
    bound = pd.Series(f"> {r.ramp_near_ft:,.0f} ft", index=f.index)
    bound[near] = f"<= {r.ramp_near_ft:,.0f} ft"
    bound[close] = f"<= {r.ramp_close_ft:,.0f} ft"
    words[known] = ("nearest freeway ramp " + _fmt(d[known]) + " ft away (" + bound[known] + "): "
                    + _signed(pts[known]))
    return pts, words


def _gate(f: pd.DataFrame, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    locked = f[schema.GATE_STATUS].astype(object).eq("closed_locked")
    pts = pd.Series(np.where(locked, r.locked_gate_points, 0.0), index=f.index)
    words = pd.Series("gate " + f[schema.GATE_STATUS].fillna("unknown").astype(str) + ": +0", index=f.index)
    words[locked] = "gate closed and locked: " + _signed(pts[locked])
    return pts, words


def _signed(pts: pd.Series) -> pd.Series:
    return pd.Series([f"{v:+g}" for v in pts], index=pts.index, dtype=object)
