"""Search on every map, offline: parcel situs addresses, AIN/APN, site id and site name.

:func:`build_index` turns the (already role-scoped) sites and parcels into one table of places,
each with where it is (a point and bounds in EPSG:4326); :func:`find` ranks the places matching
a query. Parcels can be indexed by address only (``parcel_ids=False``) for roles that may not
receive private parcel numbers: the map still flies to the address, no AIN is carried.
"""
from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import ANALYSIS_CRS as MEASURE_CRS

SITE, PARCEL, ADDRESS = "site", "parcel", "address"
COLUMNS = ["kind", "ref", "label", "text", "lon", "lat", "minx", "miny", "maxx", "maxy"]
_NOT_WORD = re.compile(r"[^0-9A-Z]+")


def normalise(text: object) -> str:
    """Return ``text`` as the index compares it: upper case words separated by single spaces."""
    return " ".join(_NOT_WORD.sub(" ", str(text).upper()).split())


def _text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = [frame[c].fillna("").astype(str) for c in columns if c in frame.columns]
    joined = parts[0].str.cat(parts[1:], sep=" ") if parts else pd.Series("", index=frame.index)
    return joined.str.upper().str.replace(_NOT_WORD, " ", regex=True).str.split().str.join(" ")


def _places(frame: gpd.GeoDataFrame, kind: str, ref: pd.Series, label: pd.Series, text: pd.Series) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame(columns=COLUMNS)
    shapes = frame.geometry.to_crs(4326)
    points = gpd.GeoSeries(frame.geometry.to_crs(MEASURE_CRS).representative_point(), crs=MEASURE_CRS).to_crs(4326)
    bounds = shapes.bounds
    return pd.DataFrame({"kind": kind, "ref": ref.astype(str).to_numpy(), "label": label.astype(str).to_numpy(),
                         "text": text.to_numpy(), "lon": points.x.to_numpy(), "lat": points.y.to_numpy(),
                         "minx": bounds["minx"].to_numpy(), "miny": bounds["miny"].to_numpy(),
                         "maxx": bounds["maxx"].to_numpy(), "maxy": bounds["maxy"].to_numpy()})


def build_index(sites: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, *, parcel_ids: bool) -> pd.DataFrame:
    """Return one row per searchable place: City sites (id, name, address, AINs) and parcels.

    Parcels are indexed by situs address, and by AIN/APN only when ``parcel_ids`` (roles that may
    receive parcel numbers). Parcels without an address are left out when ``parcel_ids`` is false.
    """
    site_places = _places(
        sites, SITE, sites[schema.SITE_ID] if len(sites) else pd.Series(dtype=str),
        _site_label(sites), _text(sites, [schema.SITE_ID, schema.NAME, schema.ADDRESS, schema.AINS]))
    if parcel_ids:
        kept = parcels
        label = kept[schema.SITUS_ADDRESS].fillna("(no address)").astype(str) + " · AIN " + kept[schema.AIN].astype(str) \
            if len(kept) else pd.Series(dtype=str)
        parcel_places = _places(kept, PARCEL, kept[schema.AIN] if len(kept) else pd.Series(dtype=str), label,
                                _text(kept, [schema.SITUS_ADDRESS, schema.SITUS_ZIP, schema.AIN, schema.APN]))
    else:
        has_address = parcels[schema.SITUS_ADDRESS].fillna("").astype(str).str.strip() != "" if len(parcels) else []
        kept = parcels[np.asarray(has_address, dtype=bool)] if len(parcels) else parcels
        label = kept[schema.SITUS_ADDRESS].astype(str) if len(kept) else pd.Series(dtype=str)
        parcel_places = _places(kept, ADDRESS, label, label, _text(kept, [schema.SITUS_ADDRESS, schema.SITUS_ZIP]))
    frames = [f for f in (site_places, parcel_places) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _site_label(sites: pd.DataFrame) -> pd.Series:
    if not len(sites):
        return pd.Series(dtype=str)
    address = sites[schema.ADDRESS].fillna("").astype(str) if schema.ADDRESS in sites.columns else ""
    return sites[schema.SITE_ID].astype(str) + " · " + sites[schema.NAME].fillna("").astype(str) + \
        np.where(pd.Series(address, index=sites.index) != "", " · " + pd.Series(address, index=sites.index), "")


def find(index: pd.DataFrame, query: str, *, limit: int = 8) -> pd.DataFrame:
    """Return up to ``limit`` places matching ``query``, best first.

    Every word of the query must appear in the place's text; digits typed with dashes (an APN,
    ``5432-001-012``) also match the AIN. Exact ids rank first, then ids and labels that start
    with the query, then City sites before parcels, then labels that start with the query, then the shortest.
    Full-width characters (a phone keyboard's ``５１６１``) read as the ASCII ones they stand for.
    """
    query = unicodedata.normalize("NFKC", query)
    words = normalise(query).split()
    if not words or not len(index):
        return index.iloc[:0]
    text = index["text"]
    keep = np.ones(len(index), dtype=bool)
    for word in words:
        keep &= text.str.contains(word, regex=False).to_numpy(bool)
    digits = re.sub(r"[^0-9]", "", query)
    if len(digits) >= 6 and len(digits) >= 0.8 * len(re.sub(r"\s", "", query)):  # an AIN or APN, however typed
        keep |= text.str.contains(digits, regex=False).to_numpy(bool)
    hits = index[keep]
    if not len(hits):
        return hits
    wanted = normalise(query)
    ref, label = hits["ref"].map(normalise), hits["label"].map(normalise)
    rank = np.select([(ref == wanted) | (ref == digits), ref.str.startswith(wanted)], [0, 1], default=2)
    order = pd.DataFrame({"rank": rank, "kind": (hits["kind"] != SITE).astype(int).to_numpy(),
                          "starts": (~label.str.startswith(wanted)).astype(int).to_numpy(),
                          "len": hits["label"].str.len().to_numpy()}, index=hits.index)
    return hits.loc[order.sort_values(["rank", "kind", "starts", "len"], kind="stable").index[:limit]]


def place_of(frame: gpd.GeoDataFrame, id_column: str, ref: str, *, kind: str = SITE) -> dict[str, object] | None:
    """Return the row ``ref`` of ``frame`` as a place (as :func:`find` returns them), ``None`` if absent."""
    hit = frame[frame[id_column].astype(str) == str(ref)]
    if not len(hit):
        return None
    places = _places(hit.iloc[:1], kind, hit[id_column].iloc[:1], hit[id_column].iloc[:1], hit[id_column].iloc[:1])
    return dict(places.iloc[0].to_dict()) if len(places) else None
