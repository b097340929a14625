"""The geometry stage of every import, chunk by chunk: decode, validate, reproject, round, check the envelope.

A County file's geometry is validated and reprojected :data:`geo.io.raw.GEOMETRY_CHUNK` rows at a
time, and the file's own geometry (WKB, or shapely objects when ``release`` is set) is dropped as
it is consumed, so the source and the EPSG:4326 geometry are never both whole in memory.
Polygons come out as MultiPolygons, the type every polygon layer is stored as (the store would
otherwise promote, and copy, the whole layer again while writing).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from geo.io import ragged, validate
from geo.io import raw as rawdata
from geo.io.raw import WkbArray, explain_outside, merge_bounds, release_memory, reproject_to_display
from geo.messages import M

if TYPE_CHECKING:
    from geo.io.importers import Rows

_FAMILY_TYPES = {validate.POLYGON: (3, 6), validate.POINT: (0,), validate.LINE: (1, 5)}
_WKB_CODES = {validate.POLYGON: (3, 6), validate.POINT: (1,), validate.LINE: (2, 5)}
ROUNDING_REPAIR = M("became invalid when rounded to 1e-7 degrees")
COLLAPSED = M("collapses to nothing when stored at 1e-7 degrees (about 1 cm): a sliver thinner than that. "
              "Fix or drop it at source; the other features are imported")


def geometry_stage(rows: Rows, geoms: np.ndarray | WkbArray, crs: str, *, family: str, invalid: str,
                   release: bool = False, envelope: Envelope | None = None,
                   measured: np.ndarray | None = None) -> np.ndarray:
    """Validate ``geoms`` (in ``crs``), reproject the good ones to EPSG:4326, check the County envelope.

    Rows already rejected stay rejected; geometry problems are added per row and repairs listed.
    With ``release``, a shapely input array has its entries dropped as they are consumed (a WKB
    input always releases its consumed chunks). With ``envelope`` (a slice of a streamed file),
    features outside the County are only rejected and counted there: the file-wide check is the caller's.
    ``measured`` (polygons; ``rows.n`` x 3, NaN) receives the EPSG:2229 area and representative
    point of each output geometry measured on the way (:func:`geo.io.ragged.polygons_to_display`);
    rows left NaN (repaired after rounding, or not plain polygons) are for the caller to measure.

    Raises
    ------
    CRSError
        When no valid feature lies inside LA County (wrong CRS, feet in GeoJSON, swapped axes).
    InvalidGeometryError
        When the layer mixes geometry families or is of the wrong one (counted across the file).
    """
    label = rows.raw.label
    before = rows.ok
    out = np.full(rows.n, None, dtype=object)
    rejected: list[pd.Series] = []
    repaired: list[pd.Series] = []
    box = [np.inf, np.inf, -np.inf, -np.inf]
    for start, stop, check in _checks(geoms, family=family, invalid=invalid, label=label):
        keep = before[start:stop] & check.rejected.isna().to_numpy()
        if keep.any():
            source = check.geometry[keep]
            box = merge_bounds(box, shapely.bounds(source))
            if family == validate.POLYGON and ragged.plain_polygons(source):  # one pass to MultiPolygons
                done, feet = ragged.polygons_to_display(source, crs, measure=measured is not None)
                done = _polygon_output(done, check.repaired, np.flatnonzero(keep),
                                       single=shapely.get_type_id(source) == 3, feet=feet)
                if measured is not None and feet is not None:
                    measured[start:stop][keep] = feet
            else:
                done = reproject_to_display(source, crs)
                if family == validate.POLYGON:
                    done = _polygon_output(done, check.repaired, np.flatnonzero(keep))
            out[start:stop][keep] = done
        rejected.append(check.rejected)
        repaired.append(check.repaired)
        if isinstance(geoms, WkbArray):
            geoms.release(stop)
        elif release:
            geoms[start:stop] = None
    rows.reject(_joined(rejected, rows.n), geometry=True)
    rows.repairs = _joined(repaired, rows.n)
    _reject_collapsed(rows, out)
    release_memory()
    good = rows.ok
    outside = validate.check_envelope(out, skip=~good)
    if envelope is not None:
        envelope.add(int(good.sum()), int(outside[good].notna().sum()), box)
    elif good.any() and outside[good].notna().all():
        bounds = (box[0], box[1], box[2], box[3]) if np.isfinite(box[0]) else None
        raise explain_outside(None if bounds else out[good], crs, label=label, tabular=rows.raw.tabular, bounds=bounds)
    rows.reject(outside, geometry=True)
    return out


class Envelope:
    """A streamed file's County-envelope count across its slices: valid features, those outside, their bounds."""

    def __init__(self) -> None:
        self.good, self.outside = 0, 0
        self.box = [np.inf, np.inf, -np.inf, -np.inf]

    def add(self, good: int, outside: int, box: list[float]) -> None:
        """Count one slice's valid features, how many lie outside the County, and their bounds."""
        self.good, self.outside = self.good + good, self.outside + outside
        self.box = merge_bounds(self.box, np.array([box]))

    def check(self, crs: str, *, label: str, tabular: bool) -> None:
        """Raise as :func:`geometry_stage` does when every valid feature of the file lies outside the County.

        Raises
        ------
        CRSError
            Naming the CRS problem (wrong CRS, feet in GeoJSON, swapped axes).
        """
        if self.good and self.outside == self.good and np.isfinite(self.box[0]):
            bounds = (self.box[0], self.box[1], self.box[2], self.box[3])
            raise explain_outside(None, crs, label=label, tabular=tabular, bounds=bounds)


def _checks(geoms: np.ndarray | WkbArray, *, family: str, invalid: str,
            label: str) -> Iterator[tuple[int, int, validate.GeometryCheck]]:
    """Yield (start, stop, check) per chunk; the whole layer at once when only that gives the right answer.

    A layer of one geometry family is checked chunk by chunk (the check's coordinate arrays stay
    one chunk big); a layer mixing families, or ``invalid="raise"``, is checked whole so the
    error counts and names features across the file.
    """
    n, size = len(geoms), rawdata.GEOMETRY_CHUNK
    if n <= size or invalid == "raise" or not _one_family(geoms, family):
        whole = validate.check_geometry(_decoded(geoms, 0, n), family=family, invalid=invalid, label=label)
        for start in range(0, max(n, 1), size):
            stop = min(start + size, n)
            yield start, stop, validate.GeometryCheck(
                geometry=whole.geometry[start:stop], rejected=whole.rejected.iloc[start:stop].reset_index(drop=True),
                repaired=whole.repaired.iloc[start:stop].reset_index(drop=True))
        return
    for start in range(0, n, size):
        stop = min(start + size, n)
        yield start, stop, validate.check_geometry(_decoded(geoms, start, stop), family=family, invalid=invalid,
                                                   label=label)


def one_family(geoms: np.ndarray | WkbArray, family: str) -> bool:
    """Whether every present, non-empty geometry of the file is of ``family`` (then chunks check alone)."""
    return _one_family(geoms, family)


def _one_family(geoms: np.ndarray | WkbArray, family: str) -> bool:
    """Whether every present, non-empty geometry is of ``family`` (WKB: from the headers, nothing decoded).

    An empty geometry of another type counts as another family here; the whole-layer check then
    gives the exact answer.
    """
    if isinstance(geoms, WkbArray):
        codes = geoms.families()
        return bool(np.isin(codes[codes != -1], _WKB_CODES[family]).all())
    for start in range(0, len(geoms), rawdata.GEOMETRY_CHUNK):
        part = _decoded(geoms, start, start + rawdata.GEOMETRY_CHUNK)
        present = ~shapely.is_missing(part)
        present[present] = ~shapely.is_empty(part[present])
        if not np.isin(shapely.get_type_id(part[present]), _FAMILY_TYPES[family]).all():
            return False
    return True


def _decoded(geoms: np.ndarray | WkbArray, start: int, stop: int) -> np.ndarray:
    if isinstance(geoms, WkbArray):
        return geoms.decode(start, stop)
    return np.asarray(geoms[start:stop], dtype=object)


def _polygon_output(geoms: np.ndarray, repaired: pd.Series, positions: np.ndarray, *,
                    single: np.ndarray | None = None, feet: np.ndarray | None = None) -> np.ndarray:
    """Repair polygons pinched by rounding to 1e-7 degrees, then make every Polygon a MultiPolygon.

    ``single`` marks the rows that were Polygons before :func:`geo.io.ragged.polygons_to_display`
    made them one-part MultiPolygons: a pinched one is repaired as that Polygon, as before. The
    measurements ``feet`` of a repaired row no longer hold: they become NaN.
    """
    broken = ~shapely.is_valid(geoms)
    if broken.any():  # rounding to 1e-7 degrees can pinch a sliver; repair once more
        if feet is not None:
            feet[broken] = np.nan
        todo = geoms[broken]
        if single is not None and single[broken].any():
            todo[single[broken]] = shapely.get_geometry(todo[single[broken]], 0)
        geoms[broken] = validate.polygonal_part(shapely.make_valid(todo, method="structure", keep_collapsed=False))
        hit = positions[broken]
        fresh = hit[repaired.iloc[hit].isna().to_numpy()]
        repaired.iloc[fresh] = ROUNDING_REPAIR
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        geoms[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return geoms


def _reject_collapsed(rows: Rows, out: np.ndarray) -> None:
    """Reject the accepted rows whose geometry rounding left empty (a sliver ~1 cm thin), instead of storing nothing."""
    good = rows.ok
    empty = np.zeros(rows.n, dtype=bool)
    empty[good] = shapely.is_missing(out[good]) | shapely.is_empty(out[good])
    if not empty.any():
        return
    reasons = pd.Series([None] * rows.n, dtype=object)
    reasons[empty] = COLLAPSED
    rows.reject(reasons, geometry=True)
    rows.repairs[empty] = None  # rejected, not repaired
    out[empty] = None


def _joined(parts: list[pd.Series], n: int) -> pd.Series:
    if not parts:
        return pd.Series([None] * n, dtype=object)
    return pd.concat(parts, ignore_index=True)
