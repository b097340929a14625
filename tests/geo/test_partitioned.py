"""Identical results however the analysis runs: partitioned (in process and on a 2-worker Dask cluster),
persisted and read back, re-statused after saves and overrides."""
from __future__ import annotations

import datetime as dt
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo import schema
from geo.access.roles import Actor
from geo.analysis.analyze import AnalysisConfig, AnalysisResult
from geo.analysis.partitioned import POS, assemble, combine, hilbert_groups, parcel_step, snap_step
from geo.analysis.relevance import enforcement_incidents
from geo.analysis.review import review_frame
from geo.crs import to_analysis
from geo.services import persisted
from geo.services.analysis import analysis_inputs, analyze_inputs, persist_for_app, run_analysis
from geo.store import open_store
from geo.synthetic import generate_sample

AS_OF = dt.date(2026, 10, 31)
CONFIG = AnalysisConfig()
ADMIN = Actor("kim", "admin", source="cli")


@pytest.fixture(scope="module")
def busy_path(tmp_path_factory):
    """A sample with many incidents (snapping, counts and hot spots all busy), built once."""
    path = tmp_path_factory.mktemp("partitioned") / "busy.gpkg"
    sample = generate_sample(n_parcels=6_000, n_incidents=3_000)
    open_store(str(path)).write_layers(sample.frames, mode="replace", status=sample.status)
    return path


@pytest.fixture
def busy(busy_path, tmp_path):
    path = tmp_path / "busy.gpkg"
    shutil.copy(busy_path, path)
    return open_store(str(path))


@pytest.fixture(scope="module")
def single(busy_path):
    store = open_store(str(busy_path))
    return analyze_inputs(analysis_inputs(store), as_of=AS_OF, config=CONFIG)


def assert_same(got: AnalysisResult, want: AnalysisResult) -> None:
    """Every table equal, values and dtypes (the index included)."""
    assert got.as_of == want.as_of
    for name in persisted.TABLES:
        a, b = getattr(got, name), getattr(want, name)
        if isinstance(b, gpd.GeoDataFrame):
            assert_geodataframe_equal(a, b, check_less_precise=False)
        else:
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


def in_parts(store, n_parcels: int, n_groups: int) -> AnalysisResult:
    """The partitioned steps run one after another in this process (what each Dask worker does)."""
    inp = analysis_inputs(store)
    incidents = to_analysis(enforcement_incidents(inp.incidents))  # what analyze keeps
    parcels, sites = to_analysis(inp.parcels), to_analysis(inp.sites)
    districts, parks = to_analysis(inp.districts), to_analysis(inp.parks)
    ramps, places, streets = (to_analysis(f) if f is not None and len(f) else None
                              for f in (inp.ramps, inp.places, inp.streets))
    staged = parcels.assign(**{POS: np.arange(len(parcels))})
    part_of = hilbert_groups(np.asarray(staged.geometry.values), n_parcels)
    pieces = [parcel_step(staged[part_of == k], sites=sites, incidents=incidents, as_of=AS_OF, config=CONFIG)
              for k in range(n_parcels)]
    counts = pd.concat([c for c, _ in pieces], ignore_index=True).sort_values(POS).drop(columns=POS)
    candidates = gpd.GeoDataFrame(pd.concat([c for _, c in pieces]), crs=parcels.crs)
    group_of = hilbert_groups(np.asarray(incidents.geometry.values), n_groups)
    snapped = combine([snap_step(incidents[group_of == g].assign(**{POS: 0}), candidates, sites=sites,
                                   districts=districts, config=CONFIG) for g in range(n_groups)]).loc[incidents.index]
    return assemble(sites=sites, incidents=incidents, snapped=snapped, parcel_counts=counts.reset_index(drop=True),
                    candidates=candidates, status=inp.status, overrides=inp.overrides, parks=parks, ramps=ramps,
                    places=places, control=inp.control, parts=inp.parts, as_of=AS_OF, config=CONFIG, clock={},
                    streets=streets)


@pytest.mark.parametrize(("n_parcels", "n_groups"), [(1, 1), (3, 2), (7, 5), (16, 11)])
def test_partitioned_steps_give_the_single_process_result(busy_path, single, n_parcels, n_groups):
    assert_same(in_parts(open_store(str(busy_path)), n_parcels, n_groups), single)


def test_hilbert_groups_are_equal_sized_and_spatially_compact():
    xs, ys = np.meshgrid(np.arange(40.0), np.arange(40.0))
    pts = np.asarray(gpd.points_from_xy(xs.ravel(), ys.ravel()), dtype=object)
    groups = hilbert_groups(pts, 4)
    assert np.bincount(groups).tolist() == [400, 400, 400, 400]
    for g in range(4):  # a Hilbert quarter of a square is a quadrant, not a scatter
        box = gpd.GeoSeries(pts[groups == g]).total_bounds
        assert (box[2] - box[0]) * (box[3] - box[1]) <= 20 * 20


@pytest.mark.slow
def test_the_dask_engine_on_a_local_two_worker_cluster_is_identical(busy_path, single):
    from geo.services.analysis_dask import analyze_partitioned, dask_client

    inp = analysis_inputs(open_store(str(busy_path)))
    with dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        got = analyze_partitioned(inp.parcels, inp.sites, inp.incidents, inp.status, inp.overrides, client=client,
                                  as_of=AS_OF, districts=inp.districts, parks=inp.parks, ramps=inp.ramps,
                                  places=inp.places, control=inp.control, parts=inp.parts, config=CONFIG,
                                  partitions=6)
    assert_same(got, single)


def test_a_persisted_run_reads_back_identical(busy, single):
    path = persisted.save_result(busy, single, version=busy.data_version(), config=CONFIG,
                                 token=persisted.status_token(busy))
    assert path is not None and path.is_relative_to(busy.cache_dir())
    back, token = persisted.load_result(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG)
    assert token == persisted.status_token(busy)
    assert_same(back, single)
    assert persisted.load_result(busy, version=busy.data_version() + 1, as_of=AS_OF, config=CONFIG) is None
    assert persisted.load_result(busy, version=busy.data_version(), as_of=AS_OF.replace(day=30), config=CONFIG) is None
    (path / "sites.parquet").write_bytes(b"damaged")
    assert persisted.load_result(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG) is None


EDITS = [
    {"sign_status": "posted", "sign_posted_on": "2026-03-01", "gate_status": "closed_locked"},
    {"sign_status": "damaged", "gate_status": "open"},
    {"sign_status": "none", "gate_status": "closed_unlocked"},
]


@pytest.mark.parametrize("n_edits", [1, 4, 12])
def test_status_saves_and_overrides_recompute_only_what_they_touch_and_match_a_full_run(busy, single, n_edits):
    rng = np.random.default_rng(n_edits)
    status = busy.read_status()
    for i, row in enumerate(status.sample(n_edits, random_state=n_edits).itertuples()):
        busy.save_status(row.site_id, EDITS[i % len(EDITS)], expect_version=int(row.version), user="kim", role="admin")
    for site_id in rng.choice(status[schema.SITE_ID].to_numpy(), size=max(1, n_edits // 3), replace=False):
        busy.set_override(str(site_id), str(rng.choice(["high", "medium", "low"])), reason="field visit", user="kim",
                          role="admin")
    fresh = analyze_inputs(analysis_inputs(busy), as_of=AS_OF, config=CONFIG)
    restated = persisted.restatus(single, busy.read_status(), busy.read_overrides(), config=CONFIG,
                                  control=busy.read_control(), parts=busy.read_parts(),
                                  listed=busy.read_layer(schema.SITES))
    assert_same(restated, fresh)
    assert restated.incidents is single.incidents and restated.parcel_counts is single.parcel_counts  # reused


def test_current_result_runs_once_then_reads_and_restatuses(busy, monkeypatch):
    calls: list[int] = []

    def run() -> AnalysisResult:
        calls.append(1)
        return analyze_inputs(analysis_inputs(busy), as_of=AS_OF, config=CONFIG)

    first = persisted.current_result(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG, run=run)
    second = persisted.current_result(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG, run=run)
    assert calls == [1]
    assert_same(second, first)
    row = busy.read_status().iloc[0]
    busy.save_status(row.site_id, EDITS[0], expect_version=int(row.version), user="kim", role="admin")
    third = persisted.current_result(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG, run=run)
    assert calls == [1]
    assert_same(third, analyze_inputs(analysis_inputs(busy), as_of=AS_OF, config=CONFIG))


def test_the_review_set_is_persisted_and_rebuilt_identically(busy, single):
    parcels = busy.read_layer(schema.PARCELS)
    version = busy.data_version()
    persisted.save_result(busy, single, version=version, config=CONFIG, token=persisted.status_token(busy))
    want = review_frame(single, parcels)
    assert_geodataframe_equal(persisted.current_review(busy, single, parcels, version=version, config=CONFIG), want)
    folder = persisted.result_dir(busy, version=version, as_of=AS_OF, config=CONFIG)
    assert (folder / "review_parcels.parquet").exists()
    assert_geodataframe_equal(persisted.current_review(busy, single, parcels, version=version, config=CONFIG), want)
    shuffled = parcels.iloc[::-1].reset_index(drop=True)  # not the parcels it was saved for: rebuilt, not misread
    assert_geodataframe_equal(persisted.current_review(busy, single, shuffled, version=version, config=CONFIG),
                              review_frame(single, shuffled))


def test_stagemap_analyze_and_the_post_import_step_persist_for_the_app(busy, tmp_path):
    run_analysis(busy, ADMIN, out_dir=tmp_path / "out", as_of=AS_OF)
    assert persisted.is_persisted(busy, version=busy.data_version(), as_of=AS_OF, config=CONFIG)
    today = dt.date.today()
    assert persist_for_app(busy, as_of=today) is True
    assert persist_for_app(busy, as_of=today) is False
    assert persisted.is_persisted(busy, version=busy.data_version(), as_of=today, config=CONFIG)
