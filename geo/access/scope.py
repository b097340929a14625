"""Least data at the source: the rows and layers each role may receive, cut before anything is drawn.

A page builds its frames through these cuts, so what a map or table ships is what the role may
read, not only what it draws (SECURITY.md R2, R3). Planning and admins see everything; council
offices see every site and incident (their own district first, in the pages); a liaison sees
their own department's sites and no incident points or private parcels; LAPD records and the
public see only protected sites (an unprotected list would be a staging guide), records with
incident points.
"""
from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.access.roles import Actor, can

ALL, DEPARTMENT, PROTECTED = "all", "department", "protected"


def site_scope(actor: Actor) -> str:
    """Return which sites ``actor`` may receive: ``all``, their ``department``'s, or ``protected`` only."""
    if actor.role == "liaison":
        return DEPARTMENT
    return ALL if can(actor, "view_risk") else PROTECTED


def scope_sites(sites: gpd.GeoDataFrame, actor: Actor, *, protected_ids: Collection[str]) -> gpd.GeoDataFrame:
    """Return the sites ``actor`` may receive (``protected_ids``: sites signed and gated where a barrier applies)."""
    scope = site_scope(actor)
    if scope == ALL:
        return sites
    if scope == DEPARTMENT:
        return sites[sites[schema.OWNING_DEPT] == actor.department]
    return sites[sites[schema.SITE_ID].isin(list(protected_ids))]


def scope_status(status: pd.DataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the status rows of the given (already scoped) sites only."""
    return status[status[schema.SITE_ID].isin(sites[schema.SITE_ID])]


def scope_incidents(incidents: gpd.GeoDataFrame, actor: Actor) -> gpd.GeoDataFrame:
    """Return incident points for roles that may see them, else an empty frame of the same columns."""
    return incidents if can(actor, "view_incident_points") else incidents.iloc[:0]


def scope_parcels(parcels: gpd.GeoDataFrame, actor: Actor) -> gpd.GeoDataFrame:
    """Return assessor parcels for roles that may see them (Planning, admins), else an empty frame."""
    return parcels if can(actor, "view_parcels") else parcels.iloc[:0]
