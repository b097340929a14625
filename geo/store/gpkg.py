"""GeoPackage geometry blobs and metadata tables, written without GDAL.

The embedded store is a plain SQLite file that is also a valid OGC GeoPackage (1.3), so
QGIS or ``pyogrio`` can open its layers read-only, while StageMap keeps full control of
transactions (``BEGIN IMMEDIATE``) through :mod:`sqlite3`.
"""
from __future__ import annotations

import sqlite3
import struct

import numpy as np
import shapely

GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10300
SRS_4326 = 4326
# Envelope sizes in bytes by the header's envelope code (GeoPackage 1.3, 2.1.3.1.1).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HEADER = b"GP\x00\x01" + struct.pack("<i", SRS_4326)  # version 0, flags: little-endian, no envelope
#: The header :func:`to_gpkg_blobs` puts before the WKB (its digest is taken after it).
GPKG_HEADER = _HEADER

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4326"]]'
)

CORE_DDL = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
  max_y DOUBLE, srs_id INTEGER);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
"""


def init_gpkg(con: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables and the EPSG:4326 entry, if missing."""
    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for statement in CORE_DDL.split(";"):
        if statement.strip():
            con.execute(statement)
    rows = [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
        ("WGS 84 geodetic", SRS_4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude"),
    ]
    con.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", rows)


def register_layer(con: sqlite3.Connection, table: str, *, geometry_type: str | None) -> None:
    """Register ``table`` in ``gpkg_contents`` (and its geometry column when spatial)."""
    data_type = "features" if geometry_type else "attributes"
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
        "VALUES (?, ?, ?, ?)",
        (table, data_type, table, SRS_4326 if geometry_type else None),
    )
    if geometry_type:
        con.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (table, geometry_type, SRS_4326),
        )


def touch_layer(con: sqlite3.Connection, table: str, bounds: tuple[float, ...] | None) -> None:
    """Record the layer's change time and extent in ``gpkg_contents``."""
    ext = bounds if bounds is not None and np.all(np.isfinite(bounds)) else (None,) * 4
    con.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
        "min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
        (*[None if v is None else float(v) for v in ext], table),
    )


def to_gpkg_blobs(geoms: np.ndarray) -> list[bytes]:
    """Encode shapely geometries as GeoPackage binary blobs (EPSG:4326, no envelope)."""
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    return [_HEADER + w for w in wkb]


def gpkg_digest_wkb(blobs: list[bytes | None]) -> list[bytes | None]:
    """Return the 2-D ISO little-endian WKB of GeoPackage blobs, as a content digest hashes it.

    A blob :func:`to_gpkg_blobs` wrote for a 2-D geometry (our header, a little-endian ISO type
    code 1-7) already holds that WKB after its 8-byte header: GEOS writes the WKB it reads back
    byte for byte, so it is taken as it is. Any other blob (an envelope, Z or M, another writer)
    is decoded and encoded again.
    """
    out: list[bytes | None] = [None] * len(blobs)
    other: list[int] = []
    again: list[bytes] = []
    for i, b in enumerate(blobs):
        if b is None:
            continue
        if b[:8] == _HEADER and len(b) >= 13 and b[8] == 1 and 1 <= b[9] <= 7 and b[10:13] == b"\0\0\0":
            out[i] = b[8:]
        else:
            other.append(i)
            again.append(b)
    if other:
        wkb = shapely.to_wkb(from_gpkg_blobs(again), output_dimension=2, byte_order=1, flavor="iso")
        for i, w in zip(other, wkb, strict=True):
            out[i] = w
    return out


def from_gpkg_blobs(blobs: list[bytes]) -> np.ndarray:
    """Decode GeoPackage binary blobs (any envelope) into a shapely geometry array."""
    wkb = []
    for b in blobs:
        if b is None:
            wkb.append(None)
            continue
        flags = b[3]
        wkb.append(b[8 + _ENVELOPE_BYTES[(flags >> 1) & 0x07]:])
    return np.asarray(shapely.from_wkb(np.array(wkb, dtype=object)))
