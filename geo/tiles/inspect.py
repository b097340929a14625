"""Reading an archive back: its header and the parcels of one tile (tests and benchmarks check what was drawn)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

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
