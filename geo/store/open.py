"""Open the store named by a URL: a local SQLite/GeoPackage file (default) or PostgreSQL/PostGIS."""
from __future__ import annotations

from geo.config import store_url
from geo.errors import StoreError
from geo.messages import M
from geo.store.base import BaseStore
from geo.store.protocol import Store
from geo.store.sqlite import SQLiteStore

__all__ = ["BaseStore", "Store", "open_store"]
PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def open_store(url: str | None = None, *, create: bool = True) -> BaseStore:
    """Open the store at ``url`` (else ``$STAGEMAP_STORE``, else ``data/stagemap.gpkg``).

    A ``postgresql://`` URL opens PostgreSQL/PostGIS; anything without ``://`` is a file path.
    Pending schema migrations run on open (on PostgreSQL that needs the owner role; deployments
    run ``stagemap migrate`` with the owner URL and the app, at head, needs no DDL rights).

    Raises
    ------
    StoreError
        When the URL names an unsupported backend or the store cannot be opened.
    """
    target = store_url(url)
    if target.startswith(PG_SCHEMES):
        from geo.store.pg import PostgresStore

        return PostgresStore(target.replace("postgresql+psycopg://", "postgresql://", 1), create=create)
    if "://" in target:
        raise StoreError(M("Unsupported store URL {url}: give a file path or a postgresql:// URL.",
                           url=repr(target.split("@")[-1])))
    return SQLiteStore(target, create=create)
