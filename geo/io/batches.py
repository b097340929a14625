"""Which columns an import reads, and the collector that turns a reader's batches into one frame.

County files carry ~100 columns of which an import kind uses ~25: readers ask for the columns
the kind's alias table can match (plus the few names its heuristics look at) and leave the rest
in the file. Batches are kept as Arrow tables (compact strings) and geometry arrays; the row and
vertex limits are checked as each batch arrives, so an oversized file stops within one batch.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import schema
from geo.config import ImportLimits
from geo.errors import UnsafeFileError
from geo.io import aliases
from geo.io.budget import Budget
from geo.io.raw import WkbArray, decode_wkb, release_memory
from geo.messages import M, Message, join

#: Names a canonicaliser looks at besides its alias table (the 2012 district layer's SQ_MI).
#: What a reader counts, for its messages (plural and singular).
_NOUNS: dict[str, str] = {"features": M("features"), "rows": M("rows"), "records": M("records"),
                          "feature": M("feature"), "row": M("row"), "record": M("record")}
_EXTRA_NAMES: dict[str, tuple[str, ...]] = {schema.DISTRICTS: ("SQ_MI", "CDMEMBER"), schema.INCIDENTS: ("DR_NO", "DATE OCC")}


def wanted_columns(columns: Sequence[str], kind: str | None, extra: Sequence[str] = ()) -> list[str]:
    """Return the columns of ``columns`` an import of ``kind`` can use (all of them when ``kind`` is None).

    ``extra`` names columns a ``--map`` points at, read whatever their names.
    """
    if kind is None or kind not in aliases.ALIASES:
        return list(columns)
    names = {aliases.normalize_name(a) for options in aliases.ALIASES[kind].values() for a in options}
    names |= {aliases.normalize_name(a) for a in extra}
    names |= {aliases.normalize_name(a) for a in _EXTRA_NAMES.get(kind, ())}
    numbered: set[str] = set()
    if kind == schema.PARCELS:
        for base in aliases.SUMMED.values():
            numbered |= set(aliases.numbered_columns(list(columns), base))
    return [c for c in columns if aliases.normalize_name(c) in names or c in numbered]


def left_out_note(all_columns: Sequence[str], kept: Sequence[str]) -> str | None:
    """Return a report note saying how many of the file's columns the import did not read."""
    skipped = len(all_columns) - len(kept)
    if skipped <= 0:
        return None
    return M("read {kept} of the file's {total} columns; the other {skipped} are not used by this import",
             kept=len(kept), total=len(all_columns), skipped=skipped)


def duplicate_notes(header: Sequence[str], names: Sequence[str]) -> list[str]:
    """Return a note per column name the header repeats: which column was used (the first) and which were not.

    ``names`` are the unique names :func:`dedupe_names` gave the header's columns.
    """
    places: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        places.setdefault(str(name), []).append(i)
    notes: list[str] = []
    for name, where in places.items():
        if len(where) < 2:
            continue
        others = join([M("column {number} (read as {name})", number=i + 1, name=repr(names[i])) for i in where[1:]],
                      sep=", ")
        notes.append(duplicate_note({"name": repr(name), "count": len(where), "first": where[0] + 1,
                                     "others": others, "other": names[where[1]]}))
    return notes


def duplicate_note(values: Mapping[str, Any], canonical: str | None = None) -> Message:
    """Return the note on a repeated column name, naming the canonical column the used one fills when known.

    ``values``: name, count, first, others, other.
    """
    if canonical is None:
        return M("duplicate column name {name} appears {count} times: used the first (column "
                 "{first}); ignored {others}. To use another one, map it, e.g. --map "
                 "\"CANONICAL={other}\", or rename the columns at source", **values)
    return M("duplicate column name {name} appears {count} times: used the first as {canonical} (column "
             "{first}); ignored {others}. To use another one, map it, e.g. --map "
             "\"{canonical}={other}\", or rename the columns at source", canonical=canonical, **values)


def dedupe_names(names: Sequence[str]) -> list[str]:
    """Return column names made unique the way pandas does (``a``, ``a.1``, ``a.2``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            candidate = f"{name}.{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}.{seen[name]}"
            seen[candidate] = 0
            out.append(candidate)
        else:
            seen[name] = 0
            out.append(name)
    return out


class Collector:
    """Gathers a reader's batches: counts rows and vertices against the limits, reports progress."""

    def __init__(self, *, limits: ImportLimits, budget: Budget, total: int | None, label: str,
                 noun: str = "features") -> None:
        self.limits, self.budget, self.total, self.label, self.noun = limits, budget, total, label, noun
        self.rows = 0
        self.vertices = 0
        self.exact = False
        self.tables: list[pa.Table] = []
        self.geoms: list[pa.Array] = []

    def add(self, attrs: pa.Table, geoms: pa.Array | None, rows: int) -> None:
        """Keep one batch of ``rows`` rows (geometry as a WKB array).

        Raises
        ------
        UnsafeFileError
            When the rows or vertices so far pass ``max_features`` or ``max_vertices``.
        """
        self.rows += rows
        if self.rows > self.limits.max_features:
            raise UnsafeFileError(M(
                "{label}: more than {limit:,} {noun}, over the limit. Split the file, or ask an administrator to run "
                "the bulk import.", label=self.label, limit=self.limits.max_features, noun=_noun(self.noun)))
        if geoms is not None:
            self.geoms.append(geoms)
            self.vertices += _vertices_at_most(geoms) if not self.exact else _vertices(geoms)
            if self.vertices > self.limits.max_vertices and not self.exact:
                self.exact = True  # the byte estimate is an upper bound: count exactly from here on
                self.vertices = sum(_vertices(g) for g in self.geoms)
            if self.vertices > self.limits.max_vertices:
                raise UnsafeFileError(M(
                    "{label}: more than {limit:,} vertices by {noun} {rows:,} ({vertices:,} so far), over the limit "
                    "of {limit:,}. Simplify or split the layer before importing.", label=self.label,
                    limit=self.limits.max_vertices, noun=_noun(self.noun[:-1]), rows=self.rows,
                    vertices=self.vertices))
        self.tables.append(attrs)
        noun = _noun(self.noun)
        if self.total:
            self.budget.report(self.rows / self.total, M("Read {rows:,} of {total:,} {noun}", rows=self.rows,
                                                         total=self.total, noun=noun))
        else:
            self.budget.report(0.0, M("Read {rows:,} {noun}", rows=self.rows, noun=noun))
        self.budget.check(M("after {rows:,} {noun}", rows=self.rows, noun=noun))

    def frame(self) -> pd.DataFrame:
        """Return every batch's attributes as one frame (Arrow-backed strings) and release the batches."""
        tables, self.tables = self.tables, []
        if not tables or not tables[0].num_columns:
            return pd.DataFrame(index=pd.RangeIndex(self.rows))
        table = _concat(tables)
        del tables
        frame = table.to_pandas(split_blocks=True, self_destruct=True)
        del table
        release_memory()
        return frame.reset_index(drop=True)

    def geometry(self) -> WkbArray:
        """Return every batch's geometry (WKB, decoded later a chunk at a time) and release the batches."""
        parts, self.geoms = self.geoms, []
        return WkbArray(parts)


def _noun(noun: str) -> str:
    """Return the counted thing's name as a translatable message (``features``, ``rows``, ``records``)."""
    return _NOUNS.get(noun, noun)


def _vertices_at_most(wkb: pa.Array) -> int:
    """Return an upper bound of the vertices in WKB values from their lengths (16 bytes per 2-D vertex at least)."""
    lengths = np.nan_to_num(np.asarray(pc.binary_length(wkb).to_numpy(zero_copy_only=False), dtype=float))
    return int((np.maximum(lengths - 5, 0) // 16).sum())


def _vertices(wkb: pa.Array) -> int:
    """Return the exact number of vertices in WKB values (decoding them)."""
    return int(shapely.get_num_coordinates(decode_wkb(wkb.to_numpy(zero_copy_only=False))).sum())


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Concatenate batches whose inferred types may differ (SQLite, spreadsheets): differing columns become text."""
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    names = tables[0].column_names
    fixed = []
    for t in tables:
        cols = []
        for name in names:
            col = t.column(name)
            types = {tt.column(name).type for tt in tables}
            cols.append(col.cast(pa.string()) if len(types - {pa.null()}) > 1 else col)
        fixed.append(pa.table(cols, names=names))
    return pa.concat_tables(fixed, promote_options="permissive")
