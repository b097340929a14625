"""Clicking a district filters: which council district a map click chose, when it chose one at all.

A click chooses a district when it is new (st_folium repeats its last values on every rerun), lies
inside a district outline, and no feature is under it: neither the object clicked there (a site or an
incident drawn above the outlines, told apart by its tooltip) nor a feature of the page's layers
within a small distance of the click.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from geo import schema
from geo.analysis.pin import Marks, event_marks
from geo.analysis.selection import feature_at
from geo.crs import require_crs

#: (layer in EPSG:4326, its id column, how near in feet a click still touches a feature)
Features = Sequence[tuple[gpd.GeoDataFrame, str, float]]


def district_at(districts: gpd.GeoDataFrame, lon: float, lat: float) -> int | None:
    """Return the number of the district (EPSG:4326 outlines) holding the point, ``None`` outside all."""
    require_crs(districts, "EPSG:4326", op="district_at")
    if not len(districts):
        return None
    hits = districts.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    numbers = pd.to_numeric(districts[schema.DISTRICT].iloc[hits], errors="coerce").dropna()
    return int(numbers.min()) if len(numbers) else None  # on a shared edge: the lower number, always the same


def _is_outline_tip(tip: str, districts: gpd.GeoDataFrame, number: int) -> bool:
    """Return whether a clicked object's tooltip is the outline of district ``number`` (its number and name)."""
    row = districts[pd.to_numeric(districts[schema.DISTRICT], errors="coerce") == number]
    name = str(row[schema.DISTRICT_NAME].iloc[0]) if len(row) and schema.DISTRICT_NAME in row else ""
    has_number = re.search(rf"(?<![\w-]){number}(?!\w)", tip) is not None
    return has_number and (not name or name in ("None", "nan") or name in tip)


def district_clicked(
    event: Mapping[str, object] | None,
    seen: Marks | None,
    districts: gpd.GeoDataFrame,
    features: Features = (),
) -> tuple[int | None, Marks]:
    """Return (the district a new click on the map chose, or ``None``; the event's marks to keep).

    ``seen`` is what the previous call returned for the same map, so a click is used once.
    """
    marks = event_marks(event)
    before = seen or (None, None, 0)
    click = marks[0]
    if click is None or click == before[0] or event is None:
        return None, marks
    number = district_at(districts, *click)
    if number is None:
        return None, marks
    tip = event.get("last_object_clicked_tooltip")
    if marks[1] == click and isinstance(tip, str) and tip.strip() and not _is_outline_tip(tip, districts, number):
        return None, marks  # the click landed on a site or an incident drawn over the outline
    bare = {"last_clicked": {"lat": click[1], "lng": click[0]}}
    if any(len(frame) and feature_at(bare, frame, id_column=column, tolerance_ft=feet) is not None
           for frame, column, feet in features):
        return None, marks
    return number, marks
