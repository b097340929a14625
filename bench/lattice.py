"""Benchmark data: an LA-shaped parcel lattice, clustered incidents, ramps and districts (EPSG:2229)."""
from __future__ import annotations

import numpy as np
import shapely

CITY_HALL_FT = (6_488_151.0, 1_842_013.0)
CELL_FT = (118.0, 148.0)


def lattice_parcels(n: int, *, seed: int = 17) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` 9-vertex lattice parcels centred on City Hall and their anchors (ft).

    Cells are 118 x 148 ft (DATA.md 5.5); corners inset 5 ft, edge midpoints jittered +/-3 ft,
    built with one ``shapely.polygons`` call on an (n, 9, 2) array.
    """
    cols = int(np.ceil(np.sqrt(n * 1.25)))
    i = np.arange(n)
    cx = CITY_HALL_FT[0] + (i % cols - cols / 2) * CELL_FT[0]
    cy = CITY_HALL_FT[1] + (i // cols - n / cols / 2) * CELL_FT[1]
    hw, hh = CELL_FT[0] / 2 - 5, CELL_FT[1] / 2 - 5
    rng = np.random.default_rng(seed)
    jit = rng.uniform(-3, 3, size=(n, 4))
    ring = np.stack([
        np.stack([cx - hw, cy - hh], -1), np.stack([cx, cy - hh + jit[:, 0]], -1),
        np.stack([cx + hw, cy - hh], -1), np.stack([cx + hw + jit[:, 1], cy], -1),
        np.stack([cx + hw, cy + hh], -1), np.stack([cx, cy + hh + jit[:, 2]], -1),
        np.stack([cx - hw, cy + hh], -1), np.stack([cx - hw + jit[:, 3], cy], -1),
        np.stack([cx - hw, cy - hh], -1),
    ], axis=1)
    return shapely.polygons(ring), np.stack([cx, cy], -1)


def clustered_points(n: int, bounds: tuple[float, float, float, float], *, hot_spots: int = 200,
                     share_hot: float = 0.7, spread_ft: float = 600.0, seed: int = 29) -> np.ndarray:
    """Return (n, 2) points: ``share_hot`` around ``hot_spots`` centres, the rest uniform."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    n_hot = int(n * share_hot)
    centres = np.column_stack([rng.uniform(minx, maxx, hot_spots), rng.uniform(miny, maxy, hot_spots)])
    hot = centres[rng.integers(0, hot_spots, n_hot)] + rng.normal(0, spread_ft, (n_hot, 2))
    cold = np.column_stack([rng.uniform(minx, maxx, n - n_hot), rng.uniform(miny, maxy, n - n_hot)])
    return np.vstack([hot, cold])


def uniform_points(n: int, bounds: tuple[float, float, float, float], *, seed: int = 31) -> np.ndarray:
    """Return (n, 2) points spread uniformly over ``bounds`` (synthetic freeway ramps)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    return np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])


def voronoi_districts(bounds: tuple[float, float, float, float], *, n: int = 15,
                      vertex_spacing_ft: float = 150.0, seed: int = 37) -> np.ndarray:
    """Return ``n`` Voronoi districts clipped to ``bounds``, densified to thousands of vertices."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    pad = 1_000.0
    box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    seeds = shapely.multipoints(np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box))
    cells = shapely.intersection(cells, box)
    return shapely.segmentize(cells, vertex_spacing_ft)
