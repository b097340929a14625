"""Which incidents count as prior enforcement for the staging-risk model.

General crime is context, never evidence of staging. Each incident's relevance (enforcement,
suspected unlawful conduct by an agent, general crime; :mod:`geo.analysis.relevance`) decides;
every risk input (incident counts near sites, private repeat-incident sites) goes through here.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.analysis.relevance import ENFORCEMENT_CLASSES, relevance_of

#: Source types whose rows are general crime, not enforcement (LAPD "Crime Data from 2020 to Present").
GENERAL_CRIME_SOURCES = ("lapd_import",)


def is_prior_enforcement(incidents: pd.DataFrame) -> pd.Series:
    """Return, per incident, whether it counts as prior enforcement for risk (aligned to ``incidents.index``).

    The incident's relevance decides (:func:`geo.analysis.relevance.relevance_of`): enforcement
    and suspected unlawful conduct count, general crime never does. A row without a relevance
    falls back on its source (``lapd_import`` is general crime).
    """
    return relevance_of(incidents).isin(ENFORCEMENT_CLASSES).rename("prior_enforcement")


def prior_enforcement_incidents(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the incidents that count as prior enforcement for the risk model (same columns and index)."""
    return incidents[is_prior_enforcement(incidents).to_numpy(bool)]
