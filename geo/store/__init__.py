"""The store: the only package that knows SQL (SQLite/GeoPackage and PostgreSQL/PostGIS backends)."""
from geo.store.open import Store, open_store

__all__ = ["Store", "open_store"]
