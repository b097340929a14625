"""PostgreSQL 15 + PostGIS 3 store, behind the same interface as the embedded SQLite store.

Selected by ``STAGEMAP_STORE=postgresql://...`` or ``--store postgresql://...``. The store
methods live in :mod:`geo.store.base`; this module supplies:

* connections (psycopg 3, one per transaction, session ``TimeZone=UTC``, ``lock_timeout``
  10 s) wrapped in :class:`PgConnection`, which runs the shared ``?``-placeholder SQL;
* transactions: ``write()`` is READ COMMITTED and commits or rolls back whole; ``read()`` is
  a REPEATABLE READ READ ONLY snapshot, like a WAL reader on SQLite;
* serialisation where SQLite's single writer gave it for free: a status save locks its
  ``site_status`` row (``SELECT ... FOR UPDATE``) before checking the version, and every
  audit append takes a transaction-scoped advisory lock before reading the chain head, so
  concurrent writers queue on the chain and never fork it (the ``audit_log_link`` trigger
  and the ``seq`` primary key refuse a fork even from other clients);
* bulk layer writes: attributes and WKB are formatted column-wise (no per-row Python),
  streamed by ``COPY`` into a temporary table, then upserted with one
  ``INSERT ... SELECT ST_GeomFromWKB(wkb, 4326) ... ON CONFLICT``; reads use ``ST_AsBinary``;
* migrations through the shared Alembic revisions, as the owner role; the app role only
  needs SELECT on ``alembic_version`` when the schema is already at head.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import StoreError
from geo.messages import M
from geo.records import WriteResult
from geo.store.base import BaseStore
from geo.store.migrations.runner import head_revision, upgrade
from geo.store.values import promote

LOCK_TIMEOUT_MS = 10_000
#: Advisory lock key serialising audit appends (any constant bigint; ``'STGMAUDT'`` in hex).
AUDIT_LOCK_KEY = 0x5354474D41554454
#: Advisory lock key serialising migrations.
MIGRATE_LOCK_KEY = 0x5354474D4D494752
#: Rows per COPY chunk, bounding the memory of the formatted text.
COPY_CHUNK = 50_000
_AUDIT_HEAD = re.compile(r"\bFROM\s+audit_log\s+ORDER\s+BY\s+seq\s+DESC\s+LIMIT\s+1\b", re.I)
_LAYER_TYPES = {"text": "text", "int": "bigint", "float": "double precision", "bool": "boolean",
                "datetime": "timestamptz", "date": "date"}


def redact(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``."""
    url = re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> tuple[str, bool]:
    """Return (psycopg SQL, whether it reads the audit chain head) for ``?``-placeholder SQL.

    ``?`` becomes ``%s`` (a literal ``%`` is doubled), and SQLite's ``INSERT OR IGNORE``
    becomes ``INSERT ... ON CONFLICT DO NOTHING``.
    """
    out = sql.replace("%", "%%").replace("?", "%s")
    if re.match(r"\s*INSERT\s+OR\s+IGNORE\s+INTO\b", out, re.I):
        out = re.sub(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", "INSERT INTO", out, flags=re.I) + " ON CONFLICT DO NOTHING"
    elif re.match(r"\s*INSERT\s+OR\s+REPLACE\b", out, re.I):
        raise StoreError(M("INSERT OR REPLACE is SQLite-only; write INSERT ... ON CONFLICT (key) DO UPDATE."))
    return out, bool(_AUDIT_HEAD.search(sql))


class PgConnection:
    """A psycopg connection that runs the store's ``?``-placeholder SQL (see :func:`translate`)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._audit_locked = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one ``?``-placeholder statement; reading the audit head takes the audit lock first."""
        query, audit_head = translate(sql)
        cur = self.raw.cursor()
        if audit_head and not self._audit_locked:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
            self._audit_locked = True
        cur.execute(query, tuple(params))
        return cur

    def lock_audit(self) -> None:
        """Serialise audit appends for the rest of this transaction (called by ``append_audit``)."""
        if not self._audit_locked:
            self.raw.cursor().execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
            self._audit_locked = True

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        """Run one ``?``-placeholder statement for every row."""
        query, _ = translate(sql)
        cur = self.raw.cursor()
        cur.executemany(query, [tuple(r) for r in rows])
        return cur

    def copy(self, statement: str) -> Any:
        """Return a psycopg COPY context manager for ``statement``."""
        return self.raw.cursor().copy(statement)

    def end(self, how: str) -> None:
        """Run COMMIT or ROLLBACK and release the transaction's advisory locks."""
        self.raw.execute(how)
        self._audit_locked = False

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()


class PostgresStore(BaseStore):
    """The PostgreSQL/PostGIS store (see module docstring)."""

    backend = "postgresql"

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - psycopg is a requirement
            raise StoreError(M("PostgreSQL store needs psycopg: pip install 'psycopg[binary]'.")) from exc
        revision = self.schema_revision()
        if revision is None and not create:
            raise StoreError(M("No StageMap schema in {store}. Create it with "
                               "`stagemap migrate --store postgresql://OWNER@HOST/DB` (the owner role).",
                               store=self.display_url))
        if revision != head_revision():
            self._migrate_or_explain(revision)

    @property
    def display_url(self) -> str:
        """Return the URL with the password replaced by ``***``."""
        return redact(self.url)

    # --- connections and transactions --------------------------------------------------
    def connect(self) -> PgConnection:
        """Open a connection (autocommit; transactions are explicit) with UTC and a lock timeout."""
        import psycopg

        try:
            raw = psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreError(M("Cannot connect to PostgreSQL store {store}: {why}", store=self.display_url,
                               why=str(exc).strip())) from exc
        raw.execute("SET TIME ZONE 'UTC'")
        raw.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        return PgConnection(raw)

    @contextlib.contextmanager
    def write(self) -> Iterator[PgConnection]:
        """Yield a connection inside a READ COMMITTED transaction; commit on success, roll back on error."""
        import psycopg

        con = self.connect()
        try:
            con.raw.execute("BEGIN")
            try:
                yield con
            except BaseException:
                with contextlib.suppress(psycopg.Error):
                    con.end("ROLLBACK")
                raise
            con.end("COMMIT")
        except (psycopg.OperationalError, psycopg.DataError) as exc:
            raise self._store_error(exc) from exc
        finally:
            con.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[PgConnection]:
        """Yield a read-only connection on one consistent snapshot (REPEATABLE READ)."""
        import psycopg

        con = self.connect()
        try:
            con.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield con
            con.end("COMMIT")
        except psycopg.OperationalError as exc:
            raise self._store_error(exc) from exc
        finally:
            con.close()

    def _store_error(self, exc: Exception) -> StoreError:
        import psycopg.errors as pg_errors

        text = str(exc).strip()
        where = self.display_url
        if isinstance(exc, pg_errors.DiskFull | pg_errors.OutOfMemory | pg_errors.InsufficientResources):
            return StoreError(M("Store {store} is full ({why}); nothing was written. Free disk space and retry.",
                                store=where, why=text))
        if isinstance(exc, pg_errors.LockNotAvailable):
            return StoreError(M("Store {store} stayed locked by another writer for {seconds:.0f} s ({why}); nothing "
                                "was written. Retry in a moment.", store=where, seconds=LOCK_TIMEOUT_MS / 1000,
                                why=text))
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            return StoreError(M("Store {store} is read-only ({why}); check the server and role.", store=where,
                                why=text))
        if isinstance(exc, pg_errors.CharacterNotInRepertoire | pg_errors.UntranslatableCharacter) or "NUL (0x00)" in text:
            return StoreError(M("Store {store}: a text value contains a NUL character (\\x00), which PostgreSQL "
                                "cannot store ({why}); nothing was written. Remove the character and retry.",
                                store=where, why=text))
        if isinstance(exc, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
            return StoreError(M("Store {store}: a concurrent write got in the way ({why}); nothing was written. "
                                "Retry.", store=where, why=text))
        return StoreError(M("Store {store}: {why}; nothing was written.", store=where, why=text))

    # --- migrations ----------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        """Return the store's Alembic revision, or ``None`` for a database without the schema."""
        with self.read() as con:
            has = con.execute("SELECT to_regclass('alembic_version')").fetchone()[0]
            row = con.execute("SELECT version_num FROM alembic_version").fetchone() if has else None
        return None if row is None else str(row[0])

    def _migrate_or_explain(self, revision: str | None) -> None:
        import psycopg.errors
        import sqlalchemy as sa

        try:
            self.migrate()
        except sa.exc.DBAPIError as exc:
            if not isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
                raise StoreError(M("Migrating store {store} to revision {revision} failed: {why}; nothing was "
                                   "changed.", store=self.display_url, revision=head_revision(),
                                   why=str(exc.orig).strip())) from exc
            raise StoreError(M(
                "Store {store} is at schema revision {revision}, this StageMap needs {head}, and this role may not "
                "change the schema ({why}). Run `stagemap migrate --store postgresql://OWNER@HOST/DB` with the owner "
                "role, then retry.", store=self.display_url, revision=revision or M("none"), head=head_revision(),
                why=str(exc.orig).strip())) from exc

    def migrate(self) -> str:
        """Upgrade the schema to the newest revision and re-apply the app role's grants; return it.

        Runs in one transaction under an advisory lock, so concurrent starts queue and the
        later ones find the schema at head. Run it with the owner role.
        """
        import psycopg
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        from geo.store.ddl_pg import apply_grants
        from geo.store.migrations.runner import driver_executor

        engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(self.url),
                                  poolclass=NullPool)

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK_KEY})")

        try:
            with engine.begin() as conn:
                upgrade(conn)
                owner = conn.exec_driver_sql(
                    "SELECT tableowner = current_user FROM pg_tables "
                    "WHERE schemaname = current_schema() AND tablename = 'audit_log'").scalar()
                if owner:
                    apply_grants(driver_executor(conn))
        except sa.exc.OperationalError as exc:
            raise self._store_error(exc.orig or exc) from exc
        finally:
            engine.dispose()
        return head_revision()

    # --- backend hooks used by geo.store.base ----------------------------------------------
    def _geom_sql(self) -> str:
        return "ST_AsBinary(geom)"

    def _row_batches(self, con: PgConnection, sql: str, size: int) -> Iterator[list[Any]]:
        with con.raw.cursor(name="stagemap_batches") as cur:  # server-side: the rows stay in PostgreSQL
            cur.execute(sql)
            while rows := cur.fetchmany(size):
                yield list(rows)

    def _sorted_text(self, expr: str) -> str:
        return f'{expr} COLLATE "C"'  # UTF-8 byte order = code point order, as Python sorts

    def _point_param(self, lon: float, lat: float) -> tuple[str, object]:
        return "ST_SetSRID(ST_GeomFromWKB(?), 4326)", shapely.to_wkb(shapely.Point(lon, lat))

    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        return np.asarray(shapely.from_wkb(np.array([None if v is None else bytes(v) for v in values], dtype=object)))

    def cache_dir(self) -> Path | None:
        """Read snapshots live in the user's cache folder, one per database (no password in the name)."""
        digest = hashlib.sha256(self.display_url.encode()).hexdigest()[:16]
        return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "stagemap" / digest

    def _lock_status_row(self, con: PgConnection, site_id: str) -> None:
        con.execute("SELECT 1 FROM site_status WHERE site_id = ? FOR UPDATE", (site_id,))

    def _write_layer(self, con: PgConnection, layer: str, gdf: gpd.GeoDataFrame, *, mode: str) -> WriteResult:
        """COPY the frame into a temporary table, then upsert it into ``layer`` in one statement."""
        spec = schema.LAYER_COLUMNS[layer]
        key = schema.LAYER_KEYS[layer]
        names = [c.name for c in spec]
        if mode == "replace":
            con.execute(f'DELETE FROM "{layer}"')
        stage = f"stage_{layer}"
        con.execute(f'DROP TABLE IF EXISTS "{stage}"')
        con.execute(f'CREATE TEMP TABLE "{stage}" (ord bigint, '
                    + ", ".join(f'"{c.name}" {_LAYER_TYPES[c.kind]}' for c in spec)
                    + ", wkb bytea) ON COMMIT DROP")
        geoms = promote(np.asarray(gdf.geometry.values, dtype=object), schema.LAYER_GEOMETRY[layer])
        frame = gdf[names].reset_index(drop=True)
        keys = frame[key]
        repeated = keys.duplicated(keep="last").to_numpy()
        if repeated.any():
            # Like SQLite's row-by-row upsert: a repeated key keeps the position of its first
            # occurrence and the values of its last.
            first = pd.Series(np.arange(len(frame))).groupby(keys.to_numpy(), dropna=False).transform("min").to_numpy()
            rows = np.flatnonzero(~repeated)
            rows = rows[np.argsort(first[rows], kind="stable")]
            frame, geoms = frame.iloc[rows].reset_index(drop=True), geoms[rows]
        with con.copy(f'COPY "{stage}" FROM STDIN') as copy:
            for start in range(0, len(frame), COPY_CHUNK):
                stop = min(start + COPY_CHUNK, len(frame))
                copy.write(copy_text(frame.iloc[start:stop], spec, geoms[start:stop], start))
        quoted = ", ".join(f'"{n}"' for n in names)
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != key)
        inserted = con.execute(
            f'WITH up AS (INSERT INTO "{layer}" ({quoted}, geom) '
            f'SELECT {quoted}, ST_GeomFromWKB(wkb, 4326) FROM "{stage}" ORDER BY ord '
            f'ON CONFLICT ("{key}") DO UPDATE SET {updates}, geom = excluded.geom RETURNING (xmax = 0) AS ins) '
            "SELECT COUNT(*) FILTER (WHERE ins) FROM up"
        ).fetchone()[0]
        con.execute(f'DROP TABLE "{stage}"')
        return WriteResult(layer=layer, inserted=int(inserted), updated=len(gdf) - int(inserted))


# --- COPY text formatting, column by column (pyarrow compute; no per-row Python) -----------
NULL = "\\N"
#: COPY text-format escapes, backslash first.
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def copy_column(kind: str, s: pd.Series) -> Any:
    """Return one canonical column as a pyarrow string array of COPY text values (null = missing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    s = s.reset_index(drop=True)
    missing = s.isna().to_numpy()
    if kind == "bool":  # as on SQLite: int(bool(v)); the column is NOT NULL
        flags = s.astype(object).astype(bool).to_numpy()
        return pa.array(np.where(flags, "t", "f").astype(object), type=pa.string())
    if kind == "int":
        return pc.cast(pa.array(pd.array(s.where(~missing, None), dtype="Int64")), pa.string())
    if kind == "float":
        values = pd.to_numeric(s.where(~missing, np.nan), errors="raise").astype("float64").to_numpy()
        return pc.cast(pa.array(values, mask=missing), pa.string())
    if kind in ("datetime", "date"):
        ts = pd.to_datetime(s.where(~missing, None), utc=kind == "datetime")
        text = ts.dt.strftime("%Y-%m-%d %H:%M:%S.%f+00" if kind == "datetime" else "%Y-%m-%d")
        return pa.array(text.astype(object).where(ts.notna().to_numpy(), None), type=pa.string(), from_pandas=True)
    text = pa.array(s.astype(object).where(~missing, "").astype(str).astype(object).to_numpy(), type=pa.string(),
                    mask=missing)
    for old, new in _ESCAPES:
        text = pc.replace_substring(text, old, new)
    return text


def copy_text(frame: pd.DataFrame, spec: Sequence[schema.Column], geoms: np.ndarray, offset: int) -> str:
    """Return COPY text rows: ``ord``, the canonical columns, and the WKB as bytea hex."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(frame):
        return ""
    ords = pc.cast(pa.array(np.arange(offset, offset + len(frame), dtype=np.int64)), pa.string())
    cols = [copy_column(c.kind, frame[c.name]) for c in spec]
    wkb = shapely.to_wkb(geoms, hex=True, output_dimension=2, byte_order=1, flavor="iso")
    hexes = pa.array(wkb, type=pa.string(), mask=shapely.is_missing(geoms))
    cols.append(pc.binary_join_element_wise("\\\\x", hexes, ""))
    lines = pc.binary_join_element_wise(ords, *cols, "\t", null_handling="replace", null_replacement=NULL)
    return "\n".join(lines.to_pylist()) + "\n"
