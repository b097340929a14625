"""Site parts from what a person gives: WKT, GeoJSON text or a small GeoJSON file, checked against the site.

A part (a park's parking lot, a facility's yard) must be a polygon inside its site: a part that
reaches more than :data:`MAX_OUTSIDE_SHARE` beyond the site is refused (a wrong site, or a
drawing in the wrong place); a smaller overhang is trimmed to the site. Areas are measured in
EPSG:2229.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.config import ANALYSIS_CRS, COUNTY_LAT, COUNTY_LON, DISPLAY_CRS
from geo.errors import CRSError, InvalidGeometryError, SchemaError

MAX_OUTSIDE_SHARE = 0.05
MAX_FILE_BYTES = 5_000_000
MAX_PARTS_PER_FILE = 500


def parse_geometry(text: str, *, label: str) -> shapely.Geometry:
    """Return the geometry in ``text``: WKT, a GeoJSON geometry, Feature or FeatureCollection (one feature).

    Raises
    ------
    SchemaError
        When the text is neither, or a collection holds other than one feature.
    """
    raw = text.strip()
    if raw.startswith("{"):
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"{label}: the GeoJSON does not parse ({exc.msg} at character {exc.pos}); "
                              "paste a Polygon or a Feature.") from None
        if doc.get("type") == "FeatureCollection":
            features = doc.get("features") or []
            if len(features) != 1:
                raise SchemaError(f"{label}: the GeoJSON holds {len(features)} features; give exactly one part "
                                  "(or use a file, one feature per part).")
            doc = features[0]
        if doc.get("type") == "Feature":
            doc = doc.get("geometry") or {}
        try:
            return shapely.from_geojson(json.dumps(doc))
        except shapely.errors.GEOSException as exc:
            raise SchemaError(f"{label}: not a GeoJSON geometry ({exc}); paste a Polygon.") from None
    try:
        return shapely.from_wkt(raw)
    except shapely.errors.GEOSException:
        raise SchemaError(f"{label}: {raw[:60]!r} is neither WKT (POLYGON ((lon lat, ...))) nor GeoJSON; give the "
                          "part's outline in longitude/latitude.") from None


def drawn_geometry(drawing: object, *, label: str) -> shapely.Geometry:
    """Return the polygon a person drew on the map (Leaflet.draw GeoJSON, EPSG:4326).

    ``drawing`` is what the map returns: one drawing (a GeoJSON Feature or geometry, as a mapping
    or text, such as streamlit-folium's ``last_active_drawing``) or a list of them (its
    ``all_drawings``), of which the last is the part. Containment in the site, validity and
    coordinates are checked by :func:`checked_part`.

    Raises
    ------
    SchemaError
        When nothing was drawn, or the drawing is not GeoJSON.
    InvalidGeometryError
        When the drawing is a line, a point or a circle rather than a polygon or rectangle.
    """
    if isinstance(drawing, (list, tuple)):
        drawing = drawing[-1] if drawing else None
    if drawing is None or drawing == "" or drawing == {}:
        raise SchemaError(f"{label}: nothing drawn on the map; draw the part with the polygon or rectangle tool, "
                          "or paste its outline.")
    if isinstance(drawing, str):
        geom = parse_geometry(drawing, label=label)
    elif isinstance(drawing, dict):
        doc = drawing.get("geometry") if drawing.get("type") == "Feature" else drawing
        if isinstance(drawing.get("properties"), dict) and drawing["properties"].get("radius"):
            raise InvalidGeometryError(f"{label}: a circle was drawn; draw the part's outline with the polygon or "
                                       "rectangle tool.")
        try:
            geom = shapely.from_geojson(json.dumps(doc))
        except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
            raise SchemaError(f"{label}: the drawing is not GeoJSON ({exc}); draw it again.") from None
    else:
        raise SchemaError(f"{label}: the drawing is a {type(drawing).__name__}, not GeoJSON; draw it again.")
    if geom is None or shapely.get_type_id(geom) not in (3, 6):
        kind = "nothing" if geom is None else geom.geom_type
        raise InvalidGeometryError(f"{label}: the drawing is a {kind}, not a polygon; draw the part's outline with "
                                   "the polygon or rectangle tool.")
    return geom


def read_parts_file(path: str | Path) -> gpd.GeoDataFrame:
    """Read a small GeoJSON or GeoPackage of parts (one feature per part) in EPSG:4326.

    Raises
    ------
    SchemaError
        When the file is missing, too big or holds too many features.
    CRSError
        When the file declares no CRS.
    """
    p = Path(path)
    if not p.exists():
        raise SchemaError(f"{p}: no such file; check the path.")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise SchemaError(f"{p.name}: {p.stat().st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for parts; "
                          "split the file.")
    frame = gpd.read_file(p)
    if len(frame) > MAX_PARTS_PER_FILE:
        raise SchemaError(f"{p.name}: {len(frame):,} features, over {MAX_PARTS_PER_FILE} parts per file; split it.")
    if frame.crs is None:
        raise CRSError(f"{p.name}: no CRS declared; save it as GeoJSON (EPSG:4326) or a GeoPackage with its CRS.")
    return frame.to_crs(DISPLAY_CRS)


def checked_part(site: shapely.Geometry, part: shapely.Geometry, *, label: str) -> tuple[shapely.Geometry, float]:
    """Return the part trimmed to its site (EPSG:4326, 1e-7 degrees) and its area in sq ft.

    Raises
    ------
    InvalidGeometryError
        When the part is empty, not a polygon, invalid, or reaches beyond its site by more than
        :data:`MAX_OUTSIDE_SHARE`.
    CRSError
        When its coordinates are not longitude/latitude in LA County.
    """
    if part is None or shapely.is_empty(part):
        raise InvalidGeometryError(f"{label}: no geometry; give the part's outline as a polygon.")
    kind = shapely.get_type_id(part)
    if kind not in (3, 6):
        raise InvalidGeometryError(f"{label}: a part is a polygon, got a {part.geom_type}; draw its outline.")
    minx, miny, maxx, maxy = shapely.bounds(part)
    if not (COUNTY_LON[0] <= minx and maxx <= COUNTY_LON[1] and COUNTY_LAT[0] <= miny and maxy <= COUNTY_LAT[1]):
        raise CRSError(f"{label}: coordinates ({minx:.4f}, {miny:.4f}) .. ({maxx:.4f}, {maxy:.4f}) are not "
                       "longitude/latitude in LA County; give EPSG:4326 (longitude first).")
    if not shapely.is_valid(part):
        raise InvalidGeometryError(f"{label}: the outline is invalid ({shapely.is_valid_reason(part)}); fix it so "
                                   "no edge crosses another.")
    feet = gpd.GeoSeries([part, site], crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS).to_numpy()
    inside = shapely.intersection(feet[0], feet[1])
    area, kept = float(shapely.area(feet[0])), float(shapely.area(inside))
    outside = 1.0 - kept / area if area > 0 else 1.0
    if outside > MAX_OUTSIDE_SHARE:
        raise InvalidGeometryError(f"{label}: {outside:.0%} of the part lies outside its site (at most "
                                   f"{MAX_OUTSIDE_SHARE:.0%}); draw it inside the site, or check the site id.")
    trimmed = shapely.set_precision(shapely.intersection(part, site), 1e-7)
    polys = shapely.get_parts(trimmed)
    polys = polys[np.isin(shapely.get_type_id(polys), (3, 6))]
    trimmed = shapely.union_all(polys) if len(polys) else trimmed
    return trimmed, round(kept, 1)
