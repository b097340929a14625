"""Self-hosted map assets: manifest, link rewriting, install integrity, tiles setting, standalone export."""
from __future__ import annotations

import io
import re
import tarfile

import folium
import pytest
from folium.plugins import FastMarkerCluster, HeatMap

from layers import assets
from layers.base import base_map
from tests.browser.guard import is_local
from tools import install_assets


def _plugin_map() -> folium.Map:
    fmap = base_map()
    FastMarkerCluster([[34.05, -118.25]]).add_to(fmap)
    HeatMap([[34.05, -118.25]]).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def test_manifest_pins_every_file() -> None:
    man = assets.load_manifest()
    for pkg in man.packages.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", pkg.version)
        if pkg.registry == "npm":
            assert pkg.integrity and pkg.integrity.startswith("sha512-") and pkg.tarball
    assert all(re.fullmatch(r"[0-9a-f]{64}", f.sha256) for f in man.files)
    cdns = [u for f in man.files for u in f.replaces]
    assert len(cdns) == len(set(cdns))


def test_local_mode_leaves_no_public_link(monkeypatch) -> None:
    monkeypatch.delenv(assets.ASSETS_ENV, raising=False)
    links = assets.asset_links(_plugin_map())
    assert links and all(u.startswith(assets.DEFAULT_URL_PREFIX + "/") for u in links), links
    html = _plugin_map().get_root().render()
    assert not [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html) if not is_local(u)]


def test_cdn_mode_keeps_the_public_cdns(monkeypatch) -> None:
    monkeypatch.setenv(assets.ASSETS_ENV, "cdn")
    try:
        links = assets.asset_links(_plugin_map())
        assert any(u.startswith("https://cdn.jsdelivr.net/npm/leaflet@") for u in links)
    finally:
        assets.apply_asset_mode("local")


def test_bad_mode_is_refused(monkeypatch) -> None:
    monkeypatch.setenv(assets.ASSETS_ENV, "elsewhere")
    with pytest.raises(ValueError, match="STAGEMAP_ASSETS"):
        assets.asset_mode()


def test_no_basemap_keeps_the_maps_own_max_zoom(monkeypatch) -> None:
    monkeypatch.setenv("STAGEMAP_BASEMAP", "none")
    fmap = base_map()
    html = fmap.get_root().render()
    assert "L.tileLayer" not in html and '"maxZoom": 19' in html  # MarkerCluster needs the map's own maxZoom


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_install_refuses_a_registry_that_disagrees(monkeypatch, tmp_path) -> None:
    pkg = assets.load_manifest().packages["leaflet"]
    monkeypatch.setattr(install_assets, "registry_dist", lambda p: {"integrity": "sha512-AAAA", "tarball": p.tarball})
    with pytest.raises(install_assets.IntegrityError, match="Refusing"):
        install_assets.npm_tarball(pkg)


def test_install_refuses_a_tampered_tarball(monkeypatch, tmp_path) -> None:
    pkg = assets.load_manifest().packages["leaflet"]
    monkeypatch.setattr(install_assets, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(install_assets, "_get", lambda url: _tarball({"dist/leaflet.js": b"alert(1)"}))
    with pytest.raises(install_assets.IntegrityError, match="Refusing"):
        install_assets.npm_tarball(pkg, check_registry=False)
    assert not list(tmp_path.iterdir())  # nothing cached


def test_install_refuses_a_file_that_differs(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(install_assets, "package_files",
                        lambda pkg, files, check_registry=True: {f.path: b"tampered" for f in files})
    with pytest.raises(install_assets.IntegrityError, match="SHA-256"):
        install_assets.install(tmp_path / "vendor")
    assert install_assets.main(["verify", "--dest", str(tmp_path / "vendor")]) == 1


@pytest.mark.skipif(not assets.installed(), reason="map assets not installed: python -m tools.install_assets")
def test_standalone_export_inlines_everything() -> None:
    from stagemap_cli.maps import standalone_html

    html = standalone_html(_plugin_map())
    assert assets.DEFAULT_URL_PREFIX not in html
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)
    assert "L.MarkerClusterGroup" in html and ".leaflet-container" in html  # scripts and styles inlined
    assert "bootstrap" not in html.lower() and "fontawesome" not in html.lower()  # maps draw no icon markers
