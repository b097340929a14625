"""The pure analysis run: classify, score, snap, count and find gaps on canonical frames (no I/O)."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis import gaps
from geo.analysis.classify import CATEGORY, CLASS_COLUMNS, ClassifyRules, classify_sites
from geo.analysis.control import active_parts, site_control
from geo.analysis.enforcement import is_prior_enforcement, prior_enforcement_incidents
from geo.analysis.frontage import street_frontage
from geo.analysis.proximity import incident_counts, nearest_distance_ft, polygon_anchors
from geo.analysis.relevance import enforcement_incidents
from geo.analysis.risk import (
    DIST_PLACE_FT,
    DIST_RAMP_FT,
    DIST_REPEAT_FT,
    NEAREST_PLACE,
    RISK_SCORE,
    RiskRules,
    apply_overrides,
    residual_risk,
    score_sites,
    shape_metrics,
)
from geo.analysis.snap import OWNER_CLASS, PRIVATE, SnapRules, owner_class_of_parcels, snap_incidents
from geo.config import DISPLAY_CRS, Directive
from geo.crs import to_analysis, to_display

PARCEL_COLUMNS = (schema.AIN, schema.USE_CODE, schema.USE_DESCRIPTION, schema.OWNER_NAME, schema.COUNCIL_DISTRICT, schema.LAPD_AREA,
                  schema.CENTROID_X_FT, schema.CENTROID_Y_FT, schema.OWNER_CLASS)


def _no_parts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({schema.PART_ID: []}, geometry=gpd.GeoSeries([], crs=DISPLAY_CRS))


@dataclass(frozen=True)
class AnalysisConfig:
    """All rules of one analysis run, passed explicitly (frozen, so usable as a cache key).

    Attributes
    ----------
    directive, classify, risk, snap
        Directive dates and the rules of each step.
    site_radii_m, site_windows_days : tuple
        Incident counts per site (radius in metres from the site edge, LA calendar days).
    parcel_radii_m, parcel_windows_days : tuple
        Incident counts per private parcel.
    """

    directive: Directive = field(default_factory=Directive)
    classify: ClassifyRules = field(default_factory=ClassifyRules)
    risk: RiskRules = field(default_factory=RiskRules)
    snap: SnapRules = field(default_factory=SnapRules)
    site_radii_m: tuple[float, ...] = (250.0, 500.0)
    site_windows_days: tuple[int | None, ...] = (30, 90)
    parcel_radii_m: tuple[float, ...] = (100.0, 250.0)
    parcel_windows_days: tuple[int | None, ...] = (30, 90)


@dataclass(frozen=True)
class AnalysisResult:
    """Every table of one run. ``sites`` is a GeoDataFrame in EPSG:4326; the rest are plain frames."""

    as_of: dt.date
    sites: gpd.GeoDataFrame
    incidents: pd.DataFrame
    parcel_counts: pd.DataFrame
    kpi_department: pd.DataFrame
    kpi_district: pd.DataFrame
    matrix: pd.DataFrame
    near_unprotected: pd.DataFrame
    hot_spots: pd.DataFrame
    hot_spot_owners: pd.DataFrame
    timings_s: dict[str, float] = field(default_factory=dict)
    #: Active site parts with their determination, sign and gate gaps (EPSG:4326).
    parts: gpd.GeoDataFrame = field(default_factory=_no_parts)
    #: Sites and parts as the units the directive counts (:data:`geo.analysis.gaps.UNIT_COLUMNS`).
    units: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(gaps.UNIT_COLUMNS)))


def analyze(
    parcels: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, status: pd.DataFrame,
    overrides: pd.DataFrame, *, districts: gpd.GeoDataFrame | None = None, parks: gpd.GeoDataFrame | None = None,
    ramps: gpd.GeoDataFrame | None = None, places: gpd.GeoDataFrame | None = None,
    control: pd.DataFrame | None = None, parts: pd.DataFrame | None = None, as_of: dt.date,
    config: AnalysisConfig = AnalysisConfig(), streets: gpd.GeoDataFrame | None = None,
) -> AnalysisResult:
    """Run the whole analysis on canonical frames (any declared CRS; measured in EPSG:2229).

    ``control`` and ``parts`` are the store's ``site_control`` and ``site_parts`` tables (none:
    every site pending, no parts); ``ramps`` and ``places`` are point layers for the risk model,
    ``streets`` the street centrelines behind the street-frontage factor (none: not scored).

    Returns
    -------
    AnalysisResult
        The site table (category, rule, inherent and residual risk with their factors, override,
        determination, status, gaps), the parts, the units (sites and parts) behind the KPIs,
        the incident snapping table, per-parcel counts, KPIs, the risk x protection matrix,
        incidents near unprotected sites and private hot spots.

    Raises
    ------
    CRSError
        When a frame has no CRS.
    """
    clock: dict[str, float] = {}
    incidents = enforcement_incidents(incidents)  # general crime is context: it never scores or counts
    timed = _timer(clock)
    with timed("project"):
        parcels, sites, incidents = _measured(parcels), _measured(sites), _measured(incidents)
        districts = None if districts is None or len(districts) == 0 else _measured(districts)
        parks = None if parks is None or len(parks) == 0 else _measured(parks)
        ramps = None if ramps is None or len(ramps) == 0 else _measured(ramps)
        places = None if places is None or len(places) == 0 else _measured(places)
        streets = None if streets is None or len(streets) == 0 else _measured(streets)
        enforcement = prior_enforcement_incidents(incidents)
    with timed("classify"):
        cls = classify_sites(sites, parks=parks, rules=config.classify)
    with timed("snap"):
        snapped = snap_incidents(incidents, sites=sites, parcels=parcels, districts=districts, rules=config.snap)
        snapped = pd.concat([incidents[[c for c in (schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE,
                                                      schema.VERIFICATION, schema.SOURCE_TYPE, schema.RELEVANCE) if c in incidents]],
                             snapped], axis=1)
    with timed("site_counts"):
        site_counts = incident_counts(sites, enforcement, radii_m=config.site_radii_m,
                                      windows_days=config.site_windows_days, as_of=as_of)
    with timed("parcel_counts"):
        parcel_counts = _parcel_counts(parcels, sites, incidents, as_of=as_of, config=config)
    with timed("hot_spots"):
        hot, owners = gaps.private_hot_spots(snapped[is_prior_enforcement(snapped).to_numpy(bool)], parcels,
                                             as_of=as_of, recent_days=config.risk.repeat_days,
                                             min_incidents=config.risk.repeat_min_incidents)
    with timed("distances"):
        dist = _site_distances(sites, parcels, hot, ramps, places=places)
    with timed("frontage"):
        dist = dist.join(street_frontage(sites, streets, tolerance_ft=config.risk.street_tolerance_ft))
    with timed("score"):
        features = pd.concat([cls, shape_metrics(sites, category=cls[CATEGORY], rules=config.risk),
                              site_counts, dist], axis=1)
        table, part_table, units = site_stage(sites, features, status, overrides, control=control, parts=parts,
                                              as_of=as_of, config=config)
    with timed("gaps"):
        result = AnalysisResult(
            as_of=as_of, sites=to_display(table), incidents=snapped, parcel_counts=parcel_counts,
            hot_spots=hot, hot_spot_owners=owners, timings_s=clock, parts=part_table, units=units,
            **unit_tables(table, units, snapped),
        )
    return result


def site_stage(sites: gpd.GeoDataFrame, features: pd.DataFrame, status: pd.DataFrame, overrides: pd.DataFrame, *,
               control: pd.DataFrame | None, parts: pd.DataFrame | None, as_of: dt.date,
               config: AnalysisConfig, scored: pd.DataFrame | None = None
               ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Return the site table (priority order), the part table and the units, from per-site features.

    The part of a run that status saves, overrides, determinations and parts change: the A.1
    determination and control, sign and gate gaps, inherent score and residual risk, tiers and
    overrides. ``features`` carries the category columns, shape metrics, incident counts and
    distances (``geo.services.persisted.restatus`` rebuilds them from a persisted site table).
    ``scored`` is :func:`score_sites` of ``features`` when the caller already has it (it depends on
    the features only, never on status).
    """
    ctl = site_control(sites, control, as_of=as_of)
    status_gaps = gaps.site_gaps(sites, status, category=features[CATEGORY], as_of=as_of,
                                 directive=config.directive, control=ctl)
    scored = score_sites(features, rules=config.risk) if scored is None else scored
    residual = residual_risk(scored[RISK_SCORE], sign=status_gaps[schema.SIGN_STATUS],
                             gate=status_gaps[schema.GATE_STATUS], rules=config.risk)
    final = apply_overrides(sites[schema.SITE_ID], scored["risk_tier"], overrides)
    cls = features[list(CLASS_COLUMNS)]
    table = _site_table(sites, cls, features, scored, final, status_gaps,
                        extra=(ctl.drop(columns=[schema.DETERMINATION]), residual))
    table = table.loc[gaps.priority_order(table["final_tier"], table[gaps.PROTECTION], table[RISK_SCORE])]
    part_table = _part_table(parts, table, as_of=as_of, config=config)
    return table, part_table, gaps.unit_table(table, part_table)


def unit_tables(table: pd.DataFrame, units: pd.DataFrame, snapped: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the KPI tables, the risk x protection matrix (over units) and incidents near unprotected sites."""
    return {"kpi_department": gaps.kpis(units, by=schema.OWNING_DEPT),
            "kpi_district": gaps.kpis(units, by=schema.COUNCIL_DISTRICT),
            "matrix": gaps.risk_protection_matrix(units["final_tier"], units[gaps.PROTECTION]),
            "near_unprotected": gaps.incidents_near_unprotected(snapped, table)}


# --- private steps ---------------------------------------------------------------------
def _measured(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:2229: itself when already there (never modified), else a projected copy."""
    if gdf.crs is not None and gdf.crs.to_epsg() == 2229:
        return gdf
    return to_analysis(gdf)


def _timer(clock: dict[str, float]) -> Callable[[str], Any]:
    @contextmanager
    def timed(name: str) -> Iterator[None]:
        t = time.perf_counter()
        yield
        clock[name] = clock.get(name, 0.0) + time.perf_counter() - t
    return timed


def _parcel_counts(parcels: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                   as_of: dt.date, config: AnalysisConfig) -> pd.DataFrame:
    """Return incident counts per private parcel, anchored on the stored centroids when present."""
    private = owner_class_of_parcels(parcels, sites, rules=config.snap)[OWNER_CLASS] == PRIVATE
    sub = parcels[private.to_numpy()]
    anchor = None
    if {schema.CENTROID_X_FT, schema.CENTROID_Y_FT} <= set(sub.columns) and sub[[schema.CENTROID_X_FT, schema.CENTROID_Y_FT]].notna().all().all():
        anchor = sub[[schema.CENTROID_X_FT, schema.CENTROID_Y_FT]].to_numpy(dtype=float)
    counts = incident_counts(sub, incidents, radii_m=config.parcel_radii_m,
                             windows_days=config.parcel_windows_days, as_of=as_of, anchor_xy_ft=anchor)
    return pd.concat([sub[[schema.AIN]].reset_index(drop=True), counts.reset_index(drop=True)], axis=1)


def _part_table(parts: pd.DataFrame | None, table: gpd.GeoDataFrame, *, as_of: dt.date,
                config: AnalysisConfig) -> gpd.GeoDataFrame:
    """Return the active parts with their gaps, in EPSG:4326."""
    found = active_parts(parts, table)
    if not len(found):
        return found
    part_gaps = gaps.part_gaps(found, as_of=as_of, directive=config.directive)
    keep = found.drop(columns=[c for c in part_gaps.columns if c in found.columns])
    return gpd.GeoDataFrame(pd.concat([keep, part_gaps], axis=1), geometry="geometry", crs=found.crs)


def _site_distances(sites: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, hot: pd.DataFrame,
                    ramps: gpd.GeoDataFrame | None, *, places: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Distance (ft) from each site to the nearest recent repeat-incident parcel, freeway ramp and place of concern.

    Ramp and place distances are NaN when the layer is not loaded (their factors then say so).
    """
    geoms = np.asarray(sites.geometry.values, dtype=object)
    repeat = hot.loc[hot["repeat_recent"], schema.AIN] if len(hot) else pd.Series([], dtype=object)
    targets = np.asarray(parcels.geometry.values[parcels[schema.AIN].isin(repeat).to_numpy()], dtype=object)
    d_repeat = np.full(len(geoms), np.inf)
    if len(targets) and len(geoms):
        (i, _), d = shapely.STRtree(targets).query_nearest(geoms, return_distance=True, all_matches=False)
        d_repeat[i] = d
    d_ramp = np.full(len(geoms), np.nan)
    if ramps is not None and len(ramps) and len(geoms):
        xy = shapely.get_coordinates(shapely.point_on_surface(ramps.geometry.values))
        d_ramp = nearest_distance_ft(geoms, xy, anchors=polygon_anchors(geoms))
    d_place = np.full(len(geoms), np.nan)
    kind = np.full(len(geoms), None, dtype=object)
    if places is not None and len(places) and len(geoms):
        pts = shapely.point_on_surface(np.asarray(places.geometry.values, dtype=object))
        (i, j), d = shapely.STRtree(pts).query_nearest(geoms, return_distance=True, all_matches=False)
        d_place[i] = d
        kind[i] = places[schema.PLACE_TYPE].to_numpy(dtype=object)[j] if schema.PLACE_TYPE in places else None
    return pd.DataFrame({DIST_REPEAT_FT: d_repeat, DIST_RAMP_FT: d_ramp, DIST_PLACE_FT: d_place, NEAREST_PLACE: kind},
                        index=sites.index)


def _site_table(sites: gpd.GeoDataFrame, cls: pd.DataFrame, features: pd.DataFrame, scored: pd.DataFrame,
                final: pd.DataFrame, status_gaps: pd.DataFrame, *, extra: tuple[pd.DataFrame, ...] = ()
                ) -> gpd.GeoDataFrame:
    keep = [c for c in (schema.SITE_ID, schema.NAME, schema.OWNING_DEPT, schema.ASSET_TYPE, schema.AINS, schema.USE_CODE, schema.USE_DESCRIPTION,
                        schema.BLDG_SQFT, schema.COUNCIL_DISTRICT, schema.LAPD_AREA, schema.SITE_ORIGIN, schema.IS_SYNTHETIC,
                        schema.OWNER_CLASS)
            if c in sites.columns]
    measures = features.drop(columns=[*CLASS_COLUMNS, schema.GATE_STATUS], errors="ignore")
    frame = pd.concat([sites[keep], cls, measures, scored, final, status_gaps, *extra], axis=1)
    return gpd.GeoDataFrame(frame, geometry=sites.geometry.values, crs=sites.crs, index=sites.index)
