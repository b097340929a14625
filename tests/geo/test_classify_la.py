"""Categories that match LA's use codes and names: a table of hand-made sites, each with its category,
where the decision came from and the deciding rule in words (issue 13, item 4)."""
from __future__ import annotations

import geopandas as gpd
import pytest

from geo import schema
from geo.analysis.classify import CATEGORIES, CATEGORY_LABELS, OPEN_LAND, ClassifyRules, classify_sites
from geo.analysis.risk import RiskRules
from tests.geo import town

ACRE = 43_560.0


def _site(side_ft: float = 100.0, **cols: object) -> gpd.GeoDataFrame:
    base: dict[str, object] = {schema.ASSET_TYPE: None, schema.NAME: None, schema.USE_CODE: None,
                               schema.USE_DESCRIPTION: None, schema.BLDG_SQFT: None, schema.YEAR_BUILT: None}
    base.update(cols)
    return gpd.GeoDataFrame({k: [v] for k, v in base.items()}, geometry=[town.box(0, 0, side_ft, side_ft)],
                            crs=town.CRS)


# (case, side of the square site in ft, columns) -> (category, source, words the deciding rule must hold)
CASES = [
    ("surface lot with a 150 sq ft booth stays a lot", 150.0,
     {schema.USE_CODE: "2700", schema.USE_DESCRIPTION: "Parking Lot", schema.BLDG_SQFT: 150, schema.YEAR_BUILT: 1990},
     ("parking_lot", "use_code", "building area 150 sq ft on a 22,500 sq ft lot (1 % of it, < 50%): a booth or kiosk "
                                 "on a surface lot -> parking lot")),
    ("four decks over the lot are a garage", 100.0, {schema.USE_CODE: "2710", schema.BLDG_SQFT: 38_000},
     ("parking_garage", "use_code", "(380 % of it, >= 50%): a structure -> parking garage")),
    ("named a garage, no building data", 100.0, {schema.NAME: "PERSHING SQUARE GARAGE", schema.USE_CODE: "8800"},
     ("parking_garage", "name", "name names a garage or parking structure -> parking garage")),
    ("named a parking structure", 100.0, {schema.NAME: "Van Nuys Civic Center Parking Structure"},
     ("parking_garage", "name", "-> parking garage")),
    ("vacant use code with a building is a vacant building", 100.0,
     {schema.USE_CODE: "880V", schema.BLDG_SQFT: 6_500, schema.YEAR_BUILT: 1962},
     ("facility", "use_code", "use code 880V ends in V (vacant) but building area 6,500 sq ft (>= 1,000): a vacant "
                              "building -> non-public facility")),
    ("described as a vacant building", 100.0, {schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "VACANT BUILDING"},
     ("facility", "description", "a vacant building (a building, not a vacant lot)")),
    ("department lists a vacant building", 100.0, {schema.ASSET_TYPE: "GSD vacant building", schema.USE_CODE: "880V"},
     ("facility", "asset", "department asset type 'GSD vacant building' -> non-public facility")),
    ("vacant with only a shed stays a vacant lot", 100.0, {schema.USE_CODE: "880V", schema.BLDG_SQFT: 120},
     ("vacant_lot", "use_code", "use code 880V ends in V (vacant), no building -> vacant lot")),
    ("bus yard by name", 300.0, {schema.NAME: "LADOT BUS DIVISION 3", schema.USE_CODE: "8800", schema.BLDG_SQFT: 9_000},
     ("yard", "name", "name names a yard, depot, maintenance, bus division, tow or sanitation facility -> yard, depot "
                      "or maintenance facility")),
    ("maintenance garage is a yard, not a parking garage", 200.0,
     {schema.NAME: "CENTRAL VEHICLE MAINTENANCE GARAGE", schema.USE_CODE: "2700"}, ("yard", "name", "-> yard")),
    ("tow yard", 200.0, {schema.NAME: "Official Police Garage TOW lot", schema.USE_CODE: "8800"},
     ("yard", "name", "-> yard")),
    ("sanitation district yard from the asset list", 200.0, {schema.ASSET_TYPE: "LASAN sanitation yard"},
     ("yard", "asset", "department asset type 'LASAN sanitation yard' -> yard, depot or maintenance facility")),
    ("bus depot in the description", 200.0, {schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "Bus depot"},
     ("yard", "description", "-> yard")),
    ("open storage use code 3900", 200.0, {schema.USE_CODE: "3900"},
     ("yard", "use_code", "use code 3900 is 39xx (open storage yard)")),
    ("golf course inside a park", 800.0, {schema.NAME: "HANSEN DAM GOLF COURSE", schema.USE_CODE: "8800"},
     ("golf_course", "name", "name names a golf course -> golf course")),
    ("golf course from the asset list", 800.0, {schema.ASSET_TYPE: "RAP golf course", schema.USE_CODE: "8800"},
     ("golf_course", "asset", "-> golf course")),
    ("transit terminal", 300.0, {schema.NAME: "El Monte Bus Terminal", schema.USE_CODE: "8800", schema.BLDG_SQFT: 20_000},
     ("transit_terminal", "name", "name names a transit terminal -> transit terminal")),
    ("transit center in the description", 300.0, {schema.USE_DESCRIPTION: "Transit center", schema.USE_CODE: "8800"},
     ("transit_terminal", "description", "-> transit terminal")),
    ("Terminal Island is a place, not a terminal", 300.0,
     {schema.NAME: "Terminal Island water reclamation plant", schema.USE_CODE: "8800", schema.BLDG_SQFT: 30_000},
     ("facility", "use_code", "is public (80xx-88xx)")),
    ("landfill", 600.0, {schema.NAME: "LOPEZ CANYON LANDFILL", schema.USE_CODE: "8800"},
     ("open_land", "name", "name names a landfill, reservoir or spreading ground -> large open public land")),
    ("reservoir land", 600.0, {schema.USE_DESCRIPTION: "Reservoir", schema.USE_CODE: "8800"},
     ("open_land", "description", "-> large open public land")),
    ("large unbuilt public land", 600.0, {schema.USE_CODE: "8800"},
     ("open_land", "use_code", "use code 8800 is public (80xx-88xx) with no building on 8.3 acres (>= 5 acres) -> "
                               "large open public land")),
    ("small unbuilt public land stays a facility", 300.0, {schema.USE_CODE: "8800"},
     ("facility", "use_code", "not parking, park or vacant")),
    ("named open space over 5 acres", 600.0, {schema.NAME: "Elephant Hill open space"},
     ("open_land", "name", "name names open space on 8.3 acres (>= 5 acres) -> large open public land")),
    ("named open space under 5 acres decides nothing", 100.0, {schema.NAME: "Pocket open space", schema.USE_CODE: "8900"},
     ("other", "none", "no rule matched")),
    ("park-and-ride lot is a lot, not a park", 200.0, {schema.NAME: "Park & Ride lot 12"},
     ("parking_lot", "name", "a park-and-ride lot -> parking lot")),
    ("a street address is no name: Reservoir St", 300.0, {schema.NAME: "1200 N RESERVOIR ST", schema.USE_CODE: "8800",
                                                        schema.BLDG_SQFT: 4_000},
     ("facility", "use_code", "is public (80xx-88xx)")),
    ("a street address is no name: Terminal Way", 200.0, {schema.NAME: "640 TERMINAL WAY", schema.USE_CODE: "2700"},
     ("parking_lot", "use_code", "is 27xx (parking)")),
    ("department asset type beats the name", 200.0, {schema.ASSET_TYPE: "LADOT parking lot", schema.NAME: "TOW YARD"},
     ("parking_lot", "asset", "department asset type 'LADOT parking lot' -> parking lot")),
]


@pytest.mark.parametrize(("side", "cols", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hand_made_cases(side, cols, expected):
    out = classify_sites(_site(side, **cols)).iloc[0]
    category, source, words = expected
    assert (out["category"], out["category_source"]) == (category, source), out["category_basis"]
    assert words in out["category_basis"]


def test_every_category_has_a_label_points_a_reason_and_a_colour():
    from layers.style import CATEGORY_COLORS

    rules = RiskRules()
    points, reasons = dict(rules.category_points), dict(rules.category_reasons)
    for cat in CATEGORIES:
        assert cat in CATEGORY_LABELS and cat in points and cat in CATEGORY_COLORS, cat
        assert len(reasons[cat]) > 20, cat  # a reason in words, not a placeholder


def test_open_land_threshold_is_a_rule():
    site = _site(300.0, **{schema.USE_CODE: "8800"})  # 90,000 sq ft, about 2 acres
    assert classify_sites(site).iloc[0]["category"] == "facility"
    got = classify_sites(site, rules=ClassifyRules(open_land_min_sqft=2 * ACRE)).iloc[0]
    assert got["category"] == OPEN_LAND and "(>= 2 acres)" in got["category_basis"]


def test_every_category_occurs_in_the_sample_and_booths_stay_lots():
    from geo.config import ANALYSIS_CRS
    from geo.synthetic import generate_sample

    frames = generate_sample().frames
    sites = frames[schema.SITES].to_crs(ANALYSIS_CRS)
    got = classify_sites(sites, parks=frames[schema.PARKS].to_crs(ANALYSIS_CRS))["category"]
    assert set(got) == set(CATEGORIES) - {"other"}, got.value_counts()
    parcels = frames[schema.PARCELS].to_crs(ANALYSIS_CRS)
    city_lots = parcels[parcels[schema.USE_CODE].isin(["2700", "2710"])]
    booth = city_lots[(city_lots[schema.BLDG_SQFT] > 0) & (city_lots[schema.BLDG_SQFT] < 300)]
    assert len(booth) >= 20  # surface lots with an attendant's booth
    assert (classify_sites(booth)["category"] == "parking_lot").all()
    vacant_building = sites[sites[schema.ASSET_TYPE] == "GSD vacant building"]
    assert len(vacant_building) and (vacant_building[schema.BLDG_SQFT] > 1_000).all()
