"""What a reader hands the importers (:class:`RawData`), the format names, and the CRS checks."""
from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from geo.config import COUNTY_LAT, COUNTY_LON, DISPLAY_CRS
from geo.crs import infer_crs_from_bounds
from geo.errors import CRSError
from geo.messages import M

GEOJSON, GPKG, SHAPEFILE, PARQUET, FLATGEOBUF, CSV, XLSX = (
    "GeoJSON", "GeoPackage", "Shapefile", "GeoParquet", "FlatGeobuf", "CSV", "XLSX")
JSON_RECORDS = "JSON records"  # a JSON array of objects (open-data exports), read as a table
TABULAR = (CSV, XLSX)
#: Rows reprojected at a time: bounds the extra copies of geometry alive at once.
GEOMETRY_CHUNK = 50_000

Bounds = tuple[float, float, float, float]


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None
    return trim


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Hand memory freed by one stage of an import back to the system before the next stage allocates.

    Arrow's pool and the C heap keep freed pages for reuse; between stages of a County-size import
    (reading, attributes, geometry) they would stay counted in the process's memory while the next
    stage allocates from elsewhere (Python objects, GEOS). Returns Arrow's unused memory and, on
    glibc, trims the heap.
    """
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


@dataclass(frozen=True)
class RawData:
    """A file's attribute columns (real names), geometry in ``crs`` (or ``None``), and how to name its rows.

    ``frame`` holds only the columns the import kind can use (all of them when no kind was
    given); ``all_columns`` lists every column of the file, for messages. ``notes`` say what the
    reader decided (text encoding, columns left out). ``mapping`` holds the user's ``--map``
    choices (canonical key -> real column) that win over the alias table.
    """

    frame: pd.DataFrame
    geometry: np.ndarray | WkbArray | None
    crs: str | None
    fmt: str
    label: str
    all_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)  # canonical key -> column, from --map
    origin: np.ndarray | None = None  # a slice's rows: their positions in the file (streamed imports)

    @property
    def tabular(self) -> bool:
        """Whether rows are spreadsheet rows (numbered from 2, below the header)."""
        return self.fmt in TABULAR or self.geometry is None

    @property
    def columns(self) -> list[str]:
        """Every column of the file (the read ones when the reader did not list them)."""
        return list(self.all_columns) if self.all_columns else [str(c) for c in self.frame.columns]

    def where(self, positions: np.ndarray) -> np.ndarray:
        """Return ``row N`` (spreadsheet numbering) or ``feature N`` (1-based) labels for positions."""
        pos = np.asarray(positions, dtype=int)
        if self.origin is not None:
            pos = self.origin[pos]
        if self.fmt == JSON_RECORDS:
            return _labels([M("record {number}", number=p + 1) for p in pos])
        if self.tabular:
            return _labels([M("row {number}", number=p + 2) for p in pos])
        return _labels([M("feature {number}", number=p + 1) for p in pos])


def _labels(items: list[str]) -> np.ndarray:
    """Return messages as a 1-D object array (never letting numpy turn them into a string array)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def parse_crs_option(crs: str | int | None) -> str | None:
    """Return ``EPSG:n`` for a ``--crs`` value such as ``2229`` or ``EPSG:2229``.

    Raises
    ------
    CRSError
        When the value is not a CRS PROJ knows.
    """
    if crs is None or str(crs).strip() == "":
        return None
    text = str(crs).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        parsed = CRS.from_user_input(text)
    except ProjCRSError as exc:
        raise CRSError(M("--crs {crs} is not a known CRS. Use an EPSG code such as 2229 or EPSG:4326.",
                         crs=repr(crs))) from exc
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.to_string()


def epsg_of(crs: object) -> str | None:
    """Return ``EPSG:n`` for a CRS in any form PROJ reads (WKT, PROJJSON, pyproj CRS), else its string."""
    if crs is None:
        return None
    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg(min_confidence=70)
    if epsg is None and "Web_Mercator" in parsed.to_wkt().replace(" ", "_"):
        return "EPSG:3857"
    return f"EPSG:{epsg}" if epsg else parsed.to_string()


def resolve_crs(declared: str | None, option: str | None, implied: bool, bounds: Bounds, label: str) -> str:
    """Return the CRS to read the file in: ``--crs`` where allowed, else the declared one.

    Raises
    ------
    CRSError
        When ``--crs`` contradicts a declared CRS, or there is neither (naming the likely one).
    """
    if option is not None:
        if declared is None or implied or declared == option:
            return option
        raise CRSError(M(
            "{label}: the file declares {declared}, but --crs says {option}. Drop --crs, or fix the file's "
            ".prj / CRS metadata.", label=label, declared=declared, option=option))
    if declared is not None:
        return declared
    guess = infer_crs_from_bounds(bounds) if np.isfinite(bounds[0]) else None
    if guess:
        raise CRSError(M(
            "{label}: no CRS (no .prj file or CRS metadata); the coordinates look like {guess}. LA City and County "
            "GIS files are usually EPSG:2229 (NAD83 / California zone 5, US feet): re-run with --crs 2229 (or the "
            "right EPSG code), or add the .prj file to the zip.", label=label, guess=guess))
    raise CRSError(M(
        "{label}: no CRS (no .prj file or CRS metadata). LA City and County GIS files are usually "
        "EPSG:2229 (NAD83 / California zone 5, US feet): re-run with --crs 2229 (or the right EPSG code), "
        "or add the .prj file to the zip.", label=label))


def total_bounds(geoms: np.ndarray) -> Bounds:
    """Return the bounds of every finite coordinate of ``geoms`` (NaN when there is none), chunk by chunk."""
    box = [np.inf, np.inf, -np.inf, -np.inf]
    for start in range(0, len(geoms), GEOMETRY_CHUNK):
        box = merge_bounds(box, shapely.bounds(geoms[start:start + GEOMETRY_CHUNK]))
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3])) if np.isfinite(box[0]) else (
        np.nan, np.nan, np.nan, np.nan)


def merge_bounds(box: list[float], bounds: np.ndarray) -> list[float]:
    """Return ``box`` (minx, miny, maxx, maxy) grown by per-geometry ``bounds`` rows (NaN rows ignored)."""
    rows = bounds[np.isfinite(bounds).all(axis=1)]
    if not len(rows):
        return box
    return [min(box[0], float(rows[:, 0].min())), min(box[1], float(rows[:, 1].min())),
            max(box[2], float(rows[:, 2].max())), max(box[3], float(rows[:, 3].max()))]


def explain_outside(geoms: np.ndarray | None, crs: str | None, *, label: str, tabular: bool,
                    bounds: Bounds | None = None) -> CRSError:
    """Return the error for a file none of whose features lies in LA County, saying why it probably doesn't.

    Diagnoses feet inside a lon/lat file, swapped latitude/longitude, Web Mercator read as
    something else, and plain out-of-area data. ``bounds`` (of the source coordinates) may be
    given instead of ``geoms``.
    """
    minx, miny, maxx, maxy = bounds if bounds is not None else total_bounds(
        np.asarray(geoms if geoms is not None else [], dtype=object))
    extent = f"x {minx:,.6g}..{maxx:,.6g}, y {miny:,.6g}..{maxy:,.6g}"
    swapped = (COUNTY_LAT[0] <= minx and maxx <= COUNTY_LAT[1] and COUNTY_LON[0] <= miny and maxy <= COUNTY_LON[1])
    guess = infer_crs_from_bounds((minx, miny, maxx, maxy)) if np.isfinite(minx) else None
    if swapped:
        fix = (M("swap the LAT and LON columns") if tabular else
               M("re-export with longitude first (x = lon, y = lat), as GeoJSON requires"))
        return CRSError(M("{label}: latitude and longitude look swapped ({extent}: x holds latitudes, y holds "
                          "longitudes, which puts every feature outside LA County). Fix: {fix}.", label=label,
                          extent=extent, fix=fix))
    if guess is not None and guess != crs:
        return CRSError(M(
            "{label}: the coordinates ({extent}) look like {guess}, but the file's CRS is {crs}, which puts every "
            "feature outside LA County. Re-export the file in {crs}, or re-run with --crs {code} "
            "if the file's CRS is only implied (GeoJSON, CSV) or missing.", label=label, extent=extent, guess=guess,
            crs=crs, code=guess.split(":")[-1]))
    return CRSError(M(
        "{label}: no feature lies inside the LA County envelope (lon {lon0}..{lon1}, lat "
        "{lat0}..{lat1}); the data covers {extent} in {crs}. Check that this is LA data "
        "and that the CRS is right (--crs).", label=label, lon0=COUNTY_LON[0], lon1=COUNTY_LON[1],
        lat0=COUNTY_LAT[0], lat1=COUNTY_LAT[1], extent=extent, crs=crs))


def reproject_to_display(geoms: np.ndarray, crs: str) -> np.ndarray:
    """Return ``geoms`` reprojected from ``crs`` to EPSG:4326, coordinates rounded to 1e-7 degrees.

    Works in chunks of :data:`GEOMETRY_CHUNK`, so at most one chunk of intermediate copies is
    alive besides the input and the output. 2-D geometry is transformed and rounded in one pass
    over its coordinates (rounding half up, as GEOS's ``set_precision`` does); 3-D geometry goes
    through geopandas and GEOS and keeps its Z.

    Raises
    ------
    CRSError
        When the transform is impossible.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not geoms.size:
        return geoms
    same = CRS.from_user_input(crs) == CRS.from_user_input(DISPLAY_CRS)
    try:
        transformer = None if same else Transformer.from_crs(crs, DISPLAY_CRS, always_xy=True)
    except ProjCRSError as exc:
        raise CRSError(M("cannot reproject from {crs} to EPSG:4326 ({why}). Check --crs.", crs=crs,
                         why=str(exc))) from exc

    def to_display(xy: np.ndarray) -> np.ndarray:
        if transformer is not None:
            xy = np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        return np.floor(xy * 1e7 + 0.5) / 1e7

    out = np.empty(len(geoms), dtype=object)
    for start in range(0, len(geoms), GEOMETRY_CHUNK):
        part = geoms[start:start + GEOMETRY_CHUNK]
        if shapely.has_z(part).any():
            if not same:
                try:
                    part = np.asarray(gpd.GeoSeries(part, crs=crs).to_crs(DISPLAY_CRS).array, dtype=object)
                except Exception as exc:  # pyproj raises ProjError for impossible transforms
                    raise CRSError(M("cannot reproject from {crs} to EPSG:4326 ({why}). Check --crs.", crs=crs,
                                     why=str(exc))) from exc
            out[start:start + len(part)] = shapely.set_precision(part, 1e-7, mode="pointwise")
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                out[start:start + len(part)] = shapely.transform(part, to_display)
    return out


def decode_wkb(wkb: np.ndarray) -> np.ndarray:
    """Return shapely geometries from WKB bytes (``None`` for null or unreadable; NaN coordinates kept)."""
    with np.errstate(invalid="ignore"):  # NaN coordinates are rejected per feature later, not warned about
        return np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"), dtype=object)


def wkb_types(arr: pa.Array) -> np.ndarray:
    """Return the geometry type code of each WKB value from its 5-byte header, without decoding it.

    ISO (1001, 2001, 3001...) and EWKB (flag bits) variants map to the 2-D code 1..7; null is -1,
    a value too short for a header 0.
    """
    n = len(arr)
    out = np.full(n, -1, dtype=np.int64)
    buffers = arr.buffers()
    if n == 0 or len(buffers) < 3 or buffers[2] is None:
        return out
    wide = pa.types.is_large_binary(arr.type)
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[arr.offset:arr.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    readable = valid & (np.diff(offsets) >= 5)
    out[valid & ~readable] = 0
    head = data[offsets[:-1][readable].astype(np.int64)[:, None] + np.arange(5)].astype(np.uint32)
    little = (head[:, 1] | head[:, 2] << 8 | head[:, 3] << 16 | head[:, 4] << 24)
    big = (head[:, 4] | head[:, 3] << 8 | head[:, 2] << 16 | head[:, 1] << 24)
    code = np.where(head[:, 0] == 1, little, big) & 0x0FFFFFFF
    out[readable] = (code % 1000).astype(np.int64)
    return out


class WkbArray:
    """A file's geometry kept as WKB in Arrow buffers until it is checked, one chunk at a time.

    About 200 bytes a County parcel instead of ~700 as shapely objects: the readers keep geometry
    like this, and :func:`geo.io.geomstage.geometry_stage` decodes, validates and reprojects it
    chunk by chunk, dropping the chunks it has consumed.
    """

    def __init__(self, chunks: list[pa.Array]) -> None:
        kept = [c for c in chunks if len(c)]
        self._chunks: list[pa.Array | None] = list(kept)
        self._ends = np.cumsum([len(c) for c in kept], dtype=np.int64)

    def __len__(self) -> int:
        return int(self._ends[-1]) if len(self._ends) else 0

    def decode(self, start: int, stop: int) -> np.ndarray:
        """Return rows ``start:stop`` as shapely geometries (``None`` for null or unreadable WKB)."""
        parts = []
        first = int(np.searchsorted(self._ends, start, side="right"))
        for i in range(first, len(self._chunks)):
            begin = int(self._ends[i - 1]) if i else 0
            if begin >= stop:
                break
            chunk = self._chunks[i]
            if chunk is None:
                raise ValueError(f"WKB rows {begin}..{int(self._ends[i])} were already released")
            lo, hi = max(start - begin, 0), min(stop, int(self._ends[i])) - begin
            parts.append(chunk.slice(lo, hi - lo).to_numpy(zero_copy_only=False))
        wkb = np.concatenate(parts) if parts else np.empty(0, dtype=object)
        return decode_wkb(wkb)

    def take(self, positions: np.ndarray) -> WkbArray:
        """Return the rows at ``positions`` (ascending) as a new array, still WKB (nothing decoded)."""
        pos = np.asarray(positions, dtype=np.int64)
        chunk_of = np.searchsorted(self._ends, pos, side="right")
        parts: list[pa.Array] = []
        for i in np.unique(chunk_of):
            chunk = self._chunks[int(i)]
            if chunk is None:
                raise ValueError(f"WKB chunk {int(i)} was already released")
            begin = int(self._ends[i - 1]) if i else 0
            parts.append(chunk.take(pa.array(pos[chunk_of == i] - begin)))
        return WkbArray(parts)

    def release(self, stop: int) -> None:
        """Drop the chunks that lie wholly before row ``stop`` (they were consumed)."""
        for i, end in enumerate(self._ends):
            if end <= stop:
                self._chunks[i] = None

    def families(self) -> np.ndarray:
        """Return each row's WKB geometry type from its header (1 Point ... 7 GeometryCollection; -1 null, 0 unreadable)."""
        parts = [wkb_types(c) for c in self._chunks if c is not None]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def geometries(self) -> np.ndarray:
        """Return every row as shapely geometries."""
        return self.decode(0, len(self))

    def total_bounds(self) -> Bounds:
        """Return the bounds of every finite coordinate, decoding one chunk at a time."""
        box = [np.inf, np.inf, -np.inf, -np.inf]
        for start in range(0, len(self), GEOMETRY_CHUNK):
            box = merge_bounds(box, shapely.bounds(self.decode(start, start + GEOMETRY_CHUNK)))
        return (float(box[0]), float(box[1]), float(box[2]), float(box[3])) if np.isfinite(box[0]) else (
            np.nan, np.nan, np.nan, np.nan)


#: Geometry as readers hand it over: shapely objects, or WKB decoded chunk by chunk.
Geometry = np.ndarray | WkbArray
