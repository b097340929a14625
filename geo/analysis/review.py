"""Planning's review set: City sites and assessor parcels in one filterable frame."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.analyze import AnalysisResult
from geo.analysis.classify import CATEGORY, CATEGORY_BASIS, classify_sites
from geo.analysis.snap import CITY_SITE, OWNER_CLASS, owner_class_of_parcels
from geo.crs import require_crs, to_analysis

RECORD_ID, KIND, NEAR_90D = "record_id", "kind", "incidents_250m_90d"
WORDS_SLICE = 100_000  # parcels classified (with their words) at a time
SITE_KIND, PARCEL_KIND = "City site", "parcel"
REPEAT = "repeat_site"
COLUMNS = [RECORD_ID, KIND, schema.NAME, OWNER_CLASS, schema.OWNING_DEPT, CATEGORY, schema.USE_CODE, schema.COUNCIL_DISTRICT,
           "final_tier", "risk_score", NEAR_90D, REPEAT, "protection", CATEGORY_BASIS]


@dataclass(frozen=True)
class ReviewFilter:
    """Planning's filters; empty tuples mean 'all'. ``use_code`` matches a prefix (e.g. '27')."""

    categories: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    districts: tuple[int, ...] = ()
    use_code: str = ""
    owner_classes: tuple[str, ...] = ()


def review_frame(result: AnalysisResult, parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return sites and the parcels that are not part of a site, in one EPSG:4326 frame.

    Sites carry their category, final tier, score and protection; parcels carry their owner
    class (other public / private), a use-code category, incident counts within 250 m over
    90 days and the repeat-incident flag.
    """
    require_crs(parcels, "EPSG:4326", op="review_frame")
    sites = result.sites
    site_part = pd.DataFrame({
        RECORD_ID: sites[schema.SITE_ID].astype(str), KIND: SITE_KIND, schema.NAME: sites[schema.NAME],
        OWNER_CLASS: CITY_SITE, schema.OWNING_DEPT: sites[schema.OWNING_DEPT], CATEGORY: sites[CATEGORY],
        schema.USE_CODE: sites[schema.USE_CODE], schema.COUNCIL_DISTRICT: sites[schema.COUNCIL_DISTRICT],
        "final_tier": sites["final_tier"], "risk_score": sites["risk_score"],
        NEAR_90D: sites[NEAR_90D], REPEAT: False, "protection": sites["protection"],
        CATEGORY_BASIS: sites[CATEGORY_BASIS],
    })
    owner = owner_class_of_parcels(parcels, sites)
    rest = parcels[(owner[OWNER_CLASS] != CITY_SITE).to_numpy()]
    owner = owner.loc[rest.index]
    counts = result.parcel_counts.set_index(schema.AIN)[NEAR_90D] if len(result.parcel_counts) else pd.Series(dtype=int)
    repeat = set(result.hot_spots.loc[result.hot_spots.get("repeat_recent", pd.Series(dtype=bool)).astype(bool),
                                      schema.AIN].astype(str)) if len(result.hot_spots) else set()
    ain = rest[schema.AIN].astype(str)
    # in slices: the words are one message per parcel, freed slice by slice (bounded memory at County scale)
    cls = pd.concat([classify_sites(to_analysis(rest.iloc[i:i + WORDS_SLICE]), parks=None, words="english")
                     for i in range(0, len(rest), WORDS_SLICE)]) if len(rest) else \
        classify_sites(to_analysis(rest), parks=None, words="english")
    parcel_part = pd.DataFrame({
        RECORD_ID: ain, KIND: PARCEL_KIND, schema.NAME: rest[schema.SITUS_ADDRESS], OWNER_CLASS: owner[OWNER_CLASS],
        schema.OWNING_DEPT: None, CATEGORY: cls[CATEGORY],
        schema.USE_CODE: rest[schema.USE_CODE], schema.COUNCIL_DISTRICT: rest[schema.COUNCIL_DISTRICT], "final_tier": None,
        "risk_score": np.nan, NEAR_90D: ain.map(counts).fillna(0).astype(int).to_numpy(),
        REPEAT: ain.isin(repeat).to_numpy(), "protection": None, CATEGORY_BASIS: cls[CATEGORY_BASIS],
    })
    frame = pd.concat([site_part, parcel_part], ignore_index=True)
    geoms = np.concatenate([np.asarray(sites.to_crs("EPSG:4326").geometry.values), np.asarray(rest.geometry.values)])
    return gpd.GeoDataFrame(frame[COLUMNS], geometry=geoms, crs="EPSG:4326")


def filter_review(frame: pd.DataFrame, flt: ReviewFilter) -> np.ndarray:
    """Return a boolean mask of the rows of ``frame`` that pass ``flt``."""
    keep = np.ones(len(frame), dtype=bool)
    if flt.categories:
        keep &= frame[CATEGORY].isin(flt.categories).to_numpy(bool)
    if flt.tiers:
        keep &= frame["final_tier"].isin(flt.tiers).to_numpy(bool)
    if flt.districts:
        keep &= frame[schema.COUNCIL_DISTRICT].isin(flt.districts).fillna(False).to_numpy(bool)
    if flt.use_code.strip():
        keep &= frame[schema.USE_CODE].fillna("").astype(str).str.upper().str.startswith(
            flt.use_code.strip().upper()).to_numpy(bool)
    if flt.owner_classes:
        keep &= frame[OWNER_CLASS].isin(flt.owner_classes).to_numpy(bool)
    return keep
