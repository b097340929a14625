"""Incident snapping: the site or parcel an incident falls in or beside, its owner class and A.3 recipient."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS
from geo.crs import require_crs
from geo.errors import SchemaError
from geo.messages import M

ON_SITE, ADJACENT, NONE = "on_site", "adjacent", "none"
CITY_SITE, OTHER_PUBLIC, PRIVATE = "city_site", "other_public", "private"

SNAP_KIND = "snap_kind"
SNAP_DISTANCE_FT = "snap_distance_ft"
OWNER_CLASS = "owner_class"
RECIPIENT = "recipient"


@dataclass(frozen=True)
class SnapRules:
    """Options of :func:`snap_incidents`.

    Attributes
    ----------
    max_adjacent_ft : float
        An incident outside every parcel and site snaps to the nearest one within this distance
        (US feet, default 150).
    public_code_range : tuple of int
        Inclusive two-digit use-code range of other public property (80xx-88xx).
    liaison_title : str
        Title of the contact who receives reports about a department's property (directive A.3).
    """

    max_adjacent_ft: float = 150.0
    public_code_range: tuple[int, int] = (80, 88)
    liaison_title: str = "Immigrant Affairs Liaison"


def snap_incidents(
    incidents: gpd.GeoDataFrame,
    *,
    sites: gpd.GeoDataFrame,
    parcels: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
    rules: SnapRules = SnapRules(),
) -> pd.DataFrame:
    """Assign each incident the site or parcel it falls in, else the nearest one within reach.

    City sites win over parcels; among overlapping polygons the smallest wins, then the first.
    Adjacent means nearest within ``rules.max_adjacent_ft`` (site before parcel at equal
    distance). A parcel listed in a site's ``ains`` counts as that City site.

    Parameters
    ----------
    incidents, sites, parcels : GeoDataFrame
        Canonical layers in EPSG:2229.
    districts : GeoDataFrame, optional
        Council districts (``district``) in EPSG:2229, used when neither the incident nor its
        snapped property has a council district.
    rules : SnapRules
        Options.

    Returns
    -------
    DataFrame
        ``snap_kind`` (on_site / adjacent / none), ``snap_distance_ft`` (0 on site, NaN when
        none), ``site_id``, ``ain``, ``owner_class`` (city_site / other_public / private),
        ``owning_dept``, ``recipient``, ``council_district`` and ``lapd_area``, aligned to
        ``incidents.index``.

    Raises
    ------
    CRSError
        When a layer is not in EPSG:2229.
    SchemaError
        When incidents are not points.
    """
    _check_inputs(incidents, sites, parcels, districts)
    pts = np.asarray(incidents.geometry.values, dtype=object)
    targets = _targets(sites, parcels, rules)
    hit, dist = _query_on_site(pts, targets)
    near, near_dist = _query_adjacent(pts[hit < 0], targets, rules.max_adjacent_ft)
    adjacent = np.flatnonzero(hit < 0)
    hit[adjacent] = near
    dist[adjacent] = near_dist
    return _assemble(incidents, targets, hit, dist, districts, rules)


def owner_class_of_parcels(parcels: pd.DataFrame, sites: pd.DataFrame, *,
                           rules: SnapRules = SnapRules()) -> pd.DataFrame:
    """Return each parcel's owner class and, for City parcels, the site and department.

    A parcel whose AIN appears in a site's ``ains`` is a City site; else its stored ``owner_class``
    decides (city, other public or unknown: other public; private: private), and without one a
    public use code (80xx-88xx by default) makes it other public; else private. Aligned to
    ``parcels.index``.
    """
    site_of_ain = _site_of_ain(sites)
    ain = parcels[schema.AIN].astype(str)
    site_id = ain.map(site_of_ain[schema.SITE_ID])
    dept = ain.map(site_of_ain[schema.OWNING_DEPT])
    code = parcels[schema.USE_CODE].fillna("").astype(str).str.strip().str.upper() if schema.USE_CODE in parcels \
        else pd.Series("", index=parcels.index)
    two = pd.to_numeric(code.str[:2].where(code.str[:2].str.isdigit()), errors="coerce")
    lo, hi = rules.public_code_range
    public = ((two >= lo) & (two <= hi)).to_numpy(bool)
    if schema.OWNER_CLASS in parcels:  # the import's owner class (names) decides where it is known
        stored = parcels[schema.OWNER_CLASS].astype(object)
        public = np.where(stored.notna(), stored.isin(["city", "other_public", "unknown"]), public).astype(bool)
    cls = np.where(site_id.notna(), CITY_SITE, np.where(public, OTHER_PUBLIC, PRIVATE))
    return pd.DataFrame({OWNER_CLASS: cls, schema.SITE_ID: site_id, schema.OWNING_DEPT: dept}, index=parcels.index)


def recipient_for(dept: pd.Series, *, rules: SnapRules = SnapRules()) -> pd.Series:
    """Return the A.3 recipient for City-site incidents: the department's Immigrant Affairs Liaison."""
    dept = dept.astype(object)
    named = dept.notna() & (dept != schema.UNASSIGNED)
    out = pd.Series(None, index=dept.index, dtype=object, name=RECIPIENT)
    out[named] = dept[named].astype(str) + " " + rules.liaison_title
    out[dept == schema.UNASSIGNED] = f"{rules.liaison_title} (owning department not yet assigned)"
    return out


# --- private steps (check inputs, query the index, assemble) ----------------------------
@dataclass(frozen=True)
class _Targets:
    geoms: np.ndarray
    is_site: np.ndarray
    row: np.ndarray  # position in sites or parcels
    area: np.ndarray
    sites: pd.DataFrame
    parcels: pd.DataFrame
    parcel_owner: pd.DataFrame


def _check_inputs(incidents: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame,
                  districts: gpd.GeoDataFrame | None) -> None:
    for name, frame in (("incidents", incidents), ("sites", sites), ("parcels", parcels)):
        require_crs(frame, ANALYSIS_CRS, op=f"snap_incidents({name})")
    if districts is not None:
        require_crs(districts, ANALYSIS_CRS, op="snap_incidents(districts)")
    types = shapely.get_type_id(np.asarray(incidents.geometry.values, dtype=object))
    bad = np.flatnonzero(types != 0)
    if len(bad):
        example = incidents.iloc[bad[0]].get(schema.INCIDENT_ID, incidents.index[bad[0]])
        raise SchemaError(M(
            "snap_incidents: {bad} of {total} incidents are not points (e.g. {example}, {type_id} type id). "
            "Import incidents as points, or take a representative point first.", bad=len(bad), total=len(incidents),
            example=example, type_id=repr(shapely.get_type_id(incidents.geometry.values[bad[0]]))))


def _targets(sites: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, rules: SnapRules) -> _Targets:
    site_geoms = np.asarray(sites.geometry.values, dtype=object)
    parcel_geoms = np.asarray(parcels.geometry.values, dtype=object)
    geoms = np.concatenate([site_geoms, parcel_geoms])
    is_site = np.r_[np.ones(len(site_geoms), bool), np.zeros(len(parcel_geoms), bool)]
    row = np.r_[np.arange(len(site_geoms)), np.arange(len(parcel_geoms))]
    owner = owner_class_of_parcels(parcels, sites, rules=rules)
    return _Targets(geoms, is_site, row, shapely.area(geoms), sites, parcels, owner)


def _query_on_site(pts: np.ndarray, t: _Targets) -> tuple[np.ndarray, np.ndarray]:
    """Return the target each point falls in (-1 when none), with distance 0."""
    hit = np.full(len(pts), -1, dtype=np.int64)
    dist = np.full(len(pts), np.nan)
    if len(t.geoms) == 0 or len(pts) == 0:
        return hit, dist
    p_idx, g_idx = shapely.STRtree(t.geoms).query(pts, predicate="intersects")
    chosen_p, chosen_g = _pick(p_idx, g_idx, t)
    hit[chosen_p] = chosen_g
    dist[chosen_p] = 0.0
    return hit, dist


def _query_adjacent(pts: np.ndarray, t: _Targets, max_ft: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the nearest target within ``max_ft`` of each point (-1 and NaN when none)."""
    hit = np.full(len(pts), -1, dtype=np.int64)
    dist = np.full(len(pts), np.nan)
    if len(t.geoms) == 0 or len(pts) == 0 or max_ft <= 0:
        return hit, dist
    (p_idx, g_idx), d = shapely.STRtree(t.geoms).query_nearest(
        pts, max_distance=max_ft, return_distance=True, all_matches=True)
    chosen_p, chosen_g = _pick(p_idx, g_idx, t)
    hit[chosen_p] = chosen_g
    pos = np.searchsorted(p_idx, chosen_p)  # all matches of a point share one distance
    dist[chosen_p] = d[pos]
    return hit, dist


def _pick(p_idx: np.ndarray, g_idx: np.ndarray, t: _Targets) -> tuple[np.ndarray, np.ndarray]:
    """One target per point: sites first, then the smallest area, then the first in order."""
    if len(p_idx) == 0:
        return p_idx, g_idx
    order = np.lexsort((g_idx, t.area[g_idx], ~t.is_site[g_idx], p_idx))
    p_idx, g_idx = p_idx[order], g_idx[order]
    first = np.r_[True, p_idx[1:] != p_idx[:-1]]
    return p_idx[first], g_idx[first]


def _assemble(
    incidents: gpd.GeoDataFrame, t: _Targets, hit: np.ndarray, dist: np.ndarray,
    districts: gpd.GeoDataFrame | None, rules: SnapRules,
) -> pd.DataFrame:
    n = len(incidents)
    found = hit >= 0
    on_site = found & (dist == 0)
    kind = np.where(on_site, ON_SITE, np.where(found, ADJACENT, NONE))
    site_hit = found & t.is_site[np.maximum(hit, 0)] if len(t.geoms) else np.zeros(n, bool)
    parcel_hit = found & ~site_hit
    row = t.row[np.maximum(hit, 0)] if len(t.geoms) else np.zeros(n, np.int64)

    def from_sites(col: str) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        if col in t.sites.columns:
            out[site_hit] = t.sites[col].to_numpy(dtype=object)[row[site_hit]]
        return out

    def from_parcels(frame: pd.DataFrame, col: str) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        if col in frame.columns:
            out[parcel_hit] = frame[col].to_numpy(dtype=object)[row[parcel_hit]]
        return out

    site_id = _coalesce(from_sites(schema.SITE_ID), from_parcels(t.parcel_owner, schema.SITE_ID))
    dept = _coalesce(from_sites(schema.OWNING_DEPT), from_parcels(t.parcel_owner, schema.OWNING_DEPT))
    site_owner = np.full(len(site_hit), None, dtype=object)
    site_owner[np.asarray(site_hit, dtype=bool)] = CITY_SITE
    owner = _coalesce(site_owner,
                      from_parcels(t.parcel_owner, OWNER_CLASS))
    out = pd.DataFrame({
        SNAP_KIND: kind, SNAP_DISTANCE_FT: dist, schema.SITE_ID: site_id,
        schema.AIN: from_parcels(t.parcels, schema.AIN), OWNER_CLASS: owner, schema.OWNING_DEPT: dept,
    }, index=incidents.index)
    out[RECIPIENT] = recipient_for(out[schema.OWNING_DEPT].where(out[OWNER_CLASS] == CITY_SITE), rules=rules)
    for col in (schema.COUNCIL_DISTRICT, schema.LAPD_AREA):
        own = incidents[col].to_numpy(dtype=object) if col in incidents else np.full(n, None, object)
        value = _coalesce(own, from_sites(col), from_parcels(t.parcels, col))
        if col == schema.COUNCIL_DISTRICT and districts is not None:
            value = _coalesce(value, district_of_points(incidents.geometry.values, districts))
        out[col] = pd.array(pd.to_numeric(pd.Series(value, dtype=object), errors="coerce"),
                            dtype="Int64")
    return out


def _coalesce(*arrays: np.ndarray) -> np.ndarray:
    out = np.array(arrays[0], dtype=object)
    for arr in arrays[1:]:
        missing = pd.isna(out)
        out[missing] = np.asarray(arr, dtype=object)[missing]
    out[pd.isna(out)] = None
    return out


def _site_of_ain(sites: pd.DataFrame) -> pd.DataFrame:
    """Map each AIN listed in a site's ``ains`` (';'-separated) to its site and department."""
    if schema.AINS not in sites.columns or len(sites) == 0:
        return pd.DataFrame(columns=[schema.SITE_ID, schema.OWNING_DEPT], dtype=object)
    ains = sites[schema.AINS].fillna("").astype(str).str.split(";")
    frame = pd.DataFrame({schema.SITE_ID: sites[schema.SITE_ID].to_numpy(), schema.OWNING_DEPT: sites[schema.OWNING_DEPT].to_numpy(),
                          schema.AIN: ains.to_numpy()}).explode(schema.AIN)
    frame[schema.AIN] = frame[schema.AIN].str.strip()
    frame = frame[frame[schema.AIN].astype(bool)]
    return frame.drop_duplicates(schema.AIN).set_index(schema.AIN)


def district_of_points(points: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ``district`` each point (EPSG:2229) falls in, first match, else None.

    Used once at ingest or analysis for parcel centroids (PERFORMANCE.md 4: districts by
    representative point, never a polygon-to-polygon join).
    """
    require_crs(districts, ANALYSIS_CRS, op="district_of_points")
    out = np.full(len(points), None, dtype=object)
    p_idx, d_idx = shapely.STRtree(np.asarray(districts.geometry.values)).query(
        np.asarray(points, dtype=object), predicate="intersects")
    first = np.r_[True, p_idx[1:] != p_idx[:-1]] if len(p_idx) else np.zeros(0, bool)
    out[p_idx[first]] = districts[schema.DISTRICT].to_numpy(dtype=object)[d_idx[first]]
    return out
