"""Intersection search: "Main St & 1st St", "main and 1st" found where two street centrelines cross.

:func:`split_query` reads the two street names of a query ("&", "and", "at", "@", "/");
:func:`street_words` reduces a name to comparable words (case-insensitive; Street/St, Avenue/Ave,
North/N, First/1st all alike); :func:`find_intersections` finds the streets whose names hold every word
typed for each side and crosses the two sets in one STRtree bulk query, returning each crossing as a
search place (the columns of :mod:`geo.analysis.search`).
"""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis.search import COLUMNS

INTERSECTION = "intersection"
_SPLIT = re.compile(r"\s*(?:&|\+|@|/|\band\b|\bat\b|\by\b)\s*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9A-Z]+")
#: Spoken or long forms -> the short form centreline files use.
ALIASES: dict[str, str] = {
    "STREET": "ST", "STR": "ST", "AVENUE": "AVE", "AV": "AVE", "BOULEVARD": "BLVD", "BL": "BLVD", "DRIVE": "DR",
    "ROAD": "RD", "PLACE": "PL", "COURT": "CT", "LANE": "LN", "TERRACE": "TER", "PARKWAY": "PKWY", "HIGHWAY": "HWY",
    "FREEWAY": "FWY", "CIRCLE": "CIR", "SQUARE": "SQ", "WAY": "WAY", "TRAIL": "TRL",
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH", "SIXTH": "6TH",
    "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
}
SNAP_DEG = 1e-4  # crossings of the same two names closer than about 10 m are one intersection


def street_words(name: object) -> str:
    """Return ``name`` as comparable words: upper case, long forms shortened, single spaces."""
    words = _NOT_WORD.sub(" ", str(name).upper()).split()
    return " ".join(ALIASES.get(w, w) for w in words)


def split_query(query: str) -> tuple[str, str] | None:
    """Return the two street names of an intersection query, or ``None`` when it names no two streets."""
    parts = [p for p in _SPLIT.split(query or "", maxsplit=1) if p.strip()]
    if len(parts) != 2 or not street_words(parts[0]) or not street_words(parts[1]):
        return None
    return parts[0].strip(), parts[1].strip()


def _named(words: pd.Series, typed: str) -> np.ndarray:
    """Return True where a street's words hold every word typed (whole words, any order)."""
    keep = np.ones(len(words), dtype=bool)
    for word in street_words(typed).split():
        keep &= words.str.contains(f" {word} ", regex=False).to_numpy(bool)
    return keep


def find_intersections(streets: gpd.GeoDataFrame, query: str, *, limit: int = 8) -> pd.DataFrame:
    """Return up to ``limit`` crossings of the two streets named in ``query`` (places, as search returns them).

    ``streets`` are centrelines with :data:`geo.schema.STREET_NAME` in any CRS (drawn in EPSG:4326).
    Each pair of street names crossing at several places gives one row per place (about 10 m apart or
    more), ordered by name and then west to east. Empty when the query is not "A & B" or nothing crosses.
    """
    pair = split_query(query)
    if pair is None or not len(streets) or schema.STREET_NAME not in streets.columns:
        return pd.DataFrame(columns=COLUMNS)
    lines = streets.to_crs(4326) if streets.crs is not None and streets.crs.to_epsg() != 4326 else streets
    names = lines[schema.STREET_NAME].fillna("").astype(str)
    words = " " + names.map(street_words) + " "
    first, second = np.flatnonzero(_named(words, pair[0])), np.flatnonzero(_named(words, pair[1]))
    if not len(first) or not len(second):
        return pd.DataFrame(columns=COLUMNS)
    geoms = np.asarray(lines.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms[second])
    a, b = tree.query(geoms[first], predicate="intersects")
    a, b = first[a], second[b]
    keep = names.to_numpy()[a] != names.to_numpy()[b]  # a street does not cross itself
    a, b = a[keep], b[keep]
    if not len(a):
        return pd.DataFrame(columns=COLUMNS)
    where = shapely.point_on_surface(shapely.intersection(geoms[a], geoms[b]))
    found = pd.DataFrame({"a": names.to_numpy()[a], "b": names.to_numpy()[b],
                          "lon": shapely.get_x(where), "lat": shapely.get_y(where)}).dropna()
    found = found.assign(cx=np.round(found["lon"] / SNAP_DEG), cy=np.round(found["lat"] / SNAP_DEG))
    found = found.drop_duplicates(["cx", "cy"]).sort_values(["a", "b", "lon"], kind="stable").head(limit)
    label = found["a"] + " & " + found["b"]
    return pd.DataFrame({"kind": INTERSECTION, "ref": label.to_numpy(), "label": label.to_numpy(),
                         "text": label.map(street_words).to_numpy(), "lon": found["lon"].to_numpy(),
                         "lat": found["lat"].to_numpy(), "minx": found["lon"].to_numpy(),
                         "miny": found["lat"].to_numpy(), "maxx": found["lon"].to_numpy(),
                         "maxy": found["lat"].to_numpy()}, columns=COLUMNS)
