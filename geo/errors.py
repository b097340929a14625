"""Named error types: every message says what failed, where, the value, and the fix."""
from __future__ import annotations


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
