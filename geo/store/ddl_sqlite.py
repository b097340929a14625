"""SQLite/GeoPackage DDL of the store, run by the Alembic revisions in geo/migrations."""
from __future__ import annotations

from typing import Any

from geo import duties, schema
from geo.store.gpkg import init_gpkg, register_layer

HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS status_history (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "site_id TEXT NOT NULL, version INTEGER NOT NULL, sign_status TEXT, sign_posted_on TEXT, "
    "gate_status TEXT, last_inspected TEXT, sign_text_version TEXT, sign_language TEXT, note TEXT, "
    "updated_by TEXT, updated_at TEXT, role TEXT, source TEXT, UNIQUE (site_id, version))"
)
AUDIT_DDL = (
    "CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, "
    "actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, "
    "entity_id TEXT, old TEXT, new TEXT, source TEXT NOT NULL, prev_hash TEXT NOT NULL, "
    "entry_hash TEXT NOT NULL)"
)
AUDIT_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)

SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER",
             "datetime": "TEXT", "date": "TEXT"}


def column_ddl(cols: tuple[schema.Column, ...]) -> str:
    """Return the column list of a CREATE TABLE for canonical columns."""
    return ", ".join(f'"{c.name}" {SQL_TYPES[c.kind]}{"" if c.nullable else " NOT NULL"}' for c in cols)


def upgrade_0001(con: Any) -> None:
    """Create the GeoPackage core, the spatial layers, status, history, overrides and audit tables."""
    init_gpkg(con)
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT)")
    register_layer(con, "store_meta", geometry_type=None)
    for layer in schema.SPATIAL_LAYERS:
        con.execute(
            f'CREATE TABLE IF NOT EXISTS "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
            f'{column_ddl(schema.LAYER_COLUMNS[layer])}, geom BLOB NOT NULL, UNIQUE ("{schema.LAYER_KEYS[layer]}"))'
        )
        register_layer(con, layer, geometry_type=schema.LAYER_GEOMETRY[layer])
    con.execute(f"CREATE TABLE IF NOT EXISTS site_status ({column_ddl(schema.STATUS_COLUMNS)}, PRIMARY KEY (site_id))")
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


#: Incident-intake tables (revision 0002) in portable SQL; ``{float}`` is REAL (GeoPackage) or DOUBLE PRECISION.
INTAKE_DDL = (
    "CREATE TABLE IF NOT EXISTS incident_reports (incident_id TEXT PRIMARY KEY, "
    "report_kind TEXT NOT NULL CHECK (report_kind IN ('contractor_report','officer_report','staff','public')), "
    "supervisor_name TEXT, supervisor_badge TEXT, agency TEXT, "
    "body_camera TEXT NOT NULL DEFAULT 'unknown' CHECK (body_camera IN ('yes','no','unknown')), "
    "referral TEXT NOT NULL DEFAULT 'none' CHECK (referral IN ('none','attorney_general','district_attorney')), "
    "routed_site_id TEXT, routed_department TEXT, routed_to TEXT, routed_email TEXT, routed_distance_ft "
    "{float}, status TEXT NOT NULL DEFAULT 'new', version INTEGER NOT NULL DEFAULT 1, "
    "created_by TEXT NOT NULL, created_at TEXT NOT NULL, "
    "CHECK ((supervisor_name IS NULL AND supervisor_badge IS NULL) OR "
    "(supervisor_name IS NOT NULL AND supervisor_badge IS NOT NULL)))",
    "CREATE INDEX IF NOT EXISTS incident_reports_department ON incident_reports (routed_department)",
    "CREATE TABLE IF NOT EXISTS reporter_contacts (contact_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, "
    "name TEXT, email TEXT, phone TEXT, created_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS reporter_contacts_incident ON reporter_contacts (incident_id)",
    "CREATE TABLE IF NOT EXISTS evidence (evidence_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, "
    "label TEXT, disposition_ref TEXT, filename TEXT, mime TEXT NOT NULL, size_bytes INTEGER NOT NULL, "
    "sha256 TEXT NOT NULL CHECK (length(sha256) = 64), stored_path TEXT NOT NULL, "
    "exif_lat {float}, exif_lon {float}, exif_time TEXT, placement_check TEXT, "
    "time_check TEXT, derived_from TEXT, derivation TEXT, source TEXT NOT NULL, "
    "uploaded_by TEXT NOT NULL, uploaded_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS evidence_incident ON evidence (incident_id)",
    "CREATE INDEX IF NOT EXISTS evidence_sha256 ON evidence (sha256)",
    "CREATE TABLE IF NOT EXISTS department_liaisons (department TEXT PRIMARY KEY, liaison_name TEXT NOT NULL, "
    "liaison_email TEXT, is_synthetic INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL, updated_at TEXT NOT NULL)",
)


def intake_ddl(float_type: str) -> list[str]:
    """Return the intake DDL with ``float_type`` (8-byte float) filled in."""
    return [s.replace("{float}", float_type) for s in INTAKE_DDL]


#: Evidence rows are custody records: never updated or deleted (R7, E3).
EVIDENCE_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS evidence_no_update BEFORE UPDATE ON evidence "
    "BEGIN SELECT RAISE(ABORT, 'evidence rows are write-once'); END",
    "CREATE TRIGGER IF NOT EXISTS evidence_no_delete BEFORE DELETE ON evidence "
    "BEGIN SELECT RAISE(ABORT, 'evidence rows are write-once'); END",
)


def upgrade_0002(con: Any) -> None:
    """Create incident intake tables: reports, reporter contacts (kept apart), evidence, liaisons."""
    for statement in intake_ddl("REAL"):
        con.execute(statement)
    for guard in EVIDENCE_GUARDS:
        con.execute(guard)
    for table in ("incident_reports", "reporter_contacts", "evidence", "department_liaisons"):
        register_layer(con, table, geometry_type=None)


def upgrade_0003(con: Any) -> None:
    """Add the CLI's operating-system user and the changed row's hash to every audit entry."""
    for column in ("os_user", "row_hash"):
        con.execute(f"ALTER TABLE audit_log ADD COLUMN {column} TEXT")


#: The publication log (revision 0004): each public table is published once; its content and hash are kept.
PUBLICATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS publications (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
    "period TEXT NOT NULL, published_at TEXT NOT NULL, published_by TEXT NOT NULL, content TEXT NOT NULL, "
    "sha256 TEXT NOT NULL CHECK (length(sha256) = 64), UNIQUE (kind, period))"
)
PUBLICATION_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS publications_no_update BEFORE UPDATE ON publications "
    "BEGIN SELECT RAISE(ABORT, 'a publication is never changed or withdrawn'); END",
    "CREATE TRIGGER IF NOT EXISTS publications_no_delete BEFORE DELETE ON publications "
    "BEGIN SELECT RAISE(ABORT, 'a publication is never changed or withdrawn'); END",
)


def upgrade_0004(con: Any) -> None:
    """Create the publication log: what was published, when, by whom, and its hash (write-once)."""
    con.execute(PUBLICATIONS_DDL)
    for guard in PUBLICATION_GUARDS:
        con.execute(guard)
    register_layer(con, "publications", geometry_type=None)


#: Columns revision 0005 adds to existing layers (a store created at 0005 or later has them already).
NEW_LAYER_COLUMNS_0005 = {
    schema.PARCELS: (schema.AGENCY_TYPE, schema.AGENCY_CLASS_NO, schema.OWNER_CLASS, schema.OWNER_KIND),
    schema.SITES: (schema.OWNER_CLASS, schema.LISTED_BASIS, schema.LISTED_START, schema.LISTED_END,
                   schema.LISTED_DOC),
}
#: Versioned state tables of revision 0005: (table, history table, key, columns).
VERSIONED_0005 = (
    (schema.SITE_CONTROL, "control_history", schema.SITE_ID, schema.CONTROL_COLUMNS),
    (schema.SITE_PARTS, "part_history", schema.PART_ID, schema.PART_COLUMNS),
)


def versioned_ddl(table: str, history: str, key: str, cols: tuple[schema.Column, ...], *,
                  types: dict[str, str], identity: str, text: str = "TEXT") -> list[str]:
    """Return CREATE statements of a versioned state table and its append-only history table."""
    plain = ", ".join(f'"{c.name}" {types[c.kind]}{"" if c.nullable else " NOT NULL"}' for c in cols)
    hist = ", ".join(f'"{c.name}" {types[c.kind]}' for c in cols)
    return [f'CREATE TABLE IF NOT EXISTS "{table}" ({plain}, PRIMARY KEY ("{key}"))',
            f'CREATE TABLE IF NOT EXISTS "{history}" (id {identity}, {hist}, role {text}, source {text}, '
            f'UNIQUE ("{key}", version))',
            f'CREATE INDEX IF NOT EXISTS "{history}_key" ON "{history}" ("{key}")']


def history_guards(history: str) -> tuple[str, str]:
    """Return triggers that keep ``history`` append-only on SQLite."""
    return (f"CREATE TRIGGER IF NOT EXISTS {history}_no_update BEFORE UPDATE ON {history} "
            f"BEGIN SELECT RAISE(ABORT, '{history} is append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {history}_no_delete BEFORE DELETE ON {history} "
            f"BEGIN SELECT RAISE(ABORT, '{history} is append-only'); END")


def upgrade_0005(con: Any) -> None:
    """Add owner class and control columns, the places and ramps layers, site control and site parts."""
    for layer, names in NEW_LAYER_COLUMNS_0005.items():
        have = {str(r[1]) for r in con.execute(f'PRAGMA table_info("{layer}")').fetchall()}
        for c in schema.LAYER_COLUMNS[layer]:
            if c.name in names and c.name not in have:
                con.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{c.name}" {SQL_TYPES[c.kind]}')
    for layer in (schema.PLACES, schema.RAMPS):
        con.execute(
            f'CREATE TABLE IF NOT EXISTS "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
            f'{column_ddl(schema.LAYER_COLUMNS[layer])}, geom BLOB NOT NULL, UNIQUE ("{schema.LAYER_KEYS[layer]}"))'
        )
        register_layer(con, layer, geometry_type=schema.LAYER_GEOMETRY[layer])
    for table, history, key, cols in VERSIONED_0005:
        for statement in versioned_ddl(table, history, key, cols, types=SQL_TYPES,
                                       identity="INTEGER PRIMARY KEY AUTOINCREMENT"):
            con.execute(statement)
        for guard in history_guards(history):
            con.execute(guard)
        register_layer(con, table, geometry_type=None)
        register_layer(con, history, geometry_type=None)


#: Columns revision 0006 adds to existing layers (a store created at 0006 or later has them already):
#: incident relevance and observed conduct, and the neighbourhood council of parcels, sites and incidents.
NEW_LAYER_COLUMNS_0006 = {
    schema.PARCELS: (schema.NEIGHBORHOOD_COUNCIL,),
    schema.SITES: (schema.NEIGHBORHOOD_COUNCIL,),
    schema.INCIDENTS: (schema.RELEVANCE, schema.CONDUCT, schema.NEIGHBORHOOD_COUNCIL),
}
#: Incidents stored before 0006 are enforcement reports, except LAPD crime-data rows: general crime (context).
RELEVANCE_BACKFILL = (f"UPDATE incidents SET {schema.RELEVANCE} = '{schema.GENERAL_CRIME}' "
                      f"WHERE {schema.SOURCE_TYPE} = 'lapd_import'")
#: Named boundary sets with a vintage (revision 0006); at most one current set per kind.
BOUNDARY_SETS_DDL = (
    "CREATE TABLE IF NOT EXISTS boundary_sets (set_id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN "
    f"({', '.join(repr(b.kind) for b in schema.BOUNDARY_KINDS.values())})), name TEXT NOT NULL, vintage TEXT, "
    "effective TEXT, features INTEGER NOT NULL, sha256 TEXT NOT NULL CHECK (length(sha256) = 64), "
    "is_current INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)), is_synthetic INTEGER NOT NULL DEFAULT 0, "
    "source TEXT NOT NULL, imported_at TEXT NOT NULL, imported_by TEXT NOT NULL, made_current_at TEXT, "
    "made_current_by TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS boundary_sets_one_current ON boundary_sets (kind) WHERE is_current = 1",
)
#: A set's features never change once stored (a new vintage is a new set).
BOUNDARY_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS boundaries_no_update BEFORE UPDATE ON boundaries "
    "BEGIN SELECT RAISE(ABORT, 'a boundary set is never changed; import a new vintage'); END",
    "CREATE TRIGGER IF NOT EXISTS boundaries_no_delete BEFORE DELETE ON boundaries "
    "BEGIN SELECT RAISE(ABORT, 'a boundary set is never changed; import a new vintage'); END",
)


def upgrade_0006(con: Any) -> None:
    """Add incident relevance and conduct, neighbourhood councils, and the boundary sets with their features."""
    for layer, names in NEW_LAYER_COLUMNS_0006.items():
        have = {str(r[1]) for r in con.execute(f'PRAGMA table_info("{layer}")').fetchall()}
        for c in schema.LAYER_COLUMNS[layer]:
            if c.name in names and c.name not in have:
                default = f" NOT NULL DEFAULT '{schema.ENFORCEMENT}'" if c.name == schema.RELEVANCE else ""
                con.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{c.name}" {SQL_TYPES[c.kind]}{default}')
                if c.name == schema.RELEVANCE:
                    con.execute(RELEVANCE_BACKFILL)
    layer = schema.NEIGHBORHOOD_COUNCILS
    con.execute(f'CREATE TABLE IF NOT EXISTS "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                f'{column_ddl(schema.LAYER_COLUMNS[layer])}, geom BLOB NOT NULL, UNIQUE ("{schema.LAYER_KEYS[layer]}"))')
    register_layer(con, layer, geometry_type=schema.LAYER_GEOMETRY[layer])
    for statement in BOUNDARY_SETS_DDL:
        con.execute(statement)
    register_layer(con, "boundary_sets", geometry_type=None)
    con.execute("CREATE TABLE IF NOT EXISTS boundaries (fid INTEGER PRIMARY KEY AUTOINCREMENT, set_id TEXT NOT NULL, "
                "code INTEGER NOT NULL, name TEXT, geom BLOB NOT NULL, UNIQUE (set_id, code))")
    for guard in BOUNDARY_GUARDS:
        con.execute(guard)
    register_layer(con, "boundaries", geometry_type="MULTIPOLYGON")


def upgrade_0008(con: Any) -> None:
    """Create the liaison alerts and their append-only delivery-attempt log (see geo.store.ddl_workflows)."""
    from geo.store.ddl_workflows import workflow_ddl

    for statement in workflow_ddl(text="TEXT", float_type="REAL", identity="INTEGER PRIMARY KEY AUTOINCREMENT"):
        con.execute(statement)
    for guard in history_guards("alert_attempts"):
        con.execute(guard)
    for table in ("alerts", "alert_attempts", "contractor_notices", "board_measures", "incident_events"):
        register_layer(con, table, geometry_type=None)


#: Versioned state tables of revision 0007 (Section B): scene records and referrals, each with its history.
VERSIONED_0007 = (
    (duties.SCENE_RECORDS, duties.SCENE_HISTORY, duties.INCIDENT_ID, duties.SCENE_COLUMNS),
    (duties.REFERRALS, duties.REFERRAL_HISTORY, duties.REFERRAL_ID, duties.REFERRAL_COLUMNS),
)
#: Legal holds on an incident's reporter contacts and evidence (revision 0007); released, never deleted.
LEGAL_HOLDS_DDL = (
    "CREATE TABLE IF NOT EXISTS legal_holds (hold_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, "
    "reason TEXT NOT NULL CHECK (length(trim(reason)) > 0), placed_by TEXT NOT NULL, placed_at TEXT NOT NULL, "
    "released_by TEXT, released_at TEXT, release_reason TEXT)",
    "CREATE INDEX IF NOT EXISTS legal_holds_incident ON legal_holds (incident_id)",
)


def upgrade_0007(con: Any) -> None:
    """Add the Section B scene records, referrals with their histories, and legal holds."""
    for table, history, key, cols in VERSIONED_0007:
        for statement in versioned_ddl(table, history, key, cols, types=SQL_TYPES,
                                       identity="INTEGER PRIMARY KEY AUTOINCREMENT"):
            con.execute(statement)
        for guard in history_guards(history):
            con.execute(guard)
        register_layer(con, table, geometry_type=None)
        register_layer(con, history, geometry_type=None)
    for statement in LEGAL_HOLDS_DDL:
        con.execute(statement)
    register_layer(con, "legal_holds", geometry_type=None)


def upgrade_0009(con: Any) -> None:
    """Create the append-only evidence packages and register entries (sections C and E, opt-in, grants)."""
    from geo.store.ddl_registers import REGISTER_TABLES, registers_ddl

    for statement in registers_ddl("TEXT"):
        con.execute(statement)
    for table in REGISTER_TABLES:
        for guard in history_guards(table):
            con.execute(guard)
        register_layer(con, table, geometry_type=None)


def upgrade_0010(con: Any) -> None:
    """Create the street centreline layer (street frontage in the risk model); a fresh store has it from 0001."""
    layer = schema.STREETS
    con.execute(f'CREATE TABLE IF NOT EXISTS "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                f'{column_ddl(schema.LAYER_COLUMNS[layer])}, geom BLOB NOT NULL, UNIQUE ("{schema.LAYER_KEYS[layer]}"))')
    register_layer(con, layer, geometry_type=schema.LAYER_GEOMETRY[layer])
