"""Plain records passed between packages: import records, write results, store summaries, samples."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geo.messages import M, Message, join

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


@dataclass(frozen=True)
class ImportRecord:
    """What one import read, kept, repaired and rejected; logged with the write."""

    kind: str
    source: str
    sha256: str | None = None
    n_read: int = 0
    n_accepted: int = 0
    n_repaired: int = 0
    n_rejected: int = 0
    user: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """Rows inserted and updated in one layer by one write."""

    layer: str
    inserted: int
    updated: int


@dataclass(frozen=True)
class StoreInfo:
    """A summary of the store for ``stagemap info`` and the app."""

    url: str
    backend: str
    counts: dict[str, int]
    is_synthetic: bool | None
    data_version: int
    recent_imports: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    """A synthetic sample: canonical frames by layer name, and the site-status table."""

    frames: dict[str, gpd.GeoDataFrame]
    status: pd.DataFrame
    #: boundary sets stored besides the current ones (e.g. an earlier council plan), not current
    boundaries: tuple[tuple[BoundarySet, gpd.GeoDataFrame], ...] = ()
    #: ``site_control`` rows (A.1 determinations and control) and ``site_parts`` rows to store with the sample
    control: pd.DataFrame | None = None
    parts: pd.DataFrame | None = None


@dataclass(frozen=True)
class StoredEvidence:
    """One evidence row: an original (with its EXIF readings) or its EXIF-stripped copy."""

    evidence_id: str
    filename: str
    label: str
    mime: str
    size_bytes: int
    sha256: str
    stored_path: str
    disposition_ref: str | None = None
    placement_check: str | None = None
    time_check: str | None = None
    derived_from: str | None = None
    exif_lat: float | None = None
    exif_lon: float | None = None
    exif_time: str | None = None


@dataclass(frozen=True)
class IncidentRecord:
    """Everything one incident report writes in one transaction.

    The incident, its report row, the reporter's contact (kept apart) and its evidence rows.
    """

    incident: dict[str, object]
    lon: float
    lat: float
    report: dict[str, object]
    contact: dict[str, str | None] | None = None
    evidence: tuple[StoredEvidence, ...] = ()


def _text(value: Any, _column: str) -> str:
    return str(value)


def _text_time(value: str | None) -> str:
    return value or M("unknown time")


@dataclass(frozen=True)
class Edit:
    """One saved version of a site's status: who, when, and what changed."""

    site_id: str
    version: int
    updated_by: str | None
    updated_at: str | None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self, *, name: Callable[[str], str] = str, value: Callable[[Any, str], str] = _text,
                 when: Callable[[str | None], str] = _text_time) -> Message:
        """Return e.g. ``version 3 by bo at 2026-03-01T10:00Z: sign_status none -> posted``.

        ``name``, ``value`` and ``when`` spell out a field name, a value (with its field) and the time; the
        defaults keep them as stored. :func:`geo.analysis.labels.describe_edit` passes the label table and
        Los Angeles time, for what a person reads. The result is a translatable message (the words around
        the names, values and time).
        """
        diff = join(M("{field} {old} -> {new}", field=name(k), old=value(old, k), new=value(new, k))
                    for k, (old, new) in self.changes.items()) if self.changes else M("no field changes")
        at = when(self.updated_at)
        return M("version {version} by {user} at {when}: {diff}", version=self.version,
                 user=self.updated_by or M("unknown"), when=M("unknown time") if at == "unknown time" else at,
                 diff=diff)


@dataclass(frozen=True)
class MapView:
    """Zoom and snapped bounds (minx, miny, maxx, maxy) in EPSG:4326 of what the user looks at."""

    zoom: int
    bounds: tuple[float, float, float, float]

    @property
    def center(self) -> tuple[float, float]:
        """Return (lat, lon) of the view's centre."""
        return ((self.bounds[1] + self.bounds[3]) / 2, (self.bounds[0] + self.bounds[2]) / 2)


@dataclass(frozen=True)
class Publication:
    """One public table as published: what, for which period, when, by whom, its content and hash."""

    kind: str
    period: str
    published_at: str
    published_by: str
    content: str
    sha256: str


@dataclass(frozen=True)
class BoundarySet:
    """A named set of boundaries of one kind (council districts, LAPD divisions, neighbourhood councils).

    ``vintage`` is the plan year or effective date (ISO text) it was read or given with; ``effective``
    the latest ``Effective`` date the file carried, when it carried one.
    """

    set_id: str
    kind: str
    name: str
    vintage: str | None
    effective: str | None = None
    is_synthetic: bool = False
    source: str = ""


@dataclass(frozen=True)
class BoundaryResult:
    """What storing or switching a boundary set did: which set is current and how many rows moved."""

    set_id: str
    kind: str
    created: bool
    current: bool
    previous: str | None = None
    moved: dict[str, int] = field(default_factory=dict)
    checked: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """Return e.g. ``council_districts set 'CD 2021' stored and made current (was 'CD 2012')`` and the moves."""
        return join(self.summary_lines(), sep="\n")

    def summary_lines(self, *, note_prefix: bool = True) -> list[str]:
        """Return the lines of :meth:`summary`, each a translatable message.

        ``note_prefix=False`` leaves the notes bare, for a report that prefixes its own notes ("note: ...").
        """
        state = {(True, True): M("stored and made current"), (True, False): M("stored, NOT current"),
                 (False, True): M("is now current"), (False, False): M("already stored, not current")}[
                     (self.created, self.current)]
        head = dict(kind=self.kind, set=repr(self.set_id), state=state)
        lines: list[str] = [
            M("{kind} set {set} {state} (was {was})", was=repr(self.previous), **head)
            if self.current and self.previous and self.previous != self.set_id else M("{kind} set {set} {state}", **head)]
        if self.moved or self.checked:
            lines.append(M("re-assigned by location: {moves}", moves=join(
                [M("{layer} {moved:,} of {n:,} moved", layer=layer, moved=self.moved.get(layer, 0), n=n)
                 for layer, n in self.checked.items()], sep=", ")))
        lines.extend(M("note: {note}", note=n) if note_prefix else n for n in self.notes)
        return lines
