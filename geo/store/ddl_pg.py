"""PostgreSQL/PostGIS DDL of the store, run by the Alembic revisions in geo/migrations.

The tables mirror :mod:`geo.store.ddl_sqlite` column for column, so the shared store code in
:mod:`geo.store.base` reads and writes both the same way:

* spatial layers keep ``fid`` (an identity key, the read order), the canonical attribute
  columns, ``UNIQUE`` on the layer key, and ``geom geometry(MultiPolygon|Point, 4326)``
  with a GiST index;
* text sorts as on SQLite (byte order, ``COLLATE "C"``); status, history, override, import
  and audit columns keep SQLite's types (dates as ISO text) so values round-trip identically;
* ``audit_log`` and ``status_history`` are append-only: a BEFORE UPDATE/DELETE/TRUNCATE
  trigger raises, and the application role gets only SELECT and INSERT on them. An insert
  into ``audit_log`` must extend the hash chain (``seq`` = last + 1 and ``prev_hash`` = the
  last entry's hash); with ``seq`` as primary key two writers can never fork the chain.

Migrations run as the *owner* role (``stagemap migrate --store postgresql://owner@...``);
the app connects as a separate least-privilege role, named by ``$STAGEMAP_APP_ROLE``
(default ``stagemap_app``), that owns nothing. :func:`apply_grants` gives it exactly the
rights below; it runs at the end of every migration and can be re-run at any time.

No statement here may contain a percent sign or a question mark: the migration executor
turns ``?`` into driver placeholders.
"""
from __future__ import annotations

import os
import re
from typing import Any

from geo import schema
from geo.messages import M

APP_ROLE_ENV = "STAGEMAP_APP_ROLE"
DEFAULT_APP_ROLE = "stagemap_app"

#: Column types of the spatial layers.
LAYER_TYPES = {"text": 'text COLLATE "C"', "int": "bigint", "float": "double precision", "bool": "boolean",
               "datetime": "timestamptz", "date": "date"}
#: Column types of the status table: as on SQLite (dates as ISO text) so values round-trip identically.
PLAIN_TYPES = {"text": 'text COLLATE "C"', "int": "bigint", "float": "double precision", "bool": "boolean",
               "datetime": 'text COLLATE "C"', "date": 'text COLLATE "C"'}
GEOMETRY_TYPES = {"MULTIPOLYGON": "MultiPolygon", "POINT": "Point", "MULTILINESTRING": "MultiLineString"}
T = 'text COLLATE "C"'

#: Tables the app may read and change (revision 0002 adds the intake tables).
APP_TABLES = [*schema.SPATIAL_LAYERS, "site_status", "risk_overrides", "import_log", "store_meta",
              "incident_reports", "reporter_contacts", "department_liaisons", schema.SITE_CONTROL,
              schema.SITE_PARTS, "boundary_sets", "alerts",
              "contractor_notices", "board_measures", "incident_events"]
#: Tables the app may only read and append to (evidence of what happened).
APPEND_ONLY = ["audit_log", "status_history", "evidence", "publications", "control_history", "part_history",
               "boundaries", "alert_attempts"]
#: Section B tables of revision 0007: state the app changes, and their append-only histories.
APP_TABLES += ["scene_records", "referrals", "legal_holds"]
APPEND_ONLY += ["scene_history", "referral_history"]
#: Revision 0009: evidence packages and register entries (each entry version is a new row).
APPEND_ONLY += ["evidence_packages", "register_entries"]
#: Tables the app may only read.
READ_ONLY = ["alembic_version"]


def column_ddl(cols: tuple[schema.Column, ...], types: dict[str, str]) -> str:
    """Return the column list of a CREATE TABLE for canonical columns."""
    return ", ".join(f'"{c.name}" {types[c.kind]}{"" if c.nullable else " NOT NULL"}' for c in cols)


def app_role() -> str:
    """Return the application role's name (``$STAGEMAP_APP_ROLE``, default ``stagemap_app``)."""
    name = os.environ.get(APP_ROLE_ENV) or DEFAULT_APP_ROLE
    if not re.fullmatch(r"[a-z_][a-z0-9_$]{0,62}", name):
        raise ValueError(M("{variable}={name} is not a plain lower-case PostgreSQL role name.", variable=APP_ROLE_ENV,
                           name=repr(name)))
    return name


def append_only_guard(con: Any, table: str, message: str | None = None) -> None:
    """Make ``table`` append-only for everyone but a superuser or owner who drops the triggers."""
    text = (message or f"{table} is append-only").replace("'", "''")
    con.execute(
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{text}' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    con.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
    con.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
    con.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    con.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")


AUDIT_LINK = """
CREATE OR REPLACE FUNCTION audit_log_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  SELECT seq, entry_hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  IF NEW.seq <> last_seq + 1 OR NEW.prev_hash <> last_hash THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'audit_log entry ' || NEW.seq || ' does not extend the chain (last entry is '
                || last_seq || '): the hash chain must not fork';
  END IF;
  RETURN NEW;
END $$
"""


def upgrade_0001(con: Any) -> None:
    """Create PostGIS, the spatial layers, status, history, overrides, import log and audit tables."""
    con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    con.execute(f"CREATE TABLE IF NOT EXISTS store_meta (key {T} PRIMARY KEY, value {T})")
    for layer in schema.SPATIAL_LAYERS:
        gtype = GEOMETRY_TYPES[schema.LAYER_GEOMETRY[layer]]
        con.execute(
            f'CREATE TABLE IF NOT EXISTS "{layer}" (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
            f'{column_ddl(schema.LAYER_COLUMNS[layer], LAYER_TYPES)}, geom geometry({gtype}, 4326) NOT NULL, '
            f'UNIQUE ("{schema.LAYER_KEYS[layer]}"))'
        )
        con.execute(f'CREATE INDEX IF NOT EXISTS "{layer}_geom_gist" ON "{layer}" USING gist (geom)')
    con.execute(
        f"CREATE TABLE IF NOT EXISTS site_status ({column_ddl(schema.STATUS_COLUMNS, PLAIN_TYPES)}, PRIMARY KEY (site_id))"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS import_log (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        f"kind {T} NOT NULL, source {T} NOT NULL, sha256 {T}, n_read bigint, "
        "n_accepted bigint, n_repaired bigint, n_rejected bigint, "
        f"imported_at {T} NOT NULL, imported_by {T})"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS risk_overrides (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        f"site_id {T} NOT NULL, tier {T} NOT NULL CHECK (tier IN ('high','medium','low')), "
        f"reason {T} NOT NULL, set_by {T} NOT NULL, set_at {T} NOT NULL)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS status_history (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        f"site_id {T} NOT NULL, version bigint NOT NULL, sign_status {T}, sign_posted_on {T}, "
        f"gate_status {T}, last_inspected {T}, sign_text_version {T}, sign_language {T}, note {T}, "
        f"updated_by {T}, updated_at {T}, role {T}, source {T}, UNIQUE (site_id, version))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS audit_log (seq bigint PRIMARY KEY, at {T} NOT NULL, "
        f"actor {T} NOT NULL, role {T} NOT NULL, action {T} NOT NULL, entity {T} NOT NULL, "
        f"entity_id {T}, old {T}, new {T}, source {T} NOT NULL, prev_hash {T} NOT NULL, "
        f"entry_hash {T} NOT NULL)"
    )
    for table in ("audit_log", "status_history"):
        append_only_guard(con, table)
    con.execute(AUDIT_LINK)
    con.execute("DROP TRIGGER IF EXISTS audit_log_link ON audit_log")
    con.execute("CREATE TRIGGER audit_log_link BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_link()")
    con.execute("INSERT INTO store_meta (key, value) VALUES ('data_version', '0') ON CONFLICT (key) DO NOTHING")
    apply_grants(con)


def upgrade_0002(con: Any) -> None:
    """Create the incident-intake tables (the portable DDL of geo.store.ddl_sqlite) with write-once evidence."""
    from geo.store.ddl_sqlite import intake_ddl

    for statement in intake_ddl("double precision"):
        con.execute(statement)
    append_only_guard(con, "evidence", "evidence rows are write-once")
    apply_grants(con)


def upgrade_0004(con: Any) -> None:
    """Create the publication log: what was published, when, by whom, and its hash (write-once)."""
    from geo.store.ddl_sqlite import PUBLICATIONS_DDL

    con.execute(PUBLICATIONS_DDL.replace("INTEGER PRIMARY KEY AUTOINCREMENT",
                                         "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"))
    append_only_guard(con, "publications", "a publication is never changed or withdrawn")
    apply_grants(con)


def upgrade_0003(con: Any) -> None:
    """Add the CLI's operating-system user and the changed row's hash to every audit entry."""
    for column in ("os_user", "row_hash"):
        con.execute(f"ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS {column} {T}")
    apply_grants(con)


def upgrade_0005(con: Any) -> None:
    """Add owner class and control columns, the places and ramps layers, site control and site parts."""
    from geo.store.ddl_sqlite import NEW_LAYER_COLUMNS_0005, VERSIONED_0005, versioned_ddl

    for layer, names in NEW_LAYER_COLUMNS_0005.items():
        for c in schema.LAYER_COLUMNS[layer]:
            if c.name in names:
                con.execute(f'ALTER TABLE "{layer}" ADD COLUMN IF NOT EXISTS "{c.name}" {LAYER_TYPES[c.kind]}')
    for layer in (schema.PLACES, schema.RAMPS):
        gtype = GEOMETRY_TYPES[schema.LAYER_GEOMETRY[layer]]
        con.execute(
            f'CREATE TABLE IF NOT EXISTS "{layer}" (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
            f'{column_ddl(schema.LAYER_COLUMNS[layer], LAYER_TYPES)}, geom geometry({gtype}, 4326) NOT NULL, '
            f'UNIQUE ("{schema.LAYER_KEYS[layer]}"))'
        )
        con.execute(f'CREATE INDEX IF NOT EXISTS "{layer}_geom_gist" ON "{layer}" USING gist (geom)')
    for table, history, key, cols in VERSIONED_0005:
        for statement in versioned_ddl(table, history, key, cols, types=PLAIN_TYPES, text=T,
                                       identity="bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"):
            con.execute(statement)
        append_only_guard(con, history)
    apply_grants(con)


def apply_grants(con: Any) -> bool:
    """Give the app role its least privileges; return ``False`` when that role does not exist yet.

    The app may read and change layers, status, overrides, the import log and metadata; it
    may only read and append ``audit_log`` and ``status_history`` (no UPDATE, DELETE or
    TRUNCATE; REFERENCES and TRIGGER neither); it may only read ``alembic_version``.
    Idempotent: run at the end of every ``stagemap migrate``.
    """
    role = app_role()
    if con.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone() is None:
        return False
    present = {r[0] for r in con.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
    for table in APP_TABLES + APPEND_ONLY + READ_ONLY:
        if table in present:
            con.execute(f'REVOKE ALL ON "{table}" FROM PUBLIC, "{role}"')
    for table in APP_TABLES:
        if table in present:
            con.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO "{role}"')
    for table in APPEND_ONLY:
        if table in present:
            con.execute(f'GRANT SELECT, INSERT ON "{table}" TO "{role}"')
    for table in READ_ONLY:
        if table in present:
            con.execute(f'GRANT SELECT ON "{table}" TO "{role}"')
    pg_schema = con.execute("SELECT current_schema()").fetchone()[0]
    con.execute(f'GRANT USAGE ON SCHEMA "{pg_schema}" TO "{role}"')
    con.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{pg_schema}" TO "{role}"')
    return True


def upgrade_0006(con: Any) -> None:
    """Add incident relevance and conduct, neighbourhood councils, and the boundary sets with their features."""
    from geo.store.ddl_sqlite import BOUNDARY_SETS_DDL, NEW_LAYER_COLUMNS_0006, RELEVANCE_BACKFILL

    for layer, names in NEW_LAYER_COLUMNS_0006.items():
        have = {str(r[0]) for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ?", (layer,)).fetchall()}
        for c in schema.LAYER_COLUMNS[layer]:
            if c.name in names and c.name not in have:
                default = f" NOT NULL DEFAULT '{schema.ENFORCEMENT}'" if c.name == schema.RELEVANCE else ""
                con.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{c.name}" {LAYER_TYPES[c.kind]}{default}')
                if c.name == schema.RELEVANCE:
                    con.execute(RELEVANCE_BACKFILL)
    layer = schema.NEIGHBORHOOD_COUNCILS
    con.execute(f'CREATE TABLE IF NOT EXISTS "{layer}" (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
                f'{column_ddl(schema.LAYER_COLUMNS[layer], LAYER_TYPES)}, geom geometry(MultiPolygon, 4326) NOT NULL, '
                f'UNIQUE ("{schema.LAYER_KEYS[layer]}"))')
    con.execute(f'CREATE INDEX IF NOT EXISTS "{layer}_geom_gist" ON "{layer}" USING gist (geom)')
    for statement in BOUNDARY_SETS_DDL:
        con.execute(statement.replace(" TEXT", f" {T}"))
    con.execute("CREATE TABLE IF NOT EXISTS boundaries (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                f"set_id {T} NOT NULL, code bigint NOT NULL, name {T}, geom geometry(MultiPolygon, 4326) NOT NULL, "
                "UNIQUE (set_id, code))")
    con.execute('CREATE INDEX IF NOT EXISTS "boundaries_geom_gist" ON boundaries USING gist (geom)')
    append_only_guard(con, "boundaries", "a boundary set is never changed; import a new vintage")
    apply_grants(con)


def upgrade_0008(con: Any) -> None:
    """Create the liaison alerts and their append-only delivery-attempt log (see geo.store.ddl_workflows)."""
    from geo.store.ddl_workflows import workflow_ddl

    for statement in workflow_ddl(text=T, float_type="double precision",
                                  identity="bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"):
        con.execute(statement)
    append_only_guard(con, "alert_attempts")
    apply_grants(con)


def upgrade_0007(con: Any) -> None:
    """Add the Section B scene records, referrals with their histories, and legal holds."""
    from geo.store.ddl_sqlite import LEGAL_HOLDS_DDL, VERSIONED_0007, versioned_ddl

    for table, history, key, cols in VERSIONED_0007:
        for statement in versioned_ddl(table, history, key, cols, types=PLAIN_TYPES, text=T,
                                       identity="bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"):
            con.execute(statement)
        append_only_guard(con, history)
    for statement in LEGAL_HOLDS_DDL:
        con.execute(statement.replace(" TEXT", f" {T}"))
    apply_grants(con)


def upgrade_0009(con: Any) -> None:
    """Create the append-only evidence packages and register entries (sections C and E, opt-in, grants)."""
    from geo.store.ddl_registers import REGISTER_TABLES, registers_ddl

    for statement in registers_ddl(T):
        con.execute(statement)
    for table in REGISTER_TABLES:
        append_only_guard(con, table)
    apply_grants(con)


def upgrade_0010(con: Any) -> None:
    """Create the street centreline layer (street frontage in the risk model); a fresh store has it from 0001."""
    layer = schema.STREETS
    gtype = GEOMETRY_TYPES[schema.LAYER_GEOMETRY[layer]]
    con.execute(
        f'CREATE TABLE IF NOT EXISTS "{layer}" (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
        f'{column_ddl(schema.LAYER_COLUMNS[layer], LAYER_TYPES)}, geom geometry({gtype}, 4326) NOT NULL, '
        f'UNIQUE ("{schema.LAYER_KEYS[layer]}"))'
    )
    con.execute(f'CREATE INDEX IF NOT EXISTS "{layer}_geom_gist" ON "{layer}" USING gist (geom)')
    apply_grants(con)
