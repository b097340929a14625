"""Synthetic private parcels: use-code mix, attributes, anchor blocks (demo) and the lattice tiers."""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS, SYNTHETIC_SOURCE
from geo.crs import feet_to_lonlat, lonlat_to_feet
from geo.io.outline import county_polygon_ft
from geo.synthetic.anchors import CITY_HALL_LATLON, anchors, council_districts, nearest_anchor
from geo.synthetic.boundaries import council_of_anchor
from geo.synthetic.randomness import categorical, integers, u01, uniform

LAYER = "parcels"
DEMO_MAX = 10_000
CELL_W_FT, CELL_H_FT = 118.0, 148.0
LATTICE_TIERS = {50_000: (250, 200), 800_000: (1000, 800), 2_400_000: (2000, 1200)}
ROLL_YEAR = 2025

#: code, weight (% of parcels), UseType, UseDescription, ZONE_CMPLT, property type, demo frontage units
USE_MIX: tuple[tuple[str, float, str, str, str, str, int], ...] = (
    ("0100", 55.0, "Residential", "Single", "R1-1", "SFR", 1),
    ("0200", 6.0, "Residential", "Double, Duplex, or Two Units", "RD1.5-1", "R-I", 1),
    ("0300", 5.0, "Residential", "Three Units (Any Combination)", "R3-1", "R-I", 2),
    ("0400", 4.0, "Residential", "Four Units (Any Combination)", "R3-1", "R-I", 2),
    ("0500", 5.0, "Residential", "Five or More Units or Apartments", "R3-1", "R-I", 4),
    ("1100", 3.5, "Commercial", "Store", "C2-1VL", "C/I", 2),
    ("1200", 3.0, "Commercial", "Store Combination", "C2-1VL", "C/I", 4),
    ("1700", 3.0, "Commercial", "Office Building", "C2-1VL", "C/I", 2),
    ("2100", 3.0, "Commercial", "Restaurant, Cocktail Lounge", "C2-1VL", "C/I", 1),
    ("2700", 2.5, "Commercial", "Parking Lot", "C2-1VL", "C/I", 2),
    ("3100", 2.5, "Industrial", "Light Manufacturing", "M2-1", "C/I", 4),
    ("3300", 3.0, "Industrial", "Warehousing, Distribution, Storage", "M2-1", "C/I", 8),
    ("3900", 1.5, "Industrial", "Open Storage", "M2-1", "C/I", 4),
    ("010V", 1.2, "Residential", "Vacant", "R1-1", "VAC", 1),
    ("100V", 0.8, "Commercial", "Vacant", "C2-1VL", "VAC", 2),
    ("7100", 1.0, "Institutional", "Church", "R1-1", "OTH", 2),
)
_CODES = np.array([m[0] for m in USE_MIX], dtype=object)
_WEIGHTS = [m[1] for m in USE_MIX]
_UNITS = np.array([m[6] for m in USE_MIX])
#: Mix entries that may be a big-box (whole-block) parcel in the demo tier, with the probability.
BIG_BOX_P = {"1100": 0.12, "1200": 0.12, "2700": 0.10}
UNIT_FT, ROW_DEPTH_FT, BLOCK_UNITS = 50.0, 135.0, 16
BLOCK_PITCH_X, BLOCK_PITCH_Y = BLOCK_UNITS * UNIT_FT + 60.0, 2 * ROW_DEPTH_FT + 60.0
LOT_INSET_FT, LATTICE_INSET_FT = 2.0, 5.0


def lattice_shape(n_parcels: int) -> tuple[int, int]:
    """Return (columns, rows) of the lattice for ``n_parcels`` (DATA.md 5.5 tiers, else near-square)."""
    if n_parcels in LATTICE_TIERS:
        return LATTICE_TIERS[n_parcels]
    cols = int(np.ceil(np.sqrt(n_parcels * CELL_H_FT / CELL_W_FT)))
    return cols, int(np.ceil(n_parcels / cols))


def generate_parcels(n_parcels: int, start: int = 0, stop: int | None = None, *,
                     districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return private parcels ``start..stop`` of a sample with ``n_parcels`` private parcels.

    Rows are index-addressable: row ``i`` is the same whichever chunks it is generated in.
    Up to ``DEMO_MAX`` parcels sit in blocks around the anchors; above it, on the lattice of
    118 x 148 ft cells centred on City Hall. ``districts`` are the demo zones that give each
    parcel its council district.
    """
    stop = n_parcels if stop is None else min(stop, n_parcels)
    idx = np.arange(start, stop, dtype=np.int64)
    mix = categorical(LAYER, "use_code", idx, _WEIGHTS)
    if n_parcels <= DEMO_MAX:
        x0, x1, y0, y1 = (v[start:stop] for v in demo_lot_boxes())
        rings = _rings(x0, x1, y0, y1, idx, jitter_ft=2.0)
    else:
        rings = _lattice_rings(n_parcels, idx)
    return parcel_frame(idx, mix, rings, districts=districts)


def parcel_frame(idx: np.ndarray, mix: np.ndarray, rings: np.ndarray, *,
                 districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Assemble canonical private-parcel rows from indices, mix entries and (n, 9, 2) rings in feet."""
    cx, cy = rings[:, :-1, 0].mean(axis=1), rings[:, :-1, 1].mean(axis=1)
    lot = np.round(_shoelace(rings))
    lon, lat = feet_to_lonlat(cx, cy)
    near = nearest_anchor(cx, cy)
    a = anchors()
    code = _CODES[mix]
    cols = _attributes(idx, mix, lot)
    book, page, num = 9900 + idx // 100_000, (idx // 1000) % 100, idx % 1000
    ain = (book * 1_000_000 + page * 1000 + num).astype("U10")
    apn = _join(book.astype("U4"), "-", np.strings.zfill(page.astype("U3"), 3), "-",
                np.strings.zfill(num.astype("U3"), 3))
    n = len(idx)
    data = {
        schema.AIN: ain, schema.APN: apn, schema.USE_CODE: code, schema.USE_CODE_2: np.array([c[:2] for c in _CODES])[mix],
        schema.USE_TYPE: _mix_column(2)[mix], schema.PROPERTY_TYPE: _mix_column(5)[mix],
        schema.USE_DESCRIPTION: _mix_column(3)[mix], schema.USE_DETAIL: np.full(n, None, dtype=object),
        schema.SITUS_ADDRESS: np.array([f"SYNTHETIC - near {m}" for m in a.name], dtype=object)[near],
        schema.SITUS_ZIP: np.full(n, None, dtype=object), schema.JURISDICTION_CITY: np.full(n, "LOS ANGELES", dtype=object),
        schema.OWNER_NAME: np.full(n, None, dtype=object), schema.AGENCY_NAME: np.full(n, None, dtype=object),
        **cols, schema.ZONE: _mix_column(4)[mix],
        schema.COUNCIL_DISTRICT: council_districts(lon, lat, cx, cy, districts), schema.LAPD_AREA: a.lapd_area[near],
        schema.LOT_SQFT: lot, schema.CENTROID_X_FT: np.round(cx, 2), schema.CENTROID_Y_FT: np.round(cy, 2),
        schema.MERGED_COUNT: np.ones(n, dtype=np.int64), schema.IS_SYNTHETIC: np.ones(n, dtype=bool),
        schema.SOURCE: np.full(n, SYNTHETIC_SOURCE, dtype=object), schema.SOURCE_URL: np.full(n, None, dtype=object),
        schema.FETCHED_AT: np.full(n, None, dtype=object), schema.AGENCY_TYPE: np.full(n, None, dtype=object),
        schema.AGENCY_CLASS_NO: np.full(n, None, dtype=object), schema.OWNER_CLASS: np.full(n, "private", dtype=object),
        schema.OWNER_KIND: np.full(n, "private", dtype=object),
        schema.NEIGHBORHOOD_COUNCIL: council_of_anchor(near),
    }
    frame = pd.DataFrame({c: data.get(c) for c in schema.column_names(schema.PARCELS)})  # later columns: empty
    return gpd.GeoDataFrame(frame, geometry=rings_to_display(rings), crs=DISPLAY_CRS)


def rings_to_display(rings: np.ndarray) -> np.ndarray:
    """Project (n, k, 2) EPSG:2229 rings to EPSG:4326 polygons snapped to 1e-7 degrees, vectorised.

    Rounding the coordinates in numpy equals ``shapely.set_precision(..., 1e-7, mode='pointwise')``
    on these valid, well-separated rings, at a fraction of the cost of the topological mode.
    """
    n, k, _ = rings.shape
    lon, lat = feet_to_lonlat(rings[..., 0].ravel(), rings[..., 1].ravel())
    coords = np.empty((n, k, 2))
    coords[..., 0] = np.round(np.asarray(lon).reshape(n, k) * 1e7) / 1e7
    coords[..., 1] = np.round(np.asarray(lat).reshape(n, k) * 1e7) / 1e7
    return np.asarray(shapely.polygons(coords))


def _attributes(idx: np.ndarray, mix: np.ndarray, lot: np.ndarray) -> dict[str, np.ndarray]:
    """Return value, building and year columns for private parcels, vectorised."""
    code = _CODES[mix]
    first = np.array([c[:2] for c in _CODES])[mix]
    vacant = np.char.endswith(code.astype("U4"), "V") | (code == "2700") | (code == "3900")
    ratio = np.select(
        [first == "01", np.isin(first, ["02", "03", "04"]), first == "05", np.isin(first, ["11", "12", "21"]),
         first == "17", np.isin(first, ["31", "33"]), first == "71"],
        [uniform(LAYER, "far_sfr", idx, 0.15, 0.45), uniform(LAYER, "far_multi", idx, 0.4, 0.9),
         uniform(LAYER, "far_apt", idx, 0.9, 2.5), uniform(LAYER, "far_retail", idx, 0.3, 0.7),
         uniform(LAYER, "far_office", idx, 0.8, 3.0), uniform(LAYER, "far_ind", idx, 0.4, 0.7),
         uniform(LAYER, "far_inst", idx, 0.2, 0.5)],
        default=0.0,
    )
    bldg = np.where(vacant, 0.0, np.round(lot * ratio / 10) * 10)
    units = np.select([first == "01", first == "02", first == "03", first == "04", first == "05"],
                      [1, 2, 3, 4, integers(LAYER, "units_apt", idx, 5, 41)], default=0)
    year = np.where(bldg > 0, integers(LAYER, "year_built", idx, 1905, 2021), -1)
    land = np.round(lot * uniform(LAYER, "land_rate", idx, 40.0, 260.0), -2)
    imp = np.round(bldg * uniform(LAYER, "imp_rate", idx, 60.0, 320.0), -2)
    base = np.maximum(integers(LAYER, "land_base_year", idx, 1975, 2026), np.where(year > 0, year, 0))
    return {
        schema.LAND_VALUE: land, schema.IMP_VALUE: imp, schema.LAND_BASE_YEAR: np.minimum(base, ROLL_YEAR),
        schema.ROLL_YEAR: np.full(len(idx), ROLL_YEAR), schema.BLDG_SQFT: bldg,
        schema.UNITS: units, schema.YEAR_BUILT: pd.arrays.IntegerArray(np.where(year > 0, year, 0).astype(np.int64), year <= 0),
    }


def _mix_column(k: int) -> np.ndarray:
    return np.array([m[k] for m in USE_MIX], dtype=object)


def _join(*parts: np.ndarray | str) -> np.ndarray:
    out = np.asarray(parts[0])
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out.astype(object)


def _shoelace(rings: np.ndarray) -> np.ndarray:
    x, y = rings[..., 0], rings[..., 1]
    return np.asarray(0.5 * np.abs((x[:, :-1] * y[:, 1:] - x[:, 1:] * y[:, :-1]).sum(axis=1)))


def _rings(x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray, idx: np.ndarray, *,
           jitter_ft: float) -> np.ndarray:
    """Return (n, 9, 2) rings: corners of the box, edge midpoints jittered by +/- ``jitter_ft``."""
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    j = [uniform(LAYER, f"edge_jitter_{k}", idx, -jitter_ft, jitter_ft) for k in range(4)]
    xs = np.stack([x0, xm, x1, x1 + j[1], x1, xm, x0, x0 + j[3], x0], axis=1)
    ys = np.stack([y0, y0 + j[0], y0, ym, y1, y1 + j[2], y1, ym, y0], axis=1)
    return np.stack([xs, ys], axis=-1)


def _lattice_rings(n_parcels: int, idx: np.ndarray) -> np.ndarray:
    """Return rings of lattice cells ``idx`` (row-major, 118 x 148 ft, centred on City Hall)."""
    cols, rows = lattice_shape(n_parcels)
    hx, hy = lonlat_to_feet(np.array([CITY_HALL_LATLON[1]]), np.array([CITY_HALL_LATLON[0]]))
    col, row = idx % cols, idx // cols
    cx = hx[0] + (col - (cols - 1) / 2) * CELL_W_FT
    cy = hy[0] + (row - (rows - 1) / 2) * CELL_H_FT
    half_w, half_h = CELL_W_FT / 2 - LATTICE_INSET_FT, CELL_H_FT / 2 - LATTICE_INSET_FT
    return _rings(cx - half_w, cx + half_w, cy - half_h, cy + half_h, idx, jitter_ft=3.0)


@lru_cache(maxsize=1)
def demo_lot_boxes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (x0, x1, y0, y1) in feet of the ``DEMO_MAX`` demo lots, packed into blocks by anchor.

    Parcel ``i`` belongs to anchor ``i % len(anchors)``; each anchor's lots fill 50 ft frontage
    units along rows of 16 units, two rows per block, blocks spiralling out from the anchor.
    A prefix of parcels is laid out identically whatever ``n_parcels``, so smaller demo samples
    are prefixes of this layout.
    """
    a = anchors()
    idx = np.arange(DEMO_MAX)
    mix = categorical(LAYER, "use_code", idx, _WEIGHTS)
    units = _UNITS[mix].copy()
    big_p = np.array([BIG_BOX_P.get(c, 0.0) for c in _CODES])[mix]
    units[u01(LAYER, "big_box", idx) < big_p] = 2 * BLOCK_UNITS
    spiral = np.array(_block_spiral(), dtype=float)
    box = np.empty((DEMO_MAX, 4))
    for k in range(len(a)):
        order = _blocks_on_land(a.x[k] + spiral[:, 0] * BLOCK_PITCH_X, a.y[k] + spiral[:, 1] * BLOCK_PITCH_Y, spiral)
        row, pos = 0, 0
        for i in range(k, DEMO_MAX, len(a)):
            w = int(units[i])
            if w > BLOCK_UNITS:
                row, pos = row + (pos > 0), 0
                row += row % 2
                bx, by = order[row // 2]
                cx, cy = a.x[k] + bx * BLOCK_PITCH_X, a.y[k] + by * BLOCK_PITCH_Y
                box[i] = (cx - BLOCK_UNITS * UNIT_FT / 2, cx + BLOCK_UNITS * UNIT_FT / 2,
                          cy - ROW_DEPTH_FT, cy + ROW_DEPTH_FT)
                row += 2
                continue
            if pos + w > BLOCK_UNITS:
                row, pos = row + 1, 0
            bx, by = order[row // 2]
            left = a.x[k] + bx * BLOCK_PITCH_X - BLOCK_UNITS * UNIT_FT / 2 + pos * UNIT_FT
            bottom = a.y[k] + by * BLOCK_PITCH_Y - ROW_DEPTH_FT + (row % 2) * ROW_DEPTH_FT
            box[i] = (left, left + w * UNIT_FT, bottom, bottom + ROW_DEPTH_FT)
            pos += w
    inset = np.array([LOT_INSET_FT, -LOT_INSET_FT, LOT_INSET_FT, -LOT_INSET_FT])
    box += inset
    return box[:, 0], box[:, 1], box[:, 2], box[:, 3]


def _blocks_on_land(cx: np.ndarray, cy: np.ndarray, spiral: np.ndarray) -> np.ndarray:
    """Return the spiral offsets whose whole block (four corners) lies inside the County outline."""
    county = county_polygon_ft()
    hw, hh = BLOCK_UNITS * UNIT_FT / 2, ROW_DEPTH_FT
    inside = np.ones(len(cx), dtype=bool)
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        inside &= shapely.contains_xy(county, cx + sx * hw, cy + sy * hh)
    return spiral[inside]


def _block_spiral(radius: int = 8) -> list[tuple[int, int]]:
    """Return block grid offsets ordered by distance from the anchor, then by angle."""
    cells = [(bx, by) for bx in range(-radius, radius + 1) for by in range(-3 * radius, 3 * radius + 1)]
    return sorted(cells, key=lambda c: ((c[0] * BLOCK_PITCH_X) ** 2 + (c[1] * BLOCK_PITCH_Y) ** 2,
                                        np.arctan2(c[1], c[0])))


@lru_cache(maxsize=1)
def demo_reserved_ft() -> shapely.Geometry:
    """Return the union of each anchor's demo block footprint (plus 150 ft), which sites avoid."""
    x0, x1, y0, y1 = demo_lot_boxes()
    owner = np.arange(DEMO_MAX) % len(anchors())
    boxes = [shapely.box(x0[owner == k].min() - 150, y0[owner == k].min() - 150,
                         x1[owner == k].max() + 150, y1[owner == k].max() + 150)
             for k in range(len(anchors()))]
    geom = shapely.union_all(boxes)
    shapely.prepare(geom)
    return geom
