"""Asset lists with point coordinates and no AINs: each point becomes the stored parcel that holds it.

The City's point exports (``LAPD Police Stations``: ``X,Y,OBJECTID,DIVISION,LOCATION,PREC``) place
a facility by a point. A site is land, so each point is matched, in one STRtree bulk query, to
the stored parcel polygon(s) it lies on: one parcel gives the site its AIN and outline; a point on
several (a shared edge, overlapping parcels) takes them all and is named in a note; a point on no
parcel is rejected with its coordinates and the fix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.io import validate
from geo.io.importers import ImportContext, Rows
from geo.messages import M, join

#: Points listed by row in the note about points on several parcels.
LISTED = 10


def points_on_parcels(rows: Rows, points: np.ndarray, ctx: ImportContext) -> tuple[np.ndarray, pd.Series, list[str]]:
    """Return (parcel outlines, AIN lists, notes) for EPSG:4326 ``points``; reject points on no parcel.

    Rows already rejected (no or bad coordinates) are left alone.
    """
    n = len(points)
    ains = pd.Series([[] for _ in range(n)], dtype=object)
    out = np.full(n, None, dtype=object)
    live = np.flatnonzero(rows.ok & np.array([p is not None for p in points], dtype=bool))
    stored = ctx.parcels() if ctx.parcels is not None else None
    reasons = pd.Series([None] * n, dtype=object)
    if stored is None or not len(stored):
        reasons[live] = ("the row gives a point and no AIN, and the store holds no parcels to find it on; import the "
                         "County Parcels layer first, or add the site's AIN")
        rows.reject(reasons)
        return out, ains, []
    parcels = np.asarray(stored.geometry.array, dtype=object)
    parcel_ains = stored[schema.AIN].to_numpy(dtype=object)
    src, hit = shapely.STRtree(parcels).query(np.asarray(points[live], dtype=object), predicate="intersects")
    src = live[src]
    counts = np.bincount(src, minlength=n)
    xs, ys = shapely.get_x(np.asarray(points, dtype=object)), shapely.get_y(np.asarray(points, dtype=object))
    for pos in live[counts[live] == 0]:
        reasons.iat[pos] = M("point (lat {lat:.6f}, lon {lon:.6f}) lies on no stored parcel; check the "
                             "coordinates and the CRS (--crs), import the parcels of that area, or add the site's AIN",
                             lat=ys[pos], lon=xs[pos])
    rows.reject(reasons)
    if len(src):
        pairs = pd.DataFrame({"point": src, "parcel": hit})
        lists = pairs.groupby("point")["parcel"].agg(list)
        for pos, idx in zip(lists.index.to_numpy(), lists.to_numpy(), strict=True):  # AIN text, not geometry
            ains.iat[int(pos)] = list(dict.fromkeys(str(a) for a in parcel_ains[idx] if a is not None))
        one = counts[src] == 1
        out[src[one]] = parcels[hit[one]]
        many = lists[lists.map(len) > 1]
        if len(many):
            out[many.index.to_numpy()] = [shapely.union_all(parcels[i]) for i in many.to_numpy()]
        placed = np.flatnonzero(counts > 0)
        out[placed] = validate.polygonal_part(out[placed])
    notes: list[str] = [M("{count:,} points matched to the one parcel that contains each",
                          count=int((counts[live] == 1).sum()))]
    several = live[counts[live] > 1]
    if len(several):
        where = rows.raw.where(several[:LISTED])
        shown = join([M("{where} ({ains})", where=w, ains=", ".join(ains.iat[p]))
                      for w, p in zip(where, several[:LISTED], strict=True)])
        if len(several) > LISTED:
            shown = M("{listed} and {more:,} more", listed=shown, more=len(several) - LISTED)
        notes.append(M("{count:,} points lie on several parcels (on a shared edge or on overlapping parcels); "
                       "the site takes all of them: {shown}. Check these sites' outlines, or give their AINs",
                       count=len(several), shown=shown))
    return out, ains, notes
