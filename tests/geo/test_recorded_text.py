"""Recorded text (names, addresses, descriptions) is shown and exported as recorded, even when it spells a code.

A site named "open" or an incident described as "closed_locked" must not read as a status on a page,
in a tooltip or in a Spanish CSV: only code columns are spelled out.
"""
from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import shapely

from geo import schema
from geo.analysis.labels import value_text
from geo.io.export import to_csv_bytes
from geo.labels import code_label


def test_a_code_in_a_recorded_column_stays_as_recorded():
    for lang in ("en", "es"):
        assert code_label("open", schema.NAME, lang) == "open"
        assert value_text("closed_locked", schema.NAME, lang) == "closed_locked"
        assert value_text("lapd_confirmed", schema.DESCRIPTION, lang) == "lapd_confirmed"
    assert value_text("closed_locked", schema.GATE_STATUS) == "Closed and locked"
    assert code_label("closed_locked", schema.GATE_STATUS, "es") != "closed_locked"


def test_a_recorded_columns_own_placeholder_still_reads_as_words():
    assert value_text("(owner not public)", schema.OWNER_NAME, "es") != "(owner not public)"
    assert code_label("(owner not public)", schema.OWNER_NAME, "es") != "(owner not public)"


def test_a_spanish_csv_keeps_a_site_named_like_a_code():
    frame = gpd.GeoDataFrame({schema.SITE_ID: ["S-1"], schema.NAME: ["open"], schema.GATE_STATUS: ["open"]},
                             geometry=[shapely.Point(-118.24, 34.05)], crs="EPSG:4326")
    table = pd.read_csv(io.BytesIO(to_csv_bytes(frame, synthetic=False, lang="es")), encoding="utf-8-sig")
    name_col, gate_col = table.columns[1], table.columns[2]
    assert table[name_col].iat[0] == "open"
    assert table[gate_col].iat[0] != "open"
