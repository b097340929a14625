"""The analysis from the store: its inputs gathered once, the pure run, and ``stagemap analyze``'s files."""
from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis import gaps
from geo.analysis.analyze import PARCEL_COLUMNS, AnalysisConfig, AnalysisResult, analyze
from geo.analysis.proximity import local_days
from geo.errors import CRSError, SchemaError
from geo.io.export import neutralise_cell, neutralise_frame
from geo.store import Store


@dataclass(frozen=True)
class AnalysisInputs:
    """Everything :func:`geo.analysis.analyze.analyze` reads from a store, read once."""

    parcels: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    status: pd.DataFrame
    overrides: pd.DataFrame
    districts: gpd.GeoDataFrame
    parks: gpd.GeoDataFrame


def analysis_inputs(store: Store, *, held: Mapping[str, gpd.GeoDataFrame] | None = None,
                    parcel_columns: tuple[str, ...] | None = PARCEL_COLUMNS) -> AnalysisInputs:
    """Return the analysis inputs of ``store``, reusing layers the caller already ``held`` (by layer name).

    Status and overrides are always read fresh: they change with every save.
    """
    held = held or {}

    def layer(name: str, columns: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
        if name in held:
            return held[name]
        return store.read_layer(name, columns=list(columns) if columns else None)

    return AnalysisInputs(parcels=layer(schema.PARCELS, parcel_columns), sites=layer(schema.SITES),
                          incidents=layer(schema.INCIDENTS), status=store.read_status(),
                          overrides=store.read_overrides(), districts=layer(schema.DISTRICTS, (schema.DISTRICT,)),
                          parks=layer(schema.PARKS, (schema.PARK_ID,)))


def analyze_inputs(inputs: AnalysisInputs, *, as_of: dt.date, ramps: gpd.GeoDataFrame | None = None,
                   config: AnalysisConfig | None = None) -> AnalysisResult:
    """Run the pure analysis on gathered inputs."""
    return analyze(inputs.parcels, inputs.sites, inputs.incidents, inputs.status, inputs.overrides,
                   districts=inputs.districts, parks=inputs.parks, ramps=ramps, as_of=as_of,
                   config=config or AnalysisConfig())


def analyze_store(store: Store, *, as_of: dt.date, ramps: gpd.GeoDataFrame | None = None,
                  config: AnalysisConfig | None = None) -> AnalysisResult:
    """Gather the store's inputs and run the analysis (callers check the role)."""
    return analyze_inputs(analysis_inputs(store), as_of=as_of, ramps=ramps, config=config)


def latest_date(incidents: gpd.GeoDataFrame) -> dt.date:
    """Return the Los Angeles date of the latest incident (today when there are none)."""
    if len(incidents) == 0:
        return dt.date.today()
    latest: dt.date = local_days(incidents[schema.OCCURRED_AT]).max().astype(dt.date)
    return latest


def parse_as_of(value: str | dt.date | None, incidents: gpd.GeoDataFrame) -> dt.date:
    """Return ``value`` as a date (default: the latest incident's date).

    Raises
    ------
    SchemaError
        When ``value`` is not YYYY-MM-DD.
    """
    if isinstance(value, dt.date):
        return value
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise SchemaError(f"--as-of {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-10.") from exc
    return latest_date(incidents)


def run_analysis(store: Store, actor: Actor, *, out_dir: str | Path, as_of: str | dt.date | None = None,
                 ramps_path: str | Path | None = None, config: AnalysisConfig | None = None) -> str:
    """Read the store, run the analysis, write its tables to ``out_dir`` and return a summary.

    Writes ``sites.parquet`` (GeoParquet, EPSG:4326) and ``sites.csv``, ``incidents_snapped.csv``,
    ``kpi_by_department.csv``, ``kpi_by_district.csv``, ``risk_protection_matrix.csv``,
    ``incidents_near_unprotected.csv``, ``private_hot_spots.csv``, ``private_hot_spot_owners.csv``
    and ``parcel_incident_counts.parquet``. The files hold risk scores and gaps: internal only.

    Raises
    ------
    AccessDenied
        When the role may not see risk or export internal tables.
    SchemaError
        When ``as_of`` is not YYYY-MM-DD or the store has no sites.
    CRSError
        When the ramps file has no CRS.
    """
    authorize(actor, "view_risk")
    authorize(actor, "export_internal")
    t0 = time.perf_counter()
    inputs = analysis_inputs(store)
    if len(inputs.sites) == 0:
        raise SchemaError(f"Store {store.display_url} has no sites to analyse. Import a sites file or run "
                          "`stagemap sample`.")
    ramps = read_ramps(ramps_path) if ramps_path else None
    day = parse_as_of(as_of, inputs.incidents)
    res = analyze_inputs(inputs, as_of=day, ramps=ramps, config=config)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_result(res, out)
    store.log_event(actor=actor.name, role=actor.role, action="export.analysis", entity="analysis",
                    detail={"as_of": day.isoformat(), "sites": len(res.sites), "dir": out.name},
                    source=actor.source, os_user=actor.os_user)
    tiers = res.sites["final_tier"].value_counts().reindex(list(gaps.TIER_ORDER), fill_value=0)
    unprotected_high = int(((res.sites["final_tier"] == "high")
                            & (res.sites[gaps.PROTECTION] == gaps.UNPROTECTED)).sum())
    return (
        f"analysis as of {day.isoformat()} written to {out}: {len(res.sites):,} sites "
        f"(high {tiers['high']:,}, medium {tiers['medium']:,}, low {tiers['low']:,}; "
        f"{unprotected_high:,} high-risk unprotected), {len(res.incidents):,} incidents snapped "
        f"({int((res.incidents['snap_kind'] != 'none').sum()):,} on or beside a property), "
        f"{int((res.sites[gaps.SIGN_OVERDUE_DAYS] > 0).sum()):,} sites past the sign deadline, "
        f"{len(res.hot_spots):,} private hot spots ({time.perf_counter() - t0:.1f} s)"
    )


def write_result(res: AnalysisResult, out: Path) -> None:
    """Write every table of ``res`` into the directory ``out`` (see :func:`run_analysis`).

    Every CSV goes through :func:`geo.io.export.neutralise_frame` (SECURITY R9): text cells that a
    spreadsheet would run as a formula get a leading ``'`` and control characters are stripped;
    numeric columns stay numeric.
    """
    res.sites.to_parquet(out / "sites.parquet", index=False)
    pt = shapely.point_on_surface(res.sites.geometry.values)
    flat = pd.DataFrame(res.sites.drop(columns="geometry")).assign(
        lon=np.round(shapely.get_x(pt), 6), lat=np.round(shapely.get_y(pt), 6))
    _write_csv(flat, out / "sites.csv")
    _write_csv(res.incidents, out / "incidents_snapped.csv")
    _write_csv(res.kpi_department, out / "kpi_by_department.csv")
    _write_csv(res.kpi_district, out / "kpi_by_district.csv")
    _write_csv(res.matrix, out / "risk_protection_matrix.csv", index=True)
    _write_csv(res.near_unprotected, out / "incidents_near_unprotected.csv")
    _write_csv(res.hot_spots, out / "private_hot_spots.csv")
    _write_csv(res.hot_spot_owners, out / "private_hot_spot_owners.csv")
    res.parcel_counts.to_parquet(out / "parcel_incident_counts.parquet", index=False)


def _write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    """Write ``frame`` as CSV with every text cell (and index label) neutralised for spreadsheets.

    Text is always quoted: unquoted, a bare carriage return inside a cell starts a new row in
    Excel, and the next "row" could begin with a formula.
    """
    table = neutralise_frame(pd.DataFrame(frame))
    if index:
        table.index = table.index.map(neutralise_cell)
    table.to_csv(path, index=index, quoting=csv.QUOTE_NONNUMERIC)


def read_ramps(path: str | Path) -> gpd.GeoDataFrame:
    """Read a point file of freeway ramps.

    Raises
    ------
    CRSError
        When the file has no CRS.
    """
    ramps = gpd.read_file(path)
    if ramps.crs is None:
        raise CRSError(f"Ramps file {path} has no CRS. Save it with one (EPSG:4326 or EPSG:2229), e.g. as GeoPackage.")
    return ramps
