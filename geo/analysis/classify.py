"""Site category (parking lot, garage, park, vacant lot, yard, terminal, golf course, open land, ...) and why."""
from __future__ import annotations

import re
from collections.abc import Callable
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
YARD = "yard"
TRANSIT_TERMINAL = "transit_terminal"
GOLF_COURSE = "golf_course"
OPEN_LAND = "open_land"
OTHER = "other"
CATEGORIES = (PARKING_LOT, PARKING_GARAGE, PARK, VACANT_LOT, YARD, TRANSIT_TERMINAL, GOLF_COURSE, OPEN_LAND,
              FACILITY, OTHER)
CATEGORY_LABELS = {
    PARKING_LOT: "parking lot", PARKING_GARAGE: "parking garage", PARK: "park", VACANT_LOT: "vacant lot",
    YARD: "yard, depot or maintenance facility", TRANSIT_TERMINAL: "transit terminal", GOLF_COURSE: "golf course",
    OPEN_LAND: "large open public land", FACILITY: "non-public facility", OTHER: "other",
}
#: Where the decision came from (DATA.md section 3: asset/use_code/description/overlay; and the site's name).
SOURCES = ("asset", "name", "use_code", "description", "overlay", "none")

CATEGORY = "category"
Words = str | Callable[[pd.Series], pd.Series]  # a rule's words, or how to build them for the rows it decides
CATEGORY_SOURCE = "category_source"
CATEGORY_BASIS = "category_basis"

_GOLF = r"\bgolf\b|\bcountry club\b|\bdriving range\b"
_LANDFILL = r"\blandfills?\b|\breservoirs?\b|\bspreading grounds?\b|\bdebris basins?\b"
_YARD = (r"\byards?\b|\bdepots?\b|\bmaint(?:enance)?\b|\bbus div(?:ision)?\b|\btow\b|\bsanitation\b"
         r"|\bmotor pool\b|\bfleet (?:services|maintenance)\b|\bimpound\b")
_GARAGE = r"\bgarage\b|\bparking structure\b|\bparking deck\b"
_TERMINAL = r"\bterminals?\b(?! island)|\btransit (?:center|centre|plaza|hub)\b|\bbus station\b|\bintermodal\b"
_VACANT_BUILDING = r"\bvacant (?:building|bldg|structure)s?\b"
_PARK_AND_RIDE = r"\bpark\s*(?:and|&|n|-n-)\s*ride\b"
_OPEN_WORDS = r"\bopen space\b|\bopen land\b|\bundeveloped\b"
_ADDRESS = r"\s*\d+[a-z]?(?:-\d+)?\s+\S"  # a house number first: a street address, not a name
#: Words that decide a category wherever they are written (asset type, name, description), in this order:
#: a golf course or landfill before a yard; 'maintenance garage' is a yard, 'parking garage' a garage.
_WORDS: tuple[tuple[str, str, str], ...] = (
    (_GOLF, GOLF_COURSE, "a golf course"), (_LANDFILL, OPEN_LAND, "a landfill, reservoir or spreading ground"),
    (_YARD, YARD, "a yard, depot, maintenance, bus division, tow or sanitation facility"),
    (_PARK_AND_RIDE, PARKING_LOT, "a park-and-ride lot"), (_GARAGE, PARKING_GARAGE, "a garage or parking structure"),
    (_TERMINAL, TRANSIT_TERMINAL, "a transit terminal"),
    (_VACANT_BUILDING, FACILITY, "a vacant building (a building, not a vacant lot)"),
)
# Asset-type keywords after those words, checked in this order (first match wins): 'vacant lot' before
# 'lot', 'parking' before 'park'.
_ASSET_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"vacant|empty lot|undeveloped", VACANT_LOT),
    (r"parking|\blot\b", PARKING_LOT),
    (r"\bparks?\b|recreation|playground|plaza|open space", PARK),
    (r"facility|building|station|office|library|center|centre|warehouse|shop", FACILITY),
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
    yard_codes : tuple of str
        Two-digit use-code prefixes of open storage yards (39xx, DATA.md section 3).
    public_code_range : tuple of int
        Inclusive two-digit use-code range of public, government-owned property (80-88).
    garage_cover_share : float
        Building floor area over lot area from which a parking site is a structure (a garage's decks
        cover most of the lot, often several times over); below it a building is a booth or kiosk
        on a surface lot.
    improved_min_sqft : float
        Building area from which a parcel with a vacant use code is a vacant building, not a vacant lot.
    open_land_min_sqft : float
        Area (5 acres) from which public land with no building, or named open space, is large open land.
    """

    park_overlap_share: float = 0.5
    parking_codes: tuple[str, ...] = ("27", "38")
    yard_codes: tuple[str, ...] = ("39",)
    public_code_range: tuple[int, int] = (80, 88)
    garage_cover_share: float = 0.5
    improved_min_sqft: float = 1_000.0
    open_land_min_sqft: float = 217_800.0


def classify_sites(
    sites: gpd.GeoDataFrame,
    *,
    parks: gpd.GeoDataFrame | None = None,
    rules: ClassifyRules = ClassifyRules(),
) -> pd.DataFrame:
    """Return each site's category, where it came from and the rule in words.

    First match wins: the department's asset type; words in the site's name (not when the name
    is a street address, as derived sites' names are), then in the use
    description (golf course, landfill or reservoir, yard or depot, park-and-ride, garage,
    terminal, vacant building); a parking use code or text (a garage when a building covers
    most of the lot, a surface lot with a booth stays a lot); park (overlap with park
    boundaries, a 6xxx recreational code or park text); vacant (trailing ``V`` or text; a
    vacant parcel with a building is a vacant building, a facility); a 39xx open-storage yard;
    large named open space; public 80xx-88xx (large and unbuilt: open land, else a facility);
    else other.

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
    name = _col(sites, schema.NAME).fillna("").astype(str).str.lower()
    name = name.where(~name.str.match(_ADDRESS), "")  # a derived site's name is its address: 1200 Reservoir St
    asset = _col(sites, schema.ASSET_TYPE).fillna("").astype(str).str.strip()
    bldg = pd.to_numeric(_col(sites, schema.BLDG_SQFT), errors="coerce")
    year = pd.to_numeric(_col(sites, schema.YEAR_BUILT), errors="coerce")
    lot = pd.Series(shapely.area(np.asarray(sites.geometry.values)), index=sites.index, dtype=float)
    park_share = park_overlap_share(sites, parks=parks)

    category = pd.Series(OTHER, index=sites.index, dtype=object)
    source = pd.Series("none", index=sites.index, dtype=object)
    basis = pd.Series("no rule matched: not parking, park, vacant, a yard or a public 80xx-88xx use code",
                      index=sites.index, dtype=object)
    decided = pd.Series(False, index=sites.index)

    def take(mask: pd.Series, cat: str | pd.Series, src: str, words: Words) -> None:
        """Decide the undecided rows of ``mask``; ``words(rows)`` is built for those rows only."""
        new = mask & ~decided
        if not new.any():
            return
        category[new] = cat[new] if isinstance(cat, pd.Series) else cat
        source[new] = src
        basis[new] = words if isinstance(words, str) else words(new)
        decided[new] = True

    # 1. asset type given by the department
    asset_cat, asset_why = _asset_category(asset)
    take(asset_cat.notna(), asset_cat, "asset", lambda m: "department asset type '" + asset[m] + "' -> " + asset_why[m])

    # 2. words in the name, then in the description
    for where, src, said in ((name, "name", "name"), (text, "description", "description")):
        cat, why = _word_category(where)
        take(cat.notna(), cat, src, _prefixed(said + " names ", why))
        big = _contains(where, _OPEN_WORDS) & (lot >= rules.open_land_min_sqft)
        take(big, OPEN_LAND, src, _prefixed(said + " names open space on ", lot, _open_bound(rules), fmt=_acres))

    # 3. parking: 27xx/38xx or 'parking' text; a structure covering the lot makes it a garage
    two = code.str[:2]
    garage, garage_words = _garage(bldg, year, lot, rules)
    cat = garage.map({True: PARKING_GARAGE, False: PARKING_LOT})
    take(two.isin(rules.parking_codes), cat, "use_code",
         lambda m: "use code " + code[m] + " is " + two[m] + "xx (parking); " + garage_words(m))
    take(_contains(text, "parking"), cat, "description", lambda m: "description mentions parking; " + garage_words(m))

    # 4. park: overlap with park boundaries, 6xxx recreational code, park text
    take(park_share >= rules.park_overlap_share, PARK, "overlay",
         lambda m: "site area " + _text(park_share[m] * 100, "{:.0f}") + " % inside park boundaries"
         + f" (>= {rules.park_overlap_share:.0%})")
    take(code.str[:1] == "6", PARK, "use_code", lambda m: "use code " + code[m] + " is 6xxx (recreational)")
    take(_contains(text, _PARK_WORD.pattern), PARK, "description", "description mentions a park or recreation")

    # 5. vacant: trailing V or text; with a building it is a vacant building (a facility), not a vacant lot
    built = bldg.fillna(0) >= rules.improved_min_sqft

    def built_words(m: pd.Series) -> pd.Series:
        return ("but building area " + _text(bldg[m].fillna(0), "{:,.0f}")
                + f" sq ft (>= {rules.improved_min_sqft:,.0f}): a vacant building -> non-public facility")

    by_code, by_text = code.str.endswith("V"), _contains(text, "vacant")
    take(by_code & built, FACILITY, "use_code", lambda m: "use code " + code[m] + " ends in V (vacant) " + built_words(m))
    take(by_text & built, FACILITY, "description", lambda m: "description says vacant " + built_words(m))
    take(by_code, VACANT_LOT, "use_code", lambda m: "use code " + code[m] + " ends in V (vacant), no building -> vacant lot")
    take(by_text, VACANT_LOT, "description", "description says vacant, no building -> vacant lot")

    # 6. open storage yard (39xx)
    take(two.isin(rules.yard_codes), YARD, "use_code",
         lambda m: "use code " + code[m] + " is " + two[m] + "xx (open storage yard)")

    # 7. other public property: large and unbuilt -> open land, else a facility
    lo, hi = rules.public_code_range
    num = pd.to_numeric(two.where(two.str.isdigit()), errors="coerce")
    public = (num >= lo) & (num <= hi)
    open_land = public & (bldg.fillna(0) <= 0) & (lot >= rules.open_land_min_sqft)
    take(open_land, OPEN_LAND, "use_code", lambda m: "use code " + code[m] + f" is public ({lo}xx-{hi}xx) with no "
         "building on " + _acres(lot[m]) + _open_bound(rules))
    take(public, FACILITY, "use_code",
         lambda m: "use code " + code[m] + f" is public ({lo}xx-{hi}xx), not parking, park or vacant")
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


def _word_category(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the category the words in ``text`` name (NaN when none) and what they name, in words.

    The patterns run once per distinct text (a County roll has a few hundred descriptions).
    """
    codes, uniques = pd.factorize(text.str.lower())
    low = pd.Series(uniques, dtype=object).astype(str)
    cat = pd.Series(np.nan, index=low.index, dtype=object)
    why = pd.Series("", index=low.index, dtype=object)
    for pattern, category, words in _WORDS:
        hit = low.str.contains(pattern, regex=True) & cat.isna()
        cat[hit] = category
        why[hit] = f"{words} -> {CATEGORY_LABELS[category]}"
    pick = np.where(codes < 0, len(low), codes)  # a missing text matches nothing
    cat_all = np.append(cat.to_numpy(dtype=object), np.nan)[pick]
    why_all = np.append(why.to_numpy(dtype=object), "")[pick]
    return pd.Series(cat_all, index=text.index, dtype=object), pd.Series(why_all, index=text.index, dtype=object)


def _asset_category(asset: pd.Series) -> tuple[pd.Series, pd.Series]:
    cat, _ = _word_category(asset)
    low = asset.str.lower()
    for pattern, category in _ASSET_PATTERNS:
        hit = low.str.contains(pattern, regex=True) & cat.isna() & (low != "")
        cat[hit] = category
    return cat, cat.map(CATEGORY_LABELS).fillna("")


def _garage(bldg: pd.Series, year: pd.Series, lot: pd.Series, rules: ClassifyRules
            ) -> tuple[pd.Series, Callable[[pd.Series], pd.Series]]:
    """Return whether a parking site is a garage (a building covering most of the lot), and why, in words."""
    area = bldg.fillna(0.0).clip(lower=0.0)
    cover = pd.Series(np.divide(area.to_numpy(), lot.to_numpy(), out=np.zeros(len(lot)), where=lot.to_numpy() > 0),
                      index=lot.index)
    structure = (area > 0) & (cover >= rules.garage_cover_share)
    bound = f"{rules.garage_cover_share:.0%}"

    def words(rows: pd.Series) -> pd.Series:
        a, c, s, y = area[rows], cover[rows], structure[rows], year[rows]
        booth, year_only = (a > 0) & ~s, (a <= 0) & y.notna()
        measured = ("building area " + _text(a, "{:,.0f}") + " sq ft on a " + _text(lot[rows], "{:,.0f}")
                    + " sq ft lot (" + _text(c * 100, "{:.0f}") + " % of it")
        out = pd.Series("no building area -> parking lot", index=a.index, dtype=object)
        out[year_only] = ("year built " + _text(y[year_only], "{:.0f}")
                          + " but no building area: paving or a booth, not a structure -> parking lot")
        out[booth] = measured[booth] + f", < {bound}): a booth or kiosk on a surface lot -> parking lot"
        out[s] = measured[s] + f", >= {bound}): a structure -> parking garage"
        return out

    return structure, words


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    """Return whether each text matches ``pattern``, testing each distinct text once."""
    codes, uniques = pd.factorize(text)
    hit = pd.Series(uniques, dtype=object).astype(str).str.contains(pattern, regex=True).to_numpy(bool)
    return pd.Series(np.append(hit, False)[np.where(codes < 0, len(hit), codes)], index=text.index)


def _prefixed(prefix: str, values: pd.Series, suffix: str = "",
              fmt: Callable[[pd.Series], pd.Series] | None = None) -> Callable[[pd.Series], pd.Series]:
    """Return a words builder: ``prefix``, the decided rows' ``values`` (formatted by ``fmt``), ``suffix``."""
    def words(rows: pd.Series) -> pd.Series:
        picked = values[rows]
        return prefix + (fmt(picked) if fmt else picked) + suffix

    return words


def _acres(lot: pd.Series) -> pd.Series:
    return _text(lot / 43_560, "{:,.1f}") + " acres"


def _open_bound(rules: ClassifyRules) -> str:
    return f" (>= {rules.open_land_min_sqft / 43_560:,.0f} acres) -> large open public land"


def _text(values: pd.Series, spec: str) -> pd.Series:
    """Format numbers as text (an object Series, also when empty)."""
    return pd.Series([spec.format(v) for v in values], index=values.index, dtype=object)
