"""What a streamed import keeps while its batches pass: the demo/real flag, each layer's extent and counts.

Shared by the direct batch write (:meth:`geo.store.layers.LayerStore.write_layer_batches`, rows
written inside the store's transaction as they come) and the staged one (:mod:`geo.store.staging`,
rows staged beside a SQLite store and copied in at the end), so both refuse and count alike.
"""
from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from geo.errors import StoreError
from geo.messages import M
from geo.records import WriteResult
from geo.store.values import check_frame, synthetic_flag


class BatchBook:
    """The running flag, extents and write counts of one streamed import."""

    def __init__(self) -> None:
        self.incoming: bool | None = None
        self.results: dict[str, WriteResult] = {}
        self.extent: dict[str, list[float]] = {}

    def check(self, frames: dict[str, gpd.GeoDataFrame]) -> tuple[bool, list[str]]:
        """Check one batch's frames (canonical, EPSG:4326, one demo/real flag) and note their extents.

        Returns whether this batch brought the import's first demo/real flag (the store must then
        refuse mixing) and the layers seen for the first time.

        Raises
        ------
        StoreError
            When a frame is not canonical, or this batch's rows are synthetic and an earlier
            batch's real (or the other way round).
        """
        flag = synthetic_flag(frames)
        first, new = False, []
        if flag is not None and self.incoming is None:
            self.incoming, first = flag, True
        elif flag is not None and flag != self.incoming:
            raise StoreError(M("One write mixes synthetic and real rows; demo and real layers never mix."))
        for layer, gdf in frames.items():
            check_frame(layer, gdf)
            if layer not in self.results:
                new.append(layer)
                self.results[layer] = WriteResult(layer, 0, 0)
                self.extent[layer] = [np.inf, np.inf, -np.inf, -np.inf]
            if len(gdf):
                box, seen = gdf.total_bounds, self.extent[layer]
                self.extent[layer] = [*np.minimum(seen[:2], box[:2]), *np.maximum(seen[2:], box[2:])]
        return first, new

    def add(self, done: WriteResult) -> None:
        """Add one write's inserted and updated rows to its layer's counts."""
        before = self.results[done.layer]
        self.results[done.layer] = WriteResult(done.layer, before.inserted + done.inserted,
                                               before.updated + done.updated)

    def bounds(self, layer: str) -> tuple[float, ...] | None:
        """Return the extent of the rows written to ``layer`` (``None`` when none had a geometry)."""
        box = self.extent[layer]
        return tuple(box) if np.isfinite(box[0]) else None


def start_written(con: Any, layer: str) -> None:
    """Create the transaction's table of the keys an import writes to ``layer`` (its digest reads them back)."""
    con.execute(f'DROP TABLE IF EXISTS "written_{layer}"')
    con.execute(f'CREATE TEMP TABLE "written_{layer}" (k TEXT PRIMARY KEY)')
