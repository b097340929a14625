"""Named error types: every message says what failed, where, the value, and the fix."""
from __future__ import annotations

from typing import Any

from geo import schema
from geo.messages import M, join
from geo.records import Edit


class GeoDataError(ValueError):
    """Base class for problems with input data that a user can fix."""


class CRSError(GeoDataError):
    """A frame or file has no CRS, the wrong CRS, or coordinates that contradict it."""


class InvalidGeometryError(GeoDataError):
    """Geometry is null, empty, of the wrong type, or invalid and not repairable."""


class SchemaError(GeoDataError):
    """Required columns are missing or values cannot be parsed."""


class UnsafeFileError(GeoDataError):
    """An upload or archive breaks a safety limit (size, ratio, traversal, nesting)."""


class StoreError(GeoDataError):
    """The store cannot be opened or written (wrong location, full disk, mixed data)."""


class ConflictError(StoreError):
    """A save was based on a version that is no longer current."""


class AccessDenied(PermissionError):
    """The signed-in role may not see this page or do this action (enforced server-side)."""


class StatusConflict(ConflictError):
    """A stale save: carries the current status and the newer edits to show the user."""

    def __init__(self, site_id: str, based_on: int, current: dict[str, Any], newer: list[Edit], *,
                 what: str = "Site") -> None:
        self.site_id, self.based_on, self.current, self.newer = site_id, based_on, current, newer
        lines = join(e.describe() for e in newer) if newer else M("now at version {version}",
                                                                    version=current[schema.VERSION])
        super().__init__(M(
            "{what} {site} changed since you loaded version {based_on}: {lines}. Your change was not saved. Review "
            "the newer edit and re-apply your change on top of version {version}.",
            what=_WHAT.get(what, what), site=site_id, based_on=based_on, lines=lines, version=current[schema.VERSION]))


#: The kinds of record a stale save names, as translatable words (others are shown as given).
_WHAT = {"Site": M("Site"), "Part": M("Part"), "Scene of": M("Scene of"), "Referral": M("Referral"),
         "Alert": M("Alert"), "Notice": M("Notice"), "Measure": M("Measure"), "Event": M("Event")}
