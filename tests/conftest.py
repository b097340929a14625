"""Shared fixtures: a temporary store and tiny canonical frames built in code."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo import schema as S
from geo.store import open_store


def canonical_frame(layer: str, geoms: list, **values: list | object) -> gpd.GeoDataFrame:
    """Build a canonical frame for ``layer`` with nulls except the given columns (EPSG:4326)."""
    n = len(geoms)
    data = {c.name: [None] * n for c in S.LAYER_COLUMNS[layer]}
    data[S.IS_SYNTHETIC] = [True] * n
    data[S.SOURCE] = ["test"] * n
    for key, value in values.items():
        data[key] = value if isinstance(value, list) else [value] * n
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")


@pytest.fixture
def store(tmp_path):
    """An empty store in a temporary directory."""
    return open_store(str(tmp_path / "store.gpkg"))


@pytest.fixture
def three_districts() -> gpd.GeoDataFrame:
    """Three adjacent 0.01-degree squares near City Hall as districts 1-3."""
    geoms = [shapely.box(-118.25 + i * 0.01, 34.05, -118.24 + i * 0.01, 34.06) for i in range(3)]
    return canonical_frame(S.DISTRICTS, geoms, district=[1, 2, 3], district_name=["A", "B", "C"])
