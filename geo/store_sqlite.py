"""Embedded store: one SQLite file that is also a GeoPackage, in WAL mode.

Every write runs inside ``BEGIN IMMEDIATE`` with a busy timeout of at least 5 s, so
concurrent writers queue instead of failing, and a write that fails part-way rolls back
whole: the store is either as it was or fully changed.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as S
from geo.audit import ChainBreak, verify_chain
from geo.config import DISPLAY_CRS
from geo.errors import StoreError
from geo.gpkg import from_gpkg_blobs, to_gpkg_blobs, touch_layer
from geo.migrations.runner import head_revision, upgrade
from geo.store_status import (
    Edit,
    append_audit,
    history,
    record_history,
    save_status,
)
from geo.store_types import ImportRecord, StoreInfo, WriteResult

BUSY_TIMEOUT_MS = 10_000
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


class SQLiteStore:
    """The default embedded store (see module docstring)."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        if not self.path.exists() and not create:
            raise StoreError(f"No store at {self.path}. Build one with `stagemap sample` or import data into it.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fstype = filesystem_type(self.path.parent)
        if fstype in NETWORK_FS:
            raise StoreError(
                f"Store {self.path} is on a network filesystem ({fstype}). SQLite's WAL mode, which "
                "StageMap needs for safe concurrent edits, does not work on network filesystems and "
                "can corrupt the file. Put the store on a local disk, or use PostgreSQL "
                "(STAGEMAP_STORE=postgresql://...)."
            )
        self._migrate()

    # --- connections and transactions --------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """Open a connection in WAL mode with a busy timeout; one per thread or process."""
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            con.close()
            raise StoreError(f"Store {self.path} could not switch to WAL mode (got {mode}); use a local disk.")
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside ``BEGIN IMMEDIATE``; commit on success, roll back on error."""
        con = self.connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except sqlite3.Error:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise _store_error(self.path, exc) from exc
        finally:
            con.close()

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
            raise _store_error(self.path, exc.orig) from exc
        finally:
            engine.dispose()
        return head_revision()

    # --- metadata ------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """Return one metadata value, or ``None``."""
        with self.read() as con:
            row = con.execute("SELECT value FROM store_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

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
            out = {layer: con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
                   for layer in S.SPATIAL_LAYERS}
            out[S.SITE_STATUS] = con.execute("SELECT COUNT(*) FROM site_status").fetchone()[0]
        return out

    def info(self) -> StoreInfo:
        """Summarise what the store holds."""
        with self.read() as con:
            imports = con.execute(
                "SELECT kind, source, n_accepted, n_repaired, n_rejected, imported_at FROM import_log "
                "ORDER BY id DESC LIMIT 10"
            ).fetchall()
        return StoreInfo(
            url=self.url, backend=self.backend, counts=self.counts(),
            is_synthetic=self.is_synthetic(), data_version=self.data_version(),
            recent_imports=[dict(zip(("kind", "source", "accepted", "repaired", "rejected", "at"), r))
                            for r in imports],
        )

    # --- reading -------------------------------------------------------------------------
    def read_layer(self, layer: str, *, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """Return ``layer`` as a GeoDataFrame in EPSG:4326 with canonical column types."""
        spec = {c.name: c for c in S.LAYER_COLUMNS[layer]}
        names = list(columns) if columns is not None else list(spec)
        unknown = [n for n in names if n not in spec]
        if unknown:
            raise StoreError(f"read_layer({layer!r}): unknown columns {unknown}; known: {sorted(spec)}")
        sel = ", ".join(f'"{n}"' for n in names)
        with self.read() as con:
            rows = con.execute(f'SELECT {sel + ", " if sel else ""}geom FROM "{layer}" ORDER BY fid').fetchall()
        data = list(zip(*rows)) if rows else [[] for _ in range(len(names) + 1)]
        frame = pd.DataFrame({n: _to_series(spec[n].kind, data[i]) for i, n in enumerate(names)})
        geoms = from_gpkg_blobs(list(data[-1])) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))

    def read_status(self) -> pd.DataFrame:
        """Return the ``site_status`` table, one row per site."""
        with self.read() as con:
            rows = con.execute("SELECT * FROM site_status ORDER BY site_id").fetchall()
        data = list(zip(*rows)) if rows else [[] for _ in S.STATUS_COLUMNS]
        return pd.DataFrame({c.name: _to_series(c.kind, data[i]) for i, c in enumerate(S.STATUS_COLUMNS)})

    # --- writing -------------------------------------------------------------------------
    def write_layers(
        self,
        frames: dict[str, gpd.GeoDataFrame],
        *,
        mode: str = "upsert",
        record: ImportRecord | None = None,
        status: pd.DataFrame | None = None,
    ) -> dict[str, WriteResult]:
        """Write validated canonical frames in one transaction.

        ``mode='upsert'`` inserts new keys and updates existing ones; ``'replace'`` empties
        each layer first. New sites get a ``site_status`` row (version 1) unless ``status``
        supplies one. Synthetic and real data never mix: a write whose ``is_synthetic``
        differs from the store's raises :class:`StoreError` and changes nothing.
        """
        if mode not in ("upsert", "replace"):
            raise ValueError(f"mode must be 'upsert' or 'replace', got {mode!r}")
        incoming = _synthetic_flag(frames)
        results: dict[str, WriteResult] = {}
        with self.write() as con:
            current = con.execute("SELECT value FROM store_meta WHERE key='is_synthetic'").fetchone()
            has_data = any(con.execute(f'SELECT 1 FROM "{lay}" LIMIT 1').fetchone() for lay in S.SPATIAL_LAYERS)
            if current is not None and has_data and incoming is not None and (current[0] == "1") != incoming:
                held = "the synthetic sample" if current[0] == "1" else "real City data"
                raise StoreError(
                    f"Store {self.url} holds {held}; this file is "
                    f"{'synthetic' if incoming else 'real data'}. Demo and real layers never mix: "
                    "import into another store (--store data/real.gpkg or STAGEMAP_STORE)."
                )
            for layer, gdf in frames.items():
                results[layer] = _write_layer(con, layer, gdf, mode=mode)
            if S.SITES in frames:
                _seed_status(con, frames[S.SITES], status, user=record.user if record else None)
            if incoming is not None:
                con.execute("INSERT OR REPLACE INTO store_meta VALUES ('is_synthetic', ?)",
                            ("1" if incoming else "0",))
            if record is not None:
                con.execute(
                    "INSERT INTO import_log (kind, source, sha256, n_read, n_accepted, n_repaired, "
                    "n_rejected, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?)",
                    (record.kind, record.source, record.sha256, record.n_read, record.n_accepted,
                     record.n_repaired, record.n_rejected, _now(), record.user),
                )
            append_audit(
                con, actor=(record.user if record and record.user else "system"),
                role="admin", action=f"import.{mode}", entity=",".join(frames), entity_id=None, old=None,
                new={"layers": {k: {"inserted": v.inserted, "updated": v.updated} for k, v in results.items()},
                     "source": record.source if record else "synthetic sample",
                     "sha256": record.sha256 if record else None},
                source="bulk_import" if record else "system",
            )
            con.execute("UPDATE store_meta SET value = CAST(value AS INTEGER) + 1 WHERE key='data_version'")
        return results

    def set_override(self, site_id: str, tier: str, *, reason: str, user: str) -> None:
        """Record a reviewer's tier override for a site; earlier overrides stay as history."""
        if tier not in ("high", "medium", "low"):
            raise StoreError(f"Override tier {tier!r} for site {site_id}: use high, medium or low.")
        if not reason.strip() or not user.strip():
            raise StoreError(f"Override for site {site_id} needs a reason and the reviewer's name.")
        with self.write() as con:
            if con.execute("SELECT 1 FROM sites WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(f"No site {site_id!r} in the store; check the site id.")
            con.execute(
                "INSERT INTO risk_overrides (site_id, tier, reason, set_by, set_at) VALUES (?,?,?,?,?)",
                (site_id, tier, reason.strip(), user.strip(), _now()),
            )

    def read_overrides(self, *, latest_only: bool = True) -> pd.DataFrame:
        """Return tier overrides (site_id, tier, reason, set_by, set_at), latest per site by default."""
        sql = "SELECT site_id, tier, reason, set_by, set_at FROM risk_overrides"
        if latest_only:
            sql += " WHERE id IN (SELECT MAX(id) FROM risk_overrides GROUP BY site_id)"
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=["site_id", "tier", "reason", "set_by", "set_at"])

    # --- versioned status and audit -----------------------------------------------------
    def save_status(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                    role: str = "liaison", source: str = "app") -> dict[str, object]:
        """Save a status change based on ``expect_version``; raise ``StatusConflict`` if stale."""
        with self.write() as con:
            return save_status(con, site_id, changes, expect_version=expect_version, user=user,
                               role=role, source=source)

    def status_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's status, oldest first, with diffs."""
        with self.read() as con:
            if con.execute("SELECT 1 FROM site_status WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(f"No site {site_id!r} in the store; check the site id.")
            return history(con, site_id)

    def read_audit(self) -> list[dict[str, object]]:
        """Return the audit log in stored order."""
        with self.read() as con:
            cur = con.execute("SELECT * FROM audit_log ORDER BY rowid")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def verify_audit(self, *, head: tuple[int, str] | None = None) -> tuple[int, ChainBreak | None]:
        """Walk the audit chain (and check it against a recorded head); return (checked, first break)."""
        return verify_chain(self.read_audit(), head=head)

    def log_event(self, *, actor: str, role: str, action: str, entity: str, entity_id: str | None = None,
                  detail: object = None, source: str = "app") -> None:
        """Record a non-data event (an export, a share) in the audit log."""
        with self.write() as con:
            append_audit(con, actor=actor, role=role, action=action, entity=entity, entity_id=entity_id,
                         old=None, new=detail, source=source)

    def delete_rows(self, layer: str, keys: Sequence[str]) -> int:
        """Delete rows of ``layer`` by primary key in one transaction; return how many."""
        key = S.LAYER_KEYS[layer]
        with self.write() as con:
            n = con.executemany(f'DELETE FROM "{layer}" WHERE "{key}" = ?', [(k,) for k in keys]).rowcount
            con.execute("UPDATE store_meta SET value = CAST(value AS INTEGER) + 1 WHERE key='data_version'")
        return n


# --- helpers ----------------------------------------------------------------------------
def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _store_error(path: Path, exc: sqlite3.OperationalError) -> StoreError:
    text = str(exc)
    if "full" in text:
        return StoreError(f"Store {path} is full ({text}); nothing was written. Free disk space and retry.")
    if "locked" in text or "busy" in text:
        return StoreError(f"Store {path} stayed locked by another writer for {BUSY_TIMEOUT_MS / 1000:.0f} s "
                          f"({text}); nothing was written. Retry in a moment.")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"Store {path} is read-only ({text}); check file permissions.")
    return StoreError(f"Store {path}: {text}; nothing was written.")


def _synthetic_flag(frames: dict[str, gpd.GeoDataFrame]) -> bool | None:
    flags = {bool(v) for gdf in frames.values() if len(gdf) for v in pd.unique(gdf[S.IS_SYNTHETIC])}
    if len(flags) > 1:
        raise StoreError("One write mixes synthetic and real rows; demo and real layers never mix.")
    return flags.pop() if flags else None


def _to_series(kind: str, values: Sequence[object]) -> pd.Series:
    if kind == "int":
        return pd.array(values, dtype="Int64") if len(values) else pd.Series([], dtype="Int64")
    if kind == "float":
        return pd.Series(values, dtype="float64")
    if kind == "bool":
        return pd.Series([bool(v) for v in values], dtype=bool)
    if kind == "datetime":
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601").dt.date
    return pd.Series(values, dtype=object)


def _to_sql_values(kind: str, s: pd.Series) -> list[object]:
    if kind == "bool":
        return [int(bool(v)) for v in s]
    if kind == "int":
        return [None if pd.isna(v) else int(v) for v in s]
    if kind == "float":
        return [None if pd.isna(v) else float(v) for v in s]
    if kind == "datetime":
        ts = pd.to_datetime(s, utc=True)
        return [None if pd.isna(v) else v.isoformat() for v in ts]
    if kind == "date":
        return [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
                else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in s]
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v) for v in s]


def _write_layer(con: sqlite3.Connection, layer: str, gdf: gpd.GeoDataFrame, *, mode: str) -> WriteResult:
    spec = S.LAYER_COLUMNS[layer]
    missing = [c.name for c in spec if c.name not in gdf.columns]
    if missing:
        raise StoreError(f"write {layer}: frame lacks canonical columns {missing}; import it through geo.importers.")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise StoreError(f"write {layer}: frame must be in EPSG:4326, got {gdf.crs}.")
    key = S.LAYER_KEYS[layer]
    before = con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
    if mode == "replace":
        con.execute(f'DELETE FROM "{layer}"')
        before = 0
    names = [c.name for c in spec]
    columns = [_to_sql_values(c.kind, gdf[c.name]) for c in spec]
    columns.append(to_gpkg_blobs(_promote(gdf.geometry.values, S.LAYER_GEOMETRY[layer])))
    quoted = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != key)
    con.executemany(
        f'INSERT INTO "{layer}" ({quoted}, geom) VALUES ({", ".join("?" * (len(names) + 1))}) '
        f'ON CONFLICT("{key}") DO UPDATE SET {updates}, geom = excluded.geom',
        zip(*columns),
    )
    after = con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
    touch_layer(con, layer, tuple(gdf.total_bounds) if len(gdf) else None)
    inserted = after - before
    return WriteResult(layer=layer, inserted=inserted, updated=len(gdf) - inserted)


def _promote(geoms: np.ndarray, declared: str) -> np.ndarray:
    """Promote Polygons to single-part MultiPolygons for MULTIPOLYGON layers."""
    if declared != "MULTIPOLYGON":
        return geoms
    single = shapely.get_type_id(geoms) == 3
    if not single.any():
        return geoms
    out = np.array(geoms, dtype=object)
    out[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return out


def _seed_status(con: sqlite3.Connection, sites: gpd.GeoDataFrame, status: pd.DataFrame | None,
                 *, user: str | None) -> None:
    """Give every site without a status row one at version 1, kept in the history too."""
    given = {} if status is None else {r[S.SITE_ID]: r for r in status.to_dict("records")}
    existing = {r[0] for r in con.execute("SELECT site_id FROM site_status")}
    at = _now()
    for sid in sites[S.SITE_ID]:
        if sid in existing:
            continue
        r = given.get(sid, {})
        row = {
            S.SITE_ID: sid, S.SIGN_STATUS: r.get(S.SIGN_STATUS) or "unknown",
            S.SIGN_POSTED_ON: _iso(r.get(S.SIGN_POSTED_ON)), S.GATE_STATUS: r.get(S.GATE_STATUS) or "unknown",
            S.LAST_INSPECTED: _iso(r.get(S.LAST_INSPECTED)), S.SIGN_TEXT_VERSION: r.get(S.SIGN_TEXT_VERSION),
            S.SIGN_LANGUAGE: r.get(S.SIGN_LANGUAGE), S.STATUS_NOTE: r.get(S.STATUS_NOTE), S.VERSION: 1,
            S.UPDATED_BY: r.get(S.UPDATED_BY) or user or "import", S.UPDATED_AT: r.get(S.UPDATED_AT) or at,
        }
        con.execute(f"INSERT INTO site_status ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
        record_history(con, row, role="admin", source="bulk_import")


def _iso(value: object) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
