"""A small hand-made town in EPSG:2229: exact rectangles and points with hand-computed answers.

Coordinates below are feet relative to ``ORIGIN``. Sites (City):

====  ==================  ===========================  ==============================  ================
id    box (x0,y0,x1,y1)   inputs                       category (source)               status
====  ==================  ===========================  ==============================  ================
S1    0,0,100,100         asset 'LADOT lot'            parking_lot (asset)             posted 03-01, locked
S2    200,0,300,50        2700, bldg 15,000            parking_garage (use_code)       none, open
S3    400,0,500,100       8800, inside park PK1        park (overlay)                  posted 03-05, no_gate
S4    600,0,700,20        880V, unassigned             vacant_lot (use_code)           unknown, unknown
S5    800,0,900,100       8800 'Fire station'          facility (use_code)             posted 03-09, open
S6    1000,0,1100,100     0100 'Single'                other (none)                    none, no_gate
S7    1200,0,1300,100     '' 'Public Parking'          parking_lot (description)       none, open
====  ==================  ===========================  ==============================  ================

Parcels: PA 0,200,100,300 (private, ACME BUILDING SUPPLY), PB 100,200,200,300 (private, 2700, no
owner), PC 0,-300,100,-200 (8100, other public), PS1 = S1's box (9999000001, City).

Incidents (LA noon, 20:00 UTC), as of 2026-03-10:

====  ==========  ==========  ===============================================
id    x, y        date        snapping
====  ==========  ==========  ===============================================
I1    50, 50      2026-03-05  on S1 (city, LADOT liaison)
I2    50, 250     2026-03-01  on PA
I3    50, 340     2026-02-20  adjacent PA, 40 ft
I4    150, 120    2026-01-15  adjacent S1, sqrt(50^2+20^2) = 53.85 ft
I5    50, -150    2025-12-01  adjacent PC (other public), 50 ft
I6    5000, 5000  2026-03-09  none
I7    100, 250    2026-03-11  on the PA/PB edge -> PA (equal area, first); after as_of
I8    50, 260     2026-03-08  on PA
====  ==========  ==========  ===============================================
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from geo import schema

ORIGIN = (6_488_000.0, 1_842_000.0)
CRS = "EPSG:2229"
AS_OF = dt.date(2026, 3, 10)


def box(x0: float, y0: float, x1: float, y1: float, *, dx: float = 0.0, dy: float = 0.0):
    """Return a rectangle in town feet, shifted to ``ORIGIN`` (+ an optional translation)."""
    ox, oy = ORIGIN[0] + dx, ORIGIN[1] + dy
    return shapely.box(ox + x0, oy + y0, ox + x1, oy + y1)


def point(x: float, y: float, *, dx: float = 0.0, dy: float = 0.0):
    """Return a point in town feet, shifted to ``ORIGIN``."""
    return shapely.Point(ORIGIN[0] + dx + x, ORIGIN[1] + dy + y)


SITE_ROWS = [
    # site_id, box, asset_type, use_code, use_description, bldg, dept, ains, cd
    ("S1", (0, 0, 100, 100), "LADOT lot", "8800", "", 0.0, "Transportation (LADOT)", "9999000001", 1),
    ("S2", (200, 0, 300, 50), None, "2700", "Parking Lot", 15_000.0, "General Services (GSD)", "9999000002", 1),
    ("S3", (400, 0, 500, 100), None, "8800", "Government", 0.0, "Recreation and Parks (RAP)", "9999000003", 2),
    ("S4", (600, 0, 700, 20), None, "880V", "", None, schema.UNASSIGNED, "9999000004", 2),
    ("S5", (800, 0, 900, 100), None, "8800", "Fire station", 6_000.0, "Fire (LAFD)", "9999000005", 2),
    ("S6", (1000, 0, 1100, 100), None, "0100", "Single", 1_200.0, "General Services (GSD)", "9999000006", 1),
    ("S7", (1200, 0, 1300, 100), None, "", "Public Parking", None, "Transportation (LADOT)", "9999000007", 1),
]
EXPECTED_CATEGORY = {
    "S1": ("parking_lot", "asset"), "S2": ("parking_garage", "use_code"), "S3": ("park", "overlay"),
    "S4": ("vacant_lot", "use_code"), "S5": ("facility", "use_code"), "S6": ("other", "none"),
    "S7": ("parking_lot", "description"),
}
STATUS_ROWS = [
    ("S1", "posted", dt.date(2026, 3, 1), "closed_locked"), ("S2", "none", None, "open"),
    ("S3", "posted", dt.date(2026, 3, 5), "no_gate"), ("S4", "unknown", None, "unknown"),
    ("S5", "posted", dt.date(2026, 3, 9), "open"), ("S6", "none", None, "no_gate"),
    ("S7", "none", None, "open"),
]
PARCEL_ROWS = [
    # ain, box, use_code, owner
    ("9900000001", (0, 200, 100, 300), "1100", "ACME BUILDING SUPPLY"),
    ("9900000002", (100, 200, 200, 300), "2700", None),
    ("9900000003", (0, -300, 100, -200), "8100", None),
    ("9999000001", (0, 0, 100, 100), "8800", None),
]
INCIDENT_ROWS = [
    ("I1", (50, 50), "2026-03-05"), ("I2", (50, 250), "2026-03-01"), ("I3", (50, 340), "2026-02-20"),
    ("I4", (150, 120), "2026-01-15"), ("I5", (50, -150), "2025-12-01"), ("I6", (5000, 5000), "2026-03-09"),
    ("I7", (100, 250), "2026-03-11"), ("I8", (50, 260), "2026-03-08"),
]
PARK_BOX = (390, -10, 510, 110)
RAMP_XY = (50, -1000)


def sites(*, dx: float = 0.0, dy: float = 0.0) -> gpd.GeoDataFrame:
    """Return the town's City sites (EPSG:2229)."""
    rows = SITE_ROWS
    return gpd.GeoDataFrame({
        schema.SITE_ID: [r[0] for r in rows], schema.ASSET_TYPE: [r[2] for r in rows], schema.USE_CODE: [r[3] for r in rows],
        schema.USE_DESCRIPTION: [r[4] for r in rows], schema.BLDG_SQFT: [r[5] for r in rows],
        schema.YEAR_BUILT: [None] * len(rows), schema.OWNING_DEPT: [r[6] for r in rows], schema.AINS: [r[7] for r in rows],
        schema.COUNCIL_DISTRICT: [r[8] for r in rows], schema.LAPD_AREA: [1] * len(rows),
        schema.NAME: [f"Town site {r[0]}" for r in rows],
    }, geometry=[box(*r[1], dx=dx, dy=dy) for r in rows], crs=CRS)


def parcels(*, dx: float = 0.0, dy: float = 0.0) -> gpd.GeoDataFrame:
    """Return the town's parcels (EPSG:2229), centroids included."""
    geoms = [box(*r[1], dx=dx, dy=dy) for r in PARCEL_ROWS]
    return gpd.GeoDataFrame({
        schema.AIN: [r[0] for r in PARCEL_ROWS], schema.USE_CODE: [r[2] for r in PARCEL_ROWS],
        schema.USE_DESCRIPTION: [""] * len(PARCEL_ROWS), schema.OWNER_NAME: [r[3] for r in PARCEL_ROWS],
        schema.COUNCIL_DISTRICT: [1, 1, 2, 1], schema.LAPD_AREA: [1, 1, 1, 1],
        schema.CENTROID_X_FT: [g.centroid.x for g in geoms], schema.CENTROID_Y_FT: [g.centroid.y for g in geoms],
    }, geometry=geoms, crs=CRS)


def incidents(*, dx: float = 0.0, dy: float = 0.0) -> gpd.GeoDataFrame:
    """Return the town's incidents (EPSG:2229) at 20:00 UTC (noon in LA) on their dates."""
    when = pd.to_datetime([f"{r[2]}T20:00:00Z" for r in INCIDENT_ROWS], utc=True)
    return gpd.GeoDataFrame({
        schema.INCIDENT_ID: [r[0] for r in INCIDENT_ROWS], schema.OCCURRED_AT: when,
        schema.INCIDENT_TYPE: ["staging_area"] * len(INCIDENT_ROWS),
        schema.COUNCIL_DISTRICT: pd.array([None] * len(INCIDENT_ROWS), dtype="Int64"),
        schema.LAPD_AREA: pd.array([None] * len(INCIDENT_ROWS), dtype="Int64"),
    }, geometry=[point(*r[1], dx=dx, dy=dy) for r in INCIDENT_ROWS], crs=CRS)


def parks(*, dx: float = 0.0, dy: float = 0.0) -> gpd.GeoDataFrame:
    """Return the town's one park (EPSG:2229)."""
    return gpd.GeoDataFrame({schema.PARK_ID: ["PK1"]}, geometry=[box(*PARK_BOX, dx=dx, dy=dy)], crs=CRS)


def ramps(*, dx: float = 0.0, dy: float = 0.0) -> gpd.GeoDataFrame:
    """Return the town's one freeway ramp (EPSG:2229), 1,000 ft south of S1."""
    return gpd.GeoDataFrame({"ramp": ["R1"]}, geometry=[point(*RAMP_XY, dx=dx, dy=dy)], crs=CRS)


def status() -> pd.DataFrame:
    """Return the town's site status table."""
    return pd.DataFrame(STATUS_ROWS, columns=[schema.SITE_ID, schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS])


def overrides() -> pd.DataFrame:
    """Return two overrides of S6 (the later one wins) in the store's shape."""
    return pd.DataFrame({
        schema.SITE_ID: ["S6", "S6"], "tier": ["high", "medium"], "reason": ["first look", "site visit: fenced yard"],
        "set_by": ["ana", "ben"], "set_at": ["2026-03-08T10:00:00+00:00", "2026-03-09T10:00:00+00:00"],
    })


#: The town's A.1 determinations as saved (S4 never determined: pending).
CONTROL_ROWS = [
    ("S1", "candidate", None), ("S2", "candidate", None), ("S3", "candidate", None),
    ("S5", "candidate", None), ("S6", "not_candidate", "house held for a housing project; fenced and occupied"),
    ("S7", "candidate", None),
]


def control() -> pd.DataFrame:
    """Return the town's ``site_control`` rows (version 1, owned, barrier unknown)."""
    frame = pd.DataFrame(CONTROL_ROWS, columns=[schema.SITE_ID, schema.DETERMINATION, schema.DETERMINATION_REASON])
    return frame.assign(**{schema.CONTROL_BASIS: "owned", schema.BARRIER_APPROPRIATE: "unknown", schema.VERSION: 1,
                           schema.DETERMINED_BY: "ana", schema.DETERMINED_AT: "2026-02-20T10:00:00+00:00",
                           schema.CONTROL_START: None, schema.CONTROL_END: None, schema.CONTROL_DOC: None})
