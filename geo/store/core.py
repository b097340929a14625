"""The abstract core every store backend supplies: connections, transactions, migrations, metadata."""
from __future__ import annotations

import abc
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import schema
from geo.errors import StoreError
from geo.messages import M
from geo.records import StoreInfo, WriteResult

EVIDENCE_DIR_ENV = "STAGEMAP_EVIDENCE_DIR"


class StoreCore(abc.ABC):
    """Connections and metadata; the mixins in ``geo.store`` add layers, status, audit and intake.

    Every method runs SQL written with ``?`` placeholders on the connection yielded by
    :meth:`read` / :meth:`write`: a :class:`sqlite3.Connection` for the embedded store, a
    small psycopg adapter (``geo.store.pg.PgConnection``) for PostgreSQL. The SQL is the
    portable subset both understand (``INSERT ... ON CONFLICT``, ``CAST``, ``LIMIT``).
    """

    backend = "base"
    url: str

    # --- supplied by each backend ---------------------------------------------------------
    @abc.abstractmethod
    def connect(self) -> Any:
        """Open a connection (one per thread or process)."""

    @abc.abstractmethod
    def write(self) -> contextlib.AbstractContextManager[Any]:
        """Return a context manager yielding a connection inside a serialised write transaction."""

    @abc.abstractmethod
    def read(self) -> contextlib.AbstractContextManager[Any]:
        """Return a context manager yielding a connection on a consistent snapshot."""

    @abc.abstractmethod
    def schema_revision(self) -> str | None:
        """Return the store's schema revision, or ``None`` for a new store."""

    @abc.abstractmethod
    def migrate(self) -> str:
        """Upgrade the schema to the newest revision and return it."""

    @abc.abstractmethod
    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        """Decode the stored geometry values into a shapely array."""

    @abc.abstractmethod
    def _write_layer(self, con: Any, layer: str, gdf: gpd.GeoDataFrame, *, mode: str) -> WriteResult:
        """Bulk upsert one checked canonical frame inside the caller's transaction."""

    @abc.abstractmethod
    def _point_param(self, lon: float, lat: float) -> tuple[str, object]:
        """Return (SQL placeholder expression, value) for storing one EPSG:4326 point."""

    def _geom_sql(self) -> str:
        """Return the SQL expression selecting the stored geometry column."""
        return "geom"

    def _digest_wkb(self, values: list[Any]) -> list[bytes | None]:
        """Return stored geometry values as the 2-D ISO little-endian WKB a content digest hashes."""
        return list(shapely.to_wkb(self._decode_geoms(values), output_dimension=2, byte_order=1, flavor="iso"))

    def _row_batches(self, con: Any, sql: str, size: int) -> Iterator[list[Any]]:
        """Yield the rows of a parameterless query ``size`` at a time (PostgreSQL: a server-side cursor)."""
        cur = con.execute(sql)
        while rows := cur.fetchmany(size):
            yield list(rows)

    def _sorted_text(self, expr: str) -> str:
        """Return an ORDER BY term sorting text ``expr`` by code point (Python's ``sorted``)."""
        return expr

    def _set_extent(self, con: Any, layer: str, bounds: tuple[float, ...] | None) -> None:  # noqa: B027 - optional hook
        """Record a bulk write's extent in the layer's metadata (GeoPackage); no-op elsewhere."""

    def _touch_layer(self, con: Any, layer: str, lon: float, lat: float) -> None:  # noqa: B027 - optional hook
        """Record a single-point change in the layer's metadata (GeoPackage extent); no-op elsewhere."""

    def _lock_status_row(self, con: Any, site_id: str) -> None:  # noqa: B027 - optional hook
        """Serialise saves of one site (no-op where the write transaction already serialises)."""

    def evidence_dir(self) -> Path:
        """Return the directory of evidence originals: ``$STAGEMAP_EVIDENCE_DIR``, else ``<store>.evidence/``.

        Raises
        ------
        StoreError
            For a store with no local directory (PostgreSQL) when the variable is not set.
        """
        explicit = os.environ.get(EVIDENCE_DIR_ENV)
        if explicit:
            return Path(explicit)
        path = getattr(self, "path", None)
        if path is None:
            raise StoreError(M("Store {store} has no local directory for evidence files; set {variable} to a local "
                               "(or WORM-backed) directory.", store=self.display_url, variable=EVIDENCE_DIR_ENV))
        return Path(f"{path}.evidence")

    def cache_dir(self) -> Path | None:
        """Return the folder for read snapshots of big layers, or ``None`` to disable them."""
        return None

    @property
    def display_url(self) -> str:
        """The store location as shown to people (no password)."""
        return self.url

    # --- metadata ------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """Return one metadata value, or ``None``."""
        with self.read() as con:
            row = con.execute("SELECT value FROM store_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def data_version(self) -> int:
        """Return a counter that grows with every committed data change (a cache key)."""
        return int(self.get_meta("data_version") or 0)

    def is_synthetic(self) -> bool | None:
        """Return whether the store holds the synthetic sample; ``None`` when it is empty."""
        value = self.get_meta("is_synthetic")
        return None if value is None else value == "1"

    def counts(self) -> dict[str, int]:
        """Return the row count of every layer, plus ``site_status``."""
        with self.read() as con:
            out = {layer: int(con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0])
                   for layer in schema.SPATIAL_LAYERS}
            out[schema.SITE_STATUS] = int(con.execute("SELECT COUNT(*) FROM site_status").fetchone()[0])
        return out

    def info(self) -> StoreInfo:
        """Summarise what the store holds."""
        with self.read() as con:
            imports = con.execute(
                "SELECT kind, source, n_accepted, n_repaired, n_rejected, imported_at FROM import_log "
                "ORDER BY id DESC LIMIT 10"
            ).fetchall()
        return StoreInfo(
            url=self.display_url, backend=self.backend, counts=self.counts(),
            is_synthetic=self.is_synthetic(), data_version=self.data_version(),
            recent_imports=[dict(zip(("kind", "source", "accepted", "repaired", "rejected", "at"), r, strict=True))
                            for r in imports],
        )
