"""Embedded store: one SQLite file that is also a GeoPackage, in WAL mode.

Every write runs inside ``BEGIN IMMEDIATE`` with a busy timeout of at least 5 s, so
concurrent writers queue instead of failing, and a write that fails part-way rolls back
whole: the store is either as it was or fully changed. The store methods themselves live
in :mod:`geo.store.base`, shared with the PostgreSQL backend; this module supplies the
connections, transactions, migrations and the GeoPackage geometry encoding.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import schema
from geo.errors import StoreError
from geo.messages import M
from geo.records import WriteResult
from geo.store.base import BaseStore
from geo.store.gpkg import from_gpkg_blobs, gpkg_digest_wkb, to_gpkg_blobs, touch_layer
from geo.store.migrations.runner import head_revision, upgrade
from geo.store.staging import STAGE, StagedLayerStore
from geo.store.values import promote, to_sql_values

BUSY_TIMEOUT_MS = 10_000
#: How long a staged import's copy waits for the write lock (another import's copy): its file is already checked.
COPY_BUSY_TIMEOUT_MS = 300_000
WRITE_CHUNK = 50_000  # rows converted and inserted per executemany
NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smbfs", "smb3", "afs", "9p", "fuse.sshfs",
              "fuse.rclone", "davfs", "fuse.gcsfuse", "fuse.s3fs", "glusterfs", "ceph", "lustre"}


def filesystem_type(path: Path) -> str:
    """Return the filesystem type of the mount holding ``path`` (Linux), or ''."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    target = str(path.resolve())
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3:
            mnt = parts[1].replace("\\040", " ")
            if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                best, fstype = mnt, parts[2]
    return fstype


class SQLiteStore(StagedLayerStore, BaseStore):
    """The default embedded store (see module docstring)."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        if not self.path.exists() and not create:
            raise StoreError(M("No store at {path}. Build one with `stagemap sample` or import data into it.",
                               path=str(self.path)))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fstype = filesystem_type(self.path.parent)
        if fstype in NETWORK_FS:
            raise StoreError(M(
                "Store {store} is on a network filesystem ({fstype}). SQLite's WAL mode, which "
                "StageMap needs for safe concurrent edits, does not work on network filesystems and "
                "can corrupt the file. Put the store on a local disk, or use PostgreSQL "
                "(STAGEMAP_STORE=postgresql://...).", store=str(self.path), fstype=fstype))
        self._migrate()

    # --- connections and transactions --------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """Open a connection in WAL mode with a busy timeout; one per thread or process."""
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            con.close()
            raise StoreError(M("Store {store} could not switch to WAL mode (got {mode}); use a local disk.",
                               store=str(self.path), mode=mode))
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    @contextlib.contextmanager
    def write(self, *, attach: Path | None = None) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside ``BEGIN IMMEDIATE``; commit on success, roll back on error.

        ``attach``: a scratch SQLite file attached (read) as ``stage`` for the transaction
        (:mod:`geo.store.staging`); such a copy waits up to :data:`COPY_BUSY_TIMEOUT_MS` for the
        lock (another import's copy), since its file has been read and checked already.
        """
        con = self.connect()
        wait = BUSY_TIMEOUT_MS
        try:
            if attach is not None:  # ATTACH cannot run inside a transaction
                con.execute(f"ATTACH DATABASE ? AS {STAGE}", (str(attach),))
                wait = COPY_BUSY_TIMEOUT_MS
                con.execute(f"PRAGMA busy_timeout = {wait}")
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                # SQLite rolls back by itself on some errors (a full disk, an I/O error); a second
                # ROLLBACK would then fail with "no transaction is active" and hide the real error
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except sqlite3.Error:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise _store_error(self.path, exc, waited_ms=wait) from exc
        finally:
            con.close()

    def _attached_write(self, scratch: Path) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self.write(attach=scratch)

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Yield a read connection (a consistent snapshot under WAL)."""
        con = self.connect()
        try:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
        finally:
            con.close()

    def _migrate(self) -> None:
        """Apply pending Alembic revisions (fast no-op when the store is at head)."""
        if self.schema_revision() != head_revision():
            self.migrate()

    def schema_revision(self) -> str | None:
        """Return the store's Alembic revision, or ``None`` for a new file."""
        with self.read() as con:
            has = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            row = con.execute("SELECT version_num FROM alembic_version").fetchone() if has else None
        return None if row is None else str(row[0])

    def migrate(self) -> str:
        """Upgrade the schema to the newest revision inside ``BEGIN IMMEDIATE``; return it."""
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        self.connect().close()  # WAL mode is set outside any transaction
        engine = sa.create_engine(f"sqlite:///{self.path}", poolclass=NullPool)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_con: sqlite3.Connection, _record: object) -> None:
            dbapi_con.isolation_level = None
            dbapi_con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            with engine.begin() as conn:
                upgrade(conn)
        except sa.exc.OperationalError as exc:
            raise _store_error(self.path, exc.orig if isinstance(exc.orig, sqlite3.OperationalError)
                               else sqlite3.OperationalError(str(exc))) from exc
        finally:
            engine.dispose()
        return head_revision()

    # --- backend hooks used by geo.store.base ----------------------------------------------
    def cache_dir(self) -> Path | None:
        """Read snapshots live beside the store file (``<store>.cache/``)."""
        return self.path.with_name(self.path.name + ".cache")

    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        return from_gpkg_blobs(values)

    def _digest_wkb(self, values: list[Any]) -> list[bytes | None]:
        return gpkg_digest_wkb(values)

    def _point_param(self, lon: float, lat: float) -> tuple[str, object]:
        return "?", to_gpkg_blobs(np.array([shapely.Point(lon, lat)], dtype=object))[0]

    def _touch_layer(self, con: Any, layer: str, lon: float, lat: float) -> None:
        con.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
                    "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
                    "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) "
                    "WHERE table_name = ?", (lon, lon, lat, lat, lon, lon, lat, lat, layer))

    def _set_extent(self, con: Any, layer: str, bounds: tuple[float, ...] | None) -> None:
        touch_layer(con, layer, bounds)

    def _write_layer(self, con: sqlite3.Connection, layer: str, gdf: gpd.GeoDataFrame, *,
                     mode: str) -> WriteResult:
        return _write_layer(con, layer, gdf, mode=mode)


# --- helpers ----------------------------------------------------------------------------
def _store_error(path: Path, exc: sqlite3.OperationalError, *, waited_ms: int = BUSY_TIMEOUT_MS) -> StoreError:
    text = str(exc)
    if "full" in text:
        return StoreError(M("Store {store} is full ({why}); nothing was written. Free disk space and retry.",
                            store=str(path), why=text))
    if "locked" in text or "busy" in text:
        return StoreError(M("Store {store} stayed locked by another writer for {seconds:.0f} s ({why}); nothing "
                            "was written. Retry in a moment.", store=str(path), seconds=waited_ms / 1000,
                            why=text))
    if "readonly" in text or "read-only" in text:
        return StoreError(M("Store {store} is read-only ({why}); check file permissions.", store=str(path), why=text))
    return StoreError(M("Store {store}: {why}; nothing was written.", store=str(path), why=text))


def _write_layer(con: sqlite3.Connection, layer: str, gdf: gpd.GeoDataFrame, *, mode: str) -> WriteResult:
    """Upsert one checked canonical frame with one ``executemany`` (GeoPackage blobs)."""
    spec = schema.LAYER_COLUMNS[layer]
    key = schema.LAYER_KEYS[layer]
    # AUTOINCREMENT: every row inserted below gets a fid above today's highest (an update keeps its fid),
    # so counting those is the rows inserted, without counting the whole layer twice per batch
    top = con.execute(f'SELECT coalesce(max(fid), 0) FROM "{layer}"').fetchone()[0]
    if mode == "replace":
        con.execute(f'DELETE FROM "{layer}"')
    names = [c.name for c in spec]
    quoted = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != key)
    sql = (f'INSERT INTO "{layer}" ({quoted}, geom) VALUES ({", ".join("?" * (len(names) + 1))}) '
           f'ON CONFLICT("{key}") DO UPDATE SET {updates}, geom = excluded.geom')
    geoms = gdf.geometry.values
    for start in range(0, len(gdf), WRITE_CHUNK):  # chunks bound the Python objects alive at once
        part = gdf.iloc[start:start + WRITE_CHUNK]
        columns: list[list[Any]] = [to_sql_values(c.kind, part[c.name]) for c in spec]
        columns.append(to_gpkg_blobs(promote(np.asarray(geoms[start:start + WRITE_CHUNK]),
                                             schema.LAYER_GEOMETRY[layer])))
        con.executemany(sql, zip(*columns))
    inserted = con.execute(f'SELECT COUNT(*) FROM "{layer}" WHERE fid > ?', (top,)).fetchone()[0]
    touch_layer(con, layer, tuple(gdf.total_bounds) if len(gdf) else None)
    return WriteResult(layer=layer, inserted=inserted, updated=len(gdf) - inserted)
