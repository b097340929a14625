"""List a file's columns without reading its rows: what the Data page's column mapping offers.

The same safety checks as an import run first (size, archive, format by content, JSON structure);
then only the header is read: a CSV's first line, a workbook's first row, a Parquet schema, a
GeoPackage table's columns, the property names the JSON scan finds, the first records of a
JSON array, or GDAL's field list. Repeated names come back as the importers name them
(``DATE OCC``, ``DATE OCC.1``), so a mapping can pick either.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import warnings
import zipfile
from pathlib import Path

from geo.config import ImportLimits
from geo.errors import GeoDataError
from geo.io import archive, encodings, gpkg, jsonrecords, scan
from geo.io.batches import dedupe_names
from geo.io.budget import Budget
from geo.io.raw import CSV, GEOJSON, GPKG, PARQUET
from geo.io.readers import detect_format
from geo.io.tables import utf8_copy
from geo.messages import M

#: Records of a JSON array whose member names are listed.
JSON_RECORDS_LOOKED_AT = 200


def file_columns(path: str | Path, *, limits: ImportLimits) -> list[str]:
    """Return the columns of ``path`` (attribute columns only, no geometry), in file order.

    Raises
    ------
    UnsafeFileError
        When a size, archive or structure limit is broken.
    GeoDataError
        When the file is of no supported format or cannot be read.
    """
    path = Path(path)
    archive.check_file(path, limits=limits)
    fmt = detect_format(path)
    if fmt == CSV:
        return _csv_header(path, limits)
    if fmt == PARQUET:
        return _parquet_header(path)
    if fmt == GPKG:
        with gpkg.open_input(path, limits=limits, budget=Budget(limits, path.name)) as con:
            return list(gpkg.find_table(con, limits=limits, budget=Budget(limits, path.name)).columns)
    if fmt == GEOJSON:
        return _json_header(path, limits)
    if fmt == "zip":
        listing = archive.check_zip(path, limits=limits)
        if "[Content_Types].xml" in listing.names:
            return _xlsx_header(path, limits)
        return _gdal_fields(f"/vsizip/{path.resolve()}", path.name)
    return _gdal_fields(str(path), path.name)


def _csv_header(path: Path, limits: ImportLimits) -> list[str]:
    found = encodings.sniff(path)
    with utf8_copy(path, found) as (text_path, encoding), text_path.open("rb") as fh:
        first = fh.readline(limits.max_line_bytes + 1)
    if len(first) > limits.max_line_bytes:
        raise GeoDataError(M("{label}: the header line is over {limit:,} bytes. Export the file "
                             "with fewer columns.", label=path.name, limit=limits.max_line_bytes))
    text = first.decode(encoding.codec, "replace").lstrip("\ufeff")
    sep = "\t" if text.count("\t") > text.count(",") else ","
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    return dedupe_names([h.strip() for h in header][: limits.max_columns])


def _xlsx_header(path: Path, limits: ImportLimits) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise GeoDataError(M("{label}: the workbook cannot be read ({why}). Save it again as .xlsx.",
                             label=path.name, why=archive.first_line(exc))) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        header = list(next(sheet.iter_rows(values_only=True, max_row=1), ()))[: limits.max_columns]
    finally:
        book.close()
    while header and header[-1] is None:
        header.pop()
    return dedupe_names([f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(header)])


def _parquet_header(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        schema = pq.ParquetFile(path).schema_arrow
    except Exception as exc:  # pyarrow raises several types for broken files
        raise GeoDataError(M("{label}: not a readable Parquet file ({why}).", label=path.name,
                             why=archive.first_line(exc))) from exc
    try:
        primary = json.loads((schema.metadata or {}).get(b"geo", b"{}")).get("primary_column")
    except (ValueError, AttributeError):
        primary = None
    return [str(n) for n in schema.names if n != primary]


def _json_header(path: Path, limits: ImportLimits) -> list[str]:
    found = scan.scan_json(scan.file_chunks(str(path)), limits=limits, budget=Budget(limits, path.name),
                           label=path.name)
    if not jsonrecords.is_record_array(path):
        return list(found.names)
    names: dict[str, None] = {}
    records = jsonrecords.records(path, path.name, limits)
    for number, record in enumerate(itertools.islice(records, JSON_RECORDS_LOOKED_AT), start=1):
        row, _ = jsonrecords.flatten(record, number, path.name)
        names.update(dict.fromkeys(row))
    return list(names)


def _gdal_fields(source: str, label: str) -> list[str]:
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [str(f) for f in pyogrio.read_info(source)["fields"]]
    except Exception as exc:  # GDAL's error types vary by driver
        raise GeoDataError(M("{label}: cannot be opened ({why}). Export the file again.", label=label,
                             why=archive.first_line(exc))) from exc
