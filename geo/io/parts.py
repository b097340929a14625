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
from geo.messages import M

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
            raise SchemaError(M("{label}: the GeoJSON does not parse ({why} at character {pos}); "
                                "paste a Polygon or a Feature.", label=label, why=exc.msg, pos=exc.pos)) from None
        if doc.get("type") == "FeatureCollection":
            features = doc.get("features") or []
            if len(features) != 1:
                raise SchemaError(M("{label}: the GeoJSON holds {count} features; give exactly one part "
                                    "(or use a file, one feature per part).", label=label, count=len(features)))
            doc = features[0]
        if doc.get("type") == "Feature":
            doc = doc.get("geometry") or {}
        try:
            return shapely.from_geojson(json.dumps(doc))
        except shapely.errors.GEOSException as exc:
            raise SchemaError(M("{label}: not a GeoJSON geometry ({why}); paste a Polygon.", label=label,
                                why=str(exc))) from None
    try:
        return shapely.from_wkt(raw)
    except shapely.errors.GEOSException:
        raise SchemaError(M("{label}: {text} is neither WKT (POLYGON ((lon lat, ...))) nor GeoJSON; give the "
                            "part's outline in longitude/latitude.", label=label, text=repr(raw[:60]))) from None


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
        raise SchemaError(M("{label}: nothing drawn on the map; draw the part with the polygon or rectangle tool, "
                            "or paste its outline.", label=label))
    if isinstance(drawing, str):
        geom = parse_geometry(drawing, label=label)
    elif isinstance(drawing, dict):
        doc = drawing.get("geometry") if drawing.get("type") == "Feature" else drawing
        if isinstance(drawing.get("properties"), dict) and drawing["properties"].get("radius"):
            raise InvalidGeometryError(M("{label}: a circle was drawn; draw the part's outline with the polygon or "
                                         "rectangle tool.", label=label))
        try:
            geom = shapely.from_geojson(json.dumps(doc))
        except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
            raise SchemaError(M("{label}: the drawing is not GeoJSON ({why}); draw it again.", label=label,
                                why=str(exc))) from None
    else:
        raise SchemaError(M("{label}: the drawing is a {kind}, not GeoJSON; draw it again.", label=label,
                            kind=type(drawing).__name__))
    if geom is None or shapely.get_type_id(geom) not in (3, 6):
        if geom is None:
            raise InvalidGeometryError(M("{label}: the drawing is a nothing, not a polygon; draw the part's outline "
                                         "with the polygon or rectangle tool.", label=label))
        raise InvalidGeometryError(M("{label}: the drawing is a {kind}, not a polygon; draw the part's outline with "
                                     "the polygon or rectangle tool.", label=label, kind=geom.geom_type))
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
        raise SchemaError(M("{path}: no such file; check the path.", path=str(p)))
    if p.stat().st_size > MAX_FILE_BYTES:
        raise SchemaError(M("{name}: {size:,} bytes, over the {limit:,}-byte limit for parts; split the file.",
                            name=p.name, size=p.stat().st_size, limit=MAX_FILE_BYTES))
    frame = gpd.read_file(p)
    if len(frame) > MAX_PARTS_PER_FILE:
        raise SchemaError(M("{name}: {count:,} features, over {limit} parts per file; split it.", name=p.name,
                            count=len(frame), limit=MAX_PARTS_PER_FILE))
    if frame.crs is None:
        raise CRSError(M("{name}: no CRS declared; save it as GeoJSON (EPSG:4326) or a GeoPackage with its CRS.",
                         name=p.name))
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
        raise InvalidGeometryError(M("{label}: no geometry; give the part's outline as a polygon.", label=label))
    kind = shapely.get_type_id(part)
    if kind not in (3, 6):
        raise InvalidGeometryError(M("{label}: a part is a polygon, got a {kind}; draw its outline.", label=label,
                                     kind=part.geom_type))
    minx, miny, maxx, maxy = shapely.bounds(part)
    if not (COUNTY_LON[0] <= minx and maxx <= COUNTY_LON[1] and COUNTY_LAT[0] <= miny and maxy <= COUNTY_LAT[1]):
        raise CRSError(M("{label}: coordinates ({minx:.4f}, {miny:.4f}) .. ({maxx:.4f}, {maxy:.4f}) are not "
                         "longitude/latitude in LA County; give EPSG:4326 (longitude first).", label=label,
                         minx=minx, miny=miny, maxx=maxx, maxy=maxy))
    if not shapely.is_valid(part):
        raise InvalidGeometryError(M("{label}: the outline is invalid ({why}); fix it so no edge crosses another.",
                                     label=label, why=shapely.is_valid_reason(part)))
    feet = gpd.GeoSeries([part, site], crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS).to_numpy()
    inside = shapely.intersection(feet[0], feet[1])
    area, kept = float(shapely.area(feet[0])), float(shapely.area(inside))
    outside = 1.0 - kept / area if area > 0 else 1.0
    if outside > MAX_OUTSIDE_SHARE:
        raise InvalidGeometryError(M("{label}: {outside:.0%} of the part lies outside its site (at most "
                                     "{limit:.0%}); draw it inside the site, or check the site id.", label=label,
                                     outside=outside, limit=MAX_OUTSIDE_SHARE))
    trimmed = shapely.set_precision(shapely.intersection(part, site), 1e-7)
    polys = shapely.get_parts(trimmed)
    polys = polys[np.isin(shapely.get_type_id(polys), (3, 6))]
    trimmed = shapely.union_all(polys) if len(polys) else trimmed
    return trimmed, round(kept, 1)
