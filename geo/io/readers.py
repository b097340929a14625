"""Read one import file into raw columns and geometry: safety checks, format by content, bounded reading.

Every reader checks the limits of :class:`geo.config.ImportLimits` before its parser sees the
content, reads in batches only the columns the import kind uses, and stops when the read's time
budget runs out or the user cancels (:class:`geo.io.budget.Budget`). GeoPackages are read with
Python's sqlite3 (:mod:`geo.io.gpkg`), other GIS formats with pyogrio's Arrow stream
(:mod:`geo.io.gis`), tables in :mod:`geo.io.tables`.
"""
from __future__ import annotations

import codecs
import contextlib
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from geo.config import ImportLimits
from geo.errors import GeoDataError
from geo.io import archive, encodings, gpkg, scan
from geo.io.batches import Collector, left_out_note, wanted_columns
from geo.io.budget import Budget
from geo.io.gis import read_gdal
from geo.io.jsonrecords import is_record_array, read_json_records
from geo.io.raw import (
    CSV,
    FLATGEOBUF,
    GEOJSON,
    GPKG,
    JSON_RECORDS,
    PARQUET,
    SHAPEFILE,
    TABULAR,
    XLSX,
    RawData,
    explain_outside,
    parse_crs_option,
    reproject_to_display,
    resolve_crs,
)
from geo.io.tables import read_csv, read_parquet, read_xlsx
from geo.messages import M, join

__all__ = ["CSV", "DEFAULT_LIMITS", "EXTENSIONS", "FLATGEOBUF", "GEOJSON", "GPKG", "JSON_RECORDS", "PARQUET", "SHAPEFILE", "TABULAR",
           "XLSX", "RawData", "detect_format", "explain_outside", "parse_crs_option", "read_source",
           "reproject_to_display"]

DEFAULT_LIMITS = ImportLimits()

#: What each file extension promises; the content must agree.
EXTENSIONS = {
    ".geojson": GEOJSON, ".json": GEOJSON, ".gpkg": GPKG, ".shp": SHAPEFILE, ".parquet": PARQUET,
    ".geoparquet": PARQUET, ".fgb": FLATGEOBUF, ".csv": CSV, ".txt": CSV, ".tsv": CSV, ".xlsx": XLSX,
}
#: Formats accepted inside a zip (besides a Shapefile's parts).
_ZIP_INNER = {".geojson": GEOJSON, ".json": GEOJSON, ".gpkg": GPKG, ".fgb": FLATGEOBUF}
_SHP_MAGIC = b"\x00\x00\x27\x0a"


def detect_format(path: Path) -> str:
    """Return the file's format from its first bytes, checked against its extension.

    Raises
    ------
    GeoDataError
        When the content is no supported format, or the extension promises another one.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    content = _sniff(path, head)
    suffix = path.suffix.lower()
    promised = EXTENSIONS.get(suffix)
    if promised is not None and promised != content and not (promised == XLSX and content == "zip"):
        what = M("plain text") if content == CSV else content
        raise GeoDataError(M(
            "{label}: the extension {suffix} says {promised}, but the content is {what} "
            "(starts {head}). Rename the file to match its content, or export it again as {promised}.",
            label=path.name, suffix=suffix, promised=promised, what=what, head=repr(head[:24])))
    return content


def _sniff(path: Path, head: bytes) -> str:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return GPKG
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(b"fgb\x03"):
        return FLATGEOBUF
    if head.startswith(_SHP_MAGIC):
        return SHAPEFILE
    text = _text_start(head, path.name)
    if text is None:
        raise GeoDataError(M(
            "{label}: binary content of no supported format (starts {head}). Use GeoJSON, "
            "GeoPackage, zipped Shapefile, GeoParquet, FlatGeobuf, CSV or XLSX.", label=path.name,
            head=repr(head[:16])))
    if text.startswith(("{", "[")):
        return GEOJSON
    return CSV


def _text_start(head: bytes, label: str) -> str | None:
    """Return the first characters of text content (a UTF-8 or UTF-16 BOM decoded), ``None`` for binary.

    Raises
    ------
    GeoDataError
        When the content is text in an encoding StageMap does not read (UTF-32, UTF-16 without BOM).
    """
    if head.startswith(codecs.BOM_UTF8):
        return head[3:515].decode("utf-8", "ignore").lstrip()
    if encodings.starts_as_text(head):
        codec = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return head[2:514].decode(codec, "ignore").lstrip()
    if b"\x00" in head[:4096]:
        named = encodings.nul_text_name(head[:4096])
        if named is not None:
            raise encodings.unsupported(label, named)
        return None
    return head[:512].decode("latin-1").lstrip()


def read_source(path: str | Path, *, crs: str | None = None, limits: ImportLimits = DEFAULT_LIMITS,
                kind: str | None = None, budget: Budget | None = None, extra: tuple[str, ...] = ()) -> RawData:
    """Run the safety checks, then read ``path`` into a :class:`RawData`.

    ``crs`` (from ``--crs``) applies to files without a CRS, and to GeoJSON/CSV, whose
    longitude/latitude CRS is only implied; a file that declares another CRS is refused.
    ``kind`` limits the columns read to those the import kind can use; ``budget`` carries the
    time limit, the cancel flag and progress reports; ``extra`` names columns to read besides
    those (the columns a ``--map`` points at). A JSON file whose top level is an array is read
    as records (:mod:`geo.io.jsonrecords`).

    Raises
    ------
    UnsafeFileError
        When a size, archive, structure or count limit is broken (nothing more is parsed).
    GeoDataError
        When the file cannot be read; :class:`CRSError` when it has no CRS;
        :class:`geo.io.budget.ImportCancelled` when the user cancelled.
    """
    path = Path(path)
    budget = budget or Budget(limits, path.name)
    archive.check_file(path, limits=limits)
    fmt = detect_format(path)
    option = parse_crs_option(crs)
    with contextlib.ExitStack() as stack:
        if fmt == "zip":
            listing = archive.check_zip(path, limits=limits)
            if _is_xlsx(listing.names):
                return read_xlsx(path, limits=limits, budget=budget, kind=kind, extra=extra)
            if path.suffix.lower() == ".xlsx":
                raise GeoDataError(M("{label}: the extension says XLSX, but the zip holds no workbook "
                                     "({names}). Save the sheet again as .xlsx.", label=path.name,
                                     names=", ".join(listing.names[:5])))
            inner, inner_fmt = _zip_member(path, listing.names)
            if inner_fmt == GPKG:
                local = stack.enter_context(_extracted(path, inner))
                return _read_gpkg(local, label=path.name, option=option, limits=limits, budget=budget, kind=kind,
                                  extra=extra)
            source = f"/vsizip/{path.resolve()}/{inner}"
            return read_gdal(source, fmt=inner_fmt, label=path.name, option=option, limits=limits, budget=budget,
                             kind=kind, chunks=_zip_chunks(path, inner), extra=extra)
        if fmt == CSV:
            return read_csv(path, limits=limits, budget=budget, kind=kind, crs=option, extra=extra)
        if fmt == PARQUET:
            return read_parquet(path, option=option, limits=limits, budget=budget, kind=kind, extra=extra)
        if fmt == GPKG:
            return _read_gpkg(path, label=path.name, option=option, limits=limits, budget=budget, kind=kind,
                              extra=extra)
        if fmt == SHAPEFILE:
            _check_shapefile_parts(path.name, [p.name for p in path.parent.iterdir()], stem=path.stem)
        notes: tuple[str, ...] = ()
        local = path
        if fmt == GEOJSON:
            local, notes = _json_utf8(path, stack)
            if is_record_array(local):
                raw = read_json_records(local, label=path.name, option=option, limits=limits, budget=budget,
                                        kind=kind, extra=extra)
                return RawData(frame=raw.frame, geometry=None, crs=raw.crs, fmt=JSON_RECORDS, label=raw.label,
                               all_columns=raw.all_columns, notes=notes + raw.notes)
        return read_gdal(str(local), fmt=fmt, label=path.name, option=option, limits=limits, budget=budget,
                         kind=kind, chunks=lambda: scan.file_chunks(str(local)), notes=notes, extra=extra)
    raise AssertionError("unreachable")  # pragma: no cover


def _json_utf8(path: Path, stack: contextlib.ExitStack) -> tuple[Path, tuple[str, ...]]:
    """Return a UTF-8 version of a JSON file (JSON is UTF-8 by RFC 8259; UTF-16 is transcoded)."""
    found = encodings.sniff(path)
    if not found.utf16:
        return path, ()
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stagemap-json-")))
    target = encodings.transcode_to_utf8(path, found, folder / "utf8.geojson")
    return target, (M("text encoding: {encoding}", encoding=found.name),)


# --- GeoPackage -------------------------------------------------------------------------
def _read_gpkg(path: Path, *, label: str, option: str | None, limits: ImportLimits, budget: Budget,
               kind: str | None, extra: tuple[str, ...] = ()) -> RawData:
    with gpkg.open_input(path, limits=limits, budget=budget) as con:
        table = gpkg.find_table(con, limits=limits, budget=budget)
        keep = wanted_columns(list(table.columns), kind, extra)
        collected = Collector(limits=limits, budget=budget, total=table.rows or None, label=label)
        for attrs, geoms, rows in gpkg.batches(con, table, keep, limits=limits, budget=budget):
            collected.add(attrs, geoms, rows)
    notes = [n for n in (left_out_note(table.columns, keep),) if n]
    if table.skipped:
        notes.append(M("not read: {tables} (StageMap reads only real tables, never views)",
                       tables=join(table.skipped, sep=", ")))
    frame = collected.frame()
    if table.geometry is None:
        return RawData(frame=frame, geometry=None, crs=option, fmt=GPKG, label=label,
                       all_columns=table.columns, notes=tuple(notes))
    geoms = collected.geometry()
    crs = resolve_crs(table.crs, option, False, geoms.total_bounds() if table.crs is None else _nan4(), label)
    return RawData(frame=frame, geometry=geoms, crs=crs, fmt=GPKG, label=label, all_columns=table.columns,
                   notes=tuple(notes))


def _nan4() -> tuple[float, float, float, float]:
    nan = float("nan")
    return (nan, nan, nan, nan)


# --- zips and shapefiles ----------------------------------------------------------------
def _is_xlsx(names: tuple[str, ...]) -> bool:
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _zip_member(path: Path, names: tuple[str, ...]) -> tuple[str, str]:
    visible = [n for n in names if not Path(n).name.startswith(".") and "__MACOSX" not in n]
    shps = [n for n in visible if n.lower().endswith(".shp")]
    if len(shps) > 1:
        raise GeoDataError(M("{label}: the zip holds {count} Shapefiles ({names}). Zip one layer per file.",
                             label=path.name, count=len(shps), names=", ".join(shps)))
    if shps:
        shp = shps[0]
        _check_shapefile_parts(path.name, visible, stem=shp[:-4])
        return shp, SHAPEFILE
    inner = [n for n in visible if Path(n).suffix.lower() in _ZIP_INNER]
    if len(inner) == 1:
        return inner[0], _ZIP_INNER[Path(inner[0]).suffix.lower()]
    found = ", ".join(visible[:8]) or M("nothing")
    raise GeoDataError(M(
        "{label}: the zip holds no single readable layer (found: {found}). Zip one Shapefile "
        "(.shp, .shx, .dbf, .prj) or one GeoJSON/GeoPackage/FlatGeobuf file.", label=path.name, found=found))


def _zip_chunks(path: Path, member: str) -> Callable[[], Iterable[bytes]]:
    def chunks() -> Iterator[bytes]:
        try:
            with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
                while chunk := fh.read(scan.CHUNK_BYTES):
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise GeoDataError(M("{label}: entry {entry} cannot be decompressed ({why}); "
                                 "the zip is damaged or truncated. Create it again.", label=path.name,
                                 entry=repr(member), why=archive.first_line(exc))) from exc
    return chunks


@contextlib.contextmanager
def _extracted(path: Path, member: str) -> Iterator[Path]:
    """Extract one (size-checked) zip member into a private temporary folder; remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="stagemap-zip-") as folder:
        target = Path(folder) / Path(member).name
        with target.open("wb") as dst:
            for chunk in _zip_chunks(path, member)():
                dst.write(chunk)
        yield target


def _check_shapefile_parts(label: str, names: list[str], *, stem: str) -> None:
    lower = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem.lower()}{ext}" not in lower]
    if missing:
        raise GeoDataError(M(
            "{label}: Shapefile {name}.shp has no {missing} file; a Shapefile needs "
            ".shp, .shx, .dbf and .prj together. Zip all the parts of the layer and import the zip.", label=label,
            name=Path(stem).name, missing=M("{first} or {second}", first=missing[0], second=missing[1]) if len(missing) > 1
            else missing[0]))

