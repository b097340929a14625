"""Conversions between canonical frames and stored values, shared by both backends."""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import duties, schema
from geo.errors import StoreError
from geo.messages import M
from geo.store.ddl_registers import ENTRY_COLUMNS, PACKAGE_COLUMNS
from geo.store.ddl_workflows import ALERT_COLUMNS, EVENT_LINK_COLUMNS, MEASURE_COLUMNS, NOTICE_COLUMNS

#: Smaller layers read from the store faster than a file round trip.
CACHE_MIN_ROWS = 20_000
BUMP_DATA_VERSION = (
    "UPDATE store_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
)


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
    """Refuse a frame without every canonical column of ``layer`` or not in EPSG:4326.

    Raises
    ------
    StoreError
        Naming the missing columns or the wrong CRS.
    """
    missing = [c.name for c in schema.LAYER_COLUMNS[layer] if c.name not in gdf.columns]
    if missing:
        raise StoreError(M("write {layer}: frame lacks canonical columns {missing}; import it through geo.io.",
                           layer=layer, missing=missing))
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise StoreError(M("write {layer}: frame must be in EPSG:4326, got {crs}.", layer=layer, crs=str(gdf.crs)))


def synthetic_flag(frames: dict[str, gpd.GeoDataFrame]) -> bool | None:
    """Return the frames' common ``is_synthetic`` value (``None`` when all are empty).

    Raises
    ------
    StoreError
        When one write mixes synthetic and real rows.
    """
    flags = {bool(v) for gdf in frames.values() if len(gdf) for v in pd.unique(gdf[schema.IS_SYNTHETIC])}
    if len(flags) > 1:
        raise StoreError(M("One write mixes synthetic and real rows; demo and real layers never mix."))
    return flags.pop() if flags else None


def to_series(kind: str, values: Sequence[object]) -> pd.Series:
    """Return stored values of one canonical column as a Series of its canonical dtype."""
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64")) if len(values) else pd.Series([], dtype="Int64")
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
        return list(s.fillna(False).astype(bool).astype(int).tolist())
    if kind == "int":
        arr = pd.array(s, dtype="Int64")
        if arr.isna().any():
            return list(np.asarray(np.where(arr.isna(), None, arr.astype("float64").astype(object))).tolist())
        return list(arr.astype("int64").tolist())
    if kind == "float":
        vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
        nan = np.isnan(vals)
        return list(np.asarray(np.where(nan, None, vals.astype(object))).tolist()) if nan.any() else list(vals.tolist())
    if kind == "datetime":
        ts = pd.to_datetime(s, utc=True)
        return [None if pd.isna(v) else v.isoformat() for v in ts]
    if kind == "date":
        return [iso(v) for v in s]
    text = s.astype("string")
    return list(np.asarray(np.where(text.isna().to_numpy(), None, text.to_numpy(dtype=object, na_value=None))).tolist())


def promote(geoms: np.ndarray, declared: str) -> np.ndarray:
    """Promote Polygons (LineStrings) to single-part MultiPolygons (MultiLineStrings) for multi layers."""
    if declared not in ("MULTIPOLYGON", "MULTILINESTRING"):
        return geoms
    polygons = declared == "MULTIPOLYGON"
    single = shapely.get_type_id(geoms) == (3 if polygons else 1)
    if not single.any():
        return geoms
    out = np.array(geoms, dtype=object)
    make = shapely.multipolygons if polygons else shapely.multilinestrings
    out[single] = make(geoms[single], indices=np.arange(int(single.sum())))
    return out


def iso(value: object) -> str | None:
    """Return a date-like value as ISO text (``None`` for missing values)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)


# --- rows bound to the audit chain: one canonical form on both backends -------------------------
EVIDENCE_COLUMNS = ("evidence_id", "incident_id", "label", "disposition_ref", "filename", "mime", "size_bytes",
                    "sha256", "stored_path", "exif_lat", "exif_lon", "exif_time", "placement_check", "time_check",
                    "derived_from", "derivation", "source", "uploaded_by", "uploaded_at")
REPORT_COLUMNS = ("incident_id", "report_kind", "supervisor_name", "supervisor_badge", "agency", "body_camera",
                  "referral", "routed_site_id", "routed_department", "routed_to", "routed_email",
                  "routed_distance_ft", "status", "version", "created_by", "created_at")
CONTACT_ROW = ("contact_id", "incident_id", "name", "email", "phone", "created_at")
LIAISON_COLUMNS = ("department", "liaison_name", "liaison_email", "is_synthetic", "source", "updated_at")
OVERRIDE_COLUMNS = ("site_id", "tier", "reason", "set_by", "set_at")
LEGAL_HOLD_COLUMNS = ("hold_id", "incident_id", "reason", "placed_by", "placed_at", "released_by", "released_at",
                      "release_reason")
BOUNDARY_SET_COLUMNS = ("set_id", "kind", "name", "vintage", "effective", "features", "sha256", "is_current",
                        "is_synthetic", "source", "imported_at", "imported_by", "made_current_at", "made_current_by")
#: Incident columns added by revision 0006: rows hashed before it lack them (see :func:`pre_0006_incident_row`).
INCIDENT_COLUMNS_0006 = (schema.RELEVANCE, schema.CONDUCT, schema.NEIGHBORHOOD_COUNCIL)
#: The incident fields intake wrote before rows were re-read for hashing (audit entries of that time).
LEGACY_INCIDENT_FIELDS = (schema.INCIDENT_ID, schema.OCCURRED_AT, schema.REPORTED_AT, schema.INCIDENT_TYPE,
                          schema.VERIFICATION, schema.SOURCE_TYPE, schema.DESCRIPTION, schema.LOCATION_TEXT,
                          schema.WARRANT_SHOWN, schema.EVIDENCE_REFS, schema.IS_SYNTHETIC, schema.SOURCE,
                          schema.FETCHED_AT, "lon", "lat")


@dataclass(frozen=True)
class Bound:
    """A table whose rows are bound one by one to the audit chain by the ``row_hash`` of their entries.

    ``key`` is the entry's ``entity_id``; ``order`` names an id column when a key has many rows
    (overrides: every override of a site is kept, bound in insertion order); ``point`` adds the
    stored point's ``lon``/``lat`` (incidents).
    """

    table: str
    key: str
    columns: tuple[str, ...]
    order: str | None = None
    point: bool = False

    def select(self, geom_sql: str = "geom", *, extra: Sequence[str] = (), table: str | None = None) -> str:
        """Return ``SELECT <columns>[, geometry][, extra] FROM <table>`` (add WHERE/ORDER BY to it).

        ``table`` reads the same columns from another table (``status_history`` keeps every
        version of ``site_status``).
        """
        names = [f'"{c}"' for c in self.columns] + ([geom_sql] if self.point else []) + [f'"{c}"' for c in extra]
        return f'SELECT {", ".join(names)} FROM "{table or self.table}"'


BOUND = {b.table: b for b in (
    Bound(schema.SITE_STATUS, schema.SITE_ID, tuple(c.name for c in schema.STATUS_COLUMNS)),
    Bound("risk_overrides", schema.SITE_ID, OVERRIDE_COLUMNS, order="id"),
    Bound(schema.INCIDENTS, schema.INCIDENT_ID, tuple(c.name for c in schema.LAYER_COLUMNS[schema.INCIDENTS]),
          point=True),
    Bound("incident_reports", schema.INCIDENT_ID, REPORT_COLUMNS),
    Bound("reporter_contacts", "contact_id", CONTACT_ROW),
    Bound("evidence", "evidence_id", EVIDENCE_COLUMNS),
    Bound("department_liaisons", "department", LIAISON_COLUMNS),
    Bound(schema.SITE_CONTROL, schema.SITE_ID, tuple(c.name for c in schema.CONTROL_COLUMNS)),
    Bound(schema.SITE_PARTS, schema.PART_ID, tuple(c.name for c in schema.PART_COLUMNS)),
    Bound("boundary_sets", "set_id", BOUNDARY_SET_COLUMNS),
    Bound("alerts", "alert_id", ALERT_COLUMNS),
    Bound("contractor_notices", "notice_id", NOTICE_COLUMNS),
    Bound("board_measures", "measure_id", MEASURE_COLUMNS),
    Bound("incident_events", "incident_id", EVENT_LINK_COLUMNS),
    Bound(duties.SCENE_RECORDS, duties.INCIDENT_ID, tuple(c.name for c in duties.SCENE_COLUMNS)),
    Bound(duties.REFERRALS, duties.REFERRAL_ID, tuple(c.name for c in duties.REFERRAL_COLUMNS)),
    Bound("legal_holds", "hold_id", LEGAL_HOLD_COLUMNS),
    Bound("evidence_packages", "package_id", PACKAGE_COLUMNS),
    Bound("register_entries", "row_id", ENTRY_COLUMNS),
)}


def stored_value(value: object, kind: str | None = None) -> object:
    """Return a value read from either backend in the one form that is hashed.

    Drivers return the same content as different types (SQLite: 1 and ISO text; PostgreSQL:
    ``True`` and ``datetime``), so booleans, times, decimals and bytes are normalised; ``kind``
    (the canonical column kind of a spatial layer) says how a typed layer column reads.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, decimal.Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if kind == "bool" and isinstance(value, int):
        return bool(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime) or (kind == "datetime" and isinstance(value, str)):
        return _utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "float" and isinstance(value, int):
        return float(value)
    return value


def _utc_text(value: dt.datetime | str) -> str:
    """Return a time as ISO-8601 UTC (text that is not a time stays as it is)."""
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        when = value
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat()


def canonical_row(bound: Bound, values: Sequence[object],
                  decode: Callable[[list[Any]], np.ndarray] | None = None) -> dict[str, object]:
    """Return one stored row (as selected by :meth:`Bound.select`) as the dict whose digest binds it."""
    kinds = {c.name: c.kind for c in schema.LAYER_COLUMNS.get(bound.table, ())}
    row = {c: stored_value(v, kinds.get(c)) for c, v in zip(bound.columns, values, strict=False)}
    if bound.point:
        geom = decode([values[len(bound.columns)]])[0] if decode is not None else None
        row["lon"], row["lat"] = (None, None) if geom is None or shapely.is_empty(geom) else (geom.x, geom.y)
    return row


def pre_0006_incident_row(row: dict[str, object]) -> dict[str, object]:
    """Return an incident row as hashed before revision 0006, when its new columns hold what 0006 gave it.

    Revision 0006 added relevance (``enforcement`` for intake reports), conduct and the
    neighbourhood council (empty) to rows already bound to the chain; such a row still matches
    its entry without them. Any other value in those columns keeps them, so a change is detected.
    """
    untouched = (row.get(schema.RELEVANCE) == schema.ENFORCEMENT and row.get(schema.CONDUCT) is None
                 and row.get(schema.NEIGHBORHOOD_COUNCIL) is None)
    return {k: v for k, v in row.items() if k not in INCIDENT_COLUMNS_0006} if untouched else row


def legacy_incident_row(row: dict[str, object]) -> dict[str, object]:
    """Return the fields an intake audit entry hashed before rows were re-read after insert."""
    return {k: row.get(k) for k in LEGACY_INCIDENT_FIELDS}


def read_bound(con: Any, bound: Bound, key: object, *, row_id: object = None, geom_sql: str = "geom",
               decode: Callable[[list[Any]], np.ndarray] | None = None) -> dict[str, object] | None:
    """Re-read one row as stored (inside the writing transaction) in its canonical form.

    The digest recorded in the audit entry is computed from this, so the verifier, which
    reads the same way, gets the same digest on either backend. ``row_id`` picks one row of
    a table with many rows per key (``bound.order``).
    """
    where, params = (f'"{bound.order}" = ?', (row_id,)) if row_id is not None else (f'"{bound.key}" = ?', (key,))
    found = con.execute(f"{bound.select(geom_sql)} WHERE {where}", params).fetchone()
    return None if found is None else canonical_row(bound, tuple(found), decode)


def geometry_digest(keys: Sequence[object], geoms: np.ndarray) -> tuple[int, str]:
    """Return (rows, SHA-256 over ``(key, WKB)`` of every row sorted by key); a repeated key keeps its last row.

    The same content gives the same digest whether taken from a frame before it is written
    or from the layer read back (keys as text, 2-D ISO WKB, little-endian).
    """
    text = pd.Series([str(k) for k in keys], dtype=object)
    last = text[~text.duplicated(keep="last").to_numpy()].sort_values(kind="stable")
    order = last.index.to_numpy()
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object)[order], output_dimension=2, byte_order=1, flavor="iso")
    h = hashlib.sha256()
    digest_update(h, last.to_numpy(), wkb)
    return len(order), h.hexdigest()


def digest_update(h: Any, keys: Sequence[str], wkb: Sequence[bytes | None]) -> None:
    """Add rows (key text, 2-D ISO WKB) in key order to a :func:`geometry_digest` hash, batch by batch."""
    for key, blob in zip(keys, wkb, strict=True):
        k = key.encode("utf-8")
        w = b"" if blob is None else bytes(blob)
        h.update(len(k).to_bytes(4, "big") + k + len(w).to_bytes(8, "big") + w)


def frame_digest(layer: str, gdf: gpd.GeoDataFrame) -> dict[str, object]:
    """Return ``{"rows": n, "sha256": ...}`` of the keys and geometry of a frame about to be written.

    Keys are taken as the driver will store them and polygons promoted as stored, so after a
    ``replace`` this equals :func:`geometry_digest` of the live layer.
    """
    key = schema.LAYER_KEYS[layer]
    kind = next(c.kind for c in schema.LAYER_COLUMNS[layer] if c.name == key)
    keys = to_sql_values(kind, gdf[key])
    geoms = promote(np.asarray(gdf.geometry.values, dtype=object), schema.LAYER_GEOMETRY[layer])
    rows, digest = geometry_digest(keys, geoms)
    return {"rows": rows, "sha256": digest}
