"""Exports: CSV, GeoJSON and GeoPackage bytes, labelled when synthetic, safe to open in Excel."""
from __future__ import annotations

import csv
import json
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.config import SYNTHETIC_SOURCE
from geo.i18n import translate
from geo.labels import code_label, column_header

NOTICE_COLUMN = "data_notice"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Control characters no spreadsheet cell may hold: openpyxl's ``ILLEGAL_CHARACTERS_RE`` plus DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control(text: str) -> str:
    """Return ``text`` without control characters (tab, newline and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def neutralise_cell(value: object) -> object:
    """Return a text cell safe for a spreadsheet; other values unchanged (SECURITY R9).

    Control characters are stripped first (openpyxl refuses them and a NUL cuts a GeoPackage
    string short); then a cell that a spreadsheet would run as a formula (starting with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'`` (OWASP ASVS 1.2.10).
    """
    if not isinstance(value, str):
        return value
    text = strip_control(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with every text cell neutralised; numeric, boolean, date and geometry columns are kept.

    Text columns of any dtype (object, string, categorical) come back as object columns.
    """
    out = frame.copy()
    for col in out.columns:
        if not _holds_text(out[col]):
            continue
        out[col] = pd.Series([neutralise_cell(v) for v in out[col].astype(object)], index=out.index,
                             dtype=object)
    return out


def label(frame: pd.DataFrame, *, synthetic: bool) -> pd.DataFrame:
    """Add the synthetic-data notice as a column on every row when ``synthetic``."""
    return frame.assign(**{NOTICE_COLUMN: SYNTHETIC_SOURCE}) if synthetic else frame


def export_name(stem: str, ext: str, *, synthetic: bool) -> str:
    """Return a download file name, prefixed SYNTHETIC_ for the sample."""
    return f"{'SYNTHETIC_' if synthetic else ''}{stem}.{ext}"


def to_csv_bytes(frame: pd.DataFrame, *, synthetic: bool, lang: str | None = None) -> bytes:
    """Return CSV bytes (UTF-8 with BOM for Excel), geometry as WKT when present.

    With ``lang`` (an export made for a person to read) the headers and the synthetic notice are in that
    language (:func:`geo.labels.column_header`); without it they are the column names, for machines. In a
    language other than English the label table's codes read as their words too (``parking_lot`` ->
    "Estacionamiento"), as on the page; English keeps the codes.
    """
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    if isinstance(frame, gpd.GeoDataFrame):
        table = table.assign(wkt=frame.geometry.to_wkt())
    table = label(table, synthetic=synthetic)
    if lang is not None and lang != "en":
        texts = (c for c in table.columns if c != "wkt" and (table[c].dtype == object
                                                               or pd.api.types.is_string_dtype(table[c].dtype)))
        for column in texts:
            table[column] = table[column].map(lambda v, c=str(column): code_label(v, c, lang) if isinstance(v, str)
                                              else v)
    if lang is not None:
        if synthetic:
            table = table.assign(**{NOTICE_COLUMN: translate(SYNTHETIC_SOURCE, lang)})
        table.columns = [column_header(c, lang) for c in table.columns]
    out = neutralise_frame(table)
    return bytes(out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig"))


def to_geojson_bytes(gdf: gpd.GeoDataFrame, *, synthetic: bool) -> bytes:
    """Return a GeoJSON FeatureCollection in EPSG:4326 with the notice as a top-level member too."""
    data = json.loads(neutralise_frame(label(gdf.to_crs("EPSG:4326"), synthetic=synthetic)).to_json(
        na="null", drop_id=True))
    if synthetic:
        data = {"type": data["type"], "name": SYNTHETIC_SOURCE, "features": data["features"]}
    return json.dumps(data, default=_json_default).encode("utf-8")


def to_gpkg_bytes(gdf: gpd.GeoDataFrame, *, layer: str, synthetic: bool) -> bytes:
    """Return a one-layer GeoPackage (EPSG:4326) as bytes."""
    frame = neutralise_frame(label(gdf.to_crs("EPSG:4326"), synthetic=synthetic))
    for col in frame.columns:
        if col != frame.geometry.name and frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        name = f"SYNTHETIC_{layer}" if synthetic else layer
        import pyogrio  # (GDAL bindings: imported when a GeoPackage is written, not by every page)

        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
        return path.read_bytes()


def _holds_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if str(dtype) == "geometry" or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return False
    return not (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
