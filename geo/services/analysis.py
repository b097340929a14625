"""The analysis from the store: its inputs gathered once, the pure run, and ``stagemap analyze``'s files."""
from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis import asof, gaps
from geo.analysis.analyze import PARCEL_COLUMNS, AnalysisConfig, AnalysisResult, analyze
from geo.analysis.classify import CATEGORY_BASIS_DATA
from geo.analysis.kpis import LABELS, headline_kpis
from geo.analysis.timefmt import localise_times
from geo.config import ANALYSIS_CRS
from geo.errors import CRSError, SchemaError
from geo.io.export import neutralise_cell, neutralise_frame
from geo.messages import M, Term, join
from geo.services import persisted
from geo.services.events import events_view
from geo.store import Store

ENGINES = ("single", "dask")
Progress = Callable[[float, str], None]
#: Parcels projected at a time by :func:`measured_layer`.
MEASURE_SLICE = 100_000


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
    control: pd.DataFrame | None = None  # site_control: A.1 determinations and control
    parts: pd.DataFrame | None = None  # site_parts
    places: gpd.GeoDataFrame | None = None  # places of concern (risk)
    ramps: gpd.GeoDataFrame | None = None  # freeway ramps (risk)
    streets: gpd.GeoDataFrame | None = None  # street centrelines (street frontage, risk)


def analysis_inputs(store: Store, *, held: Mapping[str, gpd.GeoDataFrame] | None = None,
                    parcel_columns: tuple[str, ...] | None = PARCEL_COLUMNS, measured: bool = False) -> AnalysisInputs:
    """Return the analysis inputs of ``store``, reusing layers the caller already ``held`` (by layer name).

    Status, overrides, determinations and parts are always read fresh: they change with every save.
    ``measured`` gives parcels read from the store in EPSG:2229 (:func:`measured_layer`), which
    both engines take as they are: the EPSG:4326 parcels never stay whole beside the projected ones.
    """
    held = held or {}

    def layer(name: str, columns: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
        if name in held:
            return held[name]
        if measured and name == schema.PARCELS:
            return measured_layer(store, name, columns)
        return store.read_layer(name, columns=list(columns) if columns else None)

    return AnalysisInputs(parcels=layer(schema.PARCELS, parcel_columns), sites=layer(schema.SITES),
                          incidents=events_view(store, layer(schema.INCIDENTS)), status=store.read_status(),
                          overrides=store.read_overrides(), districts=layer(schema.DISTRICTS, (schema.DISTRICT,)),
                          parks=layer(schema.PARKS, (schema.PARK_ID,)), control=store.read_control(),
                          parts=store.read_parts(), places=layer(schema.PLACES, (schema.PLACE_ID, schema.PLACE_TYPE)),
                          ramps=layer(schema.RAMPS, (schema.RAMP_ID,)),
                          streets=layer(schema.STREETS, (schema.STREET_NAME, schema.STREET_CLASS)))


def measured_layer(store: Store, layer: str, columns: tuple[str, ...] | None = None,
                   slice_rows: int = MEASURE_SLICE) -> gpd.GeoDataFrame:
    """Return ``layer`` read from ``store`` and projected to EPSG:2229 slice by slice.

    The result equals ``store.read_layer(...).to_crs(ANALYSIS_CRS)``; each EPSG:4326 geometry is
    released once its slice is projected, so the two copies of the geometry never coexist whole.
    """
    gdf = store.read_layer(layer, columns=list(columns) if columns else None)
    crs, geometry = gdf.crs, gdf.geometry.name
    geoms = np.array(gdf.geometry.values, dtype=object)
    attrs = pd.DataFrame(gdf.drop(columns=geometry))
    del gdf
    out = np.empty(len(geoms), dtype=object)
    for start in range(0, len(geoms), slice_rows):
        part = slice(start, start + slice_rows)
        out[part] = np.asarray(gpd.GeoSeries(geoms[part], crs=crs).to_crs(ANALYSIS_CRS).values, dtype=object)
        geoms[part] = None
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(out, index=attrs.index, crs=ANALYSIS_CRS, name=geometry))


def analyze_inputs(inputs: AnalysisInputs, *, as_of: dt.date, ramps: gpd.GeoDataFrame | None = None,
                   config: AnalysisConfig | None = None) -> AnalysisResult:
    """Run the pure analysis on gathered inputs (a ``ramps`` file given here replaces the store's ramps layer)."""
    return analyze(inputs.parcels, inputs.sites, inputs.incidents, inputs.status, inputs.overrides,
                   districts=inputs.districts, parks=inputs.parks, ramps=ramps if ramps is not None else inputs.ramps,
                   places=inputs.places, control=inputs.control, parts=inputs.parts, as_of=as_of,
                   config=config or AnalysisConfig(), streets=inputs.streets)


def analyze_store(store: Store, *, as_of: dt.date, ramps: gpd.GeoDataFrame | None = None,
                  config: AnalysisConfig | None = None) -> AnalysisResult:
    """Gather the store's inputs and run the analysis (callers check the role)."""
    return analyze_inputs(analysis_inputs(store, measured=True), as_of=as_of, ramps=ramps, config=config)


def parse_as_of(value: str | dt.date | None, incidents: gpd.GeoDataFrame | None = None) -> dt.date:
    """Return ``value`` as a date; none given is today in Los Angeles, the one default everywhere.

    ``incidents`` is accepted for older callers and ignored: no window counts from the latest incident.

    Raises
    ------
    SchemaError
        When ``value`` is not YYYY-MM-DD.
    """
    return asof.parse_as_of(value)


def analyze_engine(inputs: AnalysisInputs, *, as_of: dt.date, ramps: gpd.GeoDataFrame | None = None,
                   config: AnalysisConfig | None = None, engine: str = "single", workers: int | None = None,
                   scheduler: str | None = None, progress: Progress | None = None) -> AnalysisResult:
    """Run the analysis on gathered inputs in one process (``single``) or partitioned on Dask (``dask``).

    Both engines give identical results; ``dask`` runs on a local cluster of ``workers`` processes,
    or on the existing cluster at ``scheduler`` (``tcp://host:8786``).

    Raises
    ------
    ValueError
        When ``engine`` is not one of :data:`ENGINES`.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "single":
        return analyze_inputs(inputs, as_of=as_of, ramps=ramps, config=config)
    from geo.services.analysis_dask import analyze_partitioned, dask_client

    with dask_client(workers=workers, scheduler=scheduler) as client:
        return analyze_partitioned(inputs.parcels, inputs.sites, inputs.incidents, inputs.status, inputs.overrides,
                                   client=client, as_of=as_of, districts=inputs.districts, parks=inputs.parks,
                                   ramps=ramps if ramps is not None else inputs.ramps, places=inputs.places,
                                   control=inputs.control, parts=inputs.parts, config=config or AnalysisConfig(),
                                   progress=progress, streets=inputs.streets)


def run_analysis(store: Store, actor: Actor, *, out_dir: str | Path, as_of: str | dt.date | None = None,
                 ramps_path: str | Path | None = None, config: AnalysisConfig | None = None,
                 engine: str = "single", workers: int | None = None, scheduler: str | None = None,
                 progress: Progress | None = None, lang: str = "en") -> str:
    """Read the store, run the analysis, write its tables to ``out_dir`` and return a summary message.

    The summary's note about where the data end is written in ``lang``.

    The run is also persisted beside the store for its data version and date
    (:mod:`geo.services.persisted`), so app processes read it instead of recomputing it.
    ``engine``, ``workers`` and ``scheduler`` choose where it runs (:func:`analyze_engine`);
    ``progress`` receives (fraction 0-1, step) as it goes.

    Writes ``sites.parquet`` (GeoParquet, EPSG:4326) and ``sites.csv``, ``incidents_snapped.csv``,
    ``kpi_by_department.csv``, ``kpi_by_district.csv``, ``risk_protection_matrix.csv``,
    ``incidents_near_unprotected.csv``, ``private_hot_spots.csv``, ``private_hot_spot_owners.csv``,
    ``units.csv`` (sites and parts, the A.1 units the KPIs count), ``site_parts.csv`` and
    ``parcel_incident_counts.parquet``. The files hold risk scores and gaps: internal only.

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
    report = progress or (lambda _f, _s: None)
    t0 = time.perf_counter()
    version, token = store.data_version(), persisted.status_token(store)  # before the read: never newer than it
    report(0.0, M("reading the store"))
    inputs = analysis_inputs(store, measured=True)
    if len(inputs.sites) == 0:
        raise SchemaError(M("Store {store} has no sites to analyse. Import a sites file or run `stagemap sample`.",
                            store=store.display_url))
    ramps = read_ramps(ramps_path) if ramps_path else None
    day = asof.parse_as_of(as_of)  # today in Los Angeles unless given: never the latest incident
    report(0.2, M("analysing {n:,} parcels ({engine} engine)", n=len(inputs.parcels), engine=engine))
    res = analyze_engine(inputs, as_of=day, ramps=ramps, config=config, engine=engine, workers=workers,
                         scheduler=scheduler, progress=lambda f, step: report(0.2 + 0.65 * f, step))
    report(0.85, M("writing tables"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_result(res, out)
    head = headline_kpis(res.sites, res.kpi_department, inputs.incidents, as_of=day)
    _write_csv(pd.DataFrame({"kpi": list(LABELS), "label": list(LABELS.values()),
                             "value": [head.as_dict()[k] for k in LABELS]}), out / "headline_kpis.csv")
    if ramps is None:  # the app's analysis has no ramps file: persist only a run it can reuse
        persisted.save_result(store, res, version=version, config=config or AnalysisConfig(), token=token)
    report(1.0, M("done"))
    store.log_event(actor=actor.name, role=actor.role, action="export.analysis", entity="analysis",
                    detail={"as_of": day.isoformat(), "sites": len(res.sites), "dir": out.name},
                    source=actor.source, os_user=actor.os_user)
    tiers = res.sites["final_tier"].value_counts().reindex(list(gaps.TIER_ORDER), fill_value=0)
    note = asof.data_end_note(asof.data_end(inputs.incidents), day, lang)
    kpis = [M("{label} {value:,}", label=Term(LABELS[k].lower(), LABELS[k]), value=v)
            for k, v in head.as_dict().items() if k in LABELS]
    summary = join([
        M("analysis as of {day} written to {out}: {sites:,} sites (high {high:,}, medium {medium:,}, low {low:,})",
          day=day.isoformat(), out=str(out), sites=len(res.sites), high=int(tiers["high"]),
          medium=int(tiers["medium"]), low=int(tiers["low"])),
        *kpis,
        M("{incidents:,} enforcement incidents snapped ({near:,} on or beside a property), {spots:,} private hot "
          "spots ({seconds:.1f} s)", incidents=len(res.incidents),
          near=int((res.incidents["snap_kind"] != "none").sum()), spots=len(res.hot_spots),
          seconds=time.perf_counter() - t0)])
    return join([summary, M("note: {note}", note=note)], "\n") if note else summary


def persist_for_app(store: Store, *, as_of: dt.date | None = None, config: AnalysisConfig | None = None,
                    progress: Progress | None = None) -> bool:
    """Run and persist the app's analysis of the current data version (default: today) unless already saved.

    The post-import step (``stagemap tiles build`` runs it): afterwards every app process opens
    the store without analysing it. Returns whether a run was computed now.
    """
    config = config or AnalysisConfig()
    day = asof.parse_as_of(as_of)  # today in Los Angeles, the app's default as-of date
    version, token = store.data_version(), persisted.status_token(store)
    if persisted.is_persisted(store, version=version, as_of=day, config=config):
        return False
    report = progress or (lambda _f, _s: None)
    report(0.05, M("reading the store"))
    inputs = analysis_inputs(store, measured=True)
    report(0.3, M("analysing {n:,} parcels", n=len(inputs.parcels)))
    res = analyze_inputs(inputs, as_of=day, config=config)
    report(0.9, M("saving beside the store"))
    persisted.save_result(store, res, version=version, config=config, token=token)
    report(1.0, M("saved"))
    return True


def write_result(res: AnalysisResult, out: Path) -> None:
    """Write every table of ``res`` into the directory ``out`` (see :func:`run_analysis`).

    Every CSV goes through :func:`geo.io.export.neutralise_frame` (SECURITY R9): text cells that a
    spreadsheet would run as a formula get a leading ``'`` and control characters are stripped;
    numeric columns stay numeric.
    """
    sites = res.sites.drop(columns=[CATEGORY_BASIS_DATA], errors="ignore")  # the English basis is the export's
    sites.to_parquet(out / "sites.parquet", index=False)
    pt = shapely.point_on_surface(sites.geometry.values)
    flat = pd.DataFrame(sites.drop(columns="geometry")).assign(
        lon=np.round(shapely.get_x(pt), 6), lat=np.round(shapely.get_y(pt), 6))
    _write_csv(flat, out / "sites.csv")
    _write_csv(res.incidents, out / "incidents_snapped.csv")
    _write_csv(res.kpi_department, out / "kpi_by_department.csv")
    _write_csv(res.kpi_district, out / "kpi_by_district.csv")
    _write_csv(res.matrix, out / "risk_protection_matrix.csv", index=True)
    _write_csv(res.near_unprotected, out / "incidents_near_unprotected.csv")
    _write_csv(res.hot_spots, out / "private_hot_spots.csv")
    _write_csv(res.hot_spot_owners, out / "private_hot_spot_owners.csv")
    _write_csv(res.units, out / "units.csv")  # sites and parts as the A.1 units the KPIs count
    _write_csv(pd.DataFrame(res.parts.drop(columns="geometry", errors="ignore")), out / "site_parts.csv")
    res.parcel_counts.to_parquet(out / "parcel_incident_counts.parquet", index=False)


def _write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    """Write ``frame`` as CSV with every text cell (and index label) neutralised for spreadsheets.

    Text is always quoted: unquoted, a bare carriage return inside a cell starts a new row in
    Excel, and the next "row" could begin with a formula.
    """
    table = neutralise_frame(localise_times(pd.DataFrame(frame)))  # times in Los Angeles, with the offset
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
        raise CRSError(M("Ramps file {path} has no CRS. Save it with one (EPSG:4326 or EPSG:2229), e.g. as "
                         "GeoPackage.", path=str(path)))
    return ramps
