"""The staging-risk factors, each as (points, words) per site, and the mitigations of residual risk.

Every weight and threshold comes from :class:`geo.analysis.risk.RiskRules`; this module only turns
features into points and plain words ("nearest freeway ramp 900 ft away (<= 1,320 ft): +10").
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.analysis.classify import CATEGORY, CATEGORY_LABELS
from geo.analysis.frontage import ARTERIAL_FRONTAGE_FT, FRONTAGE_CLASS, FRONTAGE_FT, FRONTAGE_STREET

if TYPE_CHECKING:
    from geo.analysis.risk import RiskRules

OPEN_AREA_SQFT, COMPACTNESS = "open_area_sqft", "compactness"
DIST_REPEAT_FT, DIST_RAMP_FT, DIST_PLACE_FT, NEAREST_PLACE = (
    "dist_repeat_site_ft", "dist_ramp_ft", "dist_place_ft", "nearest_place_type")
Factor = tuple[pd.Series, pd.Series]
STREET_CLASS_WORDS = {"major_highway": "a major highway", "secondary_highway": "a secondary highway",
                      "collector": "a collector street", "local": "a local street", "alley": "an alley",
                      "other": "a street of unknown class"}


def fmt(values: pd.Series, spec: str = "{:,.0f}") -> pd.Series:
    """Format numbers as text (an object Series, also when empty)."""
    return pd.Series([spec.format(v) for v in values], index=values.index, dtype=object)


def signed(pts: pd.Series) -> pd.Series:
    """Return points as ``+10`` / ``-20`` / ``+0``."""
    return pd.Series([f"{v:+g}" for v in pts], index=pts.index, dtype=object)


def _band(index: pd.Index, cuts: list[tuple[pd.Series, float]]) -> pd.Series:
    pts = pd.Series(0.0, index=index)
    for mask, p in reversed(cuts):
        pts[mask] = p
    return pts


def category(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for what the site is: open surface lots score highest."""
    pts = f[CATEGORY].map(dict(r.category_points)).fillna(0.0).astype(float)
    label = f[CATEGORY].map(CATEGORY_LABELS).fillna(f[CATEGORY].astype(str))
    return pts, "category " + label + ": " + signed(pts)


def open_area(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for paved or open area big enough to assemble vehicles."""
    area = f[OPEN_AREA_SQFT].astype(float).fillna(0.0)
    large, fits = area >= r.large_open_sqft, area >= r.min_open_sqft
    pts = _band(f.index, [(large, r.large_open_points), (fits & ~large, r.open_points)])
    why = pd.Series(f"< {r.min_open_sqft:,.0f} sq ft, too small to stage vehicles", index=f.index)
    why[fits] = f">= {r.min_open_sqft:,.0f} sq ft can hold a vehicle staging operation"
    why[large] = f">= {r.large_open_sqft:,.0f} sq ft can hold a large staging operation"
    return pts, "paved/open area " + fmt(area) + " sq ft (" + why + "): " + signed(pts)


def shape(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for a compact lot (Polsby-Popper), where vehicles can gather."""
    pp = f[COMPACTNESS].astype(float).fillna(0.0)
    good, fair = pp >= r.compact_at, (pp >= r.fair_at) & (pp < r.compact_at)
    pts = _band(f.index, [(good, r.compact_points), (fair, r.fair_points)])
    why = pd.Series(f"< {r.fair_at:.2f}: too narrow to assemble vehicles", index=f.index)
    why[fair] = f">= {r.fair_at:.2f}: fairly compact"
    why[good] = f">= {r.compact_at:.2f}: compact enough to assemble vehicles"
    return pts, "compactness " + fmt(pp, "{:.2f}") + " (Polsby-Popper " + why + "): " + signed(pts)


def near(f: pd.DataFrame, r: RiskRules, *, wide: bool) -> Factor:
    """Points per prior enforcement incident nearby (general crime never counts), capped."""
    col, radius, days, each, cap = (
        (r.wide_column, r.wide_radius_m, r.wide_days, r.wide_each, r.wide_cap) if wide
        else (r.near_column, r.near_radius_m, r.near_days, r.near_each, r.near_cap))
    n = f[col].fillna(0).astype(int)
    pts = (n * each).clip(upper=cap).astype(float)
    words = (n.astype(str) + f" prior enforcement incidents within {radius:g} m in the last {days} days ({each:g} "
             f"each, at most {cap:g}): " + signed(pts))
    return pts, words


def repeat(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for a private parcel nearby where enforcement keeps coming back."""
    d = f[DIST_REPEAT_FT].astype(float).fillna(np.inf)
    close, nearby = d <= r.repeat_close_ft, (d > r.repeat_close_ft) & (d <= r.repeat_near_ft)
    pts = _band(f.index, [(close, r.repeat_close_points), (nearby, r.repeat_near_points)])
    words = pd.Series(f"no private repeat-incident site within {r.repeat_near_ft:,.0f} ft: +0", index=f.index)
    within = close | nearby
    bound = pd.Series(f"<= {r.repeat_near_ft:,.0f} ft", index=f.index)
    bound[close] = f"<= {r.repeat_close_ft:,.0f} ft"
    words[within] = ("private repeat-incident site " + fmt(d[within]) + " ft away (" + bound[within] + "): "
                     + signed(pts[within]))
    return pts, words


def distance_band(f: pd.DataFrame, column: str, *, close_ft: float, near_ft: float, close_points: float,
                  near_points: float, what: pd.Series | str, missing: str) -> Factor:
    """Points for the distance to the nearest point of a layer (NaN: the layer is not loaded)."""
    d = f[column].astype(float)
    close, nearby = d <= close_ft, (d > close_ft) & (d <= near_ft)
    pts = _band(f.index, [(close, close_points), (nearby, near_points)])
    words = pd.Series(missing, index=f.index)
    known = d.notna()
    bound = pd.Series(f"> {near_ft:,.0f} ft", index=f.index)
    bound[nearby] = f"<= {near_ft:,.0f} ft"
    bound[close] = f"<= {close_ft:,.0f} ft"
    label = what if isinstance(what, pd.Series) else pd.Series(what, index=f.index)
    words[known] = ("nearest " + label[known] + " " + fmt(d[known]) + " ft away (" + bound[known] + "): "
                    + signed(pts[known]))
    return pts, words


def ramp(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for quick freeway access."""
    return distance_band(f, DIST_RAMP_FT, close_ft=r.ramp_close_ft, near_ft=r.ramp_near_ft,
                         close_points=r.ramp_close_points, near_points=r.ramp_near_points, what="freeway ramp",
                         missing="no ramps layer loaded: freeway access not scored")


def place(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for a place of concern nearby (a home improvement store, a day labor site, ...)."""
    kind = f[NEAREST_PLACE].astype(object).where(f[NEAREST_PLACE].notna(), "place of concern") \
        if NEAREST_PLACE in f else pd.Series("place of concern", index=f.index)
    what = "place of concern (" + kind.astype(str).str.replace("_", " ") + ")"
    return distance_band(f, DIST_PLACE_FT, close_ft=r.place_close_ft, near_ft=r.place_near_ft,
                         close_points=r.place_close_points, near_points=r.place_near_points, what=what,
                         missing="no places-of-concern layer loaded: not scored")


def mitigation(sign: pd.Series, gate: pd.Series, r: RiskRules) -> tuple[pd.Series, pd.Series]:
    """Return the share of inherent risk each site's protection removes (0-1), and why in words.

    Shares combine as independent measures: 1 - (1 - sign) x (1 - gate).
    """
    posted = sign.astype(object).eq("posted").to_numpy(bool)
    locked = gate.astype(object).eq("closed_locked").to_numpy(bool)
    unlocked = gate.astype(object).eq("closed_unlocked").to_numpy(bool)
    s = np.where(posted, r.sign_reduction, 0.0)
    g = np.where(locked, r.locked_gate_reduction, np.where(unlocked, r.unlocked_gate_reduction, 0.0))
    share = 1.0 - (1.0 - s) * (1.0 - g)
    sign_words = np.where(posted, f"directive sign posted: -{r.sign_reduction:.0%}", "no directive sign: -0%")
    gate_words = np.where(locked, f"gate closed and locked: -{r.locked_gate_reduction:.0%}",
                          np.where(unlocked, f"gate closed, not locked: -{r.unlocked_gate_reduction:.0%}",
                                   "gate " + gate.fillna("unknown").astype(str).str.replace("_", " ") + ": -0%"))
    words = pd.Series(np.char.add(np.char.add(sign_words.astype(str), "; "), gate_words.astype(str)),
                      index=sign.index, dtype=object)
    return pd.Series(share, index=sign.index), words



def frontage(f: pd.DataFrame, r: RiskRules) -> Factor:
    """Points for a long street frontage (vehicle access), more on a major or secondary highway.

    NaN frontage means no street layer is loaded: no points, and the words say so.
    """
    ft = f[FRONTAGE_FT].astype(float) if FRONTAGE_FT in f else pd.Series(np.nan, index=f.index)
    art = f[ARTERIAL_FRONTAGE_FT].astype(float).fillna(0.0) if ARTERIAL_FRONTAGE_FT in f else ft * 0.0
    known = ft.notna()
    long, fits = known & (ft >= r.long_frontage_ft), known & (ft >= r.frontage_ft)
    on_arterial = known & (art >= r.arterial_frontage_ft)
    pts = _band(f.index, [(long, r.long_frontage_points), (fits & ~long, r.frontage_points)])
    pts = pts + np.where(on_arterial, r.arterial_frontage_points, 0.0)
    words = pd.Series("no street layer loaded: street frontage not scored", index=f.index, dtype=object)
    if not known.any():
        return pts, words
    bound = pd.Series(f"< {r.frontage_ft:,.0f} ft", index=f.index)
    bound[fits] = f">= {r.frontage_ft:,.0f} ft"
    bound[long] = f">= {r.long_frontage_ft:,.0f} ft"
    street = f[FRONTAGE_STREET] if FRONTAGE_STREET in f else pd.Series(None, index=f.index, dtype=object)
    kind = f[FRONTAGE_CLASS] if FRONTAGE_CLASS in f else pd.Series(None, index=f.index, dtype=object)
    named = street.notna() & known
    longest = pd.Series("", index=f.index, dtype=object)
    longest[named] = ("; longest on " + street[named].astype(str) + ", "
                      + kind[named].map(STREET_CLASS_WORDS).fillna("a street of unknown class"))
    arterial = pd.Series("", index=f.index, dtype=object)
    arterial[on_arterial] = (", " + fmt(art[on_arterial]) + " ft on a major or secondary highway (>= "
                             + f"{r.arterial_frontage_ft:,.0f} ft)")
    words[known] = ("street frontage " + fmt(ft[known].fillna(0.0)) + " ft (" + bound[known] + longest[known] + ")"
                    + arterial[known] + ": " + signed(pts[known]))
    return pts, words
