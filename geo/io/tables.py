"""Read tables (CSV/text, XLSX, Parquet/GeoParquet) in batches of only the columns an import uses.

CSV: the encoding is recognised first (:mod:`geo.io.encodings`), every physical line is
length-checked by a byte scan, the header's columns are counted, and rows are parsed by the
C ``csv`` module with a per-field size cap, ``batch_rows`` at a time. XLSX streams rows from
openpyxl's read-only reader. Parquet reads row groups as Arrow batches.
"""
from __future__ import annotations

import contextlib
import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely

from geo.config import ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.io import archive, encodings, scan
from geo.io.batches import Collector, dedupe_names, duplicate_notes, left_out_note, wanted_columns
from geo.io.budget import Budget
from geo.io.raw import CSV, PARQUET, XLSX, RawData, epsg_of, resolve_crs
from geo.messages import M

_NAN4 = (np.nan, np.nan, np.nan, np.nan)

_PARQUET_FOOTER_MAX = 64 << 20


# --- CSV --------------------------------------------------------------------------------
@contextlib.contextmanager
def utf8_copy(path: Path, encoding: encodings.Encoding) -> Iterator[tuple[Path, encodings.Encoding]]:
    """Yield ``path`` itself, or for UTF-16 a temporary UTF-8 copy (removed afterwards), with its encoding."""
    if not encoding.utf16:
        yield path, encoding
        return
    with tempfile.TemporaryDirectory(prefix="stagemap-text-") as folder:
        target = encodings.transcode_to_utf8(path, encoding, Path(folder) / "utf8.txt")
        yield target, encodings.UTF8


def read_csv(path: Path, *, limits: ImportLimits, budget: Budget, kind: str | None, crs: str | None,
             extra: tuple[str, ...] = ()) -> RawData:
    """Read a CSV or tab-separated text file in batches (see the module docstring).

    Raises
    ------
    UnsafeFileError
        When a line, field, the columns or the rows are over the limits (with the line number).
    GeoDataError
        When the encoding is not one we read, or the text is not a table.
    """
    label = path.name
    found = encodings.sniff(path)
    notes = (M("text encoding: {encoding}", encoding=found.name),)
    with utf8_copy(path, found) as (text_path, encoding):
        with text_path.open("rb") as fh:
            first = fh.readline(limits.max_line_bytes + 1)
        sep = "\t" if first.count(b"\t") > first.count(b",") else ","
        budget.report(0.0, M("Checking line lengths"))
        lines = scan.scan_lines(scan.file_chunks(str(text_path)), sep=sep.encode(), limits=limits, budget=budget,
                                label=label)
        return _parse_csv(text_path, encoding, sep, lines.lines, limits=limits, budget=budget, kind=kind, crs=crs,
                          label=label, notes=notes, extra=extra)


def _parse_csv(path: Path, encoding: encodings.Encoding, sep: str, lines: int, *, limits: ImportLimits,
               budget: Budget, kind: str | None, crs: str | None, label: str, notes: tuple[str, ...],
               extra: tuple[str, ...] = ()) -> RawData:
    csv.field_size_limit(limits.max_field_bytes)
    line = 0
    try:
        with path.open("r", encoding=encoding.codec, newline="") as fh:
            reader = csv.reader(fh, delimiter=sep)
            header = next((row for row in reader if row), None)
            line = reader.line_num
            if header is None:
                raise GeoDataError(M("{label}: the CSV has no header or rows. Export it again.", label=label))
            if len(header) > limits.max_columns:
                raise UnsafeFileError(M("{label}: the header has {count:,} columns, over the limit of "
                                        "{limit:,}. Export only the columns you need.", label=label,
                                        count=len(header), limit=limits.max_columns))
            names = dedupe_names(header)
            keep = wanted_columns(names, kind, extra)
            index = [names.index(n) for n in keep]
            collected = Collector(limits=limits, budget=budget, total=max(lines - 1, 1), label=label, noun="rows")
            batch: list[list[str]] = []
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) > len(header):
                    raise GeoDataError(M("{label}: the CSV cannot be parsed (Expected {expected} fields in line "
                                         "{line}, saw {found}). Check quoting and the number of fields on that line.",
                                         label=label, expected=len(header), line=line, found=len(row)))
                batch.append(row)
                if len(batch) >= limits.batch_rows:
                    collected.add(_text_table(batch, index, keep), None, len(batch))
                    batch = []
            if batch:
                collected.add(_text_table(batch, index, keep), None, len(batch))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnsafeFileError(M("{label}: line {line:,} has a field over {limit:,} characters, "
                                    "over the limit per value. Shorten it at source (text is kept to "
                                    "{kept:,} characters anyway).", label=label, line=line + 1,
                                    limit=limits.max_field_bytes, kept=limits.max_text_chars)) from exc
        raise GeoDataError(M("{label}: the CSV cannot be parsed ({why}, near line {line:,}). Check quoting "
                             "and the number of fields on that line.", label=label, why=str(exc),
                             line=line + 1)) from exc
    except UnicodeDecodeError as exc:
        raise GeoDataError(M("{label}: not valid {encoding} near line {line:,} ({why}). Save the file "
                             "again as UTF-8.", label=label, encoding=encoding.name, line=line + 1,
                             why=exc.reason)) from exc
    note = left_out_note(names, keep)
    return RawData(frame=collected.frame(), geometry=None, crs=crs, fmt=CSV, label=label, all_columns=tuple(names),
                   notes=notes + tuple(duplicate_notes(header, names)) + ((note,) if note else ()))


def _text_table(rows: list[list[str]], index: list[int], names: list[str]) -> pa.Table:
    width = max(index, default=-1) + 1
    padded = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
    columns = [pa.array([r[i] or None for r in padded], type=pa.string()) for i in index]
    return pa.table(columns, names=names)


# --- XLSX -------------------------------------------------------------------------------
def read_xlsx(path: Path, *, limits: ImportLimits, budget: Budget, kind: str | None,
              extra: tuple[str, ...] = ()) -> RawData:
    """Read the first sheet of a workbook, streaming rows (openpyxl read-only mode).

    Raises
    ------
    UnsafeFileError
        When the header has more than ``max_columns`` cells or there are more than ``max_features`` rows.
    GeoDataError
        When the workbook cannot be read.
    """
    import openpyxl

    label = path.name
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise GeoDataError(M("{label}: the workbook cannot be read ({why}). Save it again as .xlsx.", label=label,
                             why=archive.first_line(exc))) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a lying <dimension> must not pad every row to 16,384 cells
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()))
        while header and header[-1] is None:
            header.pop()
        if len(header) > limits.max_columns:
            raise UnsafeFileError(M("{label}: the header has {count:,} columns, over the limit of "
                                    "{limit:,}. Export only the columns you need.", label=label, count=len(header),
                                    limit=limits.max_columns))
        titles = [f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(header)]
        names = dedupe_names(titles)
        keep = wanted_columns(names, kind, extra)
        index = [names.index(n) for n in keep]
        collected = Collector(limits=limits, budget=budget, total=None, label=label, noun="rows")
        batch: list[list[str]] = []
        for values in rows:
            if all(v is None for v in values):
                continue
            batch.append([_cell_text(v) for v in values[:len(names)]])
            if len(batch) >= limits.batch_rows:
                collected.add(_text_table(batch, index, keep), None, len(batch))
                batch = []
        if batch:
            collected.add(_text_table(batch, index, keep), None, len(batch))
    except GeoDataError:
        raise
    except Exception as exc:
        raise GeoDataError(M("{label}: the workbook cannot be read ({why}). Save it again as .xlsx.", label=label,
                             why=archive.first_line(exc))) from exc
    finally:
        book.close()
    note = left_out_note(names, keep)
    return RawData(frame=collected.frame(), geometry=None, crs=None, fmt=XLSX, label=label,
                   all_columns=tuple(names), notes=tuple(duplicate_notes(titles, names)) + ((note,) if note else ()))


def _cell_text(value: object) -> str:
    """Return a cell as text the way pandas reads a sheet with ``dtype=str`` (whole floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Parquet ----------------------------------------------------------------------------
def read_parquet(path: Path, *, option: str | None, limits: ImportLimits, budget: Budget,
                 kind: str | None, extra: tuple[str, ...] = ()) -> RawData:
    """Read a (Geo)Parquet file's row groups as Arrow batches of the needed columns.

    Raises
    ------
    UnsafeFileError
        When the footer, the columns or the rows are over the limits (checked from the footer).
    GeoDataError
        When the file cannot be read.
    """
    import pyarrow.parquet as pq

    label = path.name
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 8, 0))
        tail = fh.read(8)
    footer = int.from_bytes(tail[:4], "little") if len(tail) == 8 else 0
    if footer > _PARQUET_FOOTER_MAX:
        raise UnsafeFileError(M("{label}: the Parquet footer (its schema and row-group index) is {size:,} bytes, "
                                "over {limit:,}. Write the file with fewer columns or row groups.", label=label,
                                size=footer, limit=_PARQUET_FOOTER_MAX))
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise GeoDataError(M("{label}: not a readable Parquet file ({why}).", label=label,
                             why=archive.first_line(exc))) from exc
    meta = pf.metadata
    names = [str(n) for n in pf.schema_arrow.names]
    geo = _geo_metadata(meta.metadata or {}, label)
    geom_col = str(geo["primary_column"]) if geo else None
    attrs = [n for n in names if n != geom_col]
    if len(attrs) > limits.max_columns:
        raise UnsafeFileError(M("{label}: {count:,} columns, over the limit of {limit:,}. "
                                "Export only the columns you need.", label=label, count=len(attrs),
                                limit=limits.max_columns))
    archive.check_row_count(meta.num_rows, limits=limits, label=label)
    unique = dedupe_names(attrs)  # repeated names: the first is used, the others read as NAME.1 (and reported)
    keep = wanted_columns(unique, kind, extra)
    positions = [names.index(geom_col)] if geom_col else []
    positions += [[i for i, n in enumerate(names) if n != geom_col][unique.index(k)] for k in keep]
    collected = Collector(limits=limits, budget=budget, total=meta.num_rows or None, label=label,
                          noun="features" if geo else "rows")
    try:
        for batch in pf.iter_batches(batch_size=limits.batch_rows,
                                     columns=None if unique != attrs else keep + ([geom_col] if geom_col else [])):
            budget.check()
            if unique != attrs:  # pyarrow selects by name only: read all, then pick by position
                batch = pa.RecordBatch.from_arrays([batch.column(i) for i in positions],
                                                   names=([geom_col] if geom_col else []) + keep)
            geoms = None
            if geom_col:
                geoms = _parquet_geometry(batch.column(batch.schema.get_field_index(geom_col)), label)
                batch = batch.drop_columns([geom_col])
            collected.add(pa.Table.from_batches([batch]), geoms, batch.num_rows)
    except GeoDataError:
        raise
    except Exception as exc:
        raise GeoDataError(M("{label}: the GeoParquet file cannot be read ({why}).", label=label,
                             why=archive.first_line(exc))) from exc
    note = left_out_note(attrs, keep)
    notes = tuple(duplicate_notes(attrs, unique)) + ((note,) if note else ())
    if not geo:
        return RawData(frame=collected.frame(), geometry=None, crs=option, fmt=CSV, label=label,
                       all_columns=tuple(unique), notes=notes)
    geoms = collected.geometry()
    declared = _geo_crs(geo, geom_col or "")
    crs = resolve_crs(declared, option, False, geoms.total_bounds() if declared is None else _NAN4, label)
    return RawData(frame=collected.frame(), geometry=geoms, crs=crs, fmt=PARQUET, label=label,
                   all_columns=tuple(unique), notes=notes)


def _geo_metadata(metadata: dict[bytes, bytes], label: str) -> dict[str, object] | None:
    raw = metadata.get(b"geo")
    if raw is None:
        return None
    try:
        geo = json.loads(raw)
        columns = geo["columns"]
        primary = geo.get("primary_column") or next(iter(columns))
    except (ValueError, KeyError, TypeError, StopIteration) as exc:
        raise GeoDataError(M("{label}: the GeoParquet 'geo' metadata is not valid ({why}). Write the file again.",
                             label=label, why=str(exc))) from exc
    return {"primary_column": primary, "columns": columns}


def _geo_crs(geo: dict[str, object], column: str) -> str | None:
    columns = geo.get("columns")
    meta = columns.get(column, {}) if isinstance(columns, dict) else {}
    if not isinstance(meta, dict):
        return None
    if "crs" not in meta:
        return "EPSG:4326"  # the GeoParquet default, OGC:CRS84 (longitude, latitude)
    crs = meta["crs"]
    return None if crs is None else epsg_of(crs)


def _parquet_geometry(column: pa.Array, label: str) -> pa.Array:
    """Return a GeoParquet geometry column as WKB (native GeoArrow encodings are converted)."""
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return column
    try:
        import geopandas as gpd

        table = pa.table([column], names=["geometry"])
        geoms = np.asarray(gpd.GeoDataFrame.from_arrow(table).geometry.array, dtype=object)
        return pa.array(shapely.to_wkb(geoms), type=pa.binary())
    except Exception as exc:
        raise GeoDataError(M("{label}: GeoParquet geometry encoded as {encoding} cannot be read "
                             "({why}); write it with WKB encoding.", label=label, encoding=str(column.type),
                             why=archive.first_line(exc))) from exc
