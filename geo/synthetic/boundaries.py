"""Synthetic boundary sets: demo LAPD divisions, demo neighbourhood councils and an earlier demo council plan.

All are built from the anchors' Voronoi cells (the demo zones' own construction), so a point's
nearest anchor decides its division and council: the sample's rows carry exactly what the
current sets say. The earlier council plan moves a few anchors to another demo zone, so switching
to it (``stagemap boundaries use``) re-assigns rows visibly. Every name says SYNTHETIC.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, DISPLAY_CRS, SYNTHETIC_SOURCE
from geo.io.outline import county_polygon_ft
from geo.records import BoundarySet
from geo.synthetic.anchors import HULL_BUFFER_FT, anchors

#: Anchors that sat in another demo zone in the earlier plan (anchor name -> its earlier zone).
EARLIER_PLAN = {"Los Feliz": 13, "Eagle Rock": 1, "Palms": 11, "Hyde Park": 10, "Echo Park": 1, "Arleta": 7}
EARLIER_EFFECTIVE = "2012-07-01"


@lru_cache(maxsize=1)
def anchor_cells_ft() -> tuple[shapely.Geometry, ...]:
    """Return each anchor's Voronoi cell in EPSG:2229, clipped like the demo zones (index = anchor)."""
    a = anchors()
    pts = shapely.points(a.x, a.y)
    clip = shapely.intersection(shapely.convex_hull(shapely.multipoints(pts)).buffer(HULL_BUFFER_FT, quad_segs=8),
                                county_polygon_ft())
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=clip, ordered=True))
    return tuple(shapely.normalize(shapely.intersection(c, clip)) for c in cells)


def build_lapd_divisions() -> gpd.GeoDataFrame:
    """Return the canonical ``lapd_areas`` layer: demo divisions 1-21 (anchor cells by LAPD area), synthetic."""
    a = anchors()
    cells = np.asarray(anchor_cells_ft(), dtype=object)
    codes = sorted({int(v) for v in a.lapd_area})
    geoms = [shapely.normalize(shapely.union_all(cells[a.lapd_area == c])) for c in codes]
    names = [f"DEMO {schema.LAPD_AREA_NAMES[c]} division (synthetic)" for c in codes]
    return _layer(schema.LAPD_AREAS, {schema.LAPD_AREA: codes, schema.AREA_NAME: names}, geoms)


def build_neighborhood_councils() -> gpd.GeoDataFrame:
    """Return the canonical ``neighborhood_councils`` layer: one demo council per anchor (1-45), synthetic."""
    a = anchors()
    codes = list(range(1, len(a) + 1))
    names = [f"DEMO neighbourhood council {i}: near {n} (synthetic)" for i, n in zip(codes, a.name)]
    return _layer(schema.NEIGHBORHOOD_COUNCILS, {schema.NC_ID: codes, schema.NC_NAME: names}, list(anchor_cells_ft()))


def earlier_council_plan() -> tuple[BoundarySet, gpd.GeoDataFrame]:
    """Return an earlier demo council plan (Effective 1 Jul 2012), stored but not current, for switching demos."""
    a = anchors()
    cd = np.array([EARLIER_PLAN.get(str(n), int(c)) for n, c in zip(a.name, a.cd)])
    cells = np.asarray(anchor_cells_ft(), dtype=object)
    geoms = [shapely.normalize(shapely.union_all(cells[cd == k])) for k in range(1, 16)]
    features = gpd.GeoDataFrame({"code": list(range(1, 16)),
                                 "name": [f"Demo zone {k}, earlier plan - NOT council district boundaries"
                                          for k in range(1, 16)]},
                                geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS).to_crs(DISPLAY_CRS).set_precision(1e-7))
    spec = BoundarySet(set_id=f"council_districts {EARLIER_EFFECTIVE} (synthetic earlier plan)",
                       kind="council_districts", name="Demo zones, earlier plan (synthetic)", vintage=EARLIER_EFFECTIVE,
                       effective=EARLIER_EFFECTIVE, is_synthetic=True, source=SYNTHETIC_SOURCE)
    return spec, features


def council_of_anchor(near: np.ndarray) -> np.ndarray:
    """Return the demo neighbourhood council of points whose nearest anchor is ``near`` (its cell, 1-based)."""
    return np.asarray(near, dtype=np.int64) + 1


def _layer(layer: str, values: Mapping[str, Sequence[object]], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    data: dict[str, object] = {**values, schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE,
                               schema.SOURCE_URL: None, schema.FETCHED_AT: None}
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS))
    out = frame.to_crs(DISPLAY_CRS)
    out = out.set_geometry(out.geometry.set_precision(1e-7))
    polys = np.asarray(out.geometry.values, dtype=object)
    single = shapely.get_type_id(polys) == 3
    polys[single] = [shapely.multipolygons([p]) for p in polys[single]]
    return gpd.GeoDataFrame(out.drop(columns="geometry")[schema.column_names(layer)], geometry=polys, crs=DISPLAY_CRS)
