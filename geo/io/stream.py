"""A County parcel layer canonicalised slice by slice, for the store to write batch by batch in one transaction.

:func:`geo.io.ingest.plan_from_raw` canonicalises a file whole: at County scale (2.4M parcels) the
canonical frame alone is ~3 GB of shapely objects and Python values. A :class:`ParcelStream` turns
the reader's compact data (Arrow columns, WKB) into canonical frames of :data:`SLICE_ROWS` rows at
a time; ``Store.write_layer_batches`` writes each as it comes and drops it. The result is the
whole path's, row for row: rows sharing an AIN (stacked condominium polygons) are put in the
slice of their first occurrence, so they are merged as before and every row keeps its place;
counts, issues and notes are summed over the slices; the file-wide checks (mixed ``is_synthetic``,
one geometry family, every feature outside the County, nothing acceptable) stay file-wide.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import DISPLAY_CRS, ImportLimits
from geo.io import aliases, importers, validate
from geo.io.canonical import canonical_parcels, merge_note
from geo.io.geomstage import Envelope, one_family
from geo.io.ingest import (
    READ_SHARE,
    IngestReport,
    Reading,
    StoreContext,
    file_sha256,
    has_asset_sites,
    import_context,
)
from geo.io.raw import RawData, WkbArray, release_memory
from geo.io.sites import derive_sites_from_parcels
from geo.io.textcut import cut_note, cut_text_counts
from geo.messages import M
from geo.records import ImportRecord

#: Parcels canonicalised (and written) at a time.
SLICE_ROWS = 50_000
#: Where the progress stands once every slice is checked: the rows are then stored (on SQLite: copied in).
STORE_SHARE = 0.99


def streams(kind: str, reading: Reading, *, invalid: str) -> bool:
    """Whether an import of ``kind`` from ``reading`` goes slice by slice (a parcel layer of polygons).

    Tables without polygons, ``invalid='raise'`` and layers mixing geometry families are checked
    whole (their errors count across the file), as before.
    """
    raw = reading.raw
    return (kind == schema.PARCELS and raw is not None and isinstance(raw.geometry, WkbArray)
            and invalid != "raise" and one_family(raw.geometry, validate.POLYGON))


class ParcelStream:
    """Canonical parcel frames (and the sites they derive), one slice at a time, then the import's report."""

    def __init__(self, path: Path, reading: Reading, held: StoreContext, *, limits: ImportLimits,
                 department: str | None = None, user: str | None = None, invalid: str = "repair") -> None:
        self.raw: RawData | None = reading.take()
        self.path, self.budget, self.limits, self.user = path, reading.budget, limits, user
        self.ctx = import_context(path.name, held, department=department, invalid=invalid)
        self.derive = not has_asset_sites(held.sites)
        raw = self.raw
        cols = aliases.match_columns(raw.frame.columns, schema.PARCELS, raw.mapping)
        importers.require(raw, cols, schema.AIN, schema.PARCELS)
        importers.provenance(raw, cols, self.ctx, len(raw.frame))  # refuses a file mixing synthetic and real rows
        self.size = SLICE_ROWS
        self.slices = _slices(raw.frame[cols[schema.AIN]], self.size)
        self.fmt, self.crs, self.notes = raw.fmt, raw.crs, list(raw.notes)
        self.n_read, self.n_accepted, self.n_sites = 0, 0, 0
        self.rejected: list[validate.Issue] = []
        self.repaired: list[validate.Issue] = []
        self.geometry_only = True
        self.merged_rows, self.merged_keys = 0, 0
        self.merged_example: tuple[str, int] | None = None  # the first AIN merged and its row count
        self.cut: dict[str, int] = {}
        self.envelope = Envelope()
        self.sha256 = file_sha256(path)
        release_memory()  # what reading left in the allocators' free lists, before the first slice allocates

    def batches(self) -> Iterator[dict[str, gpd.GeoDataFrame]]:
        """Yield each slice's canonical parcels (and derived sites); after the last, check the file as a whole.

        Raises
        ------
        GeoDataError
            As :func:`geo.io.ingest.plan_import`: no feature acceptable, every feature outside the
            County, a key over the text limit; :class:`geo.io.budget.ImportCancelled` when cancelled.
        """
        raw = self.raw
        if raw is None:
            raise ValueError("this stream was already written")
        total = len(raw.frame)
        yield from self._counted((self._make(part) for part in self._parts(raw, total)), total)
        self.raw = None
        self.envelope.check(raw.crs or DISPLAY_CRS, label=raw.label, tabular=raw.tabular)
        if not self.n_accepted:  # refused as the whole path refuses it; the transaction rolls back
            importers.raise_if_nothing(importers.Canonical(
                layer=schema.PARCELS, frame=gpd.GeoDataFrame(geometry=[]), n_read=self.n_read,
                rejected=_in_file_order(self.rejected), geometry_only=self.geometry_only and bool(self.rejected)),
                self.path.name)
        self.budget.report(STORE_SHARE, M("Storing {rows:,} checked rows in the store", rows=self.n_accepted))

    def _counted(self, made: Iterator[_Made], total: int) -> Iterator[dict[str, gpd.GeoDataFrame]]:
        """Count each slice made, check the budget, report progress; yield the frames to write."""
        for done in made:
            frame = self._count(done)
            frames = {schema.PARCELS: frame} if len(frame) else {}
            if done.derived is not None and len(done.derived):
                frames[schema.SITES] = done.derived
                self.n_sites += len(done.derived)
            self.budget.check(M("after {rows:,} {noun}", rows=self.n_read, noun=M("rows")))
            self.budget.report(READ_SHARE + (1 - READ_SHARE) * self.n_read / max(total, 1),
                               M("Validated {rows:,} of {total:,} rows", rows=self.n_read, total=total))
            del done
            release_memory()
            if frames:
                yield frames

    def _parts(self, raw: RawData, total: int) -> Iterator[RawData]:
        """Yield each slice's raw rows in turn, releasing the file's WKB no later slice needs."""
        for i, positions in enumerate(self.slices):
            part = _slice(raw, positions)
            if isinstance(raw.geometry, WkbArray):  # no later slice needs rows before the next one's first
                raw.geometry.release(int(self.slices[i + 1][0]) if i + 1 < len(self.slices) else total)
            yield part

    def _make(self, part: RawData) -> _Made:
        """Return one slice canonicalised, its long text cut and its derived sites (no counting: see :meth:`_count`).

        Pure but for what it returns (its own County-envelope count): the slice's counts are added in
        :meth:`_count`, in file order.
        """
        envelope = Envelope()
        result = canonical_parcels(part, self.ctx, envelope=envelope)
        frame, cut = cut_text_counts(schema.PARCELS, result.frame, limit=self.limits.max_text_chars,
                                     label=self.path.name)
        derived = derive_sites_from_parcels(frame) if self.derive and len(frame) else None
        return _Made(dataclasses.replace(result, frame=frame), cut, derived, envelope)

    def _count(self, done: _Made) -> gpd.GeoDataFrame:
        """Add one slice's counts, issues, merges and cut text to the import's; return its parcels."""
        result = done.result
        self.n_read += result.n_read
        self.n_accepted += len(result.frame)
        self.rejected += result.rejected
        self.repaired += result.repaired
        if result.rejected and not result.geometry_only:
            self.geometry_only = False
        if result.merged is not None:
            rows, keys, ain, count = result.merged
            self.merged_rows, self.merged_keys = self.merged_rows + rows, self.merged_keys + keys
            self.merged_example = self.merged_example or (ain, count)
        for col, n in done.cut.items():
            self.cut[col] = self.cut.get(col, 0) + n
        self.envelope.add(done.envelope.good, done.envelope.outside, done.envelope.box)
        return result.frame

    def record(self) -> ImportRecord:
        """Return the import's log record (once :meth:`batches` is exhausted)."""
        return ImportRecord(kind=schema.PARCELS, source=self.path.name, sha256=self.sha256, n_read=self.n_read,
                            n_accepted=self.n_accepted, n_repaired=len(self.repaired),
                            n_rejected=len(self.rejected), user=self.user)

    def report(self) -> IngestReport:
        """Return the import's report, as the whole path gives it (issues in file order, notes summed)."""
        notes = list(self.notes)
        if self.merged_example is not None:
            notes.append(merge_note(self.merged_rows, self.merged_keys, *self.merged_example))
        order = [c.name for c in schema.LAYER_COLUMNS[schema.PARCELS] if c.name in self.cut]
        cut = cut_note({c: self.cut[c] for c in order}, self.limits.max_text_chars)
        notes += [cut] if cut else []
        if self.n_sites:
            notes.append(M("{count:,} City-owned parcels inside the City became derived sites "
                           "(department 'unassigned' until an asset list names it)", count=self.n_sites))
        return IngestReport(kind=schema.PARCELS, source=self.path.name, fmt=self.fmt, crs=self.crs,
                            n_read=self.n_read, n_accepted=self.n_accepted, repaired=_in_file_order(self.repaired),
                            rejected=_in_file_order(self.rejected), notes=notes)


@dataclasses.dataclass
class _Made:
    """One slice made ready to write: its canonical result (long text cut), the cuts per column, derived sites."""

    result: importers.Canonical
    cut: dict[str, int]
    derived: gpd.GeoDataFrame | None
    envelope: Envelope


def _slices(ains: pd.Series, size: int) -> list[np.ndarray]:
    """Return row positions per slice: rows ``k*size`` up to the next slice, plus later rows sharing their AINs.

    A row whose AIN (as normalised) appeared earlier goes in the slice of the AIN's first row (so
    stacked polygons are merged together); a row without an AIN stays where it is. AINs are
    compared by 8-byte hashes, normalised a slice at a time (a collision only moves a row to an
    earlier slice, where the merge still compares AINs). A normal AIN's key is exact (its digits).
    """
    n = len(ains)
    hashes = np.zeros(n, dtype=np.uint64)
    has = np.zeros(n, dtype=bool)
    for start in range(0, n, size):
        part = aliases.ain_string(ains.iloc[start:start + size])
        hashes[start:start + size] = _ain_keys(part)
        has[start:start + size] = part.notna().to_numpy(dtype=bool)
    positions = np.arange(n, dtype=np.int64)
    owner = positions.copy()
    _, first, inverse = np.unique(hashes[has], return_index=True, return_inverse=True)
    owner[has] = positions[has][first][inverse.reshape(-1)]
    slice_of = owner // size
    order = np.argsort(slice_of, kind="stable")
    bounds = np.searchsorted(slice_of[order], np.arange(1, int(slice_of.max()) + 1 if n else 0))
    return [part for part in np.split(order, bounds) if len(part)]


def _ain_keys(ains: pd.Series) -> np.ndarray:
    """Return an 8-byte key per normalised AIN (digits only, 10 or more): exact up to 18 digits, else a hash.

    ``length - 10`` times 10**18 plus the number keeps keys of different lengths apart ("0123456789"
    and "00123456789"); these stay below 2**63, and hashes of longer values are put above it.
    """
    keys = np.zeros(len(ains), dtype=np.uint64)
    lengths = ains.str.len().fillna(0).to_numpy(dtype=np.int64)
    ascii_digits = ains.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)  # not other scripts' digits
    exact = (lengths >= 10) & (lengths <= 18) & ascii_digits
    if exact.any():
        digits = pd.to_numeric(ains[exact]).to_numpy(dtype=np.uint64)
        keys[exact] = digits + (lengths[exact] - 10).astype(np.uint64) * np.uint64(10**18)
    other = ~exact & (lengths > 0)
    if other.any():  # too long for a number, or not ASCII digits (rejected later): hashed, apart from the exact keys
        keys[other] = pd.util.hash_array(ains[other].to_numpy(dtype=object)) | np.uint64(1 << 63)
    return keys


def _slice(raw: RawData, positions: np.ndarray) -> RawData:
    """Return the rows at ``positions`` of ``raw`` as their own raw data, labelled by their place in the file."""
    geometry = raw.geometry.take(positions) if isinstance(raw.geometry, WkbArray) else raw.geometry
    first = int(positions[0]) if len(positions) else 0
    if len(positions) and int(positions[-1]) - first + 1 == len(positions):  # ascending: one run of rows
        frame = raw.frame.iloc[first:first + len(positions)].reset_index(drop=True)  # Arrow slices, no copy
    else:
        frame = raw.frame.iloc[positions].reset_index(drop=True)
    return dataclasses.replace(raw, frame=frame, geometry=geometry, origin=positions)


def _in_file_order(issues: list[validate.Issue]) -> list[validate.Issue]:
    """Sort issues by their feature or row number (slices hold a few rows from later in the file)."""
    return sorted(issues, key=lambda i: int(str(i.where).rsplit(" ", 1)[-1]))
