"""Read a JSON array of records (the County's and Socrata's open-data JSON export) as a table of points.

``[{"case_id": "A1", "location": {"latitude": "34.05", "longitude": "-118.24"}}, ...]``: every
record is one row; its scalar members become text columns; a member holding a location object
(``{"latitude": .., "longitude": ..}`` or GeoJSON ``{"type": "Point", "coordinates": [lon, lat]}``)
becomes ``latitude``/``longitude`` columns, which the importers place like any CSV's. Records
are decoded one at a time from a bounded buffer, after :func:`geo.io.scan.scan_json` checked
depth and string lengths; rows and columns are counted against the limits as they arrive.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from geo.config import ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.io import scan
from geo.io.batches import Collector, left_out_note, wanted_columns
from geo.io.budget import Budget
from geo.io.raw import JSON_RECORDS, RawData
from geo.messages import M

_CHUNK_CHARS = 1 << 20
_WS = " \t\r\n"
_LAT_KEYS = ("latitude", "lat", "y")
_LON_KEYS = ("longitude", "lon", "lng", "long", "x")


def is_record_array(path: Path) -> bool:
    """Whether a JSON file's top level is an array (records), not a GeoJSON object."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    text = head.decode("utf-8", "ignore").lstrip("\ufeff" + _WS)
    return text.startswith("[")


def read_json_records(path: Path, *, label: str, option: str | None, limits: ImportLimits, budget: Budget,
                      kind: str | None, extra: tuple[str, ...] = ()) -> RawData:
    """Read the records of a UTF-8 JSON array (see the module docstring).

    Raises
    ------
    UnsafeFileError
        When nesting, a string, a record, the columns or the records are over the limits.
    GeoDataError
        When the text is not a JSON array of objects (naming the record).
    """
    budget.report(0.0, M("Checking the JSON structure"))
    scan.scan_json(scan.file_chunks(str(path)), limits=limits, budget=budget, label=label)
    names: dict[str, None] = {}
    collected = Collector(limits=limits, budget=budget, total=None, label=label, noun="records")
    batch: list[dict[str, str | None]] = []
    located = 0
    repeated: dict[str, int] = {}
    for number, record in enumerate(records(path, label, limits, repeated), start=1):
        row, placed = flatten(record, number, label)
        located += placed
        for key in row:
            if key not in names:
                names[key] = None
                if len(names) > limits.max_columns:
                    raise UnsafeFileError(M("{label}: record {number:,} brings the distinct member names over the "
                                            "limit of {limit:,}. Export only the fields you need.", label=label,
                                            number=number, limit=limits.max_columns))
        batch.append(row)
        if len(batch) >= limits.batch_rows:
            collected.add(_table(batch, wanted_columns(list(names), kind, extra)), None, len(batch))
            batch = []
    if batch:
        collected.add(_table(batch, wanted_columns(list(names), kind, extra)), None, len(batch))
    keep = wanted_columns(list(names), kind, extra)
    notes = [M("JSON array of {rows:,} records; {located:,} carry a location object (read as "
               "latitude/longitude)", rows=collected.rows, located=located) if located
             else M("JSON array of {rows:,} records", rows=collected.rows)]
    notes += [M("duplicate member name {name} in {count:,} records: used the first value of each record, ignored "
                "the later ones; rename the members at source to use them", name=repr(name), count=count)
              for name, count in repeated.items()]
    note = left_out_note(list(names), keep)
    return RawData(frame=collected.frame(), geometry=None, crs=option, fmt=JSON_RECORDS, label=label,
                   all_columns=tuple(names), notes=tuple(notes) + ((note,) if note else ()))


def _table(rows: list[dict[str, str | None]], keep: list[str]) -> pa.Table:
    return pa.table([pa.array([r.get(k) for r in rows], type=pa.string()) for k in keep], names=keep)


def flatten(record: object, number: int, label: str) -> tuple[dict[str, str | None], int]:
    """Return one record's scalar members as text, with its location object as latitude/longitude."""
    if not isinstance(record, dict):
        raise GeoDataError(M("{label}: record {number:,} is {kind} {value}, not an object; a JSON import needs an "
                             "array of objects ([{{...}}, {{...}}]). Export the records again.", label=label,
                             number=number, kind=type(record).__name__, value=repr(str(record)[:40])))
    row: dict[str, str | None] = {}
    point: tuple[object, object] | None = None
    for key, value in record.items():
        if isinstance(value, dict):
            found = _location(value)
            if found is not None and point is None:
                point = found
        elif not isinstance(value, list):
            row[str(key)] = None if value is None else str(value)
    if point is None:
        return row, 0
    lat_name = "latitude" if "latitude" not in row else "location_latitude"
    lon_name = "longitude" if "longitude" not in row else "location_longitude"
    row[lat_name] = None if point[1] is None else str(point[1])
    row[lon_name] = None if point[0] is None else str(point[0])
    return row, 1


def _location(value: dict[str, object]) -> tuple[object, object] | None:
    """Return (lon, lat) of a location object, ``None`` when the object is no location."""
    coords = value.get("coordinates")
    if str(value.get("type", "")).lower() == "point" and isinstance(coords, list):
        return (coords[0] if len(coords) > 0 else None, coords[1] if len(coords) > 1 else None)
    lower = {str(k).lower(): v for k, v in value.items()}
    lat = next((lower[k] for k in _LAT_KEYS if k in lower), None)
    lon = next((lower[k] for k in _LON_KEYS if k in lower), None)
    has_lat = any(k in lower for k in _LAT_KEYS)
    has_lon = any(k in lower for k in _LON_KEYS)
    return (lon, lat) if has_lat and has_lon else None


def records(path: Path, label: str, limits: ImportLimits, repeated: dict[str, int] | None = None) -> Iterator[object]:
    """Yield the members of the top-level JSON array one at a time (the buffer holds about one chunk).

    Of a name an object repeats the first value is kept (``json`` would keep the last); ``repeated``
    counts the objects that repeated each name.
    """
    seen = repeated if repeated is not None else {}

    def first_wins(pairs: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in pairs:
            if key in out:
                seen[key] = seen.get(key, 0) + 1
            else:
                out[key] = value
        return out

    decoder = json.JSONDecoder(object_pairs_hook=first_wins)
    buf, pos, eof, state, number = "", 0, False, "start", 0
    with path.open("r", encoding="utf-8-sig") as fh:
        need = True
        while True:
            if need and not eof:
                chunk = fh.read(_CHUNK_CHARS)
                buf, pos, eof = buf[pos:] + chunk, 0, not chunk
            need = False
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            if pos >= len(buf):
                if eof:
                    raise GeoDataError(M("{label}: the JSON array ends early (after record {number:,}, no closing ]); "
                                         "the file is truncated. Export it again.", label=label, number=number))
                need = True
                continue
            char = buf[pos]
            if state == "start":
                if char != "[":
                    raise GeoDataError(M("{label}: not a JSON array of records (starts {start}).", label=label,
                                         start=repr(buf[pos:pos + 20])))
                pos, state = pos + 1, "first"
                continue
            if char == "]" and state in ("first", "sep"):
                return
            if state == "sep":
                if char != ",":
                    raise GeoDataError(M("{label}: after record {number:,} comes {text}, not a comma; "
                                         "the JSON is not valid. Export it again.", label=label, number=number,
                                         text=repr(buf[pos:pos + 20])))
                pos, state = pos + 1, "next"
                continue
            try:
                item, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if len(buf) - pos > limits.max_line_bytes:
                    raise UnsafeFileError(M("{label}: record {number:,} is longer than {limit:,} characters, over "
                                            "the limit per record.", label=label, number=number + 1,
                                            limit=limits.max_line_bytes)) from exc
                if eof:
                    raise GeoDataError(M("{label}: record {number:,} is not valid JSON ({why}). Export the "
                                         "file again.", label=label, number=number + 1, why=exc.msg)) from exc
                need = True
                continue
            number += 1
            pos, state = end, "sep"
            yield item
