"""Safety pre-checks on files and zip archives, run before GDAL or pandas reads any content (SECURITY.md R10)."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pyogrio

from geo.config import ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.messages import M

#: Entries that make an archive nested (checked by extension and by magic bytes).
NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".kmz", ".zst")
_NESTED_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ", b"(\xb5/\xfd")
#: Ratio is only judged on entries big enough for it to matter (tiny text compresses well).
_RATIO_MIN_BYTES = 64 * 1024


@dataclass(frozen=True)
class ZipListing:
    """Names and sizes of a zip that passed every check."""

    names: tuple[str, ...]
    uncompressed_bytes: int
    compressed_bytes: int


def check_file(path: Path, *, limits: ImportLimits) -> int:
    """Check that ``path`` is a readable, non-empty regular file within the size limit; return its size.

    Raises
    ------
    GeoDataError
        When the file is missing, a directory, or empty.
    UnsafeFileError
        When it is larger than ``limits.max_file_bytes``.
    """
    if not path.exists():
        raise GeoDataError(M("{path}: no such file. Check the path.", path=str(path)))
    if not path.is_file():
        raise GeoDataError(M("{path}: is a directory, not a file. Give the path of one file (zip a Shapefile's parts).",
                              path=str(path)))
    size = path.stat().st_size
    if size == 0:
        raise GeoDataError(M("{name}: the file is empty (0 bytes). Download or export it again.", name=path.name))
    if size > limits.max_file_bytes:
        raise UnsafeFileError(
            M("{name}: file is {size:,} bytes, over the {limit:,}-byte limit. "
              "Split it, or ask an administrator to run the bulk import.",
              name=path.name, size=size, limit=limits.max_file_bytes)
        )
    return size


def check_zip(path: Path, *, limits: ImportLimits) -> ZipListing:
    """Check a zip's metadata against ``limits`` without extracting anything.

    Checks entry count, total uncompressed size, compression ratio, absolute and ``..`` names,
    nested archives and encrypted entries.

    Raises
    ------
    UnsafeFileError
        Naming the entry, the value found and the limit.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_entries(path, infos, limits)
            _check_nested(path, zf, infos)
    except zipfile.BadZipFile as exc:
        raise GeoDataError(M("{name}: not a readable zip archive ({why}). Download it again.",
                              name=path.name, why=str(exc))) from exc
    return ZipListing(
        names=tuple(i.filename for i in infos if not i.is_dir()),
        uncompressed_bytes=sum(i.file_size for i in infos),
        compressed_bytes=sum(i.compress_size for i in infos),
    )


def _check_entries(path: Path, infos: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    if len(infos) > limits.max_archive_entries:
        raise UnsafeFileError(
            M("{name}: archive has {count:,} entries, over the limit of {limit}. "
              "Zip only the files of one layer (.shp, .shx, .dbf, .prj, .cpg).",
              name=path.name, count=len(infos), limit=limits.max_archive_entries)
        )
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise UnsafeFileError(
                M("{name}: entry {entry} has an absolute path. Re-create the zip with relative names.",
                  name=path.name, entry=repr(name))
            )
        if ".." in PurePosixPath(name.replace("\\", "/")).parts:
            raise UnsafeFileError(
                M("{name}: entry {entry} climbs out of the archive with '..' (zip-slip). "
                  "Re-create the zip with plain relative names.", name=path.name, entry=repr(name))
            )
        if info.flag_bits & 0x1:
            raise UnsafeFileError(
                M("{name}: entry {entry} is encrypted. Upload an unencrypted zip.", name=path.name, entry=repr(name))
            )
        if info.file_size >= _RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise UnsafeFileError(
                    M("{name}: entry {entry} expands {ratio:,.0f}:1 ({packed:,} -> {size:,} bytes), over the "
                      "{limit:.0f}:1 limit (a zip bomb?). Upload the uncompressed file or a normally compressed zip.",
                      name=path.name, entry=repr(name), ratio=ratio, packed=info.compress_size, size=info.file_size,
                      limit=limits.max_compression_ratio)
                )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise UnsafeFileError(
            M("{name}: archive expands to {total:,} bytes, over the {limit:,}-byte "
              "limit. Split the layer, or ask an administrator to run the bulk import.",
              name=path.name, total=total, limit=limits.max_uncompressed_bytes)
        )


def _check_nested(path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if info.is_dir():
            continue
        lower = info.filename.lower()
        if lower.endswith(NESTED_SUFFIXES):
            raise UnsafeFileError(
                M("{name}: entry {entry} is itself an archive; nested archives are refused. "
                  "Unzip it and upload the inner file.", name=path.name, entry=repr(info.filename))
            )
        if info.file_size >= 4:
            with zf.open(info) as fh:  # reads 8 bytes of one entry, never the whole stream
                head = fh.read(8)
            if head.startswith(_NESTED_MAGIC):
                raise UnsafeFileError(
                    M("{name}: entry {entry} is an archive by content ({head}); nested "
                      "archives are refused. Unzip it and upload the inner file.",
                      name=path.name, entry=repr(info.filename), head=repr(head[:4]))
                )


def check_feature_count(source: str, *, layer: str | None, limits: ImportLimits, label: str) -> int:
    """Return the feature count GDAL reports for ``source``; refuse counts over ``limits.max_features``.

    Raises
    ------
    UnsafeFileError
        When the count is over the limit.
    """
    try:
        info = pyogrio.read_info(source, layer=layer, force_feature_count=True)
    except Exception as exc:  # GDAL's own error types vary by driver
        raise GeoDataError(M("{label}: GDAL cannot open it ({why}). Check the file is complete.",
                              label=label, why=first_line(exc))) from exc
    count = int(info.get("features", -1))
    check_feature_count_value(count, limits=limits, label=label)
    return count


def check_feature_count_value(count: int, *, limits: ImportLimits, label: str) -> None:
    """Refuse a feature count (from the file's header or a structure scan) over ``limits.max_features``.

    Raises
    ------
    UnsafeFileError
        When the count is over the limit.
    """
    if count > limits.max_features:
        raise UnsafeFileError(
            M("{label}: {count:,} features, over the limit of {limit:,}. "
              "Split the file, or ask an administrator to run the bulk import.",
              label=label, count=count, limit=limits.max_features)
        )


def check_row_count(count: int, *, limits: ImportLimits, label: str) -> None:
    """Refuse a table with more rows than ``limits.max_features`` (the reader stops at cap + 1)."""
    if count > limits.max_features:
        raise UnsafeFileError(
            M("{label}: more than {limit:,} rows, over the limit. "
              "Split the file, or ask an administrator to run the bulk import.", label=label, limit=limits.max_features)
        )


def check_vertex_count(count: int, *, limits: ImportLimits, label: str) -> None:
    """Refuse geometry with more than ``limits.max_vertices`` coordinates in total."""
    if count > limits.max_vertices:
        raise UnsafeFileError(
            M("{label}: {count:,} vertices, over the limit of {limit:,}. "
              "Simplify or split the layer before importing.", label=label, count=count, limit=limits.max_vertices)
        )


def first_line(exc: BaseException) -> str:
    """Return the first line of an error's message (its type name when empty)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
