"""Street frontage of each site: how many feet of its boundary face a street centreline (EPSG:2229).

A stretch of a site's boundary fronts a street when it lies within ``tolerance_ft`` of the
street's centreline (a half street width). Each (site, street segment) pair found by one STRtree
bulk query is measured along the street: the part of the boundary inside the segment's buffer is
projected onto the centreline and its extent taken, so a side running away from the street (a
corner lot's other side, which passes through the buffer for a few feet) adds nothing. A site's
frontage is the sum over the segments it touches; major and secondary highway frontage is the
same sum over those classes. Freeway centrelines give no access and are left out. All steps are
shapely 2 array operations; the only Python loop is over the few street classes.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema

FRONTAGE_FT, ARTERIAL_FRONTAGE_FT, FRONTAGE_STREET, FRONTAGE_CLASS = (
    "frontage_ft", "arterial_frontage_ft", "frontage_street", "frontage_class")
FRONTAGE_COLUMNS = (FRONTAGE_FT, ARTERIAL_FRONTAGE_FT, FRONTAGE_STREET, FRONTAGE_CLASS)
#: Classes whose frontage scores more: the City's major and secondary highways (Boulevards, Avenues).
ARTERIAL_CLASSES = ("major_highway", "secondary_highway")
#: Centrelines that never give a site vehicle access.
NO_ACCESS_CLASSES = ("freeway",)


def no_frontage(index: pd.Index) -> pd.DataFrame:
    """Return the frontage columns for sites when no street layer is loaded (NaN: not scored)."""
    return pd.DataFrame({FRONTAGE_FT: np.nan, ARTERIAL_FRONTAGE_FT: np.nan, FRONTAGE_STREET: None,
                         FRONTAGE_CLASS: None}, index=index).astype({FRONTAGE_STREET: object, FRONTAGE_CLASS: object})


def street_frontage(sites: gpd.GeoDataFrame, streets: gpd.GeoDataFrame | None, *,
                    tolerance_ft: float) -> pd.DataFrame:
    """Return per site its frontage (ft), its major/secondary highway frontage and the longest-fronted street.

    Both frames must be in the same projected CRS in feet (EPSG:2229). No street layer (``None``
    or empty) gives NaN frontage, which the risk factor reports as "no street layer loaded".
    """
    if streets is None or not len(streets):
        return no_frontage(sites.index)
    cls = streets[schema.STREET_CLASS].astype(object).to_numpy() if schema.STREET_CLASS in streets \
        else np.full(len(streets), "other", dtype=object)
    names = streets[schema.STREET_NAME].astype(object).to_numpy() if schema.STREET_NAME in streets \
        else np.full(len(streets), None, dtype=object)
    lines, owner = shapely.get_parts(np.asarray(streets.geometry.values, dtype=object), return_index=True)
    keep = ~np.isin(cls[owner], NO_ACCESS_CLASSES)
    lines, owner = lines[keep], owner[keep]
    out = pd.DataFrame({FRONTAGE_FT: 0.0, ARTERIAL_FRONTAGE_FT: 0.0, FRONTAGE_STREET: None, FRONTAGE_CLASS: None},
                       index=sites.index).astype({FRONTAGE_STREET: object, FRONTAGE_CLASS: object})
    rims = shapely.boundary(np.asarray(sites.geometry.values, dtype=object))
    if not len(lines) or not len(rims):
        return out
    site_i, line_j = shapely.STRtree(lines).query(rims, predicate="dwithin", distance=tolerance_ft)
    if not len(site_i):
        return out
    pieces = shapely.intersection(rims[site_i], shapely.buffer(lines[line_j], tolerance_ft))
    xy, pair = shapely.get_coordinates(pieces, return_index=True)
    along = shapely.line_locate_point(lines[line_j][pair], shapely.points(xy))
    span = pd.Series(along).groupby(pair)
    length = np.zeros(len(site_i))
    length[span.max().index.to_numpy()] = (span.max() - span.min()).to_numpy()
    arterial = np.isin(cls[owner[line_j]], ARTERIAL_CLASSES)
    pairs = pd.DataFrame({"site": site_i, "ft": length, "arterial": np.where(arterial, length, 0.0),
                          "name": names[owner[line_j]], "cls": cls[owner[line_j]]})
    total = pairs.groupby("site")[["ft", "arterial"]].sum()
    rows = total.index.to_numpy()
    out.iloc[rows, out.columns.get_loc(FRONTAGE_FT)] = total["ft"].round(1).to_numpy()
    out.iloc[rows, out.columns.get_loc(ARTERIAL_FRONTAGE_FT)] = total["arterial"].round(1).to_numpy()
    by_street = pairs.assign(name=pairs["name"].fillna("unnamed street")).groupby(["site", "name", "cls"])["ft"].sum()
    best = by_street[by_street > 0].sort_values(ascending=False, kind="stable").reset_index()
    best = best.drop_duplicates("site")
    out.iloc[best["site"].to_numpy(), out.columns.get_loc(FRONTAGE_STREET)] = best["name"].to_numpy()
    out.iloc[best["site"].to_numpy(), out.columns.get_loc(FRONTAGE_CLASS)] = best["cls"].to_numpy()
    return out
