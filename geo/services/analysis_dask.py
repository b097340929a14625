"""``stagemap analyze --engine dask``: the analysis partitioned on dask-geopandas, on a local or an existing cluster.

Parcels are spatially shuffled along the Hilbert curve (``dask_geopandas``' ``spatial_shuffle``)
into partitions held on the workers; each partition runs
:func:`geo.analysis.partitioned.parcel_step` (owner class, incident counts, snapping
candidates), then Hilbert groups of incidents are snapped with
:func:`geo.analysis.partitioned.snap_step`, and the site-level rest runs on the client. The
result is identical to the single-process run (``tests/geo/test_partitioned.py``).

``--scheduler tcp://HOST:8786`` uses an existing Dask cluster: its workers need the same
StageMap code and packages installed (``pip install -r requirements.txt``); the client sends them
the partitions, so the store itself stays where it is. Statewide, read the parcels on the
workers from a Hilbert-partitioned GeoParquet instead (BENCHMARKS.md, "Dask engine").
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.analyze import AnalysisConfig, AnalysisResult
from geo.analysis.partitioned import POS, assemble, combine, hilbert_groups, parcel_step, snap_step
from geo.analysis.relevance import enforcement_incidents
from geo.crs import to_analysis

Progress = Callable[[float, str], None]
ROWS_PER_PARTITION = 100_000  # about 90 MB of parcels in memory per partition (BENCHMARKS.md)
INCIDENTS_PER_GROUP = 25_000


@contextlib.contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Yield a Dask client: on the cluster at ``scheduler``, else on a local cluster of ``workers`` processes.

    A local cluster uses one thread per worker (shapely and the KD-tree release the GIL, but the
    partitions are what run in parallel) and no dashboard; it is closed afterwards.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
        return
    with LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                      dashboard_address=None) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def analyze_partitioned(parcels: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame,
                        status: pd.DataFrame, overrides: pd.DataFrame, *, client: Any, as_of: dt.date,
                        districts: gpd.GeoDataFrame | None = None, parks: gpd.GeoDataFrame | None = None,
                        ramps: gpd.GeoDataFrame | None = None, places: gpd.GeoDataFrame | None = None,
                        control: pd.DataFrame | None = None, parts: pd.DataFrame | None = None,
                        config: AnalysisConfig | None = None, partitions: int | None = None,
                        progress: Progress | None = None, streets: gpd.GeoDataFrame | None = None) -> AnalysisResult:
    """Run :func:`geo.analysis.analyze.analyze` partitioned on the cluster of ``client``; same arguments, same result.

    Raises
    ------
    CRSError
        When a frame has no CRS.
    """
    import dask
    import dask_geopandas

    config = config or AnalysisConfig()
    report = progress or (lambda _f, _s: None)
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    incidents = enforcement_incidents(incidents)  # as analyze: general crime never scores or counts
    parcels, sites, incidents = _measured(parcels), _measured(sites), _measured(incidents)
    districts = None if districts is None or len(districts) == 0 else _measured(districts)
    parks = None if parks is None or len(parks) == 0 else _measured(parks)
    ramps = None if ramps is None or len(ramps) == 0 else _measured(ramps)
    places = None if places is None or len(places) == 0 else _measured(places)
    streets = None if streets is None or len(streets) == 0 else _measured(streets)
    n_parts = partitions or max(2 * _n_workers(client), math.ceil(len(parcels) / ROWS_PER_PARTITION))
    with dask.config.set({"dataframe.convert-string": False}):  # keep object text columns: results stay identical
        staged = dask_geopandas.from_geopandas(parcels.assign(**{POS: np.arange(len(parcels))}), npartitions=n_parts)
        shuffled = staged.spatial_shuffle(by="hilbert", npartitions=n_parts).persist()
    clock["project+shuffle"] = time.perf_counter() - t0
    report(0.15, f"{len(parcels):,} parcels in {n_parts} Hilbert partitions")

    t0 = time.perf_counter()
    from distributed import as_completed, futures_of

    shared = {"sites": client.scatter(sites, broadcast=True), "incidents": client.scatter(incidents, broadcast=True)}
    partitions_on_workers = futures_of(shuffled)  # type: ignore[no-untyped-call]
    jobs = client.map(parcel_step, partitions_on_workers, sites=shared["sites"], incidents=shared["incidents"],
                      as_of=as_of, config=config, pure=False)
    for done, _ in enumerate(as_completed(jobs), start=1):  # type: ignore[no-untyped-call]
        report(0.15 + 0.55 * done / len(jobs), f"parcel partitions: {done} of {len(jobs)}")
    pieces = client.gather(jobs)
    counts = pd.concat([c for c, _ in pieces], ignore_index=True).sort_values(POS, kind="stable")
    parcel_counts = counts.drop(columns=POS).reset_index(drop=True)
    candidates = pd.concat([c for _, c in pieces])
    candidates = gpd.GeoDataFrame(candidates, geometry=candidates.geometry.name, crs=parcels.crs)
    clock["parcel_partitions"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    snapped = _snap_groups(client, incidents, candidates, sites=shared["sites"], districts=districts, config=config)
    clock["snap_groups"] = time.perf_counter() - t0
    report(0.9, "assembling the site table")
    return assemble(sites=sites, incidents=incidents, snapped=snapped, parcel_counts=parcel_counts,
                    candidates=candidates, status=status, overrides=overrides, parks=parks, ramps=ramps,
                    places=places, control=control, parts=parts, as_of=as_of, config=config, clock=clock,
                    streets=streets)


def _snap_groups(client: Any, incidents: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, *, sites: Any,
                 districts: gpd.GeoDataFrame | None, config: AnalysisConfig) -> pd.DataFrame:
    """Snap Hilbert groups of incidents on the cluster; return the result in the incidents' order."""
    if len(incidents) == 0:
        return snap_step(incidents.assign(**{POS: np.arange(0)}), candidates, sites=client.gather(sites),
                         districts=districts, config=config)
    n_groups = max(1, math.ceil(len(incidents) / INCIDENTS_PER_GROUP), _n_workers(client))
    group_of = hilbert_groups(np.asarray(incidents.geometry.values, dtype=object), n_groups)
    reach = config.snap.max_adjacent_ft + 1.0
    jobs = []
    for g in range(n_groups):
        group = incidents[group_of == g].assign(**{POS: np.flatnonzero(group_of == g)})
        if len(group) == 0:
            continue
        minx, miny, maxx, maxy = group.total_bounds
        near = candidates.sindex.query(shapely.box(minx - reach, miny - reach, maxx + reach, maxy + reach),
                                       predicate="intersects") if len(candidates) else np.zeros(0, dtype=np.int64)
        jobs.append(client.submit(snap_step, group, candidates.iloc[np.sort(near)], sites=sites, districts=districts,
                                  config=config, pure=False))
    return combine(client.gather(jobs)).loc[incidents.index]


def _measured(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and gdf.crs.to_epsg() == 2229:
        return gdf
    return to_analysis(gdf)


def _n_workers(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except (OSError, AttributeError):
        return 1
