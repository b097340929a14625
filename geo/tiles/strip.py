"""Leaving attributes out of finished tiles: the AIN only in the zooms where a click can use it.

A click resolves a tiled parcel from display zoom 14 (data zoom 13); at data zoom 12 (shown at
13, every parcel, the widest and heaviest view) the AIN is half of each gzipped tile and of no
use, so those tiles are rewritten without it by ``tippecanoe-overzoom -x`` (same zoom, same
tile: the geometry is copied, only the attribute goes).
"""
from __future__ import annotations

import gzip
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

Tile = tuple[tuple[int, int, int], bytes]  # (z, x, y) and the gzipped vector tile


class StripError(RuntimeError):
    """tippecanoe-overzoom failed on a tile: its exit code and last output (naming the tile)."""

    def __init__(self, code: int, output: str) -> None:
        super().__init__(f"tippecanoe-overzoom failed (exit {code}): {output}")
        self.code, self.output = code, output


def strip_attributes(tiles: Sequence[Tile], names: Sequence[str], *, tool: Path, workers: int = 2) -> list[bytes]:
    """Return each tile (gzipped) without the attributes ``names``, in order; ``tool``: tippecanoe-overzoom.

    Raises
    ------
    StripError
        When tippecanoe-overzoom fails on a tile (its output names the tile).
    """
    if not tiles or not names:
        return [data for _zxy, data in tiles]
    with tempfile.TemporaryDirectory(prefix="stagemap-strip-") as tmp, \
            ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        return list(pool.map(lambda item: _strip_one(tool, Path(tmp), item[0], item[1], names), enumerate(tiles)))


def _strip_one(tool: Path, tmp: Path, i: int, tile: Tile, names: Sequence[str]) -> bytes:
    (z, x, y), data = tile
    src, out = tmp / f"{i}.pbf.gz", tmp / f"{i}.out.pbf.gz"
    src.write_bytes(data if data[:2] == b"\x1f\x8b" else gzip.compress(data))
    excludes = [arg for name in names for arg in ("-x", name)]
    done = subprocess.run([str(tool), *excludes, "-o", str(out), str(src), f"{z}/{x}/{y}", f"{z}/{x}/{y}"],
                          capture_output=True, check=False)
    if done.returncode != 0 or not out.is_file():
        raise StripError(done.returncode, f"tile {z}/{x}/{y}: {done.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    result = out.read_bytes()
    src.unlink()
    out.unlink()
    return result if result[:2] == b"\x1f\x8b" else gzip.compress(result, compresslevel=6)
