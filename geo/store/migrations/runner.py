"""Apply the Alembic revisions to a store connection (``stagemap migrate`` and on open).

Alembic (and SQLAlchemy under it, about half a second of imports) is imported only to migrate:
opening a store at head compares its revision with :func:`head_revision`, read from the
revision files themselves.
"""
from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r"""^(down_revision|revision)\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def alembic_config() -> Config:
    """Return an Alembic config pointing at this package (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    return cfg


@functools.cache
def head_revision() -> str:
    """Return the newest revision id: the one no revision file revises (Alembic's own answer when that is unclear)."""
    found: dict[str, str | None] = {}
    for path in (HERE / "versions").glob("[0-9]*.py"):
        marks = {str(m[1]): str(m[2]) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if "revision" not in marks:
            found.clear()
            break
        found[marks["revision"]] = marks.get("down_revision")
    heads = set(found) - {d for d in found.values() if d}
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def upgrade(connection: Any) -> None:
    """Upgrade the database behind a SQLAlchemy ``connection`` to the head revision."""
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


class _DriverExecutor:
    """Run DB-API style SQL (``?`` placeholders) on a SQLAlchemy connection's driver."""

    def __init__(self, bind: Any) -> None:
        self.bind = bind
        self.postgres = bind.dialect.name == "postgresql"

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.bind.exec_driver_sql(sql, tuple(params))

    def executemany(self, sql: str, rows: list[Any]) -> Any:
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.bind.exec_driver_sql(sql, [tuple(r) for r in rows])


def driver_executor(bind: Any) -> _DriverExecutor:
    """Wrap ``bind`` so schema modules can ``execute(sql, params)`` as on sqlite3."""
    return _DriverExecutor(bind)


def dialect_module(bind: Any) -> ModuleType:
    """Return the DDL module of the connected backend (geo.store.ddl_sqlite or geo.store.ddl_pg)."""
    name = {"sqlite": "geo.store.ddl_sqlite", "postgresql": "geo.store.ddl_pg"}[bind.dialect.name]
    return importlib.import_module(name)
