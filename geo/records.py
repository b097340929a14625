"""Plain records passed between packages: import records, write results, store summaries, samples."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


@dataclass(frozen=True)
class ImportRecord:
    """What one import read, kept, repaired and rejected; logged with the write."""

    kind: str
    source: str
    sha256: str | None = None
    n_read: int = 0
    n_accepted: int = 0
    n_repaired: int = 0
    n_rejected: int = 0
    user: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """Rows inserted and updated in one layer by one write."""

    layer: str
    inserted: int
    updated: int


@dataclass(frozen=True)
class StoreInfo:
    """A summary of the store for ``stagemap info`` and the app."""

    url: str
    backend: str
    counts: dict[str, int]
    is_synthetic: bool | None
    data_version: int
    recent_imports: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    """A synthetic sample: canonical frames by layer name, and the site-status table."""

    frames: dict[str, gpd.GeoDataFrame]
    status: pd.DataFrame
