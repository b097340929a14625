"""Exports: formula cells neutralised, numbers kept, synthetic label everywhere, files readable."""
from __future__ import annotations

import io
import json

import pandas as pd
import pyogrio
import pytest
import shapely

from geo import schema
from geo.io.export import export_name, neutralise_cell, to_csv_bytes, to_geojson_bytes, to_gpkg_bytes
from tests.conftest import canonical_frame

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "=1|' /C calc'!A0"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_are_neutralised(value):
    assert neutralise_cell(value) == "'" + value


def test_plain_and_numeric_values_are_kept():
    assert neutralise_cell("Lot 7") == "Lot 7" and neutralise_cell(-5) == -5 and neutralise_cell(None) is None


@pytest.fixture
def frame():
    return canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * len(HOSTILE),
                           site_id=[f"S{i}" for i in range(len(HOSTILE))], name=HOSTILE, area_sqft=-12.5)


def test_csv_neutralises_text_keeps_numbers_and_labels_synthetic(frame):
    table = pd.read_csv(io.BytesIO(to_csv_bytes(frame, synthetic=True)), encoding="utf-8-sig")
    assert all(v.startswith("'") for v in table["name"])
    assert table["area_sqft"].tolist() == [-12.5] * len(HOSTILE)
    assert (table["data_notice"] == "SYNTHETIC DEMO DATA - not City records").all()
    assert table["wkt"].str.startswith("POLYGON").all()


def test_geojson_and_gpkg_round_trip_with_labels(frame, tmp_path):
    data = json.loads(to_geojson_bytes(frame, synthetic=True))
    assert data["name"].startswith("SYNTHETIC") and len(data["features"]) == len(HOSTILE)
    assert all(f["properties"]["name"].startswith("'") for f in data["features"])
    path = tmp_path / "x.gpkg"
    path.write_bytes(to_gpkg_bytes(frame, layer="sites", synthetic=True))
    (name, _), = pyogrio.list_layers(path)
    back = pyogrio.read_dataframe(path)
    assert name == "SYNTHETIC_sites" and len(back) == len(HOSTILE) and back.crs.to_epsg() == 4326
    assert export_name("sites", "csv", synthetic=True) == "SYNTHETIC_sites.csv"
    assert export_name("sites", "csv", synthetic=False) == "sites.csv"


def test_a_csv_for_a_spanish_reader_has_spanish_headers_codes_and_notice():
    """``lang='es'``: headers, the label table's codes, 'withheld' and the notice in Spanish; data as it is."""
    frame = pd.DataFrame({"council_district": [1, "Total"], "2025-11": ["withheld", 12], "gate_status":
                          ["closed_locked", "open"], "name": ["Yard 7 (open)", "Lot"]})
    machine = to_csv_bytes(frame, synthetic=True).decode("utf-8-sig")
    assert machine.splitlines()[0] == '"council_district","2025-11","gate_status","name","data_notice"'
    assert '"closed_locked"' in machine and '"withheld"' in machine
    spanish = to_csv_bytes(frame, synthetic=True, lang="es").decode("utf-8-sig").splitlines()
    assert spanish[0] == '"Distrito del Concejo Municipal","2025-11","Portón","Nombre","Aviso sobre los datos"'
    assert spanish[1].startswith('1,"reservado","Cerrado con llave","Yard 7 (open)","DATOS SINTÉTICOS')
    assert spanish[2].startswith('"Total",12,"Abierto","Lot",')


def test_a_spanish_csv_still_neutralises_formula_cells():
    """Translating codes happens before neutralising: a hostile cell stays inert in the Spanish CSV too."""
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x")', "+1"], "gate_status": ["@SUM(1)", "open"]})
    lines = to_csv_bytes(frame, synthetic=False, lang="es").decode("utf-8-sig").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")","\'@SUM(1)"' and lines[2] == '"\'+1","Abierto"'
