"""Real neighbourhood anchors (DATA.md section 5.3) and the 15 synthetic demo zones built from them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo import schema
from geo.config import ANALYSIS_CRS, DISPLAY_CRS, SYNTHETIC_SOURCE
from geo.crs import lonlat_to_feet
from geo.io.outline import county_polygon_ft

#: (council district, name, lat, lon, LAPD area); '*' areas of DATA.md are already resolved.
ANCHORS: tuple[tuple[int, str, float, float, int], ...] = (
    (1, "Westlake", 34.0576, -118.2770, 2), (1, "Chinatown", 34.0623, -118.2383, 1),
    (1, "Highland Park", 34.1114, -118.1923, 11),
    (2, "North Hollywood", 34.1722, -118.3789, 15), (2, "Studio City", 34.1396, -118.3870, 15),
    (2, "Valley Village", 34.1650, -118.3960, 15),
    (3, "Woodland Hills", 34.1683, -118.6059, 21), (3, "Canoga Park", 34.2011, -118.5979, 21),
    (4, "Sherman Oaks", 34.1511, -118.4490, 9), (4, "Encino", 34.1592, -118.5012, 10),
    (4, "Los Feliz", 34.1063, -118.2848, 6),
    (5, "Westwood", 34.0635, -118.4455, 8), (5, "Fairfax", 34.0780, -118.3610, 6),
    (5, "Palms", 34.0200, -118.4050, 8),
    (6, "Van Nuys", 34.1867, -118.4490, 9), (6, "Arleta", 34.2414, -118.4320, 9),
    (6, "North Hills", 34.2360, -118.4840, 9),
    (7, "Sylmar", 34.3078, -118.4490, 19), (7, "Pacoima", 34.2625, -118.4270, 19),
    (7, "Sunland-Tujunga", 34.2539, -118.2886, 16),
    (8, "Crenshaw", 34.0106, -118.3364, 3), (8, "Vermont Knolls", 33.9870, -118.2920, 12),
    (8, "Hyde Park", 33.9800, -118.3300, 3),
    (9, "Central-Alameda", 33.9950, -118.2480, 13), (9, "Vermont Square", 34.0040, -118.2920, 12),
    (10, "Koreatown", 34.0618, -118.3004, 20), (10, "Mid-City", 34.0440, -118.3400, 7),
    (10, "West Adams", 34.0330, -118.3250, 7),
    (11, "Venice", 33.9850, -118.4695, 14), (11, "Westchester", 33.9600, -118.4000, 14),
    (11, "Pacific Palisades", 34.0481, -118.5265, 8),
    (12, "Chatsworth", 34.2572, -118.6012, 17), (12, "Porter Ranch", 34.2739, -118.5490, 17),
    (12, "Northridge", 34.2283, -118.5368, 17),
    (13, "Hollywood", 34.0928, -118.3287, 6), (13, "Echo Park", 34.0782, -118.2606, 2),
    (13, "Silver Lake", 34.0869, -118.2702, 2),
    (14, "Downtown", 34.0407, -118.2468, 1), (14, "Boyle Heights", 34.0290, -118.2050, 4),
    (14, "Eagle Rock", 34.1394, -118.2110, 11),
    (15, "San Pedro", 33.7361, -118.2923, 5), (15, "Wilmington", 33.7803, -118.2617, 5),
    (15, "Watts", 33.9420, -118.2430, 18),
)
CITY_HALL_LATLON = (34.0537, -118.2427)
HULL_BUFFER_FT = 4_000 / 0.3048006096  # 4 km in US survey feet
DISTRICT_TITLE = "Demo zone {n} - NOT council district boundaries"


@dataclass(frozen=True)
class Anchors:
    """Anchor columns as arrays (x/y in EPSG:2229 feet)."""

    cd: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    lapd_area: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.cd)


@lru_cache(maxsize=1)
def anchors() -> Anchors:
    """Return the anchor table with EPSG:2229 coordinates."""
    cd, name, lat, lon, area = zip(*ANCHORS)
    x, y = lonlat_to_feet(np.array(lon), np.array(lat))
    return Anchors(np.array(cd), np.array(name, dtype=object), np.array(lat), np.array(lon),
                   np.array(area), np.asarray(x), np.asarray(y))


@lru_cache(maxsize=1)
def anchor_tree() -> cKDTree:
    """Return a KD-tree on the anchors' EPSG:2229 coordinates."""
    a = anchors()
    return cKDTree(np.column_stack([a.x, a.y]))


def nearest_anchor(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the index of the nearest anchor to each EPSG:2229 point."""
    return np.asarray(anchor_tree().query(np.column_stack([x, y]))[1])


@lru_cache(maxsize=1)
def demo_zones_ft() -> tuple[shapely.Geometry, ...]:
    """Return the 15 demo zones in EPSG:2229, index ``cd - 1``.

    Voronoi cells of all anchors dissolved by council district, clipped to the anchors'
    convex hull buffered by 4 km, intersected with the County outline.
    """
    a = anchors()
    pts = shapely.points(a.x, a.y)
    clip = shapely.intersection(
        shapely.convex_hull(shapely.multipoints(pts)).buffer(HULL_BUFFER_FT, quad_segs=8),
        county_polygon_ft(),
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=clip,
                                                       ordered=True))
    zones = []
    for cd in range(1, 16):
        zone = shapely.intersection(shapely.union_all(cells[a.cd == cd]), clip)
        zones.append(shapely.normalize(zone))
    return tuple(zones)


def build_districts() -> gpd.GeoDataFrame:
    """Return the canonical ``districts`` frame: 15 demo zones, EPSG:4326, synthetic."""
    n = np.arange(1, 16)
    frame = gpd.GeoDataFrame(
        {
            schema.DISTRICT: n,
            schema.DISTRICT_NAME: [DISTRICT_TITLE.format(n=k) for k in n],
            schema.VINTAGE: "synthetic",
            schema.IS_SYNTHETIC: True,
            schema.SOURCE: SYNTHETIC_SOURCE,
            schema.SOURCE_URL: None,
            schema.FETCHED_AT: None,
        },
        geometry=list(demo_zones_ft()),
        crs=ANALYSIS_CRS,
    ).to_crs(DISPLAY_CRS)
    return frame.set_geometry(shapely.set_precision(frame.geometry.values, 1e-7))


def districts_at(lon: np.ndarray, lat: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ``district`` containing each lon/lat point (0 where none), vectorised.

    Uses ``shapely.contains_xy`` on each prepared zone, after a bounding-box filter.
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    out = np.zeros(len(lon), dtype=np.int64)
    for geom, cd in zip(districts.geometry.values, districts[schema.DISTRICT].to_numpy()):
        shapely.prepare(geom)
        x0, y0, x1, y1 = geom.bounds
        cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (out == 0))
        if len(cand):
            hit = shapely.contains_xy(geom, lon[cand], lat[cand])
            out[cand[hit]] = cd
    return out


def council_districts(lon: np.ndarray, lat: np.ndarray, x_ft: np.ndarray, y_ft: np.ndarray,
                      districts: gpd.GeoDataFrame) -> np.ndarray:
    """Return council districts by joining points to the demo zones; nearest anchor's CD outside them."""
    cd = districts_at(lon, lat, districts)
    outside = cd == 0
    if outside.any():
        cd[outside] = anchors().cd[nearest_anchor(x_ft[outside], y_ft[outside])]
    return cd
