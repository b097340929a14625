"""Staging risk: inherent (what the site is and where) and residual (after its sign and gate), in words.

Inherent risk adds points for the site's category, paved area, shape, prior enforcement incidents
nearby, a private repeat-incident site, freeway access and places of concern nearby (0-100). It
ignores protection, so the risk x protection matrix does not count a gate twice. Residual risk
is inherent risk less the share a posted sign and a closed gate remove. Every weight, threshold
and cut-off is one field of :class:`RiskRules`; the factors in words are built in
:mod:`geo.analysis.risk_factors`.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis import risk_factors as factors
from geo.analysis.classify import CATEGORY
from geo.analysis.proximity import count_column
from geo.analysis.risk_factors import (
    COMPACTNESS,
    DIST_PLACE_FT,
    DIST_RAMP_FT,
    DIST_REPEAT_FT,
    NEAREST_PLACE,
    OPEN_AREA_SQFT,
)
from geo.config import ANALYSIS_CRS
from geo.crs import require_crs
from geo.errors import SchemaError
from geo.messages import M

RISK_SCORE, RISK_TIER, RISK_FACTORS = "risk_score", "risk_tier", "risk_factors"
RESIDUAL_SCORE, RESIDUAL_TIER, RESIDUAL_FACTORS = "residual_score", "residual_tier", "residual_factors"
FINAL_TIER, TIER_SOURCE = "final_tier", "tier_source"
OVERRIDE_TIER, OVERRIDE_REASON, OVERRIDE_BY, OVERRIDE_AT = (
    "override_tier", "override_reason", "override_by", "override_at")
LOT_AREA_SQFT, FOOTPRINT_SQFT = "lot_area_sqft", "footprint_sqft"
FACTORS = ("category", "open_area", "shape", "near_recent", "near_wide", "repeat_site", "ramp", "place", "frontage")
__all__ = ["COMPACTNESS", "DIST_PLACE_FT", "DIST_RAMP_FT", "DIST_REPEAT_FT", "NEAREST_PLACE", "OPEN_AREA_SQFT"]


@dataclass(frozen=True)
class RiskRules:
    """Every weight and threshold of the staging-risk score (points add up; 0-100 after clipping).

    Attributes
    ----------
    category_points : tuple of (category, points)
        Points per site category; open surface lots score highest.
    category_reasons : tuple of (category, words)
        Why each category scores what it does, in words (reviewed with the points).
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
        Prior enforcement incidents (:func:`geo.analysis.enforcement.prior_enforcement_incidents`)
        within ``near_radius_m`` of the site in the last ``near_days`` days score ``near_each``
        points each, at most ``near_cap``.
    wide_radius_m, wide_days, wide_each, wide_cap : float, int, float, float
        The same for the wider radius and window.
    repeat_min_incidents, repeat_days : int
        A private parcel with at least this many on-site or adjacent incidents in the last
        ``repeat_days`` days is a repeat-incident site.
    repeat_close_ft, repeat_near_ft, repeat_close_points, repeat_near_points : float
        Distance bands (ft) to the nearest repeat-incident site and their points.
    ramp_close_ft, ramp_near_ft, ramp_close_points, ramp_near_points : float
        Distance bands (ft) to the nearest freeway ramp and their points (only with a ramps layer).
    place_close_ft, place_near_ft, place_close_points, place_near_points : float
        Distance bands (ft) to the nearest place of concern (a home improvement store, a day
        labor site, ...) and their points (only with a places layer).
    street_tolerance_ft : float
        How close (ft) to a street centreline a stretch of a site's boundary must be to front the
        street: half the widest common right-of-way (a 100-104 ft Avenue I / Major Highway II is
        50-52 ft from centreline to property line) plus slack for drawing error.
    frontage_ft, long_frontage_ft, frontage_points, long_frontage_points : float
        Street frontage (ft, :mod:`geo.analysis.frontage`) from which vehicles can enter and leave a
        site freely, and from which many can at once, and their points (only with a streets layer).
    arterial_frontage_ft, arterial_frontage_points : float
        Frontage on major or secondary highways from which a site gets more points: a convoy can
        come and go on a wide through street.
    sign_reduction, locked_gate_reduction, unlocked_gate_reduction : float
        Share of inherent risk (0-1) that a posted directive sign, a closed and locked gate and a
        closed but unlocked gate remove; shares combine as 1 - (1 - a)(1 - b).
    high_at, medium_at : float
        Score from which the tier is high, and medium; below ``medium_at`` it is low. The same
        cut-offs tier inherent and residual risk. Calibrated on the synthetic sample (see
        ``tests/geo/test_risk.py``): about 1 site in 8 high, nearly half medium.
    """

    category_points: tuple[tuple[str, float], ...] = (
        ("parking_lot", 25.0), ("vacant_lot", 22.0), ("yard", 22.0), ("parking_garage", 20.0),
        ("transit_terminal", 18.0), ("open_land", 15.0), ("facility", 12.0), ("park", 10.0), ("golf_course", 8.0),
        ("other", 0.0),
    )
    category_reasons: tuple[tuple[str, str], ...] = (
        ("parking_lot", "open paved space with vehicle access: the directive's picture of a staging area"),
        ("vacant_lot", "open, unwatched ground; often unpaved or small, so a little below a paved lot"),
        ("yard", "paved and built to hold, load and move fleets of vehicles and equipment (the directive's "
                 "'assemble, mobilise, deploy'); usually fenced, which the gate lowers in residual risk"),
        ("parking_garage", "holds many vehicles under cover, but ramps and clearances limit buses and trucks"),
        ("transit_terminal", "large paved bays and lots built for buses, but busy with the public and staff"),
        ("open_land", "large and open (landfill, reservoir land, open space) but often unpaved, steep or closed, "
                      "so vehicle access is uncertain"),
        ("facility", "a building; only its lot or yard can stage vehicles, so draw those as parts"),
        ("park", "open public land with people about; its parking lot, drawn as a part, carries the lot's risk"),
        ("golf_course", "soft turf with staff and players; its parking lot, drawn as a part, carries the lot's risk"),
        ("other", "not a kind of property the directive names"),
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
    place_close_ft: float = 660.0
    place_near_ft: float = 1_320.0
    place_close_points: float = 10.0
    place_near_points: float = 5.0
    street_tolerance_ft: float = 60.0
    frontage_ft: float = 150.0
    long_frontage_ft: float = 300.0
    frontage_points: float = 4.0
    long_frontage_points: float = 7.0
    arterial_frontage_ft: float = 150.0
    arterial_frontage_points: float = 4.0
    sign_reduction: float = 0.15
    locked_gate_reduction: float = 0.5
    unlocked_gate_reduction: float = 0.15
    high_at: float = 60.0
    medium_at: float = 50.0

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
    """Return the inherent staging-risk score, tier, factors in words and points per factor.

    Parameters
    ----------
    features : DataFrame
        Per site: ``category``, ``open_area_sqft``, ``compactness``, the near and wide counts of
        prior enforcement incidents (``rules.near_column``, ``rules.wide_column``),
        ``dist_repeat_site_ft`` (inf when none), ``dist_ramp_ft`` and ``dist_place_ft`` (NaN when
        the layer is not loaded) and optionally ``nearest_place_type`` and the street frontage columns
        of :mod:`geo.analysis.frontage` (absent or NaN: no street layer, not scored).
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
            DIST_REPEAT_FT, DIST_RAMP_FT, DIST_PLACE_FT]
    missing = [c for c in need if c not in features.columns]
    if missing:
        raise SchemaError(M("score_sites: features lack {missing}. Build them with geo.analysis.analyze.site_features "
                            "or add the columns (NaN where unknown).", missing=str(missing)))
    parts = [factors.category(features, rules), factors.open_area(features, rules), factors.shape(features, rules),
             factors.near(features, rules, wide=False), factors.near(features, rules, wide=True),
             factors.repeat(features, rules), factors.ramp(features, rules), factors.place(features, rules),
             factors.frontage(features, rules)]
    points = pd.DataFrame({f"pts_{name}": p for name, (p, _) in zip(FACTORS, parts, strict=True)}, index=features.index)
    text = parts[0][1]
    for _, words in parts[1:]:
        text = text + "; " + words
    score = points.sum(axis=1).clip(0.0, 100.0).round(1)
    out = pd.DataFrame({RISK_SCORE: score, RISK_TIER: tier_of(score, rules=rules), RISK_FACTORS: text},
                       index=features.index)
    return pd.concat([out, points], axis=1)


def residual_risk(inherent: pd.Series, *, sign: pd.Series, gate: pd.Series, rules: RiskRules = RiskRules()
                  ) -> pd.DataFrame:
    """Return the residual score (inherent less what the sign and gate remove), its tier and why in words.

    Parameters
    ----------
    inherent : Series
        Inherent score (0-100) per site.
    sign, gate : Series
        ``sign_status`` and ``gate_status`` aligned to ``inherent``.

    Returns
    -------
    DataFrame
        ``residual_score``, ``residual_tier`` and ``residual_factors``, aligned to ``inherent.index``.
    """
    share, words = factors.mitigation(sign.reindex(inherent.index), gate.reindex(inherent.index), rules)
    score = (inherent.astype(float) * (1.0 - share)).round(1)
    text = words + "; residual " + factors.fmt(score, "{:.1f}") + " of inherent " + factors.fmt(inherent, "{:.1f}")
    return pd.DataFrame({RESIDUAL_SCORE: score, RESIDUAL_TIER: tier_of(score, rules=rules).to_numpy(),
                         RESIDUAL_FACTORS: text}, index=inherent.index)


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
