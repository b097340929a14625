"""Reading an archive back: its header and the parcels of one tile (tests and benchmarks check what was drawn)."""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.tiles.build import tippecanoe_binary


def archive_header(path: Path) -> dict[str, object]:
    """Return the PMTiles header of ``path`` (zooms, tile type, bounds, counts) and its vector layers."""
    from pmtiles.reader import MmapSource, Reader

    with Path(path).open("rb") as fh:
        reader: Any = Reader(MmapSource(fh))  # type: ignore[no-untyped-call]
        header = dict(reader.header())
        header["vector_layers"] = reader.metadata().get("vector_layers", [])
    return header


def tile_ids(path: Path, zoom: int) -> list[tuple[int, int, int]]:
    """Return the (z, x, y) of every tile the archive holds at ``zoom``."""
    from pmtiles.reader import MmapSource, Reader, all_tiles

    with Path(path).open("rb") as fh:
        reader: Any = Reader(MmapSource(fh))  # type: ignore[no-untyped-call]
        return [tuple(zxy) for zxy, _ in all_tiles(reader.get_bytes) if zxy[0] == zoom]  # type: ignore[no-untyped-call]


def decode_zoom(path: Path, zoom: int) -> list[dict[str, object]]:
    """Return the properties of every feature in the archive's tiles at ``zoom`` (tippecanoe-decode).

    A parcel cut by a tile edge appears once per tile it touches.

    Raises
    ------
    subprocess.CalledProcessError
        When tippecanoe-decode fails.
    """
    decode = tippecanoe_binary().with_name("tippecanoe-decode")
    done = subprocess.run([str(decode), "--minimum-zoom", str(zoom), "--maximum-zoom", str(zoom), str(path)],
                          check=True, capture_output=True)
    out: list[dict[str, object]] = []
    for tile in json.loads(done.stdout).get("features", []):
        for layer in tile.get("features", []):
            out.extend(f.get("properties", {}) for f in layer.get("features", []))
    return out


def decode_features(path: Path, zoom: int, tiles: list[tuple[int, int, int]] | None = None) -> gpd.GeoDataFrame:
    """Return the features of the archive's tiles at ``zoom`` (all, or ``tiles``).

    Columns: the properties, the tile each piece came from (``tile_x``, ``tile_y``), the geometry (EPSG:4326).
    """
    decode = tippecanoe_binary().with_name("tippecanoe-decode")
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for z, x, y in tiles if tiles is not None else tile_ids(path, zoom):
        done = subprocess.run([str(decode), str(path), str(z), str(x), str(y)], check=True, capture_output=True)
        for layer in json.loads(done.stdout).get("features", []):
            for f in layer.get("features", []):
                rows.append({**f.get("properties", {}), "tile_x": x, "tile_y": y})
                geoms.append(f["geometry"])
    geometry = shapely.from_geojson([json.dumps(g) for g in geoms]) if geoms else []
    return gpd.GeoDataFrame(rows, geometry=list(geometry), crs="EPSG:4326")


def uncovered_parcels(path: Path, zoom: int, parcels: gpd.GeoDataFrame, tiles: list[tuple[int, int, int]] | None = None,
                      features: gpd.GeoDataFrame | None = None) -> tuple[int, list[int]]:
    """Check that every parcel is drawn at ``zoom`` without reading its AIN (tiles below the AIN zoom lack it).

    Each parcel (EPSG:4326) whose representative point lies in one of the tiles (all the archive
    holds at ``zoom``, or ``tiles``) must have that point within 3/4 of a tile unit (the
    rounding of a vertex to the tile grid) of a feature of that tile. A dropped parcel is found
    unless it is under 1.5 units (about 3 m at zoom 12) across at that point. Returns (parcels
    checked, positions in ``parcels`` of those not covered); ``features``: those tiles already decoded.
    """
    ids = tiles if tiles is not None else tile_ids(path, zoom)
    feats = features if features is not None else decode_features(path, zoom, ids)
    n = 2 ** zoom
    points = shapely.point_on_surface(parcels.geometry.values)
    px = (shapely.get_x(points) + 180.0) / 360.0 * n
    py = (1 - np.arcsinh(np.tan(np.radians(shapely.get_y(points)))) / math.pi) / 2 * n
    tx, ty = np.floor(px).astype(np.int64), np.floor(py).astype(np.int64)
    wanted = {(x, y) for _z, x, y in ids}
    inside = np.fromiter(((a, b) in wanted for a, b in zip(tx.tolist(), ty.tolist(), strict=True)), bool, len(parcels))
    checked = np.flatnonzero(inside)
    tol = 0.75 * 360.0 / n / 4096  # degrees of longitude; a latitude degree is longer, so this is conservative
    tree = shapely.STRtree(feats.geometry.values)
    pi, fi = tree.query(points[checked], predicate="dwithin", distance=tol)
    same = (feats["tile_x"].to_numpy()[fi] == tx[checked][pi]) & (feats["tile_y"].to_numpy()[fi] == ty[checked][pi])
    covered = np.zeros(len(checked), bool)
    covered[pi[same]] = True
    return len(checked), checked[~covered].tolist()
