"""Backend-independent store logic shared by the SQLite/GeoPackage and PostgreSQL/PostGIS stores.

Every method here runs SQL written with ``?`` placeholders on the connection yielded by the
backend's ``read()`` / ``write()`` context managers: a :class:`sqlite3.Connection` for the
embedded store, a small psycopg adapter (``geo.store.pg.PgConnection``) for PostgreSQL. The
SQL is the portable subset both understand (``INSERT ... ON CONFLICT``, ``CAST``, ``LIMIT``).
A backend supplies connections and transactions, migrations, the bulk layer writer, geometry
decoding, and the status-row lock.
"""
from __future__ import annotations

import abc
import contextlib
import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as S
from geo.config import DISPLAY_CRS
from geo.errors import StoreError
from geo.records import ImportRecord, StoreInfo, WriteResult
from geo.store.audit import ChainBreak, verify_chain
from geo.store.status import Edit, append_audit, history, record_history, save_status

BUMP_DATA_VERSION = (
    "UPDATE store_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
)


class BaseStore(abc.ABC):
    """The store interface; subclasses provide connections, migrations and the bulk writer."""

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

    def _geom_sql(self) -> str:
        """SQL expression selecting the stored geometry column."""
        return "geom"

    @abc.abstractmethod
    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        """Decode the stored geometry values into a shapely array."""

    @abc.abstractmethod
    def _write_layer(self, con: Any, layer: str, gdf: gpd.GeoDataFrame, *, mode: str) -> WriteResult:
        """Bulk upsert one checked canonical frame inside the caller's transaction."""

    def _lock_status_row(self, con: Any, site_id: str) -> None:  # noqa: B027 - an optional hook, not abstract
        """Serialise saves of one site (no-op where the write transaction already serialises)."""

    @property
    def display_url(self) -> str:
        """The store location as shown to people (no password)."""
        return self.url

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
            out = {layer: int(con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0])
                   for layer in S.SPATIAL_LAYERS}
            out[S.SITE_STATUS] = int(con.execute("SELECT COUNT(*) FROM site_status").fetchone()[0])
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
            recent_imports=[dict(zip(("kind", "source", "accepted", "repaired", "rejected", "at"), r))
                            for r in imports],
        )

    # --- reading -------------------------------------------------------------------------
    def read_layer(self, layer: str, *, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """Return ``layer`` as a GeoDataFrame in EPSG:4326 with canonical column types.

        Big layers are served from a GeoParquet snapshot keyed by the data version (see
        :meth:`cache_dir`); the version and the rows are read in one snapshot transaction, so
        a cached file always holds exactly the rows of its version.
        """
        spec = {c.name: c for c in S.LAYER_COLUMNS[layer]}
        names = list(columns) if columns is not None else list(spec)
        unknown = [n for n in names if n not in spec]
        if unknown:
            raise StoreError(f"read_layer({layer!r}): unknown columns {unknown}; known: {sorted(spec)}")
        with self.read() as con:
            version = int(con.execute("SELECT value FROM store_meta WHERE key = 'data_version'").fetchone()[0])
            cached = self._cached_path(layer, version)
            if cached is not None and cached.exists():
                try:
                    out = gpd.read_parquet(cached, columns=[*names, "geometry"])
                    text = [n for n in names if spec[n].kind == "text"]
                    return out.astype(dict.fromkeys(text, object)) if text else out
                except (OSError, ValueError):
                    cached.unlink(missing_ok=True)  # a damaged cache file is rebuilt from the store
            all_names = list(spec)
            sel = ", ".join(f'"{n}"' for n in all_names)
            rows = con.execute(f'SELECT {sel}, {self._geom_sql()} FROM "{layer}" ORDER BY fid').fetchall()
        data = list(zip(*rows)) if rows else [[] for _ in range(len(all_names) + 1)]
        frame = pd.DataFrame({n: to_series(spec[n].kind, data[i]) for i, n in enumerate(all_names)})
        geoms = self._decode_geoms(list(data[-1])) if rows else np.array([], dtype=object)
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))
        if cached is not None and len(gdf) >= CACHE_MIN_ROWS:
            write_cache(gdf, cached)
        return gdf[[*names, "geometry"]] if columns is not None else gdf

    def cache_dir(self) -> Path | None:
        """Return the folder for read snapshots of big layers, or ``None`` to disable them."""
        return None

    def _cached_path(self, layer: str, version: int) -> Path | None:
        folder = self.cache_dir()
        if folder is None:
            return None
        return folder / f"{layer}-v{version}-r{self.schema_revision()}.parquet"

    def read_status(self) -> pd.DataFrame:
        """Return the ``site_status`` table, one row per site."""
        cols = ", ".join(c.name for c in S.STATUS_COLUMNS)
        with self.read() as con:
            rows = con.execute(f"SELECT {cols} FROM site_status ORDER BY site_id").fetchall()
        data = list(zip(*rows)) if rows else [[] for _ in S.STATUS_COLUMNS]
        return pd.DataFrame({c.name: to_series(c.kind, data[i]) for i, c in enumerate(S.STATUS_COLUMNS)})

    # --- writing -------------------------------------------------------------------------
    def write_layers(
        self,
        frames: dict[str, gpd.GeoDataFrame],
        *,
        mode: str = "upsert",
        record: ImportRecord | None = None,
        status: pd.DataFrame | None = None,
        delete: dict[str, Sequence[str]] | None = None,
    ) -> dict[str, WriteResult]:
        """Write validated canonical frames in one transaction.

        ``mode='upsert'`` inserts new keys and updates existing ones; ``'replace'`` empties
        each layer first. ``delete`` removes rows by key first, in the same transaction; a
        deleted site's status is carried over to the new site that covers its AINs, and its
        status row is removed (its history stays). New sites get a ``site_status`` row
        (version 1) unless ``status`` supplies one. Synthetic and real data never mix: a write
        whose ``is_synthetic`` differs from the store's raises :class:`StoreError` and changes
        nothing.
        """
        if mode not in ("upsert", "replace"):
            raise ValueError(f"mode must be 'upsert' or 'replace', got {mode!r}")
        incoming = synthetic_flag(frames)
        results: dict[str, WriteResult] = {}
        with self.write() as con:
            current = con.execute("SELECT value FROM store_meta WHERE key = 'is_synthetic'").fetchone()
            has_data = any(con.execute(f'SELECT 1 FROM "{lay}" LIMIT 1').fetchone() for lay in S.SPATIAL_LAYERS)
            if current is not None and has_data and incoming is not None and (current[0] == "1") != incoming:
                held = "the synthetic sample" if current[0] == "1" else "real City data"
                raise StoreError(
                    f"Store {self.display_url} holds {held}; this file is "
                    f"{'synthetic' if incoming else 'real data'}. Demo and real layers never mix: "
                    "import into another store (--store data/real.gpkg or STAGEMAP_STORE)."
                )
            for layer, keys in (delete or {}).items():
                keys = [str(k) for k in keys]
                if layer == S.SITES and keys:
                    carried = carried_status(con, keys, frames.get(S.SITES))
                    status = carried if status is None else pd.concat([status, carried], ignore_index=True)
                    con.executemany("DELETE FROM site_status WHERE site_id = ?", [(k,) for k in keys])
                con.executemany(f'DELETE FROM "{layer}" WHERE "{S.LAYER_KEYS[layer]}" = ?', [(k,) for k in keys])
            for layer, gdf in frames.items():
                check_frame(layer, gdf)
                results[layer] = self._write_layer(con, layer, gdf, mode=mode)
            if S.SITES in frames:
                seed_status(con, frames[S.SITES], status, user=record.user if record else None)
            if incoming is not None:
                con.execute(
                    "INSERT INTO store_meta (key, value) VALUES ('is_synthetic', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    ("1" if incoming else "0",),
                )
            if record is not None:
                con.execute(
                    "INSERT INTO import_log (kind, source, sha256, n_read, n_accepted, n_repaired, "
                    "n_rejected, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?)",
                    (record.kind, record.source, record.sha256, record.n_read, record.n_accepted,
                     record.n_repaired, record.n_rejected, now_seconds(), record.user),
                )
            append_audit(
                con, actor=(record.user if record and record.user else "system"),
                role="admin", action=f"import.{mode}", entity=",".join(frames), entity_id=None, old=None,
                new={"layers": {k: {"inserted": v.inserted, "updated": v.updated} for k, v in results.items()},
                     "source": record.source if record else "synthetic sample",
                     "sha256": record.sha256 if record else None},
                source="bulk_import" if record else "system",
            )
            con.execute(BUMP_DATA_VERSION)
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
                (site_id, tier, reason.strip(), user.strip(), now_seconds()),
            )

    def read_overrides(self, *, latest_only: bool = True) -> pd.DataFrame:
        """Return tier overrides (site_id, tier, reason, set_by, set_at), latest per site by default."""
        sql = "SELECT site_id, tier, reason, set_by, set_at FROM risk_overrides"
        if latest_only:
            sql += " WHERE id IN (SELECT MAX(id) FROM risk_overrides GROUP BY site_id)"
        with self.read() as con:
            rows = con.execute(sql + " ORDER BY id").fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["site_id", "tier", "reason", "set_by", "set_at"])

    # --- versioned status and audit -----------------------------------------------------
    def save_status(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                    role: str = "liaison", source: str = "app") -> dict[str, object]:
        """Save a status change based on ``expect_version``; raise ``StatusConflict`` if stale."""
        with self.write() as con:
            self._lock_status_row(con, site_id)
            return save_status(con, site_id, changes, expect_version=expect_version, user=user,
                               role=role, source=source)

    def status_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's status, oldest first, with diffs."""
        with self.read() as con:
            if con.execute("SELECT 1 FROM site_status WHERE site_id = ?", (site_id,)).fetchone() is None:
                raise StoreError(f"No site {site_id!r} in the store; check the site id.")
            return history(con, site_id)

    def read_audit(self) -> list[dict[str, object]]:
        """Return the audit log in stored order (``seq`` is SQLite's rowid)."""
        with self.read() as con:
            cur = con.execute("SELECT * FROM audit_log ORDER BY seq")
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
            con.execute(BUMP_DATA_VERSION)
        return n


# --- helpers shared by both backends ----------------------------------------------------
CACHE_MIN_ROWS = 20_000  # smaller layers read from the store faster than a file round trip


def write_cache(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a read snapshot atomically and remove older snapshots of the same layer."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        gdf.to_parquet(tmp, compression="zstd", write_covering_bbox=True, row_group_size=50_000)
        os.replace(tmp, path)
        layer = path.name.split("-v")[0]
        for old in path.parent.glob(f"{layer}-v*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # the cache is an optimisation; reading from the store stays correct


def now_seconds() -> str:
    """Return the current UTC time as ISO-8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_frame(layer: str, gdf: gpd.GeoDataFrame) -> None:
    """Refuse a frame without every canonical column of ``layer`` or not in EPSG:4326."""
    missing = [c.name for c in S.LAYER_COLUMNS[layer] if c.name not in gdf.columns]
    if missing:
        raise StoreError(f"write {layer}: frame lacks canonical columns {missing}; import it through geo.io.importers.")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise StoreError(f"write {layer}: frame must be in EPSG:4326, got {gdf.crs}.")


def synthetic_flag(frames: dict[str, gpd.GeoDataFrame]) -> bool | None:
    """Return the frames' common ``is_synthetic`` value (``None`` when all are empty)."""
    flags = {bool(v) for gdf in frames.values() if len(gdf) for v in pd.unique(gdf[S.IS_SYNTHETIC])}
    if len(flags) > 1:
        raise StoreError("One write mixes synthetic and real rows; demo and real layers never mix.")
    return flags.pop() if flags else None


def to_series(kind: str, values: Sequence[object]) -> pd.Series:
    """Return stored values of one canonical column as a Series of its canonical dtype."""
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


def to_sql_values(kind: str, s: pd.Series) -> list[object]:
    """Return one canonical column as Python values for the database driver (vectorised)."""
    if kind == "bool":
        return s.fillna(False).astype(bool).astype(int).tolist()
    if kind == "int":
        arr = pd.array(s, dtype="Int64")
        return np.where(arr.isna(), None, arr.astype("float64").astype(object)).tolist() if arr.isna().any() \
            else arr.astype("int64").tolist()
    if kind == "float":
        vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
        nan = np.isnan(vals)
        return np.where(nan, None, vals.astype(object)).tolist() if nan.any() else vals.tolist()
    if kind == "datetime":
        ts = pd.to_datetime(s, utc=True)
        return [None if pd.isna(v) else v.isoformat() for v in ts]
    if kind == "date":
        return [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
                else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in s]
    text = s.astype("string")
    return np.where(text.isna().to_numpy(), None, text.to_numpy(dtype=object, na_value=None)).tolist()


def promote(geoms: np.ndarray, declared: str) -> np.ndarray:
    """Promote Polygons to single-part MultiPolygons for MULTIPOLYGON layers."""
    if declared != "MULTIPOLYGON":
        return geoms
    single = shapely.get_type_id(geoms) == 3
    if not single.any():
        return geoms
    out = np.array(geoms, dtype=object)
    out[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return out


def carried_status(con: Any, old_ids: list[str], new_sites: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Return status rows of ``old_ids`` re-keyed to the new site that covers one of their AINs."""
    cols = [S.SITE_ID, S.SIGN_STATUS, S.SIGN_POSTED_ON, S.GATE_STATUS, S.LAST_INSPECTED, S.STATUS_NOTE]
    if new_sites is None or not len(new_sites):
        return pd.DataFrame(columns=cols)
    owner = {a: sid for sid, ains in zip(new_sites[S.SITE_ID], new_sites[S.AINS].fillna(""))
             for a in str(ains).split(";") if a}
    rows = []
    for old in old_ids:
        ains = con.execute("SELECT ains FROM sites WHERE site_id = ?", (old,)).fetchone()
        st = con.execute(f"SELECT {', '.join(cols)} FROM site_status WHERE site_id = ?", (old,)).fetchone()
        new = next((owner[a] for a in str(ains[0] if ains else "").split(";") if a in owner), None)
        if st is None or new is None:
            continue
        rec = dict(zip(cols, st))
        if rec[S.SIGN_STATUS] == "unknown" and rec[S.GATE_STATUS] == "unknown":
            continue
        note = f"status carried over from {old}" + (f"; {rec[S.STATUS_NOTE]}" if rec[S.STATUS_NOTE] else "")
        rows.append({**rec, S.SITE_ID: new, S.STATUS_NOTE: note})
    return pd.DataFrame(rows, columns=cols)


def seed_status(con: Any, sites: gpd.GeoDataFrame, status: pd.DataFrame | None, *, user: str | None) -> None:
    """Give every site without a status row one at version 1, kept in the history too."""
    given = {} if status is None else {r[S.SITE_ID]: r for r in status.to_dict("records")}
    existing = {r[0] for r in con.execute("SELECT site_id FROM site_status").fetchall()}
    at = now_seconds()
    for sid in sites[S.SITE_ID]:
        if sid in existing:
            continue
        r = given.get(sid, {})
        row = {
            S.SITE_ID: sid, S.SIGN_STATUS: r.get(S.SIGN_STATUS) or "unknown",
            S.SIGN_POSTED_ON: iso(r.get(S.SIGN_POSTED_ON)), S.GATE_STATUS: r.get(S.GATE_STATUS) or "unknown",
            S.LAST_INSPECTED: iso(r.get(S.LAST_INSPECTED)), S.SIGN_TEXT_VERSION: r.get(S.SIGN_TEXT_VERSION),
            S.SIGN_LANGUAGE: r.get(S.SIGN_LANGUAGE), S.STATUS_NOTE: r.get(S.STATUS_NOTE), S.VERSION: 1,
            S.UPDATED_BY: r.get(S.UPDATED_BY) or user or "import", S.UPDATED_AT: r.get(S.UPDATED_AT) or at,
        }
        con.execute(f"INSERT INTO site_status ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
        record_history(con, row, role="admin", source="bulk_import")


def iso(value: object) -> str | None:
    """Return a date-like value as ISO text (``None`` for missing values)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
