"""The analysis in spatial partitions: the steps of ``analyze`` split across workers, with an identical result.

Parcels are cut into Hilbert-ordered partitions. Per partition, :func:`parcel_step` classifies the
owner of each parcel and counts incidents within each radius of the private ones (an incident
farther than the largest radius from the partition's bounds cannot count, so only nearer ones are
sent), and picks the parcels within snapping reach of an incident. Incidents are cut into
Hilbert-ordered groups too; :func:`snap_step` snaps a group with the real
:func:`~geo.analysis.snap.snap_incidents` against the sites and the candidate parcels near it
(snapping only looks that far, and candidates keep the store's order, so ties break the same way).
:func:`assemble` runs the site-level rest of ``analyze`` (a few hundred rows) on the pieces.
"""
from __future__ import annotations

import datetime as dt
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis import gaps
from geo.analysis.analyze import (
    AnalysisConfig,
    AnalysisResult,
    _site_distances,
    site_stage,
    unit_tables,
)
from geo.analysis.classify import CATEGORY, classify_sites
from geo.analysis.enforcement import is_prior_enforcement, prior_enforcement_incidents
from geo.analysis.frontage import street_frontage
from geo.analysis.proximity import FT_PER_M, incident_counts
from geo.analysis.risk import shape_metrics
from geo.analysis.snap import OWNER_CLASS, PRIVATE, owner_class_of_parcels, snap_incidents
from geo.crs import to_display

POS = "_pos"  # a parcel's (or incident's) position in the store's order
INCIDENT_COLUMNS = (schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE,
                    schema.RELEVANCE)


def hilbert_groups(geoms: np.ndarray, n: int) -> np.ndarray:
    """Return a group number 0..n-1 per geometry: equal-size runs along the Hilbert curve of their centres."""
    if len(geoms) == 0:
        return np.zeros(0, dtype=np.int64)
    series = gpd.GeoSeries(shapely.centroid(geoms))
    order = np.argsort(series.hilbert_distance().to_numpy(), kind="stable")
    groups = np.empty(len(geoms), dtype=np.int64)
    groups[order] = np.arange(len(geoms)) * max(n, 1) // len(geoms)
    return groups


def parcel_step(part: gpd.GeoDataFrame, *, sites: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, as_of: dt.date,
                config: AnalysisConfig) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Return one partition's private-parcel counts and its parcels within snapping reach of an incident.

    ``part`` carries :data:`POS`; both outputs keep it. Frames are in EPSG:2229.
    """
    owner = owner_class_of_parcels(part, sites, rules=config.snap)[OWNER_CLASS]
    sub = part[(owner == PRIVATE).to_numpy()]
    reach_ft = max(config.parcel_radii_m, default=0.0) * FT_PER_M
    near = _within_box(incidents, part.total_bounds, reach_ft + 1.0) if len(part) else incidents.iloc[:0]
    anchor = None
    xy = [schema.CENTROID_X_FT, schema.CENTROID_Y_FT]
    if set(xy) <= set(sub.columns) and sub[xy].notna().all().all():
        anchor = sub[xy].to_numpy(dtype=float)
    counts = incident_counts(sub, near, radii_m=config.parcel_radii_m, windows_days=config.parcel_windows_days,
                             as_of=as_of, anchor_xy_ft=anchor)
    out = pd.concat([sub[[schema.AIN, POS]].reset_index(drop=True), counts.reset_index(drop=True)], axis=1)
    return out, candidate_parcels(part, incidents, reach_ft=config.snap.max_adjacent_ft)


def candidate_parcels(parcels: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, reach_ft: float) -> gpd.GeoDataFrame:
    """Return the parcels within ``reach_ft`` of at least one incident (the only ones snapping can pick)."""
    if len(parcels) == 0 or len(incidents) == 0:
        return parcels.iloc[:0]
    pts = np.asarray(incidents.geometry.values, dtype=object)
    _, hit = shapely.STRtree(np.asarray(parcels.geometry.values, dtype=object)).query(
        pts, predicate="dwithin", distance=reach_ft + 1.0)
    return parcels.iloc[np.unique(hit)]


def snap_step(group: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, *, sites: gpd.GeoDataFrame,
              districts: gpd.GeoDataFrame | None, config: AnalysisConfig) -> pd.DataFrame:
    """Snap one group of incidents against the sites and the candidate parcels (store order restored)."""
    parcels = candidates.sort_values(POS, kind="stable").drop(columns=POS)
    return snap_incidents(group.drop(columns=POS), sites=sites, parcels=parcels, districts=districts,
                          rules=config.snap)


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate partition results with the dtypes one whole run would have inferred.

    pandas infers text from a whole column: a group whose column is all missing comes out as
    ``object`` while the others are ``str``; the whole run would have been ``str``.
    """
    out = pd.concat(parts)
    for col in out.columns:
        text = [p[col].dtype for p in parts if isinstance(p[col].dtype, pd.StringDtype)]
        if text and out[col].dtype == object:
            out[col] = out[col].astype(text[0])
    return out


def assemble(*, sites: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, snapped: pd.DataFrame,
             parcel_counts: pd.DataFrame, candidates: gpd.GeoDataFrame, status: pd.DataFrame, overrides: pd.DataFrame,
             parks: gpd.GeoDataFrame | None, ramps: gpd.GeoDataFrame | None, places: gpd.GeoDataFrame | None = None,
             control: pd.DataFrame | None = None, parts: pd.DataFrame | None = None, as_of: dt.date,
             config: AnalysisConfig, clock: dict[str, float], streets: gpd.GeoDataFrame | None = None
             ) -> AnalysisResult:
    """Finish the run from the partitioned pieces exactly as ``analyze`` does (all frames in EPSG:2229).

    ``incidents`` are the enforcement incidents ``analyze`` keeps; ``snapped`` is aligned to
    their index; ``parcel_counts`` is in the store's parcel order; ``candidates`` holds every
    parcel an incident snapped to (with :data:`POS`). The site level is ``analyze``'s own
    :func:`~geo.analysis.analyze.site_stage` and :func:`~geo.analysis.analyze.unit_tables`.
    """
    t0 = time.perf_counter()
    parcels = candidates.sort_values(POS, kind="stable").drop(columns=POS)
    enforcement = prior_enforcement_incidents(incidents)
    cls = classify_sites(sites, parks=parks, rules=config.classify)
    snapped = pd.concat([incidents[[c for c in INCIDENT_COLUMNS if c in incidents]], snapped], axis=1)
    site_counts = incident_counts(sites, enforcement, radii_m=config.site_radii_m,
                                  windows_days=config.site_windows_days, as_of=as_of)
    hot, owners = gaps.private_hot_spots(snapped[is_prior_enforcement(snapped).to_numpy(bool)], parcels, as_of=as_of,
                                         recent_days=config.risk.repeat_days,
                                         min_incidents=config.risk.repeat_min_incidents)
    dist = _site_distances(sites, parcels, hot, ramps, places=places)
    dist = dist.join(street_frontage(sites, streets, tolerance_ft=config.risk.street_tolerance_ft))
    features = pd.concat([cls, shape_metrics(sites, category=cls[CATEGORY], rules=config.risk), site_counts, dist],
                         axis=1)
    table, part_table, units = site_stage(sites, features, status, overrides, control=control, parts=parts,
                                          as_of=as_of, config=config)
    clock["assemble"] = time.perf_counter() - t0
    return AnalysisResult(as_of=as_of, sites=to_display(table), incidents=snapped, parcel_counts=parcel_counts,
                          hot_spots=hot, hot_spot_owners=owners, timings_s=clock, parts=part_table, units=units,
                          **unit_tables(table, units, snapped))


def _within_box(frame: gpd.GeoDataFrame, bounds: np.ndarray, pad: float) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if len(frame) == 0:
        return frame
    hit = frame.sindex.query(shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad), predicate="intersects")
    return frame.iloc[np.sort(hit)]
