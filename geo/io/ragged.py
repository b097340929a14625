"""Polygon layers reprojected through their coordinate arrays: one pass, MultiPolygons built once.

``shapely.transform`` clones every geometry to set its new coordinates, and the polygon layers
then wrap each Polygon in a MultiPolygon (a second clone). For 2-D Polygon/MultiPolygon arrays
these functions take the coordinates out as ragged arrays, transform them, and build the
MultiPolygons straight from the new coordinates: the same coordinates, rings and parts as the
two-step route, byte for byte, in one construction. Anything else (Z, nulls, empties, other
types) is answered with ``None`` so the caller keeps its general route.
"""
from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from geo.config import ANALYSIS_CRS, COUNTY_LAT, COUNTY_LON, DISPLAY_CRS
from geo.errors import CRSError
from geo.messages import M

_POLYGONAL = (3, 6)


def plain_polygons(geoms: np.ndarray) -> bool:
    """Whether every entry is a present, non-empty 2-D Polygon or MultiPolygon (the ragged route applies)."""
    if not len(geoms):
        return False
    if shapely.is_missing(geoms).any():
        return False
    return bool(np.isin(shapely.get_type_id(geoms), _POLYGONAL).all() and not shapely.is_empty(geoms).any()
                and not shapely.has_z(geoms).any())


def _multipolygon_arrays(geoms: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Return the coordinates and MultiPolygon offsets (rings, polygons, parts) of plain polygons.

    A Polygon without holes (most parcels) is one part of one ring: its offsets follow from its
    number of coordinates, so only the others are taken apart ring by ring (``to_ragged_array``).
    The coordinates come in ring order either way (exterior, then holes; part after part).
    """
    n = len(geoms)
    coords = np.asarray(shapely.get_coordinates(geoms), dtype=np.float64)
    simple = shapely.get_type_id(geoms) == 3
    simple[simple] = shapely.get_num_interior_rings(geoms[simple]) == 0
    polys_per_row = np.ones(n, dtype=np.int64)
    rings_per_poly = np.ones(n, dtype=np.int64)
    coords_per_ring = np.asarray(shapely.get_num_coordinates(geoms), dtype=np.int64)
    if not simple.all():
        kind, _, (ring_off, poly_off, *part_off) = shapely.to_ragged_array(geoms[~simple], include_z=False)
        parts = np.diff(part_off[0]) if kind == shapely.GeometryType.MULTIPOLYGON else np.ones(int((~simple).sum()))
        polys_per_row[~simple] = parts
        poly_simple = np.repeat(simple, polys_per_row)
        rings_per_poly = np.ones(len(poly_simple), dtype=np.int64)
        rings_per_poly[~poly_simple] = np.diff(poly_off)
        ring_simple = np.repeat(poly_simple, rings_per_poly)
        per_ring = np.empty(len(ring_simple), dtype=np.int64)
        per_ring[ring_simple] = coords_per_ring[simple]
        per_ring[~ring_simple] = np.diff(ring_off)
        coords_per_ring = per_ring
    offsets = tuple(np.concatenate([[0], np.cumsum(c)]).astype(np.int64)
                    for c in (coords_per_ring, rings_per_poly, polys_per_row))
    if offsets[0][-1] != len(coords):  # cannot happen for plain polygons; never build wrong geometry
        raise ValueError("ragged offsets do not match the coordinates")
    return coords, offsets


def _transformer(source: str, target: str) -> Transformer | None:
    if CRS.from_user_input(source) == CRS.from_user_input(target):
        return None
    try:
        return Transformer.from_crs(source, target, always_xy=True)
    except ProjCRSError as exc:
        raise CRSError(M("cannot reproject from {crs} to EPSG:4326 ({why}). Check --crs.", crs=source,
                         why=str(exc))) from exc


def polygons_to_display(geoms: np.ndarray, crs: str, *, measure: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Return plain polygons (see :func:`plain_polygons`) in EPSG:4326 as MultiPolygons, rounded to 1e-7 degrees.

    The coordinates are those of :func:`geo.io.raw.reproject_to_display` (transformed, then
    rounded half up), each Polygon made a one-part MultiPolygon. With ``measure``, also the
    area (sq ft) and representative point x/y (ft, unrounded) that :func:`geo.io.importers.measure`
    gives for each returned MultiPolygon, taken from the rounded coordinates without reading them
    back out of the geometry; else ``None``.

    Raises
    ------
    CRSError
        When the transform is impossible.
    """
    coords, offsets = _multipolygon_arrays(geoms)
    transformer = _transformer(crs, DISPLAY_CRS)
    with np.errstate(invalid="ignore", over="ignore"):
        if transformer is not None:
            coords = np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))
        coords = np.floor(coords * 1e7 + 0.5) / 1e7
    out = np.asarray(shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords, offsets), dtype=object)
    if not measure:
        return out, None
    measured = np.full((len(out), 3), np.nan)
    inside = _inside_county(out)  # the rest is rejected (outside the County): never measured, as before
    if inside.all():
        measured[:] = _measured(_in_feet(coords, offsets))
    elif inside.any():
        measured[inside] = _measured(_in_feet(*_multipolygon_arrays(out[inside])))
    return out, measured


def _inside_county(geoms: np.ndarray) -> np.ndarray:
    """Whether each EPSG:4326 geometry lies wholly inside the County envelope (as :func:`validate.check_envelope`)."""
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        return np.asarray((bounds[:, 0] >= COUNTY_LON[0]) & (bounds[:, 2] <= COUNTY_LON[1])
                          & (bounds[:, 1] >= COUNTY_LAT[0]) & (bounds[:, 3] <= COUNTY_LAT[1]), dtype=bool)


def _in_feet(coords: np.ndarray, offsets: tuple[np.ndarray, ...]) -> np.ndarray:
    """Return MultiPolygons of EPSG:4326 ragged arrays reprojected to EPSG:2229 (as ``to_crs`` transforms them)."""
    transformer = Transformer.from_crs(DISPLAY_CRS, ANALYSIS_CRS, always_xy=True)
    feet = np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))
    return np.asarray(shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, feet, offsets), dtype=object)


def _measured(feet: np.ndarray) -> np.ndarray:
    """Return rows of (area, representative x, representative y) of geometries in feet."""
    rep = shapely.point_on_surface(feet)
    return np.column_stack([shapely.area(feet), shapely.get_x(rep), shapely.get_y(rep)])
