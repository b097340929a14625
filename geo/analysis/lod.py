"""Level of detail for parcel maps: parcels from vector tiles, else district counts and the features in view.

With a tile archive every parcel comes from the tiles and only sites and repeat-incident parcels are
drawn live; a click on a tiled parcel is resolved by its AIN on the server. Until an archive exists,
district counts are drawn below zoom 15 and the features in view at street level.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis.review import ReviewFilter
from geo.records import MapView

STREET_ZOOM = 15
FEATURE_CAP = 5_000  # polygons drawn per view: pan stays within 50 ms (10k canvas polygons measured 175 ms)
GRID_DEG = 0.0025  # about 250 m: bounds snap to this grid so small pans reuse cached queries

ALL, VIEW, AGGREGATE = "all", "view", "aggregate"


def snap_bounds(bounds: tuple[float, float, float, float],
                grid: float = GRID_DEG) -> tuple[float, float, float, float]:
    """Expand ``bounds`` outward to the grid, rounded, so nearby views share one key."""
    minx, miny, maxx, maxy = bounds
    return (round(math.floor(minx / grid) * grid, 6), round(math.floor(miny / grid) * grid, 6),
            round(math.ceil(maxx / grid) * grid, 6), round(math.ceil(maxy / grid) * grid, 6))


def view_from_event(event: Mapping[str, object] | None) -> MapView | None:
    """Return the map view from st_folium's ``zoom`` and ``bounds``, or ``None`` if absent or malformed."""
    if not event:
        return None
    zoom, bounds = event.get("zoom"), event.get("bounds")
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
        z = int(str(zoom))
    except (TypeError, KeyError, ValueError):
        return None
    if not all(map(math.isfinite, box)) or box[0] >= box[2] or box[1] >= box[3]:
        return None
    return MapView(zoom=z, bounds=snap_bounds(box))


def rows_in_view(frame: gpd.GeoDataFrame, view: MapView) -> np.ndarray:
    """Return positional indices of the rows of ``frame`` (EPSG:4326) intersecting the view."""
    return np.sort(frame.sindex.query(shapely.box(*view.bounds), predicate="intersects"))


def choose_detail(n_filtered: int, *, view: MapView | None, n_in_view: int | None, cap: int = FEATURE_CAP) -> str:
    """Return ALL (draw every filtered feature), VIEW (features in view) or AGGREGATE (district counts)."""
    if n_filtered <= cap:
        return ALL
    if view is not None and view.zoom >= STREET_ZOOM and n_in_view is not None and n_in_view <= cap:
        return VIEW
    return AGGREGATE


# --- parcels from vector tiles ------------------------------------------------------------
#: The tooltip text the tiled parcel layer hands streamlit-folium for a clicked parcel.
TILE_CLICK_PREFIX = "Parcel AIN "
_TILE_CLICK = re.compile(r"^Parcel AIN ([0-9A-Za-z-]{1,32})$")


def tile_click_ain(event: Mapping[str, object] | None) -> str | None:
    """Return the AIN of the tiled parcel last clicked (the layer's tooltip text), or ``None``."""
    text = (event or {}).get("last_object_clicked_tooltip")
    match = _TILE_CLICK.match(text.strip()) if isinstance(text, str) else None
    return str(match.group(1)) if match else None


def record_for_ain(ain: str, review: pd.DataFrame, sites: pd.DataFrame) -> str | None:
    """Return the review record of a parcel clicked on the tiles: the parcel itself, or the City site it is part of.

    ``None`` when the AIN is in neither (filtered out, or not a parcel this role may see): the
    server decides, never the tile.
    """
    ids = review["record_id"].astype(str).to_numpy()
    if np.any(ids == ain):
        return ain
    if schema.AINS not in sites.columns or schema.SITE_ID not in sites.columns:
        return None
    parts = sites[schema.AINS].fillna("").astype(str).str.split(";")
    for site_id, ains in zip(sites[schema.SITE_ID].astype(str), parts, strict=True):
        if ain in (a.strip() for a in ains) and np.any(ids == site_id):
            return str(site_id)
    return None


def live_rows(frame: pd.DataFrame) -> np.ndarray:
    """Return a mask of the review rows drawn live over the tiles: City sites and repeat-incident parcels."""
    return np.asarray((frame["kind"] == "City site") | frame["repeat_site"].astype(bool), dtype=bool)


def tile_filter(flt: ReviewFilter) -> dict[str, object]:
    """Return the review filter as the tiled layer applies it to parcels (the same rules as ``filter_review``)."""
    return {"categories": list(flt.categories), "districts": [int(d) for d in flt.districts],
            "use_code": flt.use_code.strip().upper(), "owner_classes": list(flt.owner_classes),
            "none": bool(flt.tiers)}  # parcels have no tier: a tier filter leaves sites only
