"""The time budget, cancel switch and progress reports of one import's read (SECURITY.md R10).

Every reader calls :meth:`Budget.check` between batches, and GeoPackage/SQLite queries run with
:meth:`Budget.sqlite_handler` as their progress handler, so a read past its time budget, or one
the user cancelled, stops within one batch (or a few thousand SQLite VM steps).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from geo.config import ImportLimits
from geo.errors import GeoDataError, UnsafeFileError
from geo.messages import M

#: ``progress(fraction 0..1, text)``: where an import is, for a progress bar or a terminal.
Progress = Callable[[float, str], None]
#: Returns True once the user asked to stop.
CancelFlag = Callable[[], bool]


class ImportCancelled(GeoDataError):
    """The user cancelled the import; nothing was stored."""


@dataclass
class Budget:
    """Deadline, cancel flag and progress sink for reading one file (``label`` names it in messages)."""

    limits: ImportLimits
    label: str
    progress: Progress | None = None
    cancelled: CancelFlag | None = None
    started: float = field(default_factory=time.monotonic)
    #: the part of the whole import's progress bar this read fills (reading is followed by validation)
    span: tuple[float, float] = (0.0, 1.0)
    _query_deadline: float | None = field(default=None, repr=False)
    _stopped: str | None = field(default=None, repr=False)

    @property
    def elapsed(self) -> float:
        """Seconds since the read started."""
        return time.monotonic() - self.started

    @property
    def deadline(self) -> float:
        """The monotonic time at which the read is over budget."""
        return self.started + self.limits.max_read_seconds

    def check(self, where: str = "") -> None:
        """Raise when the user cancelled or the read is over its time budget.

        Raises
        ------
        ImportCancelled
            When the cancel flag is set.
        UnsafeFileError
            When the read took longer than ``limits.max_read_seconds``.
        """
        if self.cancelled is not None and self.cancelled():
            raise self.cancel_error(where)
        if time.monotonic() > self.deadline:
            raise self.over_time(where)

    def over_time(self, where: str = "", *, query: bool = False) -> UnsafeFileError:
        """Return the error for a read (or one SQLite query) that ran past its budget."""
        if query and where:
            return UnsafeFileError(M(
                "{label}: a query on the file ran past its {limit:,.0f} s budget ({where}) and was cancelled (a view "
                "or trigger doing unbounded work?). Export the layer again as a plain GeoPackage feature table.",
                label=self.label, limit=self.limits.max_query_seconds, where=where))
        if query:
            return UnsafeFileError(M(
                "{label}: a query on the file ran past its {limit:,.0f} s budget and was cancelled (a view "
                "or trigger doing unbounded work?). Export the layer again as a plain GeoPackage feature table.",
                label=self.label, limit=self.limits.max_query_seconds))
        if where:
            return UnsafeFileError(M(
                "{label}: reading took longer than the {limit:,.0f} s limit ({where}) ({elapsed:,.0f} s so far) and "
                "was cancelled. Split the file, or ask an administrator to run `stagemap import` (its limit is "
                "higher).", label=self.label, limit=self.limits.max_read_seconds, where=where, elapsed=self.elapsed))
        return UnsafeFileError(M(
            "{label}: reading took longer than the {limit:,.0f} s limit ({elapsed:,.0f} s so far) and "
            "was cancelled. Split the file, or ask an administrator to run `stagemap import` (its limit is "
            "higher).", label=self.label, limit=self.limits.max_read_seconds, elapsed=self.elapsed))

    def cancel_error(self, where: str = "") -> ImportCancelled:
        """Return the error for an import the user cancelled (``where`` says at which point)."""
        if where:
            return ImportCancelled(M("{label}: import cancelled ({where}); nothing was stored.", label=self.label,
                                     where=where))
        return ImportCancelled(M("{label}: import cancelled; nothing was stored.", label=self.label))

    def report(self, fraction: float, text: str) -> None:
        """Send progress (0..1 of this read, mapped into :attr:`span`) to the progress sink, if any."""
        if self.progress is not None:
            lo, hi = self.span
            self.progress(lo + (hi - lo) * min(max(fraction, 0.0), 1.0), text)

    # --- SQLite --------------------------------------------------------------------------
    def start_query(self, *, metadata: bool) -> None:
        """Set the deadline of the next SQLite query: its own short budget for metadata, else the read's."""
        short = time.monotonic() + self.limits.max_query_seconds
        self._query_deadline = min(short, self.deadline) if metadata else self.deadline
        self._stopped = None

    def sqlite_handler(self) -> int:
        """SQLite progress handler: non-zero (cancel the statement) past the deadline or on cancel."""
        if self.cancelled is not None and self.cancelled():
            self._stopped = "cancelled"
            return 1
        deadline = self._query_deadline if self._query_deadline is not None else self.deadline
        if time.monotonic() > deadline:
            self._stopped = "time"
            return 1
        return 0

    def sqlite_stop(self, where: str) -> GeoDataError | None:
        """Return the error for a statement the handler interrupted (``None`` when it did not)."""
        if self._stopped == "cancelled":
            return self.cancel_error(where)
        if self._stopped == "time":
            metadata = self._query_deadline is not None and self._query_deadline < self.deadline
            return self.over_time(where, query=metadata)
        return None

