"""Shared fixtures: temporary stores on both backends and tiny canonical frames built in code."""
from __future__ import annotations

import os

import geopandas as gpd
import pytest
import shapely

from geo import schema
from geo.store import open_store


def canonical_frame(layer: str, geoms: list, **values: list | object) -> gpd.GeoDataFrame:
    """Build a canonical frame for ``layer`` with nulls except the given columns (EPSG:4326)."""
    n = len(geoms)
    data = {c.name: [None] * n for c in schema.LAYER_COLUMNS[layer]}
    data[schema.IS_SYNTHETIC] = [True] * n
    data[schema.SOURCE] = ["test"] * n
    for key, value in values.items():
        data[key] = value if isinstance(value, list) else [value] * n
    if layer == schema.INCIDENTS and schema.RELEVANCE not in values:  # the rule for rows without one: by source
        data[schema.RELEVANCE] = [schema.GENERAL_CRIME if s == "lapd_import" else schema.ENFORCEMENT
                                  for s in data[schema.SOURCE_TYPE]]
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")


@pytest.fixture(autouse=True)
def _no_ambient_accounts(tmp_path_factory, monkeypatch):
    """Keep a developer's data/users.json, $STAGEMAP_USER and $STAGEMAP_LANG out of every test."""
    monkeypatch.setenv("STAGEMAP_USERS", str(tmp_path_factory.mktemp("accounts") / "users.json"))
    monkeypatch.delenv("STAGEMAP_USER", raising=False)
    monkeypatch.delenv("STAGEMAP_LANG", raising=False)


@pytest.fixture
def cli_accounts():
    """Write local accounts the CLI tests act as (admins unless the test adds others); return the adder."""
    import json
    from pathlib import Path

    from geo.access.accounts import hash_password

    path = Path(os.environ["STAGEMAP_USERS"])
    digest = hash_password("a test passphrase")
    rows: dict[str, dict[str, object]] = {}

    def add(name: str, role: str = "admin", department: str | None = None, district: int | None = None) -> str:
        rows[name] = {"name": name, "role": role, "department": department, "district": district,
                      "password_hash": digest}
        path.write_text(json.dumps(list(rows.values())))
        return name

    for name in ("admin", "ana", "bo", "r", "records1", "verifier"):
        add(name)
    return add


@pytest.fixture
def store(tmp_path):
    """An empty store in a temporary directory."""
    return open_store(str(tmp_path / "store.gpkg"))


@pytest.fixture
def three_districts() -> gpd.GeoDataFrame:
    """Three adjacent 0.01-degree squares near City Hall as districts 1-3."""
    geoms = [shapely.box(-118.25 + i * 0.01, 34.05, -118.24 + i * 0.01, 34.06) for i in range(3)]
    return canonical_frame(schema.DISTRICTS, geoms, district=[1, 2, 3], district_name=["A", "B", "C"])


# --- PostgreSQL + PostGIS: a throwaway cluster per test session (see tests/pgcluster.py) ----------
def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_cluster():
    """A running throwaway PostgreSQL + PostGIS cluster, stopped at the end of the session.

    Without PostgreSQL or PostGIS the tests that need it are skipped with the reason, except
    under ``CI=true``, where they fail: CI must run the PostgreSQL tier.
    """
    from tests.pgcluster import ClusterUnavailable, PgCluster

    try:
        cluster = PgCluster.start()
    except ClusterUnavailable as exc:
        if _in_ci():
            pytest.fail(f"PostgreSQL tier required in CI (CI=true) but unavailable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL tier skipped: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_database(pg_cluster):
    """A fresh database migrated to head (a template copy); dropped after the test."""
    name = pg_cluster.new_database()
    yield name
    pg_cluster.drop_database(name)


@pytest.fixture
def pg_store(pg_cluster, pg_database):
    """An empty PostgreSQL store opened as the least-privilege application role."""
    return open_store(pg_cluster.app_url(pg_database))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    """An empty store on each backend: the embedded SQLite/GeoPackage file and PostgreSQL/PostGIS."""
    if request.param == "sqlite":
        return open_store(str(tmp_path / "store.gpkg"))
    return request.getfixturevalue("pg_store")
