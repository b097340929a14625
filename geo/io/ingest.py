"""Plan one import: safety checks, read, validate, canonicalise; ``geo.services.imports`` writes the plan."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geo import schema
from geo.config import ImportLimits
from geo.errors import SchemaError
from geo.io import boundaries, canonical, importers, mapping, points, streets
from geo.io.budget import Budget, CancelFlag, Progress
from geo.io.readers import DEFAULT_LIMITS, RawData, read_source
from geo.io.sites import canonical_sites, derive_sites_from_parcels, replaced_derived_ids
from geo.io.textcut import cut_long_text
from geo.io.validate import Issue
from geo.messages import M, Message, join
from geo.records import ImportRecord, WriteResult

_CANONICAL = {
    schema.PARCELS: canonical.canonical_parcels, schema.SITES: canonical_sites,
    schema.INCIDENTS: canonical.canonical_incidents, schema.DISTRICTS: boundaries.canonical_council_districts,
    schema.PARKS: canonical.canonical_parks,
    schema.PLACES: points.canonical_places, schema.RAMPS: points.canonical_ramps,
    schema.STREETS: streets.canonical_streets,
    schema.LAPD_DIVISIONS: boundaries.canonical_lapd_divisions,
    schema.NEIGHBORHOOD_COUNCILS: boundaries.canonical_neighborhood_councils,
}
SUMMARY_LIMIT = 100
#: Shares of the progress bar: reading the file, then validating; writing takes the rest.
READ_SHARE, PLAN_SHARE = 0.6, 0.85


@dataclass
class IngestReport:
    """What one import read, accepted, repaired and rejected (with reasons), and what it wrote."""

    kind: str
    source: str
    fmt: str
    crs: str | None
    n_read: int
    n_accepted: int
    repaired: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: dict[str, WriteResult] = field(default_factory=dict)

    def summary(self, *, limit: int = SUMMARY_LIMIT) -> str:
        """Return the text ``stagemap import`` prints: counts, then each repair and rejection with its reason.

        The text is a translatable message (``geo.i18n.localise`` shows it in Spanish).
        """
        return join(self.summary_lines(limit=limit), sep="\n")

    def summary_lines(self, *, limit: int = SUMMARY_LIMIT) -> list[str]:
        """Return the lines of :meth:`summary`, each a translatable message."""
        counts = {"source": self.source, "kind": self.kind, "fmt": self.fmt, "read": self.n_read,
                  "accepted": self.n_accepted, "repaired": len(self.repaired), "rejected": len(self.rejected)}
        lines: list[str] = [
            M("{source} ({kind}, {fmt}, {crs} -> EPSG:4326): read {read:,}, accepted {accepted:,}, repaired "
              "{repaired:,}, rejected {rejected:,}", crs=self.crs, **counts) if self.crs else
            M("{source} ({kind}, {fmt}): read {read:,}, accepted {accepted:,}, repaired {repaired:,}, rejected "
              "{rejected:,}", **counts)]
        for repaired, issues in ((True, self.repaired), (False, self.rejected)):
            if issues:
                lines.append(M("repaired:") if repaired else M("rejected:"))
                lines.extend(_indent(i.text()) for i in issues[:limit])
                extra = len(issues) - limit
                if extra > 0:
                    lines.append(_indent(M("... and {count:,} more repaired rows", count=extra) if repaired
                                         else M("... and {count:,} more rejected rows", count=extra)))
        lines.extend(M("note: {note}", note=n) for n in self.notes)
        if self.written:
            lines.append(M("written: {layers}", layers=join(
                [M("{layer} {new:,} new, {updated:,} updated", layer=w.layer, new=w.inserted, updated=w.updated)
                 for w in self.written.values()])))
        return lines


def _indent(line: str) -> Message:
    """Return ``line`` indented by two spaces (still translatable)."""
    return join(["", line], sep="  ")


@dataclass
class ImportPlan:
    """What an import will write: canonical frames by layer, rows to delete, and its log record."""

    frames: dict[str, gpd.GeoDataFrame]
    record: ImportRecord
    delete: dict[str, list[str]]
    report: IngestReport


@dataclass(frozen=True)
class StoreContext:
    """What the store already holds that an import needs: districts, LAPD areas, parcels, sites."""

    districts: gpd.GeoDataFrame | None
    lapd_areas: gpd.GeoDataFrame | None
    parcels: Callable[[], gpd.GeoDataFrame]
    sites: gpd.GeoDataFrame | None


def plan_import(kind: str, path: str | Path, held: StoreContext, *, crs: str | None = None,
                department: str | None = None, user: str | None = None, limits: ImportLimits = DEFAULT_LIMITS,
                invalid: str = "repair", progress: Progress | None = None,
                cancelled: CancelFlag | None = None, columns: Mapping[str, str] | None = None) -> ImportPlan:
    """Validate ``path`` as ``kind`` and return what to write, without touching the store.

    Parcels also yield derived City sites while the store has no asset-list sites; an asset
    list replaces derived sites with the same AINs. The read obeys ``limits`` (sizes, counts,
    time) and stops when ``cancelled()`` turns true; ``progress(fraction, text)`` hears where it is.
    ``columns`` (canonical name -> the file's column, from ``--map``) wins over the alias table.

    Raises
    ------
    GeoDataError
        For a rejected file (unreadable, unsafe, no or wrong CRS, missing columns, no acceptable
        feature); :class:`geo.io.budget.ImportCancelled` when cancelled.
    """
    reading = read_import(kind, path, crs=crs, limits=limits, progress=progress, cancelled=cancelled,
                          columns=columns)
    return plan_from_raw(kind, Path(path), reading, held, department=department, user=user, limits=limits,
                         invalid=invalid)


@dataclass
class Reading:
    """A file read for an import: its raw data (handed over once, so it is freed when consumed) and budget."""

    raw: RawData | None
    budget: Budget

    def take(self) -> RawData:
        """Return the raw data and drop this reading's reference to it."""
        raw, self.raw = self.raw, None
        if raw is None:
            raise ValueError("the raw data of this reading was already taken")
        return raw


def read_import(kind: str, path: str | Path, *, crs: str | None = None, limits: ImportLimits = DEFAULT_LIMITS,
                progress: Progress | None = None, cancelled: CancelFlag | None = None,
                columns: Mapping[str, str] | None = None) -> Reading:
    """Read ``path`` for an import of ``kind`` (checks, limits, ``--map``); return the raw data and its budget.

    Raises
    ------
    GeoDataError
        As :func:`plan_import` for the reading part.
    """
    if kind not in _CANONICAL:
        raise SchemaError(M("import kind {kind} is unknown; use one of {kinds}.", kind=repr(kind),
                            kinds=", ".join(schema.IMPORT_KINDS)))
    path = Path(path)
    asked = mapping.check_names(kind, columns or {}, path.name)  # an unknown canonical name: refused unread
    budget = Budget(limits, path.name, progress=progress, cancelled=cancelled, span=(0.0, READ_SHARE))
    budget.report(0.0, M("Checking the file"))
    raw = read_source(path, crs=crs, limits=limits, kind=kind, budget=budget, extra=mapping.wanted(asked))
    if not len(raw.frame):
        raise SchemaError(M("{label}: the file has no rows or features. Export the data again.", label=path.name))
    if asked:
        resolved = mapping.resolve(kind, asked, raw.columns, path.name)
        shown = ", ".join(f"{mapping.shown_name(k)} <- {c!r}" for k, c in resolved.items())
        raw = dataclasses.replace(raw, mapping=resolved, notes=(*raw.notes, M("column mapping (--map): {mapped}",
                                                                              mapped=shown)))
    raw = dataclasses.replace(raw, notes=tuple(mapping.name_duplicates(raw.notes, raw.frame.columns, kind, raw.mapping)))
    budget.check(M("before validation"))
    budget.span = (0.0, 1.0)
    budget.report(READ_SHARE, M("Validating {count:,} rows", count=len(raw.frame)))
    return Reading(raw, budget)


def import_context(label: str, held: StoreContext, *, department: str | None, invalid: str) -> importers.ImportContext:
    """Return the context the canonicalisers get: the file's name, now, and what the store holds."""
    return importers.ImportContext(source=label, now=dt.datetime.now(dt.UTC), department=department, invalid=invalid,
                                   districts=held.districts, lapd_areas=held.lapd_areas, parcels=held.parcels)


def plan_from_raw(kind: str, path: Path, reading: Reading, held: StoreContext, *,
                  department: str | None = None, user: str | None = None, limits: ImportLimits = DEFAULT_LIMITS,
                  invalid: str = "repair") -> ImportPlan:
    """Validate and canonicalise ``raw`` (read by :func:`read_import`) whole; return what to write.

    Raises
    ------
    GeoDataError
        As :func:`plan_import` for the validating part.
    """
    raw, budget = reading.take(), reading.budget
    ctx = import_context(path.name, held, department=department, invalid=invalid)
    fmt, raw_crs, notes = raw.fmt, raw.crs, list(raw.notes)
    result = _CANONICAL[kind](raw, ctx)
    del raw  # the file's columns and geometry are no longer needed
    importers.raise_if_nothing(result, path.name)
    budget.check(M("after validation"))
    frame, cut = cut_long_text(result.layer, result.frame, limit=limits.max_text_chars, label=path.name)
    frames: dict[str, gpd.GeoDataFrame] = {result.layer: frame}
    notes += list(result.notes) + ([cut] if cut else [])
    replaced: list[str] = []
    if kind == schema.PARCELS and not _has_asset_sites(held.sites):
        derived = derive_sites_from_parcels(frame)
        if len(derived):
            frames[schema.SITES] = derived
            notes.append(M("{count:,} City-owned parcels inside the City became derived sites "
                           "(department 'unassigned' until an asset list names it)", count=len(derived)))
    if kind == schema.SITES and held.sites is not None and len(held.sites):
        derived_ids = held.sites.loc[held.sites[schema.SITE_ORIGIN] == schema.DERIVED_FROM_PARCELS, schema.SITE_ID]
        replaced = replaced_derived_ids(frame, derived_ids)
        if replaced:
            notes.append(M("{count} derived sites replaced by this asset list: {ids}", count=len(replaced),
                           ids=", ".join(replaced[:10])))
    record = ImportRecord(kind=kind, source=path.name, sha256=_sha256(path), n_read=result.n_read,
                          n_accepted=len(frame), n_repaired=len(result.repaired),
                          n_rejected=len(result.rejected), user=user)
    report = IngestReport(kind=kind, source=path.name, fmt=fmt, crs=raw_crs, n_read=result.n_read,
                          n_accepted=len(frame), repaired=result.repaired, rejected=result.rejected,
                          notes=notes)
    budget.check(M("before writing"))
    budget.report(PLAN_SHARE, M("Writing {count:,} rows to the store", count=len(frame)))
    return ImportPlan(frames, record, {schema.SITES: replaced} if replaced else {}, report)


def has_asset_sites(sites: gpd.GeoDataFrame | None) -> bool:
    """Whether the store holds sites from a department asset list (then parcels derive no sites)."""
    return _has_asset_sites(sites)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read 1 MB at a time."""
    return _sha256(path)


def _has_asset_sites(sites: gpd.GeoDataFrame | None) -> bool:
    return sites is not None and bool((sites[schema.SITE_ORIGIN] == schema.ASSET_LIST).any())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
