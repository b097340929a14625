"""Read a GeoPackage (or any SQLite input) with Python's sqlite3, never GDAL, under a time budget.

Only real feature tables listed in ``gpkg_contents`` are read: a view or virtual table is
refused, since a view can run any query (a recursive one never returns). The file is opened
read-only with ``trusted_schema`` off, every statement runs under a SQLite progress handler
that cancels it past its budget (:class:`geo.io.budget.Budget`), values over
``max_field_bytes`` are cut in SQL and refused, and rows arrive in batches.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from geo.config import ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.io.budget import Budget
from geo.messages import M, join

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_PROGRESS_STEPS = 1_000  # SQLite VM steps between budget checks (well under 1 ms)
_MAX_LAYERS = 1_000
_GPKG_TABLES = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")
#: Bytes a geometry blob may take per vertex allowed (XYZM doubles plus headers, generously).
_BYTES_PER_VERTEX = 40


@dataclass(frozen=True)
class Table:
    """The one table an import reads: its name, geometry column and CRS, and its attribute columns."""

    name: str
    geometry: str | None
    crs: str | None
    columns: tuple[str, ...]
    rows: int
    skipped: tuple[str, ...] = ()


@contextlib.contextmanager
def open_input(path: Path, *, limits: ImportLimits, budget: Budget) -> Iterator[sqlite3.Connection]:
    """Yield a read-only, defensive connection to ``path`` whose statements obey ``budget``.

    Raises
    ------
    GeoDataError
        When SQLite cannot open the file.
    """
    # immutable: no locks, no -wal/-shm files created beside an upload; a live WAL file must be read, though
    wal = Path(f"{path}-wal")
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if wal.exists() and wal.stat().st_size else "&immutable=1")
    try:
        con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise GeoDataError(M("{label}: SQLite cannot open it ({why}). Export the GeoPackage again.",
                             label=budget.label, why=str(exc))) from exc
    try:
        con.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, min(limits.max_columns + 8, 2000))
        con.set_progress_handler(budget.sqlite_handler, _PROGRESS_STEPS)
        for pragma in ("trusted_schema = OFF", "query_only = ON", "cell_size_check = ON", "mmap_size = 0",
                       "cache_size = -16000"):
            con.execute(f"PRAGMA {pragma}")
        yield con
    except sqlite3.DatabaseError as exc:
        raise _error(budget, exc, M("opening")) from exc
    finally:
        con.close()


def query(con: sqlite3.Connection, sql: str, params: tuple[object, ...] = (), *, budget: Budget,
          where: str, metadata: bool = True) -> list[tuple[object, ...]]:
    """Run one statement under the budget and return every row (only for small results).

    Raises
    ------
    GeoDataError
        When the statement was cancelled (over budget, cancelled) or failed.
    """
    budget.start_query(metadata=metadata)
    try:
        return list(con.execute(sql, params).fetchall())
    except sqlite3.DatabaseError as exc:
        raise _error(budget, exc, where) from exc


def find_table(con: sqlite3.Connection, *, limits: ImportLimits, budget: Budget) -> Table:
    """Return the one real feature (or attribute) table listed in ``gpkg_contents``.

    Raises
    ------
    GeoDataError
        When the file is no GeoPackage, holds several layers, or its only layer is a view or
        virtual table (named, with the fix).
    UnsafeFileError
        When the table has more columns or rows than the limits allow.
    """
    label = budget.label
    objects = {str(name): (str(kind), str(sql or "")) for kind, name, sql in query(
        con, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')", budget=budget,
        where=M("listing the tables"))}
    for required in _GPKG_TABLES:
        kind, sql = objects.get(required, ("", ""))
        if kind != "table" or _virtual(sql):
            what = (M("its {table} is a {kind}", table=required, kind=kind) if kind
                    else M("it has no {table} table", table=required))
            raise GeoDataError(M("{label}: not a GeoPackage StageMap can read ({what}). Export the layer again as a "
                                 "GeoPackage (QGIS: Export > Save Features As > GeoPackage).", label=label, what=what))
    listed = query(con, "SELECT table_name, data_type, srs_id FROM gpkg_contents "
                   "WHERE data_type IN ('features', 'attributes') ORDER BY rowid LIMIT ?", (_MAX_LAYERS + 1,),
                   budget=budget, where=M("reading {table}", table="gpkg_contents"))
    real: list[tuple[str, str, object]] = []
    skipped: list[str] = []
    for listed_name, data_type, srs_id in listed:
        kind, sql = objects.get(str(listed_name), ("", ""))
        if kind == "table" and not _virtual(sql):
            real.append((str(listed_name), str(data_type), srs_id))
        else:
            what = M("a virtual table") if kind == "table" else M("a view") if kind == "view" else M("missing")
            skipped.append(M("{name} ({what})", name=str(listed_name), what=what))
    features = [r for r in real if r[1] == "features"]
    if len(features) > 1:
        raise GeoDataError(M("{label}: holds {count} layers ({names}). Export the one layer to import.", label=label,
                             count=len(features), names=", ".join(r[0] for r in features)))
    chosen = features or [r for r in real if r[1] == "attributes"][:1]
    if not chosen:
        found = join(skipped) if skipped else M("no layer")
        raise GeoDataError(M("{label}: no feature table to read (found {found}). StageMap reads only real tables, "
                             "never views or virtual tables, because a view can run any query. Export the layer "
                             "as a table (QGIS: Save Features As > GeoPackage; ogr2ogr out.gpkg in.gpkg LAYER).",
                             label=label, found=found))
    name, data_type, srs_id = chosen[0]
    return _describe(con, name, data_type == "features", srs_id, tuple(skipped), limits=limits, budget=budget)


def _describe(con: sqlite3.Connection, name: str, spatial: bool, srs_id: object, skipped: tuple[str, ...], *,
              limits: ImportLimits, budget: Budget) -> Table:
    label = budget.label
    info = query(con, f"PRAGMA table_info({_quote(name)})", budget=budget, where=M("columns of {table}", table=name))
    geom = None
    if spatial:
        rows = query(con, "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ? LIMIT 1",
                     (name,), budget=budget, where=M("reading {table}", table="gpkg_geometry_columns"))
        geom = str(rows[0][0]) if rows else None
        srs_id = rows[0][1] if rows else srs_id
    # the INTEGER PRIMARY KEY is the feature id (GDAL's FID), not an attribute
    columns = tuple(str(r[1]) for r in info if str(r[1]) != geom
                    and not (str(r[5]) == "1" and str(r[2]).upper() == "INTEGER"))
    if len(columns) > limits.max_columns:
        raise UnsafeFileError(M("{label}: layer {name} has {count:,} columns, over the limit of "
                                "{limit:,}. Export only the columns you need.", label=label, name=name,
                                count=len(columns), limit=limits.max_columns))
    count = int(query(con, f"SELECT COUNT(*) FROM {_quote(name)}", budget=budget, where=M("counting {table}", table=name))[0][0])  # type: ignore[call-overload]
    if count > limits.max_features:
        raise UnsafeFileError(M("{label}: {count:,} features, over the limit of {limit:,}. "
                                "Split the file, or ask an administrator to run the bulk import.", label=label,
                                count=count, limit=limits.max_features))
    crs = _srs(con, srs_id, budget=budget) if geom else None
    return Table(name=name, geometry=geom, crs=crs, columns=columns, rows=count, skipped=skipped)


def _srs(con: sqlite3.Connection, srs_id: object, *, budget: Budget) -> str | None:
    rows = query(con, "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                 "WHERE srs_id = ? LIMIT 1", (srs_id,), budget=budget,
                 where=M("reading {table}", table="gpkg_spatial_ref_sys"))
    if not rows or srs_id in (0, -1):
        return None
    org, code, definition = rows[0]
    if str(org).upper() == "EPSG" and isinstance(code, int) and code > 0:
        return f"EPSG:{code}"
    if not definition or str(definition).strip().lower() == "undefined":
        return None
    try:
        parsed = CRS.from_user_input(str(definition))
    except ProjCRSError:
        return None
    epsg = parsed.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else parsed.to_string()


def batches(con: sqlite3.Connection, table: Table, columns: list[str], *, limits: ImportLimits,
            budget: Budget) -> Iterator[tuple[pa.Table, pa.Array | None, int]]:
    """Yield (attributes, decoded geometry, rows) for ``batch_rows`` rows at a time, in rowid order.

    Text and blob values are cut in SQL to ``max_field_bytes + 1`` so an oversized value costs
    nothing before it is refused; geometry blobs over ``max_vertices`` worth of bytes likewise.

    Raises
    ------
    UnsafeFileError
        At the first value over ``max_field_bytes`` or geometry over the vertex budget.
    """
    cap = limits.max_field_bytes + 1
    picked = [f"CASE WHEN typeof({_quote(c)}) IN ('text', 'blob') THEN substr({_quote(c)}, 1, {cap}) "
              f"ELSE {_quote(c)} END" for c in columns]
    geom_cap = limits.max_vertices * _BYTES_PER_VERTEX
    if table.geometry:
        g = _quote(table.geometry)
        picked += [f"CASE WHEN length({g}) > {geom_cap} THEN NULL ELSE {g} END", f"length({g})"]
    sql = f"SELECT {', '.join(picked) or '1'} FROM {_quote(table.name)}"
    budget.start_query(metadata=False)
    try:
        cursor = con.execute(sql)
        done = 0
        while rows := cursor.fetchmany(limits.batch_rows):
            budget.check(M("row {row:,}", row=done + 1))
            attrs, geoms = _batch(rows, columns, table, done, limits, budget)
            yield attrs, geoms, len(rows)
            done += len(rows)
            budget.start_query(metadata=False)
    except sqlite3.DatabaseError as exc:
        raise _error(budget, exc, M("reading {table}", table=table.name)) from exc


def _batch(rows: list[tuple[object, ...]], columns: list[str], table: Table, done: int, limits: ImportLimits,
           budget: Budget) -> tuple[pa.Table, pa.Array | None]:
    values = list(zip(*rows, strict=True)) if rows else []
    arrays = []
    for i, name in enumerate(columns):
        col = values[i]
        long = next((j for j, v in enumerate(col) if isinstance(v, str | bytes) and len(v) > limits.max_field_bytes),
                    None)
        if long is not None:
            raise UnsafeFileError(M("{label}: feature {feature:,}, column {column}: a value over "
                                    "{limit:,} bytes, over the limit per value. Shorten it at source.",
                                    label=budget.label, feature=done + long + 1, column=name,
                                    limit=limits.max_field_bytes))
        arrays.append(_arrow(col))
    geoms = None
    if table.geometry:
        sizes = values[len(columns) + 1]
        cap = limits.max_vertices * _BYTES_PER_VERTEX
        big = next((j for j, s in enumerate(sizes) if isinstance(s, int) and s > cap), None)
        if big is not None:
            raise UnsafeFileError(M("{label}: feature {feature:,}: a geometry of {size:,} bytes, "
                                    "more than the {limit:,}-vertex limit can need. Simplify it.", label=budget.label,
                                    feature=done + big + 1, size=sizes[big], limit=limits.max_vertices))
        geoms = decode_blobs(values[len(columns)])
    return pa.table(arrays, names=columns), geoms


def _arrow(values: tuple[object, ...]) -> pa.Array:
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # SQLite lets one column mix types
        return pa.array([None if v is None else v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                         for v in values], type=pa.string())


def decode_blobs(blobs: tuple[object, ...] | list[object]) -> pa.Array:
    """Return the WKB inside GeoPackage geometry blobs (null for null, empty or malformed blobs)."""
    wkb: list[bytes | None] = [None] * len(blobs)
    for i, blob in enumerate(blobs):
        if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
            continue
        env = _ENVELOPE_BYTES.get((blob[3] >> 1) & 0x07)
        if env is not None:
            wkb[i] = blob[8 + env:]
    return pa.array(wkb, type=pa.binary())


def _virtual(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE VIRTUAL TABLE")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _error(budget: Budget, exc: sqlite3.DatabaseError, where: str) -> GeoDataError:
    stopped = budget.sqlite_stop(where)
    if stopped is not None:
        return stopped
    text = str(exc)
    if "too many columns" in text:
        return UnsafeFileError(M("{label}: a table has too many columns ({why}), over the limit of "
                                 "{limit:,}. Export only the columns you need.", label=budget.label, why=text,
                                 limit=budget.limits.max_columns))
    return GeoDataError(M("{label}: SQLite cannot read it while {where} ({why}). The file may be damaged "
                          "or not a GeoPackage; export it again.", label=budget.label, where=where, why=text))
