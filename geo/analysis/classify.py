"""Site category (parking lot, garage, park, vacant lot, yard, terminal, golf course, open land, ...) and why."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis import classify_words as cw
from geo.config import ANALYSIS_CRS
from geo.crs import require_crs
from geo.i18n import N_
from geo.messages import Message

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
    PARKING_LOT: N_("parking lot"), PARKING_GARAGE: N_("parking garage"), PARK: N_("park"), VACANT_LOT: N_("vacant lot"),
    YARD: N_("yard, depot or maintenance facility"), TRANSIT_TERMINAL: N_("transit terminal"),
    GOLF_COURSE: N_("golf course"), OPEN_LAND: N_("large open public land"), FACILITY: N_("non-public facility"),
    OTHER: N_("other"),
}
#: Where the decision came from (DATA.md section 3: asset/use_code/description/overlay; and the site's name).
SOURCES = ("asset", "name", "use_code", "description", "overlay", "none")

CATEGORY = "category"
Words = Callable[[pd.Series], pd.Series]  # how to build a rule's words (messages) for the rows it decides
CATEGORY_SOURCE = "category_source"
CATEGORY_BASIS = "category_basis"
CATEGORY_BASIS_DATA = "category_basis_data"  # the basis as JSON of geo.messages.to_data: shown translated
CLASS_COLUMNS = (CATEGORY, CATEGORY_SOURCE, CATEGORY_BASIS, CATEGORY_BASIS_DATA)

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
    (_GOLF, GOLF_COURSE, cw.GOLF), (_LANDFILL, OPEN_LAND, cw.LANDFILL), (_YARD, YARD, cw.YARD),
    (_PARK_AND_RIDE, PARKING_LOT, cw.PARK_AND_RIDE), (_GARAGE, PARKING_GARAGE, cw.GARAGE),
    (_TERMINAL, TRANSIT_TERMINAL, cw.TERMINAL), (_VACANT_BUILDING, FACILITY, cw.VACANT_BUILDING),
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
    words: bool | str = True,
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
    words : bool or "english"
        Whether to build the basis columns (a message per site); without them only the category
        and its source are returned (the parcel tiles need no words); ``"english"`` builds only the
        English ``category_basis`` as plain text (a County of parcels, at a third of the cost).

    Returns
    -------
    DataFrame
        ``category``, ``category_source``, ``category_basis`` (English) and ``category_basis_data`` (the
        basis as JSON of :func:`geo.messages.to_data`, to show it in another language), aligned to ``sites.index``.

    Raises
    ------
    CRSError
        When ``sites`` or ``parks`` is not in EPSG:2229.
    """
    require_crs(sites, ANALYSIS_CRS, op="classify_sites")
    plain = cw.PLAIN.set(words == "english")
    try:
        return _classify(sites, parks=parks, rules=rules, words=words)
    finally:
        cw.PLAIN.reset(plain)


def _classify(sites: gpd.GeoDataFrame, *, parks: gpd.GeoDataFrame | None, rules: ClassifyRules,
              words: bool | str) -> pd.DataFrame:
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
    basis: list[str] = cw.each(cw.NO_RULE, pd.Series(bool(words), index=sites.index)).tolist()  # messages, by position
    decided = pd.Series(False, index=sites.index)

    def take(mask: pd.Series, cat: str | pd.Series, src: str, said: Words) -> None:
        """Decide the undecided rows of ``mask``; ``said(rows)`` (the words) is built for those rows only."""
        new = mask & ~decided
        if not new.any():
            return
        category[new] = cat[new] if isinstance(cat, pd.Series) else cat
        source[new] = src
        if words:  # by position: a boolean-mask assignment would turn the messages into plain text
            for pos, text in zip(np.flatnonzero(new.to_numpy(bool)), said(new).tolist(), strict=True):
                basis[pos] = text
        decided[new] = True

    # 1. asset type given by the department
    asset_cat, asset_why = _asset_category(asset)
    take(asset_cat.notna(), asset_cat, "asset", lambda m: cw.each(cw.ASSET, m, asset=asset, category=asset_why))

    # 2. words in the name, then in the description
    acres, bound = lot / 43_560, Message(cw.ACRES_BOUND, {"acres": rules.open_land_min_sqft / 43_560})
    for where, src in ((name, "name"), (text, "description")):
        (names, open_space), (cat, why) = cw.SAID[src], _word_category(where)
        take(cat.notna(), cat, src, partial(cw.each, names, why=why))
        big = _contains(where, _OPEN_WORDS) & (lot >= rules.open_land_min_sqft)
        take(big, OPEN_LAND, src, cw.on_acres(open_space, acres, bound=bound, category=_label(OPEN_LAND)))

    # 3. parking: 27xx/38xx or 'parking' text; a structure covering the lot makes it a garage
    two = code.str[:2]
    garage, garage_words = _garage(bldg, year, lot, rules)
    cat = garage.map({True: PARKING_GARAGE, False: PARKING_LOT})
    take(two.isin(rules.parking_codes), cat, "use_code",
         lambda m: cw.each(cw.PARKING_CODE, m, code=code, prefix=two, garage=garage_words(m)))
    take(_contains(text, "parking"), cat, "description", lambda m: cw.each(cw.PARKING_TEXT, m, garage=garage_words(m)))

    # 4. park: overlap with park boundaries, 6xxx recreational code, park text
    take(park_share >= rules.park_overlap_share, PARK, "overlay",
         lambda m: cw.each(cw.PARK_SHARE, m, share=park_share * 100, bound=rules.park_overlap_share))
    take(code.str[:1] == "6", PARK, "use_code", lambda m: cw.each(cw.RECREATION_CODE, m, code=code))
    take(_contains(text, _PARK_WORD.pattern), PARK, "description", lambda m: cw.each(cw.PARK_TEXT, m))

    # 5. vacant: trailing V or text; with a building it is a vacant building (a facility), not a vacant lot
    area, least = bldg.fillna(0), rules.improved_min_sqft
    built = area >= least
    by_code, by_text = code.str.endswith("V"), _contains(text, "vacant")
    take(by_code & built, FACILITY, "use_code", lambda m: cw.each(cw.VACANT_CODE_BUILT, m, code=code, area=area, least=least))
    take(by_text & built, FACILITY, "description", lambda m: cw.each(cw.VACANT_TEXT_BUILT, m, area=area, least=least))
    take(by_code, VACANT_LOT, "use_code", lambda m: cw.each(cw.VACANT_CODE, m, code=code))
    take(by_text, VACANT_LOT, "description", lambda m: cw.each(cw.VACANT_TEXT, m))

    # 6. open storage yard (39xx)
    take(two.isin(rules.yard_codes), YARD, "use_code",
         lambda m: cw.each(cw.YARD_CODE, m, code=code, prefix=two))

    # 7. other public property: large and unbuilt -> open land, else a facility
    lo, hi = rules.public_code_range
    num = pd.to_numeric(two.where(two.str.isdigit()), errors="coerce")
    public = (num >= lo) & (num <= hi)
    open_land = public & (bldg.fillna(0) <= 0) & (lot >= rules.open_land_min_sqft)
    take(open_land, OPEN_LAND, "use_code",
         cw.on_acres(cw.PUBLIC_OPEN, acres, code=code, lo=lo, hi=hi, bound=bound, category=_label(OPEN_LAND)))
    take(public, FACILITY, "use_code", lambda m: cw.each(cw.PUBLIC_FACILITY, m, code=code, lo=lo, hi=hi))
    if not words:
        return pd.DataFrame({CATEGORY: category, CATEGORY_SOURCE: source})
    said = pd.Series(basis, index=sites.index, dtype=object)
    if words == "english":
        return pd.DataFrame({CATEGORY: category, CATEGORY_SOURCE: source, CATEGORY_BASIS: cw.english(said)})
    return pd.DataFrame({CATEGORY: category, CATEGORY_SOURCE: source, CATEGORY_BASIS: cw.english(said),
                         CATEGORY_BASIS_DATA: cw.data_column(said)})


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
    why: list[str] = [""] * (len(low) + 1)  # the last one for a missing text, which matches nothing
    for pattern, category, words in _WORDS:
        hit = low.str.contains(pattern, regex=True) & cat.isna()
        cat[hit] = category
        said = Message(cw.NAMES, {"what": Message(words), "category": _label(category)})
        for i in np.flatnonzero(hit.to_numpy(bool)):
            why[i] = said
    pick = np.where(codes < 0, len(low), codes)
    cat_all = np.append(cat.to_numpy(dtype=object), np.nan)[pick]
    why_all = np.array(why, dtype=object)[pick]
    return pd.Series(cat_all, index=text.index, dtype=object), pd.Series(why_all, index=text.index, dtype=object)


def _asset_category(asset: pd.Series) -> tuple[pd.Series, pd.Series]:
    cat, _ = _word_category(asset)
    low = asset.str.lower()
    for pattern, category in _ASSET_PATTERNS:
        hit = low.str.contains(pattern, regex=True) & cat.isna() & (low != "")
        cat[hit] = category
    labels = {category: _label(category) for category in CATEGORIES}
    return cat, pd.Series([labels.get(c, "") for c in cat], index=cat.index, dtype=object)


def _garage(bldg: pd.Series, year: pd.Series, lot: pd.Series, rules: ClassifyRules
            ) -> tuple[pd.Series, Callable[[pd.Series], pd.Series]]:
    """Return whether a parking site is a garage (a building covering most of the lot), and why, in words."""
    area = bldg.fillna(0.0).clip(lower=0.0)
    cover = pd.Series(np.divide(area.to_numpy(), lot.to_numpy(), out=np.zeros(len(lot)), where=lot.to_numpy() > 0),
                      index=lot.index)
    structure = (area > 0) & (cover >= rules.garage_cover_share)
    booth, year_only = (area > 0) & ~structure, (area <= 0) & year.notna()
    measured = {"area": area, "lot": lot, "share": cover * 100, "bound": rules.garage_cover_share}

    def words(rows: pd.Series) -> pd.Series:
        parts = (cw.each(cw.NO_BUILDING, rows & ~year_only & ~booth & ~structure),
                 cw.each(cw.YEAR_ONLY, rows & year_only, year=year), cw.each(cw.BOOTH, rows & booth, **measured),
                 cw.each(cw.STRUCTURE, rows & structure, **measured))
        return pd.concat([p for p in parts if len(p)] or [parts[0]]).reindex(rows.index[rows.to_numpy(bool)])

    return structure, words


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    """Return whether each text matches ``pattern``, testing each distinct text once."""
    codes, uniques = pd.factorize(text)
    hit = pd.Series(uniques, dtype=object).astype(str).str.contains(pattern, regex=True).to_numpy(bool)
    return pd.Series(np.append(hit, False)[np.where(codes < 0, len(hit), codes)], index=text.index)


def _label(category: str) -> Message:
    """Return a category's label as a message (translated where it is shown)."""
    return Message(CATEGORY_LABELS[category])
