"""Hand-made sites, one per category rule and variant, for the category-basis language tests."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import schema
from tests.geo import town

# (case, side of the square site in ft, columns); the park-overlap case uses the town's park.
CASES: list[tuple[str, float, dict[str, object]]] = [
    ("asset type", 100.0, {schema.ASSET_TYPE: "LADOT parking lot"}),
    ("asset type by words", 200.0, {schema.ASSET_TYPE: "LASAN sanitation yard"}),
    ("name words", 800.0, {schema.NAME: "HANSEN DAM GOLF COURSE", schema.USE_CODE: "8800"}),
    ("name park-and-ride", 200.0, {schema.NAME: "Park & Ride lot 12"}),
    ("description words", 300.0, {schema.USE_DESCRIPTION: "Transit center", schema.USE_CODE: "8800"}),
    ("description vacant building", 100.0, {schema.USE_CODE: "8800", schema.USE_DESCRIPTION: "VACANT BUILDING"}),
    ("name open space", 600.0, {schema.NAME: "Elephant Hill open space"}),
    ("description open space", 600.0, {schema.USE_DESCRIPTION: "Undeveloped", schema.USE_CODE: "8900"}),
    ("parking code, no building", 100.0, {schema.USE_CODE: "3800"}),
    ("parking code, year only", 100.0, {schema.USE_CODE: "2710", schema.YEAR_BUILT: 1988}),
    ("parking code, booth", 150.0, {schema.USE_CODE: "2700", schema.BLDG_SQFT: 150, schema.YEAR_BUILT: 1990}),
    ("parking code, garage", 100.0, {schema.USE_CODE: "2710", schema.BLDG_SQFT: 38_000}),
    ("parking text", 100.0, {schema.USE_CODE: "8900", schema.USE_DESCRIPTION: "Public parking"}),
    ("recreational code", 100.0, {schema.USE_CODE: "6100"}),
    ("park text", 100.0, {schema.USE_CODE: "8900", schema.USE_DESCRIPTION: "Neighborhood recreation"}),
    ("vacant code with building", 100.0, {schema.USE_CODE: "880V", schema.BLDG_SQFT: 6_500}),
    ("vacant text with building", 100.0, {schema.USE_CODE: "8900", schema.USE_DESCRIPTION: "Vacant", schema.BLDG_SQFT: 2_000}),
    ("vacant code", 100.0, {schema.USE_CODE: "880V", schema.BLDG_SQFT: 120}),
    ("vacant text", 100.0, {schema.USE_CODE: "8900", schema.USE_DESCRIPTION: "Vacant land"}),
    ("open storage yard", 200.0, {schema.USE_CODE: "3900"}),
    ("public open land", 600.0, {schema.USE_CODE: "8800"}),
    ("public facility", 300.0, {schema.USE_CODE: "8800", schema.BLDG_SQFT: 4_000}),
    ("no rule", 100.0, {schema.USE_CODE: "8900"}),
]


def case_sites() -> gpd.GeoDataFrame:
    """Return one site per case (site id = the case name), in EPSG:2229."""
    cols = (schema.SITE_ID, schema.ASSET_TYPE, schema.NAME, schema.USE_CODE, schema.USE_DESCRIPTION,
            schema.BLDG_SQFT, schema.YEAR_BUILT)
    rows = [{c: ({schema.SITE_ID: case} | values).get(c) for c in cols} for case, _side, values in CASES]
    geoms = [town.box(i * 1_000, 50_000, i * 1_000 + side, 50_000 + side) for i, (_c, side, _v) in enumerate(CASES)]
    frame = pd.DataFrame(rows).astype({schema.BLDG_SQFT: float, schema.YEAR_BUILT: float})
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=town.CRS)


def park_site() -> gpd.GeoDataFrame:
    """Return the town's sites (one of them lies inside the town's park)."""
    return town.sites()
