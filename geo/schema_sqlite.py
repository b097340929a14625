"""SQLite/GeoPackage DDL of the store, run by the Alembic revisions in geo/migrations."""
from __future__ import annotations

from typing import Any

from geo import schema as S
from geo.gpkg import init_gpkg, register_layer
from geo.store_status import AUDIT_DDL, AUDIT_GUARDS, HISTORY_DDL

SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER",
             "datetime": "TEXT", "date": "TEXT"}


def column_ddl(cols: tuple[S.Column, ...]) -> str:
    """Return the column list of a CREATE TABLE for canonical columns."""
    return ", ".join(f'"{c.name}" {SQL_TYPES[c.kind]}{"" if c.nullable else " NOT NULL"}' for c in cols)


def upgrade_0001(con: Any) -> None:
    """Create the GeoPackage core, the spatial layers, status, history, overrides and audit tables."""
    init_gpkg(con)
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT)")
    register_layer(con, "store_meta", geometry_type=None)
    for layer in S.SPATIAL_LAYERS:
        con.execute(
            f'CREATE TABLE IF NOT EXISTS "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
            f'{column_ddl(S.LAYER_COLUMNS[layer])}, geom BLOB NOT NULL, UNIQUE ("{S.LAYER_KEYS[layer]}"))'
        )
        register_layer(con, layer, geometry_type=S.LAYER_GEOMETRY[layer])
    con.execute(f"CREATE TABLE IF NOT EXISTS site_status ({column_ddl(S.STATUS_COLUMNS)}, PRIMARY KEY (site_id))")
    register_layer(con, "site_status", geometry_type=None)
    con.execute(
        "CREATE TABLE IF NOT EXISTS import_log (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "kind TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT, n_read INTEGER, "
        "n_accepted INTEGER, n_repaired INTEGER, n_rejected INTEGER, "
        "imported_at TEXT NOT NULL, imported_by TEXT)"
    )
    register_layer(con, "import_log", geometry_type=None)
    con.execute(
        "CREATE TABLE IF NOT EXISTS risk_overrides (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "site_id TEXT NOT NULL, tier TEXT NOT NULL CHECK (tier IN ('high','medium','low')), "
        "reason TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL)"
    )
    register_layer(con, "risk_overrides", geometry_type=None)
    con.execute(HISTORY_DDL)
    register_layer(con, "status_history", geometry_type=None)
    con.execute(AUDIT_DDL)
    for guard in AUDIT_GUARDS:
        con.execute(guard)
    register_layer(con, "audit_log", geometry_type=None)
    con.execute("INSERT OR IGNORE INTO store_meta VALUES ('data_version', '0')")
