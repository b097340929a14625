"""The content digest of a staged import, computed on Arrow columns read from its scratch file.

:func:`geo.store.values.geometry_digest` hashes, for every row in key order, the key's length (4
bytes, big-endian), the key (UTF-8), the geometry's 2-D ISO WKB length (8 bytes) and the WKB.
SHA-256 is a stream, so hashing one batch's records laid end to end equals hashing them one by
one: here each batch of rows becomes one buffer built by Arrow kernels, not a Python loop. Only
each key's last staged row counts (the copy's upsert keeps it). A blob this process did not write
as plain 2-D ISO WKB behind our GeoPackage header is decoded and encoded again, as
:func:`geo.store.gpkg.gpkg_digest_wkb` does.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo import schema
from geo.store.gpkg import GPKG_HEADER, gpkg_digest_wkb

#: Rows per Arrow batch read from the scratch file.
BATCH_ROWS = 50_000
#: The digest of no rows.
EMPTY_DIGEST: dict[str, object] = {"rows": 0, "sha256": hashlib.sha256().hexdigest()}


def staged_digest(path: Path, layer: str) -> dict[str, object]:
    """Return ``{"rows": n, "sha256": ...}`` over each key's last row staged for ``layer`` in ``path``."""
    import adbc_driver_sqlite.dbapi as adbc

    key = schema.LAYER_KEYS[layer]
    kind = next(c.kind for c in schema.LAYER_COLUMNS[layer] if c.name == key)
    k = f'"{key}"' if kind == "text" else f'CAST("{key}" AS TEXT)'
    h, n = hashlib.sha256(), 0
    carried: pa.RecordBatch | None = None
    with adbc.connect(str(path)) as con, con.cursor() as cur:
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cur.execute(f'SELECT {k} AS k, geom FROM "{layer}" ORDER BY k, rowid')  # binary order: Python's sorted
        for batch in cur.fetch_record_batch():
            rows = batch if carried is None else pa.concat_batches([carried, batch])
            if not rows.num_rows:
                continue
            done, keep = rows.slice(0, rows.num_rows - 1), pa.array(_last_of_runs(rows.column(0)))
            n += hash_records(h, done.column(0).filter(keep), done.column(1).filter(keep))
            carried = rows.slice(rows.num_rows - 1)  # the next batch may hold later rows of its key
    if carried is not None:
        n += hash_records(h, carried.column(0), carried.column(1))
    return {"rows": n, "sha256": h.hexdigest()}


def _last_of_runs(keys: pa.Array) -> np.ndarray:
    """Return, for every row of sorted ``keys`` but the last, whether the next row has another key."""
    return np.asarray(pc.not_equal(keys.slice(0, len(keys) - 1), keys.slice(1)).to_numpy(zero_copy_only=False),
                      dtype=bool)


def hash_records(h: Any, keys: pa.Array, blobs: pa.Array) -> int:
    """Add (key, 2-D ISO WKB) records of rows in key order to ``h`` as one buffer; return how many."""
    if not len(keys):
        return 0
    wkb = digest_wkb(blobs)
    key_bytes = keys.cast(pa.binary())
    k_len = _big_endian(np.asarray(pc.binary_length(key_bytes).to_numpy(zero_copy_only=False)), 4)
    w_len = _big_endian(np.asarray(pc.binary_length(wkb).fill_null(0).to_numpy(zero_copy_only=False)), 8)
    records = pc.binary_join_element_wise(k_len, key_bytes, w_len, wkb.fill_null(b""), b"")
    offsets = np.frombuffer(records.buffers()[1], dtype=np.int32, count=len(records) + 1, offset=4 * records.offset)
    data = records.buffers()[2]
    assert data is not None
    h.update(memoryview(data)[int(offsets[0]):int(offsets[-1])])
    return len(keys)


def digest_wkb(blobs: pa.Array) -> pa.Array:
    """Return the 2-D ISO little-endian WKB of GeoPackage blobs (null stays null), vectorised."""
    blobs = blobs.cast(pa.binary())

    def part(start: int, stop: int) -> pa.Array:
        return pc.binary_slice(blobs, start, stop)

    ours = pc.and_kleene(pc.greater_equal(pc.binary_length(blobs), 13), pc.equal(part(0, 8), _scalar(GPKG_HEADER)))
    ours = pc.and_kleene(ours, pc.equal(part(8, 9), _scalar(b"\x01")))  # little-endian WKB
    ours = pc.and_kleene(ours, pc.is_in(part(9, 10), value_set=pa.array([bytes([t]) for t in range(1, 8)])))
    ours = pc.fill_null(pc.and_kleene(ours, pc.equal(part(10, 13), _scalar(b"\0\0\0"))), False)  # 2-D ISO type
    longest = pc.max(pc.binary_length(blobs)).as_py() or 0  # binary_slice without a stop overflows its sizing
    out = pc.binary_slice(blobs, 8, max(int(longest), 8))
    other = np.flatnonzero(~np.asarray(ours.to_numpy(zero_copy_only=False), dtype=bool)
                           & np.asarray(blobs.is_valid().to_numpy(zero_copy_only=False), dtype=bool))
    if not len(other):
        return out
    values = out.to_pylist()
    for i, w in zip(other, gpkg_digest_wkb(blobs.take(pa.array(other)).to_pylist()), strict=True):
        values[i] = w
    return pa.array(values, type=pa.binary())


def _scalar(value: bytes) -> pa.Scalar:
    return pa.scalar(value, type=pa.binary())


def _big_endian(values: np.ndarray, width: int) -> pa.Array:
    """Return unsigned integers as ``width``-byte big-endian binary values."""
    raw = np.asarray(values, dtype=f">u{width}").tobytes()
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(values), [None, pa.py_buffer(raw)])
    return fixed.cast(pa.binary())
