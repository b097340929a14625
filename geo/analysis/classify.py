"""Site category (parking lot, garage, park, vacant lot, facility, other) and the rule that decided it."""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS
from geo.crs import require_crs

PARKING_LOT = "parking_lot"
PARKING_GARAGE = "parking_garage"
PARK = "park"
VACANT_LOT = "vacant_lot"
FACILITY = "facility"
OTHER = "other"
CATEGORIES = (PARKING_LOT, PARKING_GARAGE, PARK, VACANT_LOT, FACILITY, OTHER)
CATEGORY_LABELS = {
    PARKING_LOT: "parking lot", PARKING_GARAGE: "parking garage", PARK: "park",
    VACANT_LOT: "vacant lot", FACILITY: "non-public facility", OTHER: "other",
}
#: Where the decision came from (DATA.md section 3: asset/use_code/description/overlay).
SOURCES = ("asset", "use_code", "description", "overlay", "none")

CATEGORY = "category"
CATEGORY_SOURCE = "category_source"
CATEGORY_BASIS = "category_basis"

# Asset-type keywords, checked in this order (first match wins): 'vacant lot' before 'lot',
# 'parking' before 'park'.
_ASSET_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"garage|parking structure|deck", PARKING_GARAGE),
    (r"vacant|empty lot|undeveloped", VACANT_LOT),
    (r"parking|\blot\b", PARKING_LOT),
    (r"\bparks?\b|recreation|playground|plaza|open space", PARK),
    (r"facility|building|yard|station|office|library|depot|center|centre|warehouse|shop", FACILITY),
)
_PARK_WORD = re.compile(r"\bparks?\b|recreation")


@dataclass(frozen=True)
class ClassifyRules:
    """Thresholds for :func:`classify_sites`.

    Attributes
    ----------
    park_overlap_share : float
        Share (0-1) of a site's area inside park boundaries that makes it a park.
    parking_codes : tuple of str
        Two-digit use-code prefixes that mean parking (27xx commercial, 38xx industrial).
    public_code_range : tuple of int
        Inclusive two-digit use-code range of public, government-owned property (80-88).
    """

    park_overlap_share: float = 0.5
    parking_codes: tuple[str, ...] = ("27", "38")
    public_code_range: tuple[int, int] = (80, 88)


def classify_sites(
    sites: gpd.GeoDataFrame,
    *,
    parks: gpd.GeoDataFrame | None = None,
    rules: ClassifyRules = ClassifyRules(),
) -> pd.DataFrame:
    """Return each site's category, where it came from and the rule in words.

    First match wins: the department's asset type, then parking use code or text (a building
    area or year built makes it a garage), then park (overlap with park boundaries, a 6xxx
    recreational code or park text), then vacant (trailing ``V`` or text), then facility
    (public 80xx-88xx code), else other.

    Parameters
    ----------
    sites : GeoDataFrame
        Canonical sites in EPSG:2229.
    parks : GeoDataFrame, optional
        Park boundaries in EPSG:2229.
    rules : ClassifyRules
        Thresholds.

    Returns
    -------
    DataFrame
        ``category``, ``category_source`` and ``category_basis``, aligned to ``sites.index``.

    Raises
    ------
    CRSError
        When ``sites`` or ``parks`` is not in EPSG:2229.
    """
    require_crs(sites, ANALYSIS_CRS, op="classify_sites")
    code = normalize_use_code(_col(sites, schema.USE_CODE))
    text = (_col(sites, schema.USE_DESCRIPTION).fillna("").astype(str) + " "
            + _col(sites, schema.USE_DETAIL).fillna("").astype(str)).str.lower().str.strip()
    asset = _col(sites, schema.ASSET_TYPE).fillna("").astype(str).str.strip()
    bldg = pd.to_numeric(_col(sites, schema.BLDG_SQFT), errors="coerce")
    year = pd.to_numeric(_col(sites, schema.YEAR_BUILT), errors="coerce")
    park_share = park_overlap_share(sites, parks=parks)

    category = pd.Series(OTHER, index=sites.index, dtype=object)
    source = pd.Series("none", index=sites.index, dtype=object)
    basis = pd.Series("no rule matched: not parking, park, vacant or a public 80xx-88xx use code",
                      index=sites.index, dtype=object)
    decided = pd.Series(False, index=sites.index)

    def take(mask: pd.Series, cat: str | pd.Series, src: str, words: pd.Series | str) -> None:
        new = mask & ~decided
        category[new] = cat[new] if isinstance(cat, pd.Series) else cat
        source[new] = src
        basis[new] = words[new] if isinstance(words, pd.Series) else words
        decided[new] = True

    # 1. asset type given by the department
    asset_cat = _asset_category(asset)
    take(asset_cat.notna(), asset_cat, "asset",
         "department asset type '" + asset + "' -> " + asset_cat.map(CATEGORY_LABELS).fillna(""))

    # 2. parking: 27xx/38xx or 'parking' text; a structure makes it a garage
    two = code.str[:2]
    by_code = two.isin(rules.parking_codes)
    by_text = text.str.contains("parking", regex=False)
    garage, garage_words = _garage(bldg, year, text)
    cat = garage.map({True: PARKING_GARAGE, False: PARKING_LOT})
    take(by_code, cat, "use_code", "use code " + code + " is " + two + "xx (parking); " + garage_words)
    take(by_text, cat, "description", "description mentions parking; " + garage_words)

    # 3. park: overlap with park boundaries, 6xxx recreational code, park text
    share_words = "site area " + _text(park_share * 100, "{:.0f}") + " % inside park boundaries"
    take(park_share >= rules.park_overlap_share, PARK, "overlay",
         share_words + f" (>= {rules.park_overlap_share:.0%})")
    take(code.str[:1] == "6", PARK, "use_code", "use code " + code + " is 6xxx (recreational)")
    take(text.str.contains(_PARK_WORD), PARK, "description", "description mentions a park or recreation")

    # 4. vacant: trailing V or text
    take(code.str.endswith("V"), VACANT_LOT, "use_code", "use code " + code + " ends in V (vacant)")
    take(text.str.contains("vacant", regex=False), VACANT_LOT, "description", "description says vacant")

    # 5. facility: other public property
    lo, hi = rules.public_code_range
    num = pd.to_numeric(two.where(two.str.isdigit()), errors="coerce")
    take((num >= lo) & (num <= hi), FACILITY, "use_code",
         "use code " + code + f" is public ({lo}xx-{hi}xx), not parking, park or vacant")
    return pd.DataFrame({CATEGORY: category, CATEGORY_SOURCE: source, CATEGORY_BASIS: basis})


def normalize_use_code(codes: pd.Series) -> pd.Series:
    """Return use codes stripped and upper-cased; all-digit codes zero-padded to 4 characters."""
    s = codes.fillna("").astype(str).str.strip().str.upper()
    return s.where(~s.str.isdigit() | (s == ""), s.str.zfill(4))


def park_overlap_share(sites: gpd.GeoDataFrame, *, parks: gpd.GeoDataFrame | None) -> pd.Series:
    """Return the share (0-1) of each site's area inside park boundaries, aligned to ``sites.index``.

    Parks are unioned first, so overlapping park polygons are not counted twice.
    """
    out = pd.Series(0.0, index=sites.index, name="park_share")
    if parks is None or len(parks) == 0 or len(sites) == 0:
        return out
    require_crs(parks, ANALYSIS_CRS, op="park_overlap_share")
    # Dissolve once so overlapping park polygons are not counted twice; parts are disjoint.
    parts = shapely.get_parts(shapely.union_all(shapely.make_valid(np.asarray(parks.geometry.values))))
    parts = parts[shapely.get_type_id(parts) == 3]
    geoms = np.asarray(sites.geometry.values)
    site_idx, part_idx = shapely.STRtree(parts).query(geoms, predicate="intersects")
    if len(site_idx) == 0:
        return out
    inter = shapely.area(shapely.intersection(geoms[site_idx], parts[part_idx]))
    inside = np.bincount(site_idx, weights=inter, minlength=len(geoms))
    area = shapely.area(geoms)
    share = np.divide(inside, area, out=np.zeros_like(area), where=area > 0)
    return pd.Series(np.clip(share, 0.0, 1.0), index=sites.index, name="park_share")


# --- private steps ---------------------------------------------------------------------
def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _asset_category(asset: pd.Series) -> pd.Series:
    low = asset.str.lower()
    out = pd.Series(np.nan, index=asset.index, dtype=object)
    for pattern, cat in _ASSET_PATTERNS:
        hit = low.str.contains(pattern, regex=True) & out.isna() & (low != "")
        out[hit] = cat
    return out


def _garage(bldg: pd.Series, year: pd.Series, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return whether a parking site is a garage, and why, in words."""
    has_area = bldg.fillna(0) > 0
    has_year = bldg.isna() & year.notna()
    says = text.str.contains("garage|structure", regex=True)
    garage = has_area | has_year | says
    words = pd.Series("no building area or year built -> parking lot", index=bldg.index, dtype=object)
    words[says] = "description names a garage or structure -> parking garage"
    words[has_year] = "no building area but year built " + _text(year[has_year], "{:.0f}") + " -> parking garage"
    words[has_area] = "building area " + _text(bldg[has_area], "{:,.0f}") + " sq ft -> parking garage"
    return garage, words


def _text(values: pd.Series, spec: str) -> pd.Series:
    """Format numbers as text (an object Series, also when empty)."""
    return pd.Series([spec.format(v) for v in values], index=values.index, dtype=object)
