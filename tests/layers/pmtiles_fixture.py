"""Build a small raster PMTiles basemap from polygons (the sample's districts and parcel outlines), for tests."""
from __future__ import annotations

import io
import math
from pathlib import Path

import geopandas as gpd
import shapely
from PIL import Image, ImageDraw
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

TILE = 256


def _tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def build_raster_pmtiles(path: Path, outlines: gpd.GeoDataFrame, *, zooms: range = range(9, 13)) -> int:
    """Write PNG tiles of ``outlines`` (EPSG:4326) at ``zooms`` into a PMTiles archive; return the tile count."""
    minx, miny, maxx, maxy = outlines.total_bounds
    rings = [shapely.get_coordinates(shapely.boundary(g)) for g in outlines.geometry.values]
    entries: list[tuple[int, bytes]] = []
    for z in zooms:
        x0, y0 = _tile_xy(minx, maxy, z)
        x1, y1 = _tile_xy(maxx, miny, z)
        for tx in range(int(x0), int(x1) + 1):
            for ty in range(int(y0), int(y1) + 1):
                img = Image.new("RGB", (TILE, TILE), (236, 240, 232))
                draw = ImageDraw.Draw(img)
                for coords in rings:
                    pts = [((_tile_xy(x, y, z)[0] - tx) * TILE, (_tile_xy(x, y, z)[1] - ty) * TILE) for x, y in coords]
                    if len(pts) > 1:
                        draw.line(pts, fill=(120, 130, 150), width=2)
                buf = io.BytesIO()
                img.save(buf, format="PNG")
                entries.append((zxy_to_tileid(z, tx, ty), buf.getvalue()))
    entries.sort()
    with path.open("wb") as fh:
        writer = Writer(fh)
        for tileid, data in entries:
            writer.write_tile(tileid, data)
        writer.finalize({
            "tile_type": TileType.PNG, "tile_compression": Compression.NONE,
            "min_zoom": zooms.start, "max_zoom": zooms.stop - 1,
            "min_lon_e7": int(minx * 1e7), "min_lat_e7": int(miny * 1e7),
            "max_lon_e7": int(maxx * 1e7), "max_lat_e7": int(maxy * 1e7),
            "center_zoom": zooms.start, "center_lon_e7": int((minx + maxx) / 2 * 1e7),
            "center_lat_e7": int((miny + maxy) / 2 * 1e7),
        }, {"name": "StageMap test basemap (synthetic outlines)", "attribution": "StageMap test"})
    return len(entries)
