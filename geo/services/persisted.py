"""The analysis persisted per data version beside the store, so no app process reruns it.

``stagemap analyze``, the tile builder and the first app process to need a (data version, date,
rules) write the run's tables as Parquet under ``<cache_dir>/analysis/v<version>-<date>-<rules>/``
with a manifest written last (a reader never sees half a result). Later processes read them back
exactly (dtypes restored) instead of rerunning the analysis. A status save or tier override does
not change the data version: :func:`restatus` recomputes only what status and overrides touch
(the site scores, tiers, gaps, KPIs and the risk x protection matrix, a few hundred rows) on top
of the persisted heavy parts (snapping, proximity counts, hot spots). The Parcel review set's
parcel rows are persisted too; its site rows are rebuilt from the current analysis.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.analyze import AnalysisConfig, AnalysisResult, site_stage, unit_tables
from geo.analysis.classify import CATEGORY, CLASS_COLUMNS
from geo.analysis.review import RECORD_ID, review_frame
from geo.analysis.risk import RISK_SCORE
from geo.analysis.snap import CITY_SITE, OWNER_CLASS, owner_class_of_parcels
from geo.i18n import N_
from geo.store import Store

FORMAT = 3  # 2: site parts and units (sites and parts) are persisted too; 3: the category basis's data
TABLES = ("sites", "incidents", "parcel_counts", "kpi_department", "kpi_district", "matrix", "near_unprotected",
          "hot_spots", "hot_spot_owners", "parts", "units")
EAGER = ("sites",)  # read with the run; the other tables are read when first used (the public view needs none)
REVIEW_PARCELS = "review_parcels"
KEEP_RESULTS = 3  # persisted runs kept per store (other versions and dates are removed)
Progress = Callable[[float, str], None]
_MISSING: dict[str, object] = {"none": None, "nan": np.nan, "nat": pd.NaT}


def status_token(store: Store) -> tuple[int, int]:
    """Return a cheap token that changes with every status save, override, determination and part change."""
    versions = sum(int(t[schema.VERSION].sum()) if len(t) else 0
                   for t in (store.read_status(), store.read_control(), store.read_parts()))
    return versions, len(store.read_overrides(latest_only=False))


def config_digest(config: AnalysisConfig) -> str:
    """Return a short digest of the rules (frozen dataclasses print deterministically)."""
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()[:12]


def result_dir(store: Store, *, version: int, as_of: dt.date, config: AnalysisConfig) -> Path | None:
    """Return the folder of a persisted run, or ``None`` for a store without a cache folder."""
    base = store.cache_dir()
    if base is None:
        return None
    return base / "analysis" / f"v{version}-{as_of.isoformat()}-{config_digest(config)}"


def is_persisted(store: Store, *, version: int, as_of: dt.date, config: AnalysisConfig) -> bool:
    """Whether a run is persisted for (``version``, ``as_of``, ``config``); True for a store that cannot persist."""
    folder = result_dir(store, version=version, as_of=as_of, config=config)
    return folder is None or (folder / "manifest.json").exists()


def save_result(store: Store, res: AnalysisResult, *, version: int, config: AnalysisConfig,
                token: tuple[int, int]) -> Path | None:
    """Persist every table of ``res`` for (``version``, ``res.as_of``, ``config``); return the folder.

    Written into a temporary folder first and renamed, then the manifest is written: a reader
    sees a whole run or none. Older runs of the store are removed (the newest few are kept).
    """
    target = result_dir(store, version=version, as_of=res.as_of, config=config)
    if target is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    dtypes = {name: _write_frame(getattr(res, name), tmp / f"{name}.parquet") for name in TABLES}
    manifest = {"format": FORMAT, "version": version, "as_of": res.as_of.isoformat(), "config": config_digest(config),
                "status_token": list(token), "dtypes": dtypes, "timings_s": res.timings_s}
    if _existing_review(target):  # the review set's parcel rows do not depend on status: keep them
        for name in (f"{REVIEW_PARCELS}.parquet", "review.json"):
            os.replace(target / name, tmp / name)
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:  # another process persisted the same run just now
        shutil.rmtree(tmp, ignore_errors=True)
        return target
    _write_json(target / "manifest.json", manifest)
    _prune(target.parent)
    return target


def load_result(store: Store, *, version: int, as_of: dt.date, config: AnalysisConfig
                ) -> tuple[AnalysisResult, tuple[int, int]] | None:
    """Return a persisted run and the status token it was computed with, or ``None``."""
    folder = result_dir(store, version=version, as_of=as_of, config=config)
    manifest = _read_json(folder / "manifest.json") if folder is not None else None
    if folder is None or manifest is None or manifest.get("format") != FORMAT:
        return None
    try:
        tables: dict[str, Any] = {name: _read_frame(folder / f"{name}.parquet", manifest["dtypes"][name]) if name in EAGER
                                  else _Lazy(folder / f"{name}.parquet", manifest["dtypes"][name]) for name in TABLES}
    except (OSError, ValueError, KeyError):
        return None  # damaged: the caller recomputes and overwrites it
    if not all(t.path.exists() for t in tables.values() if isinstance(t, _Lazy)):
        return None
    res = PersistedResult(as_of=as_of, timings_s=dict(manifest.get("timings_s", {})), **tables)
    token = manifest.get("status_token", [0, 0])
    return res, (int(token[0]), int(token[1]))


def restatus(res: AnalysisResult, status: pd.DataFrame, overrides: pd.DataFrame, *,
             config: AnalysisConfig, control: pd.DataFrame | None = None,
             parts: pd.DataFrame | None = None, listed: pd.DataFrame | None = None) -> AnalysisResult:
    """Return ``res`` with what status, overrides, determinations and parts touch recomputed, as a full run would.

    Determinations and control, sign and gate status, deadlines, residual risk, tiers, overrides,
    the site order, parts, units, KPIs, the risk x protection matrix and incidents near
    unprotected sites are rebuilt (:func:`geo.analysis.analyze.site_stage`) from the persisted
    per-site features; snapping, counts and hot spots are reused. ``listed`` is the store's sites
    layer of the same data version: the columns the site table does not carry (the listed control
    basis, dates and document) are read from it.
    """
    sites, features = stage_inputs(res, listed)
    table, part_table, units = site_stage(sites, features, status, overrides, control=control, parts=parts,
                                          as_of=res.as_of, config=config)
    return replace(res, sites=table, parts=part_table, units=units, **unit_tables(table, units, res.incidents))


def stage_inputs(res: AnalysisResult, listed: pd.DataFrame | None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the sites (store order) and their per-site features, as :func:`site_stage` takes them, from a run."""
    base = res.sites.sort_index()  # the store's site order (RangeIndex), as analyze received it
    cols = [c for c in base.columns if c != base.geometry.name]
    n_keep = cols.index(CATEGORY)
    keep, cls = cols[:n_keep], list(CLASS_COLUMNS)
    measures = cols[n_keep + len(cls):cols.index(RISK_SCORE)]
    features = pd.concat([base[cls], base[measures]], axis=1)
    sites = gpd.GeoDataFrame(base[keep], geometry=base.geometry.values, crs=base.crs, index=base.index)
    if listed is not None:
        more = [c for c in listed.columns if c not in sites.columns and c != listed.geometry.name]
        sites = sites.join(pd.DataFrame(listed[more]).set_index(listed[schema.SITE_ID].astype(str))
                           .reindex(sites[schema.SITE_ID].astype(str).to_numpy()).set_axis(sites.index))
    return sites, features


class _Lazy:
    """A persisted table read on first use (once, even when sessions ask at the same time)."""

    def __init__(self, path: Path, dtypes: dict[str, str]) -> None:
        self.path, self._dtypes, self._lock, self._value = path, dtypes, threading.Lock(), None

    def __call__(self) -> pd.DataFrame:
        with self._lock:
            if self._value is None:
                self._value = _read_frame(self.path, self._dtypes)
            return self._value


@dataclasses.dataclass(frozen=True)
class PersistedResult(AnalysisResult):
    """A persisted run whose tables other than :data:`EAGER` are read from their Parquet files on first use."""

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if type(value) is _Lazy:
            value = value()
            object.__setattr__(self, name, value)
        return value


def replace(res: AnalysisResult, **changes: Any) -> AnalysisResult:
    """Return ``res`` with ``changes`` (as :func:`dataclasses.replace`), leaving tables not yet read unread."""
    raw = {f.name: object.__getattribute__(res, f.name) for f in dataclasses.fields(res) if f.init}
    return type(res)(**{**raw, **changes})


def current_result(store: Store, *, version: int, as_of: dt.date, config: AnalysisConfig,
                   run: Callable[[], AnalysisResult], progress: Progress | None = None) -> AnalysisResult:
    """Return the analysis of the store as it is now: persisted (re-statused when needed), else ``run()`` and persist.

    ``run`` is the full analysis (the caller gathers its inputs); it is called only when no run
    is persisted for (``version``, ``as_of``, ``config``).
    """
    report = progress or (lambda _f, _s: None)
    token = status_token(store)
    found = load_result(store, version=version, as_of=as_of, config=config)
    if found is not None:
        res, saved_token = found
        if saved_token == token:
            return res
        return restatus(res, store.read_status(), store.read_overrides(), config=config,
                        control=store.read_control(), parts=store.read_parts(), listed=store.read_layer(schema.SITES))
    report(0.05, N_("running the analysis (once per data version; saved for every later session)"))
    res = run()
    report(0.9, N_("saving the analysis beside the store"))
    save_result(store, res, version=version, config=config, token=token)
    return res


def current_review(store: Store, res: AnalysisResult, parcels: gpd.GeoDataFrame, *, version: int,
                   config: AnalysisConfig) -> gpd.GeoDataFrame:
    """Return the Parcel review set: its parcel rows persisted per run, its site rows from ``res``.

    Equal to ``geo.analysis.review.review_frame(res, parcels)``; the parcel rows (owner class,
    use category, counts, repeat flag) are computed once per (version, date, rules) and read back.
    """
    folder = result_dir(store, version=version, as_of=res.as_of, config=config)
    parts = _load_review_parcels(folder, parcels) if folder is not None else None
    if parts is None:
        full = review_frame(res, parcels)
        n_sites = len(res.sites)
        owner = owner_class_of_parcels(parcels, res.sites)[OWNER_CLASS]
        positions = np.flatnonzero((owner != CITY_SITE).to_numpy())
        if folder is not None and (folder / "manifest.json").exists():
            _save_review_parcels(folder, pd.DataFrame(full.iloc[n_sites:].drop(columns="geometry")), positions)
        return full
    attrs, positions = parts
    sites_part = review_frame(res, parcels.iloc[:0])
    frame = pd.concat([pd.DataFrame(sites_part.drop(columns="geometry")), attrs], ignore_index=True)
    geoms = np.concatenate([np.asarray(sites_part.geometry.values), np.asarray(parcels.geometry.values)[positions]])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


# --- private: the frame codec and folders ------------------------------------------------
def _write_frame(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    """Write ``frame`` as Parquet (GeoParquet for a GeoDataFrame); return its column dtypes."""
    frame.to_parquet(path, index=True, compression="zstd")
    return {str(c): _dtype_tag(frame[c]) for c in frame.columns}


def _dtype_tag(values: pd.Series) -> str:
    """Return the dtype name; object columns also say whether their missing values are None or NaN."""
    if str(values.dtype) != "object":
        return str(values.dtype)
    missing = values[values.isna()]
    if len(missing) == 0:
        return "object"
    kinds = {"none" if v is None else ("nat" if v is pd.NaT else "nan") for v in missing}
    return f"object|{kinds.pop()}" if len(kinds) == 1 else "object|none"


def _read_frame(path: Path, dtypes: dict[str, str]) -> pd.DataFrame:
    """Read a frame back with its dtypes: text read as ``str`` becomes ``object`` again (missing = None)."""
    geo = "geometry" in dtypes and dtypes["geometry"] == "geometry"
    frame: pd.DataFrame = gpd.read_parquet(path) if geo else pd.read_parquet(path)
    for col, want in dtypes.items():
        if col not in frame.columns:
            continue
        if not want.startswith("object"):
            if str(frame[col].dtype) != want and want != "geometry":  # e.g. an empty column read back as object
                with contextlib.suppress(TypeError, ValueError):
                    frame[col] = frame[col].astype(want)
            continue
        values = frame[col].astype(object)
        missing = values.isna()
        if missing.any():
            values = values.where(~missing, _MISSING.get(want.partition("|")[2]))
        frame[col] = values
    return frame


def _save_review_parcels(folder: Path, attrs: pd.DataFrame, positions: np.ndarray) -> None:
    tmp = folder / f".{REVIEW_PARCELS}.{os.getpid()}.parquet"
    dtypes = _write_frame(attrs.assign(_position=positions), tmp)
    os.replace(tmp, folder / f"{REVIEW_PARCELS}.parquet")
    _write_json(folder / "review.json", {"format": FORMAT, "dtypes": dtypes, "rows": len(attrs)})


def _load_review_parcels(folder: Path, parcels: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray] | None:
    meta = _read_json(folder / "review.json")
    if meta is None or meta.get("format") != FORMAT:
        return None
    try:
        attrs = _read_frame(folder / f"{REVIEW_PARCELS}.parquet", meta["dtypes"])
    except (OSError, ValueError, KeyError):
        return None
    positions = attrs.pop("_position").to_numpy(dtype=np.int64)
    if len(positions) and (positions.max() >= len(parcels) or positions.min() < 0):
        return None
    ains = parcels[schema.AIN].astype(str).to_numpy()[positions]
    if not np.array_equal(ains, attrs[RECORD_ID].astype(str).to_numpy()):
        return None  # the parcels are not the ones persisted: rebuild
    return attrs, positions


def _existing_review(folder: Path) -> bool:
    return (folder / "review.json").exists() and (folder / f"{REVIEW_PARCELS}.parquet").exists()


def _prune(parent: Path, keep: int = KEEP_RESULTS) -> None:
    done = [p for p in parent.iterdir() if p.is_dir() and (p / "manifest.json").exists()]
    done.sort(key=lambda p: (p / "manifest.json").stat().st_mtime, reverse=True)
    for old in done[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None
