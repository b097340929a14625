"""The basemap in Chromium: a self-hosted PMTiles file renders over range requests; real data asks no tile host."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from geo import schema
from geo.store import open_store
from tests.browser import drive
from tests.browser.conftest import REPO, screenshot, serve
from tests.layers.pmtiles_fixture import build_raster_pmtiles

BASEMAP_DIR = REPO / "static" / "basemap"


@pytest.fixture
def pmtiles_file(sample_master: Path):
    """A raster PMTiles basemap built from the sample's district and site outlines, served from ./static."""
    store = open_store(str(sample_master), create=False)
    outlines = store.read_layer(schema.DISTRICTS)
    outlines = outlines[[schema.DISTRICT, "geometry"]]
    BASEMAP_DIR.mkdir(parents=True, exist_ok=True)
    path = BASEMAP_DIR / f"test-{uuid.uuid4().hex[:8]}.pmtiles"
    tiles = build_raster_pmtiles(path, outlines)
    assert tiles > 4
    yield path
    path.unlink(missing_ok=True)


def test_a_self_hosted_pmtiles_basemap_renders_with_no_request_leaving_localhost(
        tmp_path, sample_master, pmtiles_file, new_context) -> None:
    env = {"STAGEMAP_AUTH": "demo", "STAGEMAP_BASEMAP": f"pmtiles:basemap/{pmtiles_file.name}"}
    with serve(tmp_path, sample_master, env=env) as app:
        ctx, guard = new_context()
        page = ctx.new_page()
        ranges: list[tuple[int, str | None]] = []
        page.on("response", lambda r: ranges.append((r.status, r.request.headers.get("range")))
                if r.url.endswith(pmtiles_file.name) else None)
        drive.open_app(page, app.url)
        frame = drive.map_frame(page)
        frame.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length >= 4",
                                timeout=60_000)
        assert ranges and all(status == 206 and rng and rng.startswith("bytes=") for status, rng in ranges), ranges
        assert frame.evaluate("() => !document.querySelector('.stagemap-basemap-notice')")
        screenshot(page, "basemap_pmtiles")
        guard.check()


def test_a_real_data_store_makes_no_request_to_a_public_tile_host(tmp_path, sample_master, new_context) -> None:
    real = tmp_path / "real_source.gpkg"
    sample = open_store(str(sample_master), create=False)
    store = open_store(str(real))
    frames = {layer: sample.read_layer(layer).assign(**{schema.IS_SYNTHETIC: False}) for layer in
              (schema.SITES, schema.DISTRICTS)}
    store.write_layers(frames)
    accounts = tmp_path / "users.json"
    accounts.write_text(json.dumps([]))
    served = tmp_path / "serve"
    served.mkdir()
    with serve(served, real, env={"STAGEMAP_AUTH": "local", "STAGEMAP_USERS": str(accounts),
                                  "STAGEMAP_TILES": ""}) as app:  # no basemap setting at all
        ctx, guard = new_context()
        page = ctx.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        drive.open_app(page, app.url)  # a visitor: the public view of real data
        drive.map_frame(page)
        assert not [u for u in requested if "openstreetmap" in u or "tile" in u.split("/")[2]], requested
        assert not guard.external, guard.external
        guard.check()


def test_a_basemap_that_cannot_load_says_so_once(tmp_path, sample_master, new_context) -> None:
    env = {"STAGEMAP_AUTH": "demo", "STAGEMAP_BASEMAP": "pmtiles:basemap/missing-file.pmtiles"}
    with serve(tmp_path, sample_master, env=env) as app:
        ctx, guard = new_context()
        page = ctx.new_page()
        drive.open_app(page, app.url)
        frame = drive.map_frame(page)
        frame.wait_for_function("() => document.querySelectorAll('.stagemap-basemap-notice').length === 1",
                                timeout=30_000)
        text = frame.evaluate("() => document.querySelector('.stagemap-legend').innerText")
        assert "Basemap could not load" in text
        unexpected = [e for e in guard.errors if "404" not in e]  # the missing archive itself is the point
        assert not guard.external and not unexpected, guard.problems()
        assert any("missing-file.pmtiles" in f for f in guard.failed)
