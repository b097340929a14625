"""A streamed import staged beside a SQLite store, then copied into it in one short transaction.

Canonicalising the County's 2.4M parcels takes one to two minutes. Written slice by slice inside
the store's transaction, the import held SQLite's one write lock all that time, so every other
write in the City (a liaison's status save, an intake report) waited out the busy timeout
(10 s) and failed. Here each canonical slice is appended to a scratch SQLite file beside the
store, its Arrow columns bound in C by the ADBC SQLite driver (not value by value through the
Python driver), and the store's write lock is taken only at the end: the staged rows are copied in
with the same upsert (``INSERT ... SELECT ... ON CONFLICT``, in file order, so rows, fids
and counts are what the direct write gives), derived sites are seeded, and the log row and audit
entry are written as before (the content digest is read from the scratch file before the lock).
A refused or cancelled file, or a failed copy, leaves the store exactly as it was; the scratch
file is always removed (one left by a killed process is removed by the next import into that
store). Whole-frame writes of :data:`STAGE_MIN_ROWS` rows or more are staged the same way.
"""
from __future__ import annotations

import abc
import contextlib
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo import schema
from geo.errors import StoreError
from geo.messages import M
from geo.processes import alive
from geo.records import ImportRecord, WriteResult
from geo.store.batchbook import BatchBook
from geo.store.gpkg import to_gpkg_blobs
from geo.store.layers import LayerStore
from geo.store.staged_digest import EMPTY_DIGEST, staged_digest
from geo.store.status import seed_status
from geo.store.values import promote, to_sql_values

#: The scratch file's name after the store's: ``<store>.staging-<pid>-<random>``.
STAGING_INFIX = ".staging-"
#: The store's alias for the attached scratch file.
STAGE = "stage"
#: A frame of a whole-frame write (:meth:`~geo.store.layers.LayerStore.write_layers`) with this many rows or more
#: is staged too; smaller ones are bound directly (a scratch file costs a few milliseconds).
STAGE_MIN_ROWS = 20_000


def arrow_column(kind: str, values: pd.Series) -> pa.Array:
    """Return one canonical column as the Arrow array whose values SQLite stores as :func:`to_sql_values` binds them."""
    if kind == "bool":
        return pa.array(values.fillna(False).astype(bool).astype("int64").to_numpy(), type=pa.int64())
    if kind == "int":
        return pa.array(pd.array(values, dtype="Int64"), type=pa.int64())
    if kind == "float":
        return pa.array(pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64"), type=pa.float64(),
                        from_pandas=True)
    if kind == "text":
        return pa.array(values.astype("string"), type=pa.string())
    return pa.array(to_sql_values(kind, values), type=pa.string())  # datetime, date: ISO text, value by value


def arrow_rows(layer: str, gdf: gpd.GeoDataFrame) -> pa.Table:
    """Return a canonical frame as the Arrow table staged for ``layer`` (columns in order, then ``geom``)."""
    spec = schema.LAYER_COLUMNS[layer]
    blobs = to_gpkg_blobs(promote(np.asarray(gdf.geometry.values), schema.LAYER_GEOMETRY[layer]))
    columns = [arrow_column(c.kind, gdf[c.name].reset_index(drop=True)) for c in spec]
    return pa.table([*columns, pa.array(blobs, type=pa.binary())], names=[*(c.name for c in spec), "geom"])


class Stage:
    """A scratch SQLite file beside the store taking a streamed import's canonical frames, layer by layer."""

    def __init__(self, store_path: Path) -> None:
        remove_abandoned(store_path)
        self.path = store_path.with_name(f"{store_path.name}{STAGING_INFIX}{os.getpid()}-{secrets.token_hex(4)}")
        self.rows: dict[str, int] = {}
        import adbc_driver_sqlite.dbapi as adbc

        self._errors: type[Exception] = adbc.Error
        self._con: Any = None
        try:
            self._con = adbc.connect(str(self.path), autocommit=True)
            with self._con.cursor() as cur:  # a throwaway file: no journal, no syncing
                cur.execute("PRAGMA journal_mode = OFF")
                cur.execute("PRAGMA synchronous = OFF")
        except self._errors as exc:
            self.remove()
            raise self._error(exc) from exc

    def append(self, layer: str, gdf: gpd.GeoDataFrame) -> None:
        """Stage one canonical frame of ``layer`` after the ones before it.

        Raises
        ------
        StoreError
            When the scratch file cannot take it (a full disk), naming the store.
        """
        if not len(gdf):
            return
        table = arrow_rows(layer, gdf)
        try:
            with self._con.cursor() as cur:
                cur.adbc_ingest(layer, table, mode="create_append")
        except self._errors as exc:
            raise self._error(exc) from exc
        self.rows[layer] = self.rows.get(layer, 0) + len(gdf)

    def close(self) -> None:
        """Close the scratch file's writer (the store then attaches it to copy from)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def remove(self) -> None:
        """Close and delete the scratch file."""
        with contextlib.suppress(Exception):
            self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _error(self, exc: Exception) -> StoreError:
        return StoreError(M("could not stage the import beside the store in {folder} ({why}); nothing was "
                            "written. Free disk space there and retry.", folder=str(self.path.parent), why=str(exc)))


def remove_abandoned(store_path: Path) -> None:
    """Delete scratch files beside the store left by import processes that no longer run."""
    for old in store_path.parent.glob(f"{store_path.name}{STAGING_INFIX}*"):
        pid = old.name[len(store_path.name) + len(STAGING_INFIX):].split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            old.unlink(missing_ok=True)


def copy_staged(con: Any, layer: str, staged: int, *, mode: str = "upsert") -> WriteResult:
    """Upsert the rows staged for ``layer`` into the store in file order; return the rows inserted and updated.

    ``mode='replace'`` empties the layer first, as the direct writer does.
    """
    spec = schema.LAYER_COLUMNS[layer]
    key = schema.LAYER_KEYS[layer]
    names = ", ".join(f'"{c.name}"' for c in spec)
    updates = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in spec if c.name != key)
    top = con.execute(f'SELECT coalesce(max(fid), 0) FROM "{layer}"').fetchone()[0]
    if mode == "replace":
        con.execute(f'DELETE FROM "{layer}"')
    con.execute(f'INSERT INTO main."{layer}" ({names}, geom) SELECT {names}, geom FROM {STAGE}."{layer}" '
                f'WHERE true ORDER BY rowid ON CONFLICT("{key}") DO UPDATE SET {updates}, geom = excluded.geom')
    inserted = int(con.execute(f'SELECT COUNT(*) FROM "{layer}" WHERE fid > ?', (top,)).fetchone()[0])
    return WriteResult(layer=layer, inserted=inserted, updated=staged - inserted)


class StagedLayerStore(LayerStore):
    """A SQLite store's streamed imports: staged beside the store, then copied in (see the module docstring)."""

    path: Path

    @abc.abstractmethod
    def _attached_write(self, scratch: Path) -> contextlib.AbstractContextManager[Any]:
        """Return :meth:`write`'s transaction with ``scratch`` attached as :data:`STAGE`."""

    @contextlib.contextmanager
    def _staged_frames(self, frames: dict[str, gpd.GeoDataFrame]) -> Iterator[Stage | None]:
        """Stage the frames of a :meth:`write_layers` with :data:`STAGE_MIN_ROWS` rows or more; yield the stage.

        Those are then copied under the lock (:meth:`_write_frame`) instead of bound row by row in it:
        an 800k-parcel attribute refresh holds the lock ~1 s instead of ~9 s.
        """
        big = {layer: gdf for layer, gdf in frames.items() if len(gdf) >= STAGE_MIN_ROWS}
        if not big:
            yield None
            return
        stage = Stage(self.path)
        try:
            for layer, gdf in big.items():
                stage.append(layer, gdf)
            stage.close()
            yield stage
        finally:
            stage.remove()

    def _write_staged(self, staged: Any) -> contextlib.AbstractContextManager[Any]:
        return self.write() if staged is None else self._attached_write(staged.path)

    def _write_frame(self, con: Any, layer: str, gdf: gpd.GeoDataFrame, *, mode: str, staged: Any) -> WriteResult:
        if staged is not None and layer in staged.rows:
            return copy_staged(con, layer, staged.rows[layer], mode=mode)
        return self._write_layer(con, layer, gdf, mode=mode)

    def write_layer_batches(self, batches: Iterable[dict[str, gpd.GeoDataFrame]], *,
                            record: Callable[[], ImportRecord], user: str | None = None,
                            role: str = "admin", os_user: str | None = None) -> dict[str, WriteResult]:
        """Stage each batch beside the store, then copy every staged row in one transaction.

        Stores what :meth:`geo.store.layers.LayerStore.write_layer_batches` stores (the same rows,
        fids, status seeds, log row and audit entry), holding the store's write lock only for
        the copy. Any exception while a batch is made or staged (a refused file, a cancel, a full
        disk) leaves the store untouched; one during the copy rolls it back.
        """
        book = BatchBook()
        sites: list[gpd.GeoDataFrame] = []
        stage = Stage(self.path)
        try:
            for frames in batches:
                first, _ = book.check(frames)
                if first:  # refused before the rest is canonicalised (and again under the lock below)
                    with self.read() as con:
                        self._refuse_mixing(con, book.incoming)
                for layer, gdf in frames.items():
                    stage.append(layer, gdf)
                if schema.SITES in frames and len(frames[schema.SITES]):
                    sites.append(frames[schema.SITES])
            stage.close()
            digests = {layer: staged_digest(stage.path, layer) if stage.rows.get(layer) else EMPTY_DIGEST
                       for layer in book.results}
            with self._attached_write(stage.path) as con:
                self._refuse_mixing(con, book.incoming)
                for layer in book.results:
                    if stage.rows.get(layer):
                        book.add(copy_staged(con, layer, stage.rows[layer]))
                for frame in sites:
                    seed_status(con, frame, None, user=user, actor=user or "system", role=role,
                                source="bulk_import", os_user=os_user)
                self._finish_batches(con, book, record, role=role, os_user=os_user, digests=digests)
        finally:
            stage.remove()
        return book.results


def staged_files(store_path: Path) -> Iterator[Path]:
    """Yield the scratch files beside a store (an import in progress, or one a killed process left)."""
    yield from store_path.parent.glob(f"{store_path.name}{STAGING_INFIX}*")
