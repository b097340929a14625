"""Open the store named by a URL: a local SQLite/GeoPackage file (default) or PostgreSQL."""
from __future__ import annotations

from geo.config import store_url
from geo.errors import StoreError
from geo.store_sqlite import SQLiteStore

Store = SQLiteStore


def open_store(url: str | None = None, *, create: bool = True) -> SQLiteStore:
    """Open the store at ``url`` (else ``$STAGEMAP_STORE``, else ``data/stagemap.gpkg``).

    Raises
    ------
    StoreError
        When the URL names an unsupported backend or the store cannot be opened.
    """
    target = store_url(url)
    if target.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            f"PostgreSQL store {target.split('@')[-1]} requested, but this build has only the embedded "
            "SQLite/GeoPackage backend. Use a file path for --store."
        )
    if "://" in target:
        raise StoreError(f"Unsupported store URL {target!r}: give a file path or a postgresql:// URL.")
    return SQLiteStore(target, create=create)
