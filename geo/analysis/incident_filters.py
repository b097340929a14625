"""Incident filters for the council-office map: district, dates, last N days, type, verification."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import LOCAL_TZ
from geo.errors import SchemaError
from geo.messages import M


@dataclass(frozen=True)
class IncidentFilter:
    """What the council-office map shows; empty tuples mean 'all'."""

    districts: tuple[int, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    last_days: int | None = None
    as_of: dt.date | None = None
    types: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the inclusive (first, last) local dates the filter admits."""
        if self.last_days is not None:
            if self.last_days < 1:
                raise SchemaError(M("last N days must be at least 1, got {days}.", days=self.last_days))
            end = self.as_of or dt.date.today()
            return end - dt.timedelta(days=self.last_days - 1), end
        if self.start and self.end and self.start > self.end:
            raise SchemaError(M("Date range starts {start} after it ends {end}; swap the dates.", start=self.start,
                                end=self.end))
        return self.start, self.end


def local_dates(occurred_at: pd.Series) -> pd.Series:
    """Return each incident's calendar date in Los Angeles time."""
    return occurred_at.dt.tz_convert(LOCAL_TZ).dt.date


def filter_incidents(incidents: gpd.GeoDataFrame, flt: IncidentFilter) -> gpd.GeoDataFrame:
    """Return the incidents that pass ``flt`` (same columns, original index)."""
    keep = np.ones(len(incidents), dtype=bool)
    if flt.districts:
        keep &= incidents[schema.COUNCIL_DISTRICT].isin(flt.districts).fillna(False).to_numpy(bool)
    first, last = flt.window()
    if first is not None or last is not None:
        days = local_dates(incidents[schema.OCCURRED_AT])
        if first is not None:
            keep &= (days >= first).to_numpy(bool)
        if last is not None:
            keep &= (days <= last).to_numpy(bool)
    if flt.types:
        keep &= incidents[schema.INCIDENT_TYPE].isin(flt.types).to_numpy(bool)
    if flt.verification:
        keep &= incidents[schema.VERIFICATION].isin(flt.verification).to_numpy(bool)
    return incidents[keep]


def counts_by_district(incidents: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.Series:
    """Return incident counts per district number (0 where none), named ``incidents``."""
    counts = incidents[schema.COUNCIL_DISTRICT].dropna().astype(int).value_counts()
    return counts.reindex(districts[schema.DISTRICT].astype(int), fill_value=0).rename("incidents")
