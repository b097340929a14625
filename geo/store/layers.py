"""Reading and writing the spatial layers: snapshots of big layers, atomic multi-layer writes."""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from geo import schema
from geo.errors import StoreError
from geo.messages import M
from geo.records import ImportRecord, WriteResult
from geo.store.audit import append_audit
from geo.store.batchbook import BatchBook, start_written
from geo.store.control import CONTROL, carried_control, insert_rows
from geo.store.core import StoreCore
from geo.store.snapshot import SLICE_ROWS, decode_rows, layer_counts, read_snapshot, write_snapshot
from geo.store.status import carried_status, drop_status, seed_status
from geo.store.values import (
    BUMP_DATA_VERSION,
    CACHE_MIN_ROWS,
    check_frame,
    digest_update,
    frame_digest,
    now_seconds,
    synthetic_flag,
    to_sql_values,
    write_cache,
)

#: Rows read back at a time for the digest of a streamed import.
DIGEST_CHUNK = 50_000


class LayerStore(StoreCore):
    """The canonical spatial layers (parcels, sites, incidents, districts, parks, LAPD areas)."""

    def read_layer(self, layer: str, *, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """Return ``layer`` as a GeoDataFrame in EPSG:4326 with canonical column types.

        Big layers are served from a GeoParquet snapshot keyed by the data version (see
        :meth:`cache_dir`); the version and the rows are read in one snapshot transaction, so
        a cached file always holds exactly the rows of its version.

        Raises
        ------
        StoreError
            When ``columns`` names a column the layer does not have.
        """
        spec = {c.name: c for c in schema.LAYER_COLUMNS[layer]}
        names = list(columns) if columns is not None else list(spec)
        unknown = [n for n in names if n not in spec]
        if unknown:
            raise StoreError(M("read_layer({layer}): unknown columns {unknown}; known: {known}", layer=repr(layer),
                               unknown=unknown, known=sorted(spec)))
        with self.read() as con:
            version = int(con.execute("SELECT value FROM store_meta WHERE key = 'data_version'").fetchone()[0])
            cached = self._cached_path(layer, version)
            if cached is not None and cached.exists():
                out = read_snapshot(cached, spec, names)
                if out is not None:
                    return out
                cached.unlink(missing_ok=True)  # a damaged cache file is rebuilt from the store
            if cached is not None and self._build_snapshot(con, layer, cached):
                out = read_snapshot(cached, spec, names)
                if out is not None:
                    return out
            sel = ", ".join(f'"{n}"' for n in spec)
            rows = con.execute(f'SELECT {sel}, {self._geom_sql()} FROM "{layer}" ORDER BY fid').fetchall()
        gdf = decode_rows(rows, list(spec.values()), self._decode_geoms)
        del rows
        if cached is not None and len(gdf) >= CACHE_MIN_ROWS:
            write_cache(gdf, cached)
        return gdf[[*names, "geometry"]] if columns is not None else gdf

    def _build_snapshot(self, con: Any, layer: str, path: Path) -> bool:
        """Write ``layer``'s snapshot slice by slice from ``con`` (see :mod:`geo.store.snapshot`); ``False`` if not.

        Layers under :data:`CACHE_MIN_ROWS` rows are not snapshotted; a folder that cannot be
        written, or rows that do not fit the snapshot's types, leave the whole-frame read to the caller.
        """
        spec = schema.LAYER_COLUMNS[layer]
        rows, present = layer_counts(con, layer, spec)
        if rows < CACHE_MIN_ROWS:
            return False
        sel = ", ".join(f'"{c.name}"' for c in spec)
        slices = self._row_batches(con, f'SELECT {sel}, {self._geom_sql()} FROM "{layer}" ORDER BY fid', SLICE_ROWS)
        try:
            write_snapshot(path, slices, spec, self._decode_geoms, rows=rows, present=present)
        except (OSError, pa.ArrowInvalid, pa.ArrowTypeError):
            return False
        return True

    def _cached_path(self, layer: str, version: int) -> Path | None:
        folder = self.cache_dir()
        if folder is None:
            return None
        return folder / f"{layer}-v{version}-r{self.schema_revision()}.parquet"

    def write_layers(
        self,
        frames: dict[str, gpd.GeoDataFrame],
        *,
        mode: str = "upsert",
        record: ImportRecord | None = None,
        status: pd.DataFrame | None = None,
        delete: dict[str, Sequence[str]] | None = None,
        user: str | None = None,
        role: str = "admin",
        os_user: str | None = None,
    ) -> dict[str, WriteResult]:
        """Write validated canonical frames in one transaction.

        ``mode='upsert'`` inserts new keys and updates existing ones; ``'replace'`` empties
        each layer first. ``delete`` removes rows by key first, in the same transaction; a
        deleted site's status is carried over to the new site that covers its AINs, and its
        status row is removed (its history stays, a ``status.delete`` entry records it). New
        sites get a ``site_status`` row (version 1, one ``status.seed`` entry with its hash)
        unless ``status`` supplies one. The import's entry carries, per layer, a digest of the
        keys and geometry written (:func:`geo.store.values.frame_digest`), computed before the
        write transaction; after a replace it is the digest of the live layer, which
        ``verify_state`` checks.

        Raises
        ------
        StoreError
            When the write's ``is_synthetic`` differs from the store's (demo and real data
            never mix) or a frame is not canonical; nothing is changed.
        ValueError
            When ``mode`` is unknown.
        """
        if mode not in ("upsert", "replace"):
            raise ValueError(f"mode must be 'upsert' or 'replace', got {mode!r}")
        incoming = synthetic_flag(frames)
        results: dict[str, WriteResult] = {}
        actor = record.user if record and record.user else user or "system"
        source = "bulk_import" if record else "system"
        digests: dict[str, dict[str, object]] = {}
        for layer, gdf in frames.items():  # outside the write lock: seconds for 800k parcels
            check_frame(layer, gdf)
            digests[layer] = frame_digest(layer, gdf)
        with self._staged_frames(frames) as staged, self._write_staged(staged) as con:
            self._refuse_mixing(con, incoming)
            determinations: list[dict[str, object]] = []
            for layer, keys in (delete or {}).items():
                ids = [str(k) for k in keys]
                if layer == schema.SITES and ids:
                    determinations = carried_control(con, ids, frames.get(schema.SITES))
                    carried = carried_status(con, ids, frames.get(schema.SITES))
                    status = carried if status is None else pd.concat([status, carried], ignore_index=True)
                    drop_status(con, ids, actor=actor, role=role, source=source, os_user=os_user)
                con.executemany(f'DELETE FROM "{layer}" WHERE "{schema.LAYER_KEYS[layer]}" = ?', [(k,) for k in ids])
            for layer, gdf in frames.items():
                results[layer] = self._write_frame(con, layer, gdf, mode=mode, staged=staged)
            if schema.SITES in frames:
                seed_status(con, frames[schema.SITES], status, user=record.user if record else None,
                            actor=actor, role=role, source=source, os_user=os_user)
            if determinations:  # an asset list replacing derived sites keeps their A.1 determinations
                insert_rows(con, CONTROL, determinations, action="control.carry", user=actor, role=role,
                            source=source, os_user=os_user)
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
                con, actor=actor, role=role, action=f"import.{mode}", entity=",".join(frames), entity_id=None,
                old=None if not delete else {"deleted": {k: [str(v) for v in keys] for k, keys in delete.items()}},
                new={"layers": {k: {"inserted": v.inserted, "updated": v.updated} for k, v in results.items()},
                     "source": record.source if record else "synthetic sample",
                     "sha256": record.sha256 if record else None, "digests": digests},
                source=source, os_user=os_user,
            )
            con.execute(BUMP_DATA_VERSION)
        return results

    def write_layer_batches(self, batches: Iterable[dict[str, gpd.GeoDataFrame]], *,
                            record: Callable[[], ImportRecord], user: str | None = None,
                            role: str = "admin", os_user: str | None = None) -> dict[str, WriteResult]:
        """Upsert canonical frames batch by batch as ``batches`` yields them, all in one transaction.

        The result is what :meth:`write_layers` stores for the concatenated frames (``mode='upsert'``,
        no deletes): the same rows, status seeds, log row and audit entry, whose per-layer digests
        are taken at the end from the rows written, read back in key order
        (:func:`geo.store.values.geometry_digest`), so no layer is ever whole in memory. ``record``
        is called once every batch is written (``user`` is its user). Any exception while a batch is made or written
        (a refused file, a cancel, a full disk) rolls the whole import back.

        Raises
        ------
        StoreError
            As :meth:`write_layers`: mixing demo and real data, a frame not canonical, a store
            that cannot take the write; nothing is changed.
        """
        book = BatchBook()
        with self.write() as con:
            for frames in batches:
                first, new = book.check(frames)
                if first:
                    self._refuse_mixing(con, book.incoming)
                for layer in new:
                    start_written(con, layer)
                for layer, gdf in frames.items():
                    book.add(self._write_layer(con, layer, gdf, mode="upsert"))
                    key = schema.LAYER_KEYS[layer]
                    kind = next(c.kind for c in schema.LAYER_COLUMNS[layer] if c.name == key)
                    keys = to_sql_values(kind, gdf[key])
                    con.executemany(f'INSERT INTO "written_{layer}" (k) VALUES (?) ON CONFLICT DO NOTHING',
                                    zip(keys if kind == "text" else [str(k) for k in keys]))
                if schema.SITES in frames:
                    seed_status(con, frames[schema.SITES], None, user=user, actor=user or "system",
                                role=role, source="bulk_import", os_user=os_user)
            self._finish_batches(con, book, record, role=role, os_user=os_user)
        return book.results

    def _staged_frames(self, frames: dict[str, gpd.GeoDataFrame]) -> contextlib.AbstractContextManager[Any]:
        """Return a context staging big frames outside the write lock (a SQLite store); here: none (``None``)."""
        return contextlib.nullcontext(None)

    def _write_staged(self, staged: Any) -> contextlib.AbstractContextManager[Any]:
        """Return the write transaction for a write whose frames ``staged`` holds (here: :meth:`write`)."""
        return self.write()

    def _write_frame(self, con: Any, layer: str, gdf: gpd.GeoDataFrame, *, mode: str, staged: Any) -> WriteResult:
        """Write one frame of :meth:`write_layers` (here: the backend's bulk writer)."""
        return self._write_layer(con, layer, gdf, mode=mode)

    def _finish_batches(self, con: Any, book: BatchBook, record: Callable[[], ImportRecord], *, role: str,
                        os_user: str | None, digests: dict[str, dict[str, object]] | None = None) -> None:
        """Close a streamed import in its transaction: extents, digests of the rows written, log row, audit entry.

        ``digests``: taken already (a staged import's, from its scratch file); else read back here.
        """
        for layer in book.results:
            self._set_extent(con, layer, book.bounds(layer))
        if digests is None:
            digests = {layer: self._written_digest(con, layer) for layer in book.results}
        self._log_import(con, record(), book.incoming, book.results, digests, role=role, os_user=os_user)

    def _written_digest(self, con: Any, layer: str) -> dict[str, object]:
        """Return :func:`frame_digest` of the rows this transaction wrote to ``layer``, read back in key order."""
        key = schema.LAYER_KEYS[layer]
        sql = (f'SELECT k, {self._geom_sql()} FROM (SELECT w.k AS k, l.geom AS geom FROM "written_{layer}" w '
               f'JOIN "{layer}" l ON l."{key}" = w.k) q ORDER BY {self._sorted_text("k")}')
        h, n = hashlib.sha256(), 0
        for rows in self._row_batches(con, sql, DIGEST_CHUNK):
            keys, blobs = zip(*rows, strict=True)
            digest_update(h, [str(k) for k in keys], self._digest_wkb(list(blobs)))
            n += len(rows)
        con.execute(f'DROP TABLE "written_{layer}"')
        return {"rows": n, "sha256": h.hexdigest()}

    def _log_import(self, con: Any, record: ImportRecord, incoming: bool | None, results: dict[str, WriteResult],
                    digests: dict[str, dict[str, object]], *, role: str, os_user: str | None) -> None:
        """Write the import's log row and audit entry (as :meth:`write_layers` does for an upsert)."""
        if incoming is not None:
            con.execute("INSERT INTO store_meta (key, value) VALUES ('is_synthetic', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("1" if incoming else "0",))
        con.execute("INSERT INTO import_log (kind, source, sha256, n_read, n_accepted, n_repaired, "
                    "n_rejected, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?)",
                    (record.kind, record.source, record.sha256, record.n_read, record.n_accepted,
                     record.n_repaired, record.n_rejected, now_seconds(), record.user))
        append_audit(con, actor=record.user or "system", role=role, action="import.upsert", entity=",".join(results),
                     entity_id=None, old=None,
                     new={"layers": {k: {"inserted": v.inserted, "updated": v.updated} for k, v in results.items()},
                          "source": record.source, "sha256": record.sha256, "digests": digests},
                     source="bulk_import", os_user=os_user)
        con.execute(BUMP_DATA_VERSION)

    def _refuse_mixing(self, con: object, incoming: bool | None) -> None:
        execute = con.execute  # type: ignore[attr-defined]
        current = execute("SELECT value FROM store_meta WHERE key = 'is_synthetic'").fetchone()
        has_data = any(execute(f'SELECT 1 FROM "{lay}" LIMIT 1').fetchone() for lay in schema.SPATIAL_LAYERS)
        if current is not None and has_data and incoming is not None and (current[0] == "1") != incoming:
            if current[0] == "1":
                raise StoreError(M("Store {store} holds the synthetic sample; this file is real data. Demo and real "
                                   "layers never mix: import into another store (--store data/real.gpkg or "
                                   "STAGEMAP_STORE).", store=self.display_url))
            raise StoreError(M("Store {store} holds real City data; this file is synthetic. Demo and real layers "
                               "never mix: import into another store (--store data/real.gpkg or STAGEMAP_STORE).",
                               store=self.display_url))

    def delete_rows(self, layer: str, keys: Sequence[str], *, user: str = "system", role: str = "admin",
                    os_user: str | None = None) -> int:
        """Delete rows of ``layer`` by primary key in one audited transaction; return how many."""
        key = schema.LAYER_KEYS[layer]
        with self.write() as con:
            n = int(con.executemany(f'DELETE FROM "{layer}" WHERE "{key}" = ?', [(k,) for k in keys]).rowcount)
            append_audit(con, actor=user, role=role, action="layer.delete", entity=layer, entity_id=None,
                         old={"keys": [str(k) for k in keys]}, new={"deleted": n}, source="system", os_user=os_user)
            con.execute(BUMP_DATA_VERSION)
        return n
