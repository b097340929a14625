"""Incident counts near polygons and nearest-point distances, by KD-tree with exact refinement."""
from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, LOCAL_TZ
from geo.crs import require_crs

if TYPE_CHECKING:  # scipy (0.3 s of imports) is imported where a tree is built, not by every page
    from scipy.spatial import cKDTree

#: Metres to US survey feet (1 ft = 1200/3937 m).
FT_PER_M = 3937.0 / 1200.0
#: Time zone of analysis dates (directive days are LA calendar days).
#: Polygons per strip in exact counting; bounds the pairs held at once (per thread).
_STRIP = 20_000
#: Polygon edges handled at once when computing anchors (bounds temporary memory).
_EDGE_CHUNK = 1_000_000


@dataclass(frozen=True)
class Anchors:
    """Per-polygon KD-tree anchor, the two radii that bound the polygon around it, and its edges.

    Attributes
    ----------
    xy_ft : ndarray
        (n, 2) anchor points in EPSG:2229 feet, normally a representative point inside.
    inner_ft : ndarray
        Radius of a disc around the anchor that lies inside the polygon (negative when the
        anchor lies outside: minus its distance to the polygon).
    outer_ft : ndarray
        Distance from the anchor to the farthest vertex: the polygon lies inside this disc.
    edges : Edges
        Every ring segment of every polygon, grouped by polygon, for exact checks in numpy.
    strips : list of ndarray
        Polygon positions in spatially compact groups of similar size (see ``_strips``).
    """

    xy_ft: np.ndarray
    inner_ft: np.ndarray
    outer_ft: np.ndarray
    edges: Edges
    strips: list[np.ndarray] = field(default_factory=list)


@dataclass(frozen=True)
class Edges:
    """Ring segments (x0, y0, x1, y1) of polygons, sorted by polygon; ``start``/``count`` per polygon."""

    seg: np.ndarray
    start: np.ndarray
    count: np.ndarray
    bbox: np.ndarray  # (n, 4) minx, miny, maxx, maxy per polygon
    dirs: np.ndarray  # (segments, 3) dx, dy and 1 / length^2 (0 for a zero-length segment)


def polygon_edges(geoms: np.ndarray) -> Edges:
    """Return all ring segments of polygons and multipolygons (holes included), by polygon."""
    simple = (shapely.get_num_geometries(geoms) == 1) & (shapely.get_type_id(geoms) != 7)
    simple &= shapely.get_num_interior_rings(shapely.get_geometry(geoms, 0)) == 0
    if simple.all():  # one ring per polygon: coordinates run ring by ring already
        coords, owner_of = shapely.get_coordinates(geoms, return_index=True)
        which = owner_of
    else:
        parts, part_of = shapely.get_parts(geoms, return_index=True)
        rings, ring_of = shapely.get_rings(parts, return_index=True)
        coords, which = shapely.get_coordinates(rings, return_index=True)
        owner_of = part_of[ring_of[which]]
        del parts, rings, part_of, ring_of
    # every intermediate goes as soon as it is used: for 2.4M parcels each is hundreds of MB
    keep = np.flatnonzero(which[1:] == which[:-1])
    del which
    seg = np.empty((len(keep), 4))
    seg[:, :2] = coords[keep]
    seg[:, 2:] = coords[keep + 1]
    del coords
    owner = owner_of[keep]
    del owner_of, keep
    count = np.bincount(owner, minlength=len(geoms))
    del owner
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    dirs = np.empty((len(seg), 3))
    dirs[:, 0] = seg[:, 2] - seg[:, 0]
    dirs[:, 1] = seg[:, 3] - seg[:, 1]
    len2 = dirs[:, 0] ** 2 + dirs[:, 1] ** 2
    dirs[:, 2] = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 0)
    return Edges(seg=seg, start=start, count=count, bbox=shapely.bounds(geoms), dirs=dirs)


def point_polygon_distance(edges: Edges, poly: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Return exact distances (0 inside) between polygons ``poly`` and points ``xy``, pair by pair.

    Vectorised over every (pair, edge): distance to each segment, and an even-odd crossing test
    for inside (correct for holes and multi-part polygons). Pairs go in chunks of about
    ``_EDGE_CHUNK`` edge rows to bound temporary memory.
    """
    poly = np.asarray(poly, dtype=np.intp)
    rows = np.cumsum(edges.count[poly])
    if len(poly) == 0 or rows[-1] <= _EDGE_CHUNK:
        return _point_polygon_distance(edges, poly, xy)
    cuts = np.searchsorted(rows, np.arange(_EDGE_CHUNK, rows[-1], _EDGE_CHUNK))
    bounds = np.unique(np.concatenate([[0], cuts, [len(poly)]]))
    return np.concatenate([_point_polygon_distance(edges, poly[a:b], xy[a:b])
                           for a, b in itertools.pairwise(bounds)])


def _point_polygon_distance(edges: Edges, poly: np.ndarray, xy: np.ndarray) -> np.ndarray:
    m = len(poly)
    if m == 0:
        return np.zeros(0)
    k = edges.count[poly]
    offsets = np.concatenate([[0], np.cumsum(k)[:-1]])
    pair = np.repeat(np.arange(m), k)
    rows = np.repeat(edges.start[poly] - offsets, k) + np.arange(len(pair))
    s, d = edges.seg[rows], edges.dirs[rows]
    px, py = xy[pair, 0], xy[pair, 1]
    ax, ay = s[:, 0] - px, s[:, 1] - py  # segment start relative to the point
    u = -(ax * d[:, 0] + ay * d[:, 1]) * d[:, 2]
    np.clip(u, 0.0, 1.0, out=u)
    ax += u * d[:, 0]
    ay += u * d[:, 1]
    nonempty = k > 0
    best = np.full(m, np.inf)
    best[nonempty] = np.minimum.reduceat(ax * ax + ay * ay, offsets[nonempty])
    # even-odd crossing test, only for points inside the polygon's bounding box
    box = edges.bbox[poly]
    maybe_in = nonempty & (xy[:, 0] >= box[:, 0]) & (xy[:, 0] <= box[:, 2]) & (xy[:, 1] >= box[:, 1]) \
        & (xy[:, 1] <= box[:, 3])
    inside = np.zeros(m, dtype=bool)
    if maybe_in.any():
        sel = maybe_in[pair]
        y0, y1, x0 = s[sel, 1], s[sel, 3], s[sel, 0]
        qx, qy = px[sel], py[sel]
        dx, dy = d[sel, 0], d[sel, 1]
        cross = ((y0 > qy) != (y1 > qy)) & (qx < x0 + (qy - y0) * np.divide(dx, dy, out=np.zeros_like(dy),
                                                                             where=dy != 0))
        sub_k = k[maybe_in]
        sub_off = np.concatenate([[0], np.cumsum(sub_k)[:-1]])
        inside[maybe_in] = np.add.reduceat(cross.astype(np.int8), sub_off) % 2 == 1
    return np.where(inside, 0.0, np.sqrt(best))


def polygon_anchors(geoms: np.ndarray, *, anchor_xy_ft: np.ndarray | None = None) -> Anchors:
    """Return the anchors of polygons (EPSG:2229), using ``anchor_xy_ft`` when given.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        Polygons in EPSG:2229.
    anchor_xy_ft : ndarray, optional
        (n, 2) precomputed anchors, such as the parcels' ``centroid_x_ft``/``centroid_y_ft``.
    """
    geoms = np.asarray(geoms, dtype=object)
    if anchor_xy_ft is None:
        anchor_xy_ft = shapely.get_coordinates(shapely.point_on_surface(geoms))
    xy = np.asarray(anchor_xy_ft, dtype=float).reshape(-1, 2)
    edges = polygon_edges(geoms)
    n = len(geoms)
    near2, far2 = np.full(n, np.inf), np.zeros(n)
    has = np.flatnonzero(edges.count > 0)
    # distance from each anchor to its nearest edge and farthest vertex, in bounded chunks
    for chunk in np.array_split(has, max(1, int(edges.count.sum() // _EDGE_CHUNK))):
        if len(chunk) == 0:
            continue
        lo, hi = edges.start[chunk[0]], edges.start[chunk[-1]] + edges.count[chunk[-1]]
        s = edges.seg[lo:hi]
        owner = np.repeat(chunk, edges.count[chunk])
        ax, ay = xy[owner, 0], xy[owner, 1]
        dx, dy = s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]
        len2 = dx * dx + dy * dy
        u = np.clip(np.divide((ax - s[:, 0]) * dx + (ay - s[:, 1]) * dy, len2, out=np.zeros_like(len2),
                              where=len2 > 0), 0, 1)
        starts = edges.start[chunk] - lo
        near2[chunk] = np.minimum.reduceat((s[:, 0] + u * dx - ax) ** 2 + (s[:, 1] + u * dy - ay) ** 2, starts)
        far2[chunk] = np.maximum.reduceat((s[:, 0] - ax) ** 2 + (s[:, 1] - ay) ** 2, starts)
    inside = shapely.intersects_xy(geoms, xy[:, 0], xy[:, 1])
    inner = np.sqrt(near2)
    out = np.flatnonzero(~inside)
    if len(out):
        inner[out] = -shapely.distance(geoms[out], shapely.points(xy[out]))
    outer = np.sqrt(far2)
    return Anchors(xy_ft=xy, inner_ft=np.nan_to_num(inner, posinf=0.0, neginf=0.0), outer_ft=outer,
                   edges=edges, strips=_strips(xy, outer))


def count_points_within(
    geoms: np.ndarray, anchors: Anchors, points_xy_ft: np.ndarray, *, radius_ft: float,
    tree: cKDTree | None = None, threads: int = 2,
) -> np.ndarray:
    """Count points whose distance to each polygon is at most ``radius_ft`` (exact).

    Anchors are taken in strips of about 50k; for each strip a KD-tree on the anchors is
    paired with the points' KD-tree (``sparse_distance_matrix``, pairs within the radius plus
    the strip's largest outer radius). A pair within ``radius + inner`` of the anchor is surely
    within, beyond ``radius + outer`` surely not; only pairs between the two get an exact
    polygon-to-point check. Counts are summed with ``np.bincount``; pairs never outlive a strip.

    Returns
    -------
    ndarray of int
        One count per polygon.
    """
    n = len(geoms)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0 or len(points_xy_ft) == 0:
        return counts
    from scipy.spatial import cKDTree

    tree = tree if tree is not None else cKDTree(points_xy_ft)
    strips = anchors.strips or _strips(anchors.xy_ft, anchors.outer_ft)

    def one(strip: np.ndarray) -> np.ndarray:
        return _count_strip(strip, _subset(anchors, strip), points_xy_ft, tree, radius_ft)

    # numpy and the KD-tree release the GIL on large arrays: strips run on up to ``threads`` threads
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for strip, got in zip(strips, pool.map(one, strips)):
            counts[strip] = got
    return counts


def incident_counts(
    targets: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    radii_m: tuple[float, ...],
    windows_days: tuple[int | None, ...],
    as_of: dt.date,
    anchor_xy_ft: np.ndarray | None = None,
) -> pd.DataFrame:
    """Return incident counts within each radius (of the polygon) and time window per target.

    Parameters
    ----------
    targets : GeoDataFrame
        Sites or parcels in EPSG:2229.
    incidents : GeoDataFrame
        Incident points in EPSG:2229 with ``occurred_at``.
    radii_m : tuple of float
        Radii in metres, measured from the polygon edge (an incident inside counts).
    windows_days : tuple of int or None
        Windows of LA calendar days ending on ``as_of`` inclusive; ``None`` = all up to ``as_of``.
    as_of : date
        Analysis date; incidents after it are not counted.
    anchor_xy_ft : ndarray, optional
        (n, 2) anchors inside each polygon (for example the parcels' stored centroids).

    Returns
    -------
    DataFrame
        One column per radius and window, named like ``incidents_250m_30d`` / ``incidents_250m_all``,
        aligned to ``targets.index``.
    """
    require_crs(targets, ANALYSIS_CRS, op="incident_counts")
    require_crs(incidents, ANALYSIS_CRS, op="incident_counts")
    geoms = np.asarray(targets.geometry.values, dtype=object)
    anchors = polygon_anchors(geoms, anchor_xy_ft=anchor_xy_ft)
    pts = shapely.get_coordinates(incidents.geometry.values)
    local = local_days(incidents[schema.OCCURRED_AT])
    out = {}
    for days in windows_days:
        keep = in_window(local, as_of=as_of, days=days)
        sub = pts[keep]
        from scipy.spatial import cKDTree

        tree = cKDTree(sub) if len(sub) else None
        for r_m in radii_m:
            counts = count_points_within(geoms, anchors, sub, radius_ft=r_m * FT_PER_M, tree=tree)
            out[count_column(r_m, days)] = counts
    return pd.DataFrame(out, index=targets.index)


def count_column(radius_m: float, days: int | None) -> str:
    """Return the column name for a count: ``incidents_250m_30d`` or ``incidents_250m_all``."""
    return f"incidents_{radius_m:g}m_{'all' if days is None else f'{days}d'}"


def local_days(occurred_at: pd.Series) -> np.ndarray:
    """Return LA calendar dates (numpy ``datetime64[D]``) of tz-aware timestamps."""
    ts = pd.to_datetime(occurred_at, utc=True).dt.tz_convert(LOCAL_TZ)
    return np.asarray(ts.dt.tz_localize(None).to_numpy().astype("datetime64[D]"))


def in_window(local: np.ndarray, *, as_of: dt.date, days: int | None) -> np.ndarray:
    """Return a mask of dates within ``days`` LA calendar days ending on ``as_of`` (inclusive)."""
    end = np.datetime64(as_of, "D")
    keep = local <= end
    if days is not None:
        keep &= local > end - np.timedelta64(days, "D")
    return keep


def nearest_distance_ft(
    geoms: np.ndarray, points_xy_ft: np.ndarray, *, anchors: Anchors | None = None,
    k: int = 4,
) -> np.ndarray:
    """Return the exact distance (ft) from each polygon to the nearest point.

    A KD-tree on the points finds the ``k`` nearest to each anchor; only candidates that could
    beat the best bound get an exact polygon-to-point distance. Polygons whose ``k`` candidates
    all fall within the bound are resolved with a ball query.

    Returns
    -------
    ndarray of float
        One distance per polygon; ``inf`` when there are no points.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    if n == 0 or len(points_xy_ft) == 0:
        return np.full(n, np.inf)
    anchors = anchors if anchors is not None else polygon_anchors(geoms)
    from scipy.spatial import cKDTree

    tree = cKDTree(points_xy_ft)
    k = min(k, len(points_xy_ft))
    dist, idx = tree.query(anchors.xy_ft, k=k)
    dist, idx = dist.reshape(n, k), idx.reshape(n, k)
    # The true distance is at most (nearest anchor distance - inner); any point farther than
    # that bound plus the outer radius cannot be nearer.
    bound = np.maximum(dist[:, 0] - anchors.inner_ft, 0.0) + anchors.outer_ft
    cand = dist <= bound[:, None]
    rows, cols = np.nonzero(cand)
    grid = np.full((n, k), np.inf)
    grid[rows, cols] = point_polygon_distance(anchors.edges, rows, points_xy_ft[idx[rows, cols]])
    best = grid.min(axis=1)
    spill = np.flatnonzero(cand[:, -1]) if k < len(points_xy_ft) else np.array([], dtype=np.intp)
    if len(spill):
        lists = tree.query_ball_point(anchors.xy_ft[spill], bound[spill])
        lengths = np.fromiter((len(x) for x in lists), dtype=np.intp, count=len(lists))
        j = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.intp, count=int(lengths.sum()))
        t = np.repeat(spill, lengths)
        np.minimum.at(best, t, point_polygon_distance(anchors.edges, t, points_xy_ft[j]))
    return np.asarray(best)


# --- private steps ---------------------------------------------------------------------
def _strips(xy: np.ndarray, outer_ft: np.ndarray, size: int | None = None) -> list[np.ndarray]:
    """Split polygons into spatially compact strips of about ``size``, large polygons apart.

    Each strip queries with its largest outer radius, so polygons are first grouped by outer
    radius (up to 2x, 2-8x and over 8x the median) and only then cut into strips by x and y.
    """
    size = size or _STRIP
    if len(xy) == 0:
        return []
    med = float(np.median(outer_ft))
    size_class = np.digitize(outer_ft, [2 * med, 8 * med]) if med > 0 else np.zeros(len(xy), np.int64)
    lo = xy.min(axis=0)
    # one integer key: size class, then 5,000 ft columns by x, then y in 10 ft steps
    col = ((xy[:, 0] - lo[0]) // 5_000.0).astype(np.int64)
    row = ((xy[:, 1] - lo[1]) // 10.0).astype(np.int64)
    order = np.argsort((size_class.astype(np.int64) << 52) | (col << 26) | row, kind="stable")
    cls = size_class[order]
    out = []
    for c in np.unique(cls):
        members = order[cls == c]
        out += np.array_split(members, max(1, int(np.ceil(len(members) / size))))
    return out


def _subset(anchors: Anchors, idx: np.ndarray) -> Anchors:
    return Anchors(anchors.xy_ft[idx], anchors.inner_ft[idx], anchors.outer_ft[idx], anchors.edges, [])


def _count_strip(
    poly_ids: np.ndarray, anchors: Anchors, pts: np.ndarray, tree: cKDTree, radius_ft: float,
) -> np.ndarray:
    """Exact counts for one strip of polygons: KD pairs, bound tests, exact check in between."""
    reach = radius_ft + float(anchors.outer_ft.max())
    from scipy.spatial import cKDTree

    pairs = cKDTree(anchors.xy_ft).sparse_distance_matrix(tree, reach, output_type="ndarray")
    i, j, d = pairs["i"], pairs["j"], pairs["v"]
    del pairs
    sure = d <= radius_ft + anchors.inner_ft[i]
    maybe = np.flatnonzero(~sure & (d <= radius_ft + anchors.outer_ft[i]))
    # the bounding box is a cheap exact lower bound: beyond ``radius`` of it, beyond the polygon
    box = anchors.edges.bbox[poly_ids[i[maybe]]]
    p = pts[j[maybe]]
    gap_x = np.maximum(np.maximum(box[:, 0] - p[:, 0], p[:, 0] - box[:, 2]), 0.0)
    gap_y = np.maximum(np.maximum(box[:, 1] - p[:, 1], p[:, 1] - box[:, 3]), 0.0)
    maybe = maybe[gap_x * gap_x + gap_y * gap_y <= radius_ft * radius_ft]
    hit = point_polygon_distance(anchors.edges, poly_ids[i[maybe]], pts[j[maybe]]) <= radius_ft
    n = len(poly_ids)
    return np.bincount(i[sure], minlength=n) + np.bincount(i[maybe[hit]], minlength=n)
