"""Byte-level scans run before any parser: line lengths of text tables, the structure of JSON.

Both read the file in chunks with numpy (memory stays at a few chunks whatever the file size)
and stop at the first value over a limit, so a hostile file is refused before GDAL or pandas
allocates anything for it. The JSON scan finds nesting depth, string length, the number of
features, and the properties per feature and across features (GDAL makes a column of every
distinct property name, so millions of names cost gigabytes before the first feature is read).
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from geo.config import ImportLimits
from geo.errors import UnsafeFileError
from geo.io.budget import Budget
from geo.messages import M

CHUNK_BYTES = 4 << 20
#: Longest property name (bytes) a JSON file may use; real field names are under 64.
MAX_NAME_BYTES = 256
_QUOTE, _BSLASH, _COLON = 34, 92, 58
_OPEN = (123, 91)  # { [
_CLOSE = (125, 93)  # } ]
_BASE = np.uint64(secrets.randbits(64) | 1)  # per-process hash base: names cannot be chosen to collide
_POWERS = np.cumprod(np.concatenate([[np.uint64(1)], np.full(MAX_NAME_BYTES, _BASE, dtype=np.uint64)]))
_PROPERTIES = "properties"


def file_chunks(path: str, *, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the bytes of ``path`` in chunks of ``size``."""
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


# --- text tables ------------------------------------------------------------------------
@dataclass(frozen=True)
class LineScan:
    """Physical lines of a text table: how many, the longest, and the separators on the first."""

    lines: int
    longest: int
    first_line_separators: int


def scan_lines(chunks: Iterable[bytes], *, sep: bytes, limits: ImportLimits, budget: Budget, label: str) -> LineScan:
    """Check every physical line of UTF-8 or Latin-1 text is at most ``limits.max_line_bytes`` long; count lines.

    Raises
    ------
    UnsafeFileError
        At the first line over the limit, naming its number, its length and (for line 1) its columns.
    """
    code = sep[0]
    lines, longest, start, offset, first_seps, in_first = 0, 0, 0, 0, 0, True
    for chunk in chunks:
        budget.check(M("scanning lines"))
        b = np.frombuffer(chunk, dtype=np.uint8)
        ends = np.flatnonzero(b == 10)
        if in_first:
            upto = ends[0] if len(ends) else len(b)
            first_seps += int(np.count_nonzero(b[:upto] == code))
            in_first = not len(ends)
        absolute = ends + offset
        bounds = np.concatenate([[start], absolute + 1])
        lengths = np.diff(bounds)
        if len(lengths):
            worst = int(np.argmax(lengths))
            if lengths[worst] > limits.max_line_bytes:
                raise _long_line(label, lines + worst + 1, int(lengths[worst]), limits, first_seps, sep)
            longest = max(longest, int(lengths.max()))
            lines += len(lengths)
            start = int(absolute[-1]) + 1
        offset += len(b)
        if offset - start > limits.max_line_bytes:
            raise _long_line(label, lines + 1, offset - start, limits, first_seps, sep, more=True)
    if offset > start:
        lines += 1
        longest = max(longest, offset - start)
    return LineScan(lines=lines, longest=longest, first_line_separators=first_seps)


def _long_line(label: str, number: int, length: int, limits: ImportLimits, seps: int, sep: bytes, *,
               more: bool = False) -> UnsafeFileError:
    what = M("more than {length:,}", length=length) if more else f"{length:,}"
    problem = M("{label}: line {number:,} is {what} bytes long, over the {limit:,}-byte line limit",
                label=label, number=number, what=what, limit=limits.max_line_bytes)
    if number == 1:
        columns = f"{seps + 1:,}{'+' if more else ''}"
        separator = repr(sep.decode())
        if seps + 1 > limits.max_columns:
            problem = M("{label}: line {number:,} is {what} bytes long, with {columns} columns ({separator}-separated), "
                        "over the {limit:,}-byte line limit; StageMap reads at most {max_columns:,} columns",
                        label=label, number=number, what=what, columns=columns, separator=separator,
                        limit=limits.max_line_bytes, max_columns=limits.max_columns)
        else:
            problem = M("{label}: line {number:,} is {what} bytes long, with {columns} columns ({separator}-separated), "
                        "over the {limit:,}-byte line limit", label=label, number=number, what=what, columns=columns,
                        separator=separator, limit=limits.max_line_bytes)
    return UnsafeFileError(M(
        "{problem}. A table row is a few KB at most: check the file is the table you meant (one row per "
        "line), or remove the oversized values and import again.", problem=problem))


# --- JSON -------------------------------------------------------------------------------
@dataclass
class JsonScan:
    """What the JSON scan found: features (objects in the top-level ``features`` array), depth, names."""

    features: int = 0
    max_depth: int = 0
    longest_string: int = 0
    names: list[str] = field(default_factory=list)  # distinct property names, in order of first use
    feature_ids: bool = False  # a feature carries a member "id" (GDAL may make it a column)
    repeated: dict[str, int] = field(default_factory=dict)  # a property name a feature repeats -> first such feature


@dataclass
class _State:
    offset: int = 0  # absolute offset of the current chunk
    depth: int = 0
    depth2_array: bool = False  # the container at depth 2 is an array (FeatureCollection.features)
    props3: bool = False  # the last depth-3 key was "properties"
    in_props: bool = False  # the current depth-4 object is a feature's properties
    feature_names: int = 0  # property names of the current feature
    carry: bytes = b""


def scan_json(chunks: Iterable[bytes], *, limits: ImportLimits, budget: Budget, label: str) -> JsonScan:
    """Scan a JSON document for the limits GDAL would otherwise meet the hard way.

    Raises
    ------
    UnsafeFileError
        At the first value over a limit: nesting deeper than ``max_nesting_depth``, a string
        over ``max_field_bytes``, a property name over 256 bytes, a feature with more than
        ``max_columns`` properties or more than ``max_columns`` distinct names in all, more
        than ``max_features`` features. The message gives the byte offset and feature number.
    """
    out, st = JsonScan(), _State()
    names = np.empty(0, dtype=np.uint64)
    props_hash = _hash_bytes(_PROPERTIES.encode())
    for raw in chunks:
        budget.check(M("scanning the JSON structure"))
        data = st.carry + raw
        base = st.offset - len(st.carry)
        names = _scan_chunk(data, base, st, out, names, props_hash, limits, label, final=False)
        st.offset += len(raw)
    if st.carry:
        _scan_chunk(st.carry, st.offset - len(st.carry), st, out, names, props_hash, limits, label, final=True)
    return out


def _scan_chunk(data: bytes, base: int, st: _State, out: JsonScan, names: np.ndarray, props_hash: np.uint64,
                limits: ImportLimits, label: str, *, final: bool) -> np.ndarray:
    b = np.frombuffer(data, dtype=np.uint8)
    quotes = _real_quotes(b)
    cut = len(b)
    if len(quotes) % 2:  # a string runs past the chunk: carry it into the next one
        cut = int(quotes[-1])
    elif (len(quotes) and not final and len(b) - int(quotes[-2]) <= limits.max_field_bytes + 4096
          and not b[int(quotes[-1]) + 1:].tobytes().strip()):
        cut = int(quotes[-2])  # a string at the very end may be a name whose ':' is in the next chunk
    if final and cut < len(b):
        cut = len(b)  # unterminated at end of file: GDAL will report the broken JSON
    if cut < len(b) and len(b) - cut > limits.max_field_bytes + 2:
        raise _over(label, M("a string of more than {limit:,} bytes starts at byte {offset:,}",
                             limit=limits.max_field_bytes, offset=base + cut), limits.max_field_bytes,
                    _BYTES_PER_VALUE, out.features)
    st.carry = data[cut:] if cut < len(b) else b""
    quotes = quotes[quotes < cut] if cut < len(b) else quotes
    opens, closes = quotes[0::2], quotes[1::2][: len(quotes) // 2]
    opens = opens[: len(closes)]
    if len(closes):
        lengths = closes - opens - 1
        worst = int(np.argmax(lengths))
        out.longest_string = max(out.longest_string, int(lengths[worst]))
        if lengths[worst] > limits.max_field_bytes:
            raise _over(label, M("a string of {length:,} bytes at byte {offset:,}", length=int(lengths[worst]),
                                 offset=base + int(opens[worst])), limits.max_field_bytes, _BYTES_PER_VALUE,
                        out.features)
    head = b[:cut]
    struct = np.flatnonzero((head == 123) | (head == 91) | (head == 125) | (head == 93) | (head == _COLON))
    if len(quotes):  # keep only structure outside strings
        struct = struct[np.searchsorted(quotes, struct, side="right") % 2 == 0]
    if not len(struct):
        return names
    chars = head[struct]
    delta = np.where((chars == 123) | (chars == 91), 1, np.where((chars == 125) | (chars == 93), -1, 0))
    depth = st.depth + np.cumsum(delta)
    out.max_depth = max(out.max_depth, int(depth.max()))
    if out.max_depth > limits.max_nesting_depth:
        first = int(np.flatnonzero(depth > limits.max_nesting_depth)[0])
        raise _over(label, M("values nested more than {limit} levels deep (level {level:,} at byte {offset:,})",
                             limit=limits.max_nesting_depth, level=int(depth[first]),
                             offset=base + int(struct[first])), limits.max_nesting_depth,
                    M("levels of nesting"), out.features)
    names = _features_and_names(head, struct, chars, depth, quotes, opens, closes, base, st, out, names,
                                props_hash, limits, label)
    st.depth = int(depth[-1])
    return names


def _features_and_names(head: np.ndarray, struct: np.ndarray, chars: np.ndarray, depth: np.ndarray,
                        quotes: np.ndarray, opens: np.ndarray, closes: np.ndarray, base: int, st: _State,
                        out: JsonScan, names: np.ndarray, props_hash: np.uint64, limits: ImportLimits,
                        label: str) -> np.ndarray:
    """Count features and their property names in one chunk's structure (vectorised; state carried in ``st``)."""
    opener = (chars == 123) | (chars == 91)
    colon = chars == _COLON
    key_hash = np.zeros(len(chars), dtype=np.uint64)
    key_start = np.zeros(len(chars), dtype=np.int64)
    key_end = np.zeros(len(chars), dtype=np.int64)
    key_idx = np.searchsorted(closes, struct[colon], side="left") - 1  # the string closing just before ':'
    valid = key_idx >= 0
    if valid.any():
        starts, ends = opens[key_idx[valid]] + 1, closes[key_idx[valid]]
        long = (ends - starts) > MAX_NAME_BYTES
        if long.any():
            at = int(np.flatnonzero(long)[0])
            raise _over(label, M("a property name of {length:,} bytes at byte {offset:,}",
                                 length=int(ends[at] - starts[at]), offset=base + int(starts[at])), MAX_NAME_BYTES,
                        M("bytes per name"), out.features)
        where = np.flatnonzero(colon)[valid]
        key_hash[where], key_start[where], key_end[where] = _hashes(head, starts, ends), starts, ends
    # the container at depth 2 (FeatureCollection.features is an array), carried forward
    depth2_array = _carry_forward(opener & (depth == 2), chars == 91, st.depth2_array)
    feature_open = opener & (depth == 3) & (chars == 123) & depth2_array
    feature_id = out.features + np.cumsum(feature_open)
    # the last depth-3 key ("properties"?), then whether the current depth-4 object is a feature's properties
    props3 = _carry_forward(colon & (depth == 3), key_hash == props_hash, st.props3)
    out.feature_ids = out.feature_ids or bool((colon & (depth == 3) & (key_hash == _ID_HASH)).any())
    in_props = _carry_forward(opener & (depth == 4), props3 & (chars == 123), st.in_props)
    prop_key = colon & (depth == 4) & in_props
    first_feature = out.features
    total = int(feature_id[-1])
    if total > limits.max_features:
        at = int(np.flatnonzero(feature_open & (feature_id == limits.max_features + 1))[0])
        raise _over(label, M("more than {limit:,} features (feature {feature:,} starts at byte {offset:,})",
                             limit=limits.max_features, feature=limits.max_features + 1,
                             offset=base + int(struct[at])), limits.max_features, M("features"), None)
    if prop_key.any():
        ids, counts = np.unique(feature_id[prop_key], return_counts=True)
        counts = counts + np.where(ids == first_feature, st.feature_names, 0)
        worst = int(np.argmax(counts))
        if counts[worst] > limits.max_columns:
            raise _over(label, M("feature {feature:,} has more than {limit:,} properties", feature=int(ids[worst]),
                                 limit=limits.max_columns), limits.max_columns, M("columns"), None)
        st.feature_names = int(counts[-1]) if ids[-1] == total else 0
        _repeated_names(head, feature_id[prop_key], key_hash[prop_key], np.flatnonzero(prop_key), key_start,
                        key_end, out)
        seen, first = np.unique(key_hash[prop_key], return_index=True)
        new = ~np.isin(seen, names)
        if new.any():
            names = np.union1d(names, seen[new])
            if len(names) > limits.max_columns:
                raise _over(label, M("{count:,}+ distinct property names across features (each becomes a "
                                     "column; by feature {feature:,})", count=len(names), feature=total),
                            limits.max_columns, M("columns"), None)
            fresh = np.flatnonzero(prop_key)[np.sort(first[new])]
            out.names += [_name(head[int(key_start[i]):int(key_end[i])].tobytes()) for i in fresh]
    elif total != first_feature:
        st.feature_names = 0
    st.depth2_array, st.props3, st.in_props = bool(depth2_array[-1]), bool(props3[-1]), bool(in_props[-1])
    out.features = total
    return names


def _repeated_names(head: np.ndarray, features: np.ndarray, hashes: np.ndarray, where: np.ndarray,
                    key_start: np.ndarray, key_end: np.ndarray, out: JsonScan) -> None:
    """Note property names that one feature's properties repeat (JSON readers keep the last value)."""
    order = np.lexsort((hashes, features))
    same = (features[order][1:] == features[order][:-1]) & (hashes[order][1:] == hashes[order][:-1])
    for pos in order[1:][same][:20]:  # a few are enough to report
        name = _name(head[int(key_start[where[pos]]):int(key_end[where[pos]])].tobytes())
        out.repeated.setdefault(name, int(features[pos]))


def _carry_forward(mark: np.ndarray, value: np.ndarray, start: bool) -> np.ndarray:
    """Return, at each position, ``value`` at the last marked position so far (``start`` before any)."""
    idx = np.where(mark, np.arange(len(mark)), -1)
    last = np.maximum.accumulate(idx) if len(idx) else idx
    return np.where(last >= 0, value[np.maximum(last, 0)], start)


def _real_quotes(b: np.ndarray) -> np.ndarray:
    """Return positions of quotes not escaped by an odd run of backslashes."""
    q = np.flatnonzero(b == _QUOTE)
    if not len(q):
        return q
    suspect = q[(q > 0) & (b[np.maximum(q - 1, 0)] == _BSLASH)]
    if not len(suspect):
        return q
    idx = np.arange(len(b), dtype=np.int64)
    last_plain = np.maximum.accumulate(np.where(b != _BSLASH, idx, -1))
    run = (suspect - 1) - last_plain[suspect - 1]
    escaped = suspect[run % 2 == 1]
    return np.setdiff1d(q, escaped, assume_unique=True)


def _hashes(b: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return a 64-bit polynomial hash of each ``b[start:end]`` (all at most ``MAX_NAME_BYTES`` long)."""
    lengths = (ends - starts).astype(np.int64)
    total = int(lengths.sum())
    out: np.ndarray = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    if not total:
        return out
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    within = np.arange(total, dtype=np.int64) - np.repeat(offsets, lengths)
    positions = np.repeat(starts.astype(np.int64), lengths) + within
    values = b[positions].astype(np.uint64) * _POWERS[within + 1]
    nonempty = lengths > 0
    sums = np.add.reduceat(values, offsets[nonempty])
    out[nonempty] ^= sums
    return out


def _name(raw: bytes) -> str:
    """Return a JSON object key as text (escapes decoded)."""
    try:
        return str(json.loads(b'"' + raw + b'"'))
    except ValueError:
        return raw.decode("utf-8", "replace")


def _hash_bytes(data: bytes) -> np.uint64:
    b = np.frombuffer(data, dtype=np.uint8)
    return np.uint64(_hashes(b, np.array([0]), np.array([len(b)]))[0])


_ID_HASH = _hash_bytes(b"id")


_BYTES_PER_VALUE = M("bytes per value")


def _over(label: str, found: str, limit: int, unit: str, feature: int | None) -> UnsafeFileError:
    if feature is not None:
        return UnsafeFileError(M(
            "{label}: {found} (near feature {feature:,}), over the limit of {limit:,} {unit}. This is not the shape "
            "of a GIS layer: check the export (one FeatureCollection of flat properties), or split the file and "
            "import the parts.", label=label, found=found, feature=feature + 1, limit=limit, unit=unit))
    return UnsafeFileError(M(
        "{label}: {found}, over the limit of {limit:,} {unit}. This is not the shape of a GIS layer: "
        "check the export (one FeatureCollection of flat properties), or split the file and import the parts.",
        label=label, found=found, limit=limit, unit=unit))
