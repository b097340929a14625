"""Import errors and import reports from geo/io come out in Spanish for a Spanish session.

Each test provokes a real refusal (or a real report) through the real readers and import code, then checks
that ``geo.i18n.localise(exc, "es")`` is the Spanish text (the catalogue's template, filled with the same
values) while ``str(exc)`` stays the English text other tests and logs read.
"""
from __future__ import annotations

import codecs
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import i18n
from geo.config import ImportLimits
from geo.errors import CRSError, GeoDataError, InvalidGeometryError, SchemaError, UnsafeFileError
from geo.io.budget import Budget, ImportCancelled
from geo.io.ingest import StoreContext, plan_import
from geo.io.readers import read_source
from geo.services.imports import import_file
from geo.store import open_store
from tests.actors import ADMIN

LON, LAT = -118.2427, 34.0537


def _held() -> StoreContext:
    return StoreContext(districts=None, lapd_areas=None, parcels=lambda: gpd.GeoDataFrame(geometry=[]), sites=None)


def _spanish(exc: BaseException) -> str:
    text = i18n.localise(exc, "es")
    assert text != str(exc), f"not translated: {exc}"
    return text


def test_a_shapefile_without_a_prj_is_refused_in_spanish(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"AIN": ["5161003900"]}, geometry=[shapely.box(6_480_000, 1_840_000, 6_480_100,
                                                                           1_840_100)], crs="EPSG:2229")
    frame.to_file(tmp_path / "parcels.shp")
    (tmp_path / "parcels.prj").unlink()
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("parcels.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    with pytest.raises(CRSError) as caught:
        read_source(archive)
    assert str(caught.value).startswith("parcels.zip: no CRS (no .prj file or CRS metadata)")
    spanish = _spanish(caught.value)
    assert spanish.startswith("parcels.zip: sin CRS (no hay archivo .prj ni metadatos de CRS)")
    assert "vuelva a ejecutar con --crs 2229" in spanish


def test_an_unknown_crs_option_is_refused_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(f"name,lat,lon\nCity Hall,{LAT},{LON}\n")
    with pytest.raises(CRSError) as caught:
        read_source(path, crs="EPSG:NOPE")
    assert str(caught.value) == "--crs 'EPSG:NOPE' is not a known CRS. Use an EPSG code such as 2229 or EPSG:4326."
    assert _spanish(caught.value) == ("--crs 'EPSG:NOPE' no es un CRS conocido. Use un código EPSG como 2229 o "
                                      "EPSG:4326.")


def test_a_missing_column_is_refused_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(f"id,lat,lon\nA1,{LAT},{LON}\n")
    with pytest.raises(SchemaError) as caught:
        plan_import("incidents", path, _held())
    assert "incidents.csv: no occurred_at column for a incidents import" in str(caught.value)
    spanish = _spanish(caught.value)
    assert "incidents.csv: no hay columna occurred_at para una importación de incidents" in spanish
    assert "--map occurred_at=COLUMN" in spanish and "la asignación de columnas de la página Datos" in spanish


def test_a_zip_slip_archive_is_refused_in_spanish(tmp_path: Path) -> None:
    archive = tmp_path / "layer.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.geojson", "{}")
    with pytest.raises(UnsafeFileError) as caught:
        read_source(archive)
    assert "climbs out of the archive with '..' (zip-slip)" in str(caught.value)
    assert _spanish(caught.value) == ("layer.zip: la entrada '../escape.geojson' sale del archivo comprimido con "
                                      "'..' (zip-slip). Vuelva a crear el zip con nombres relativos simples.")


def test_an_unsupported_text_encoding_is_refused_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_bytes(codecs.BOM_UTF32_LE + f"name,lat,lon\nCity Hall,{LAT},{LON}\n".encode("utf-32-le"))
    with pytest.raises(GeoDataError) as caught:
        read_source(path)
    assert "places.csv: the text encoding is UTF-32 (little-endian); StageMap reads UTF-8" in str(caught.value)
    spanish = _spanish(caught.value)
    assert "places.csv: la codificación del texto es UTF-32 (little-endian); StageMap lee UTF-8" in spanish
    assert spanish.endswith("Guarde el archivo de nuevo como UTF-8 (Excel: Archivo > Guardar como > CSV UTF-8).")


def test_the_wrong_geometry_type_is_refused_in_spanish(tmp_path: Path) -> None:
    lines = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"AIN": "5161003900"},
         "geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.001, LAT]]}}]}
    path = tmp_path / "parcels.geojson"
    path.write_text(json.dumps(lines))
    with pytest.raises(InvalidGeometryError) as caught:
        plan_import("parcels", path, _held())
    assert "holds 1 LineString geometry, but this import kind needs Polygon or MultiPolygon" in str(caught.value)
    spanish = _spanish(caught.value)
    assert "contiene geometría 1 LineString, pero este tipo de importación necesita Polygon o MultiPolygon" in spanish


def test_a_cancelled_read_says_so_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(f"name,lat,lon\nCity Hall,{LAT},{LON}\n")
    budget = Budget(ImportLimits(), path.name, cancelled=lambda: True)
    with pytest.raises(ImportCancelled) as caught:
        read_source(path, budget=budget)
    assert str(caught.value).endswith("; nothing was stored.")
    assert _spanish(caught.value).endswith("; no se guardó nada.")
    assert "places.csv: importación cancelada" in _spanish(caught.value)


def test_an_import_refused_through_the_service_stores_nothing_and_reads_in_spanish(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.gpkg"))
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon\nCity Hall,0,0\nPark,0,0\n")
    with pytest.raises(GeoDataError) as caught:
        import_file(store, ADMIN, "places", path)
    spanish = _spanish(caught.value)
    assert "no se puede importar ninguna entidad; se rechazaron las 2" in spanish
    assert "fila 2" in spanish and "es 0 (el código del LAPD para una ubicación faltante)" in spanish
    assert "-> rechazada" in spanish
    assert store.read_layer("places").empty


def test_the_import_report_and_progress_read_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(f"name,lat,lon\nCity Hall,{LAT},{LON}\nNowhere,0,0\n")
    heard: list[str] = []
    plan = plan_import("places", path, _held(), progress=lambda fraction, text: heard.append(text))
    summary = plan.report.summary()
    assert summary.splitlines()[0].startswith("places.csv (places, CSV): read 2, accepted 1")
    spanish = i18n.localise(summary, "es")
    assert spanish.splitlines()[0].startswith("places.csv (places, CSV): leídas 2, aceptadas 1")
    assert "rechazadas:" in spanish.splitlines()
    assert any(line.startswith("  fila 3 (place PLACE-3): lat/lon es 0 (el código del LAPD") for line in spanish.splitlines())
    assert any(line.startswith("nota: codificación del texto: UTF-8") for line in spanish.splitlines())
    assert [i18n.localise(t, "es") for t in heard[:1]] == ["Revisando el archivo"]
    assert "Validando 2 filas" in [i18n.localise(t, "es") for t in heard]
