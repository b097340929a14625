"""The basemap as configuration: none for real data, public tiles only when chosen or in demo, PMTiles self-hosted."""
from __future__ import annotations

import pytest

from layers.base import base_map
from layers.basemap import BASEMAP_ENV, Basemap, configured_basemap


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in (BASEMAP_ENV, "STAGEMAP_TILES", "STAGEMAP_BASEMAP_ATTR"):
        monkeypatch.delenv(name, raising=False)


def html(**kw) -> str:
    return base_map(bounds=(-118.3, 34.0, -118.2, 34.1), **kw).get_root().render()


def test_real_data_gets_no_public_basemap_by_default():
    assert configured_basemap(synthetic=False) == Basemap("none")
    out = html(synthetic=False)
    assert "openstreetmap" not in out.lower() and "L.tileLayer" not in out


def test_demo_uses_public_tiles_and_says_so_on_the_map():
    basemap = configured_basemap(synthetic=True)
    assert basemap.public and "demo" in (basemap.note or "")
    out = html(synthetic=True)
    assert "tile.openstreetmap.org" in out and "the tile server sees which area is viewed" in out


def test_a_city_xyz_server_and_explicit_choices(monkeypatch):
    monkeypatch.setenv(BASEMAP_ENV, "xyz:https://tiles.example.lacity.gov/{z}/{x}/{y}.png")
    out = html(synthetic=False)
    assert "tiles.example.lacity.gov" in out and "openstreetmap" not in out.lower()
    monkeypatch.setenv(BASEMAP_ENV, "none")
    assert "L.tileLayer" not in html(synthetic=True)
    monkeypatch.setenv(BASEMAP_ENV, "osm")
    assert configured_basemap(synthetic=False).note == "Basemap: public OpenStreetMap tiles, chosen by this deployment."


def test_a_self_hosted_pmtiles_file_loads_the_pinned_plugin_from_static(monkeypatch):
    monkeypatch.setenv(BASEMAP_ENV, "pmtiles:basemap/la.pmtiles")
    out = html(synthetic=False)
    assert '"/app/static/basemap/la.pmtiles"' in out
    assert "/app/static/vendor/pmtiles@4.5.0/dist/pmtiles.js" in out
    assert "/app/static/vendor/protomaps-leaflet@5.1.0/dist/protomaps-leaflet.js" in out
    assert "unpkg.com" not in out


def test_a_basemap_that_cannot_load_says_so_once_in_the_legend_area(monkeypatch):
    monkeypatch.setenv(BASEMAP_ENV, "xyz:https://tiles.example.lacity.gov/{z}/{x}/{y}.png")
    out = html(synthetic=False)
    assert "Basemap could not load" in out and "stagemapBasemapNoticeShown" in out and "tileerror" in out
    assert "Basemap could not load" not in html(tiles=None)


def test_bad_settings_are_refused_with_the_fix(monkeypatch):
    for raw in ("satellite", "xyz:https://no-placeholders.example", "pmtiles:"):
        monkeypatch.setenv(BASEMAP_ENV, raw)
        with pytest.raises(ValueError, match="use none, osm, xyz"):
            configured_basemap(synthetic=False)


def test_the_older_tiles_setting_still_works(monkeypatch):
    monkeypatch.setenv("STAGEMAP_TILES", "none")
    assert configured_basemap(synthetic=True) == Basemap("none")
    monkeypatch.setenv("STAGEMAP_TILES", "https://t.example/{z}/{x}/{y}.png")
    assert configured_basemap(synthetic=False).url == "https://t.example/{z}/{x}/{y}.png"
