"""Alembic migrations for both store backends (SQLite/GeoPackage and PostgreSQL/PostGIS)."""
