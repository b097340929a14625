"""Read GDAL formats (GeoJSON, Shapefile, FlatGeobuf) as Arrow batches of only the columns an import uses.

Before GDAL opens a GeoJSON file, :func:`geo.io.scan.scan_json` checks its structure (depth,
strings, features, property names): GDAL builds a column for every distinct property name
while it opens the file, so the limits must hold before it does. A FlatGeobuf header (its
column list) is size-checked the same way. Then ``pyogrio.open_arrow`` streams batches.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio

from geo.config import DISPLAY_CRS, ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.io import archive, scan
from geo.io.batches import Collector, left_out_note, wanted_columns
from geo.io.budget import Budget
from geo.io.raw import FLATGEOBUF, GEOJSON, RawData, epsg_of, resolve_crs
from geo.messages import M

#: Bytes of FlatGeobuf header allowed per column (name, type, metadata) beyond a fixed 1 MB.
_FGB_BYTES_PER_COLUMN = 1024


def read_gdal(source: str, *, fmt: str, label: str, option: str | None, limits: ImportLimits, budget: Budget,
              kind: str | None, chunks: Callable[[], Iterable[bytes]] | None = None,
              notes: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> RawData:
    """Check ``source`` (a path or ``/vsizip/`` path), then read its one layer in Arrow batches.

    ``chunks`` yields the raw bytes (for the structure scans of GeoJSON and FlatGeobuf).

    Raises
    ------
    UnsafeFileError
        When a limit is broken (before GDAL parses the content where it can be checked first).
    GeoDataError
        When GDAL cannot read the file; :class:`CRSError` when it has no usable CRS.
    """
    found = None
    if fmt == GEOJSON and chunks is not None:
        budget.report(0.0, M("Checking the JSON structure"))
        found = scan.scan_json(chunks(), limits=limits, budget=budget, label=label)
    if found is not None and found.features:
        # GDAL parses a whole GeoJSON file each time it opens it: the scan stands in for list_layers/read_info
        layer, fields, total = None, list(found.names), found.features
        if found.feature_ids and "id" not in fields:
            fields.append("id")  # GDAL turns a feature's non-integer "id" member into a column
    else:
        if fmt == FLATGEOBUF and chunks is not None:
            _check_fgb_header(next(iter(chunks()), b""), limits, label)
        layer = _single_layer(source, label)
        info = _info(source, layer, label, force_count=True)
        fields, total = [str(f) for f in info["fields"]], int(info["features"])
    if len(fields) > limits.max_columns:
        raise UnsafeFileError(M("{label}: {count:,} columns, over the limit of {limit:,}. "
                                "Export only the columns you need.", label=label, count=len(fields),
                                limit=limits.max_columns))
    archive.check_feature_count_value(total, limits=limits, label=label)
    keep = wanted_columns(fields, kind, extra)
    collected = Collector(limits=limits, budget=budget, total=total if total > 0 else None, label=label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pyogrio.open_arrow(source, layer=layer, columns=keep, batch_size=limits.batch_rows,
                                    use_pyarrow=True) as (meta, reader):
                geom_col = meta.get("geometry_name") or "wkb_geometry"
                declared = meta.get("crs")
                spatial = geom_col in reader.schema.names
                drop = [c for c in reader.schema.names if c in (geom_col, meta.get("fid_column"))]
                for batch in reader:
                    budget.check()
                    geoms = batch.column(batch.schema.get_field_index(geom_col)) if spatial else None
                    collected.add(pa.Table.from_batches([batch.drop_columns(drop)]), geoms, batch.num_rows)
    except GeoDataError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError/GDAL errors
        raise GeoDataError(M(
            "{label}: {fmt} could not be read ({why}). The file may be truncated or not valid; export it again.",
            label=label, fmt=fmt, why=archive.first_line(exc))) from exc
    if not spatial:
        raise GeoDataError(M("{label}: the layer has no geometry column. Use a spatial layer or a CSV with LAT/LON.",
                             label=label))
    frame = collected.frame()
    geoms = collected.geometry()
    declared_epsg = epsg_of(declared) if declared else None
    implied = fmt == GEOJSON and declared_epsg in (None, DISPLAY_CRS)
    crs = resolve_crs(declared_epsg, option, implied, geoms.total_bounds() if declared_epsg is None else _NAN4, label)
    note = left_out_note(fields, keep)
    repeated = tuple(M("duplicate property name {name} (first in feature {number:,}): a feature's properties name it "
                       "twice and GeoJSON readers keep the LAST value, so the last was used and the earlier ignored; "
                       "rename the properties at source to keep both", name=repr(name), number=number)
                     for name, number in (found.repeated.items() if found is not None else ()))
    return RawData(frame=frame, geometry=geoms, crs=crs, fmt=fmt, label=label, all_columns=tuple(fields),
                   notes=notes + repeated + ((note,) if note else ()))


_NAN4 = (np.nan, np.nan, np.nan, np.nan)


def _check_fgb_header(head: bytes, limits: ImportLimits, label: str) -> None:
    if len(head) < 12:
        return
    size = int.from_bytes(head[8:12], "little")
    cap = (1 << 20) + limits.max_columns * _FGB_BYTES_PER_COLUMN
    if size > cap:
        raise UnsafeFileError(M("{label}: the FlatGeobuf header (its column list) is {size:,} bytes, over the "
                                "{cap:,} bytes that {columns:,} columns can need. Export only the "
                                "columns you need.", label=label, size=size, cap=cap, columns=limits.max_columns))


def _single_layer(source: str, label: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise GeoDataError(M(
            "{label}: cannot be opened ({why}). The file may be truncated or not a geodata file; export it again.",
            label=label, why=archive.first_line(exc))) from exc
    spatial = [str(name) for name, gtype in layers if gtype is not None]
    if len(layers) == 0:
        raise GeoDataError(M("{label}: contains no layer. Export the data again.", label=label))
    if len(spatial) > 1:
        raise GeoDataError(M("{label}: holds {count} layers ({names}). Export the one layer to import.", label=label,
                             count=len(spatial), names=", ".join(spatial)))
    return spatial[0] if spatial else str(layers[0][0])


def _info(source: str, layer: str | None, label: str, *, force_count: bool) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(pyogrio.read_info(source, layer=layer, force_feature_count=force_count))
    except Exception as exc:  # GDAL's own error types vary by driver
        raise GeoDataError(M("{label}: GDAL cannot open it ({why}). Check the file is complete.", label=label,
                             why=archive.first_line(exc))) from exc
