"""Read one import file into raw columns and geometry, detecting the format by content and checking the CRS."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from geo.config import COUNTY_LAT, COUNTY_LON, DISPLAY_CRS, ImportLimits
from geo.crs import infer_crs_from_bounds
from geo.errors import CRSError, GeoDataError
from geo.io import archive

DEFAULT_LIMITS = ImportLimits()

GEOJSON, GPKG, SHAPEFILE, PARQUET, FLATGEOBUF, CSV, XLSX = (
    "GeoJSON", "GeoPackage", "Shapefile", "GeoParquet", "FlatGeobuf", "CSV", "XLSX")
TABULAR = (CSV, XLSX)
#: What each file extension promises; the content must agree.
EXTENSIONS = {
    ".geojson": GEOJSON, ".json": GEOJSON, ".gpkg": GPKG, ".shp": SHAPEFILE, ".parquet": PARQUET,
    ".geoparquet": PARQUET, ".fgb": FLATGEOBUF, ".csv": CSV, ".txt": CSV, ".tsv": CSV, ".xlsx": XLSX,
}
#: Formats accepted inside a zip (besides a Shapefile's parts).
_ZIP_INNER = {".geojson": GEOJSON, ".json": GEOJSON, ".gpkg": GPKG, ".fgb": FLATGEOBUF}
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".shp.xml")


@dataclass(frozen=True)
class RawData:
    """A file's attribute columns (real names), geometry in ``crs`` (or ``None``), and how to name its rows."""

    frame: pd.DataFrame
    geometry: np.ndarray | None
    crs: str | None
    fmt: str
    label: str

    @property
    def tabular(self) -> bool:
        """Whether rows are spreadsheet rows (numbered from 2, below the header)."""
        return self.fmt in TABULAR or self.geometry is None

    def where(self, positions: np.ndarray) -> np.ndarray:
        """Return ``row N`` (spreadsheet numbering) or ``feature N`` (1-based) labels for positions."""
        pos = np.asarray(positions, dtype=int)
        if self.tabular:
            return np.array([f"row {p + 2}" for p in pos], dtype=object)
        return np.array([f"feature {p + 1}" for p in pos], dtype=object)


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
        raise CRSError(f"--crs {crs!r} is not a known CRS. Use an EPSG code such as 2229 or EPSG:4326.") from exc
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.to_string()


def detect_format(path: Path) -> str:
    """Return the file's format from its first bytes, checked against its extension.

    Raises
    ------
    GeoDataError
        When the content is no supported format, or the extension promises another one.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    content = _sniff(path, head)
    suffix = path.suffix.lower()
    promised = EXTENSIONS.get(suffix)
    if promised is not None and promised != content and not (promised == XLSX and content == "zip"):
        what = "plain text" if content == CSV else content
        raise GeoDataError(
            f"{path.name}: the extension {suffix} says {promised}, but the content is {what} "
            f"(starts {head[:24]!r}). Rename the file to match its content, or export it again as {promised}."
        )
    return content


def _sniff(path: Path, head: bytes) -> str:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return GPKG
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(b"fgb\x03"):
        return FLATGEOBUF
    if head.startswith(_SHP_MAGIC):
        return SHAPEFILE
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head[:4096]:
        raise GeoDataError(
            f"{path.name}: binary content of no supported format (starts {head[:16]!r}). Use GeoJSON, "
            "GeoPackage, zipped Shapefile, GeoParquet, FlatGeobuf, CSV or XLSX."
        )
    if text.startswith((b"{", b"[")):
        return GEOJSON
    return CSV


def read_source(path: str | Path, *, crs: str | None = None, limits: ImportLimits = DEFAULT_LIMITS) -> RawData:
    """Run the safety checks, then read ``path`` into a :class:`RawData`.

    ``crs`` (from ``--crs``) applies to files without a CRS, and to GeoJSON/CSV, whose
    longitude/latitude CRS is only implied; a file that declares another CRS is refused.

    Raises
    ------
    UnsafeFileError
        When a size, archive or feature-count limit is broken (nothing is parsed).
    GeoDataError
        When the file cannot be read; :class:`CRSError` when it has no CRS.
    """
    path = Path(path)
    archive.check_file(path, limits=limits)
    fmt = detect_format(path)
    option = parse_crs_option(crs)
    if fmt == "zip":
        listing = archive.check_zip(path, limits=limits)
        if _is_xlsx(listing.names):
            return _read_xlsx(path, limits=limits)
        if path.suffix.lower() == ".xlsx":
            raise GeoDataError(f"{path.name}: the extension says XLSX, but the zip holds no workbook "
                               f"({', '.join(listing.names[:5])}). Save the sheet again as .xlsx.")
        source, inner_fmt = _zip_source(path, listing.names)
        return _read_gis(source, fmt=inner_fmt, label=path.name, option=option, limits=limits)
    if fmt == CSV:
        return _read_csv(path, limits=limits, crs=option)
    if fmt == PARQUET:
        return _read_parquet(path, option=option, limits=limits)
    if fmt == SHAPEFILE:
        _check_shapefile_parts(path.name, [p.name for p in path.parent.iterdir()], stem=path.stem)
    return _read_gis(str(path), fmt=fmt, label=path.name, option=option, limits=limits)


# --- zips and shapefiles ----------------------------------------------------------------
def _is_xlsx(names: tuple[str, ...]) -> bool:
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _zip_source(path: Path, names: tuple[str, ...]) -> tuple[str, str]:
    visible = [n for n in names if not Path(n).name.startswith(".") and "__MACOSX" not in n]
    shps = [n for n in visible if n.lower().endswith(".shp")]
    vsi = f"/vsizip/{path.resolve()}"
    if len(shps) > 1:
        raise GeoDataError(f"{path.name}: the zip holds {len(shps)} Shapefiles ({', '.join(shps)}). Zip one layer per file.")
    if shps:
        shp = shps[0]
        _check_shapefile_parts(path.name, visible, stem=shp[:-4])
        return f"{vsi}/{shp}", SHAPEFILE
    inner = [n for n in visible if Path(n).suffix.lower() in _ZIP_INNER]
    if len(inner) == 1:
        return f"{vsi}/{inner[0]}", _ZIP_INNER[Path(inner[0]).suffix.lower()]
    found = ", ".join(visible[:8]) or "nothing"
    raise GeoDataError(
        f"{path.name}: the zip holds no single readable layer (found: {found}). Zip one Shapefile "
        "(.shp, .shx, .dbf, .prj) or one GeoJSON/GeoPackage/FlatGeobuf file."
    )


def _check_shapefile_parts(label: str, names: list[str], *, stem: str) -> None:
    lower = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem.lower()}{ext}" not in lower]
    if missing:
        raise GeoDataError(
            f"{label}: Shapefile {Path(stem).name}.shp has no {' or '.join(missing)} file; a Shapefile needs "
            ".shp, .shx, .dbf and .prj together. Zip all the parts of the layer and import the zip."
        )


# --- GDAL formats -----------------------------------------------------------------------
def _read_gis(source: str, *, fmt: str, label: str, option: str | None, limits: ImportLimits) -> RawData:
    layer = _single_layer(source, label)
    archive.check_feature_count(source, layer=layer, limits=limits, label=label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(source, layer=layer, max_features=limits.max_features + 1,
                                         use_arrow=True)
    except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError/GDAL errors
        raise GeoDataError(
            f"{label}: {fmt} could not be read ({archive.first_line(exc)}). The file may be truncated "
            "or not valid; export it again."
        ) from exc
    archive.check_row_count(len(gdf), limits=limits, label=label)
    if "geometry" not in gdf:
        raise GeoDataError(f"{label}: the layer has no geometry column. Use a spatial layer or a CSV with LAT/LON.")
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    archive.check_vertex_count(int(shapely.get_num_coordinates(geoms).sum()), limits=limits, label=label)
    declared = _epsg(gdf.crs)
    implied = fmt == GEOJSON and (declared in (None, DISPLAY_CRS))
    frame = pd.DataFrame(gdf.drop(columns="geometry")).reset_index(drop=True)
    return RawData(frame=frame, geometry=geoms, crs=_resolve_crs(declared, option, implied, geoms, label),
                   fmt=fmt, label=label)


def _single_layer(source: str, label: str) -> str | None:
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise GeoDataError(
            f"{label}: cannot be opened ({archive.first_line(exc)}). The file may be truncated or not "
            "a geodata file; export it again."
        ) from exc
    spatial = [str(name) for name, gtype in layers if gtype is not None]
    if len(layers) == 0:
        raise GeoDataError(f"{label}: contains no layer. Export the data again.")
    if len(spatial) > 1:
        raise GeoDataError(f"{label}: holds {len(spatial)} layers ({', '.join(spatial)}). Export the one layer to import.")
    return spatial[0] if spatial else str(layers[0][0])


def _epsg(crs: object) -> str | None:
    if crs is None:
        return None
    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg(min_confidence=70)
    if epsg is None and "Web_Mercator" in parsed.to_wkt().replace(" ", "_"):
        return "EPSG:3857"
    return f"EPSG:{epsg}" if epsg else parsed.to_string()


def _resolve_crs(declared: str | None, option: str | None, implied: bool, geoms: np.ndarray, label: str) -> str:
    if option is not None:
        if declared is None or implied or declared == option:
            return option
        raise CRSError(
            f"{label}: the file declares {declared}, but --crs says {option}. Drop --crs, or fix the file's "
            ".prj / CRS metadata."
        )
    if declared is not None:
        return declared
    guess = infer_crs_from_bounds(_bounds(geoms)) if geoms.size else None
    hint = f"; the coordinates look like {guess}" if guess else ""
    raise CRSError(
        f"{label}: no CRS (no .prj file or CRS metadata){hint}. LA City and County GIS files are usually "
        "EPSG:2229 (NAD83 / California zone 5, US feet): re-run with --crs 2229 (or the right EPSG code), "
        "or add the .prj file to the zip."
    )


# --- tables -----------------------------------------------------------------------------
def _read_csv(path: Path, *, limits: ImportLimits, crs: str | None) -> RawData:
    with path.open("rb") as fh:
        first = fh.readline()
    sep = "\t" if first.count(b"\t") > first.count(b",") else ","
    kwargs = {"dtype": str, "keep_default_na": False, "na_values": [""], "nrows": limits.max_features + 1,
              "sep": sep}
    try:
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, encoding="cp1252", **kwargs)
    except pd.errors.EmptyDataError as exc:
        raise GeoDataError(f"{path.name}: the CSV has no header or rows. Export it again.") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise GeoDataError(f"{path.name}: the CSV cannot be parsed ({archive.first_line(exc)}). Check quoting "
                           "and the number of fields on that line.") from exc
    archive.check_row_count(len(frame), limits=limits, label=path.name)
    return RawData(frame=frame, geometry=None, crs=crs, fmt=CSV, label=path.name)


def _read_xlsx(path: Path, *, limits: ImportLimits) -> RawData:
    try:
        frame = pd.read_excel(path, dtype=str, nrows=limits.max_features + 1, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise GeoDataError(f"{path.name}: the workbook cannot be read ({archive.first_line(exc)}). "
                           "Save it again as .xlsx.") from exc
    archive.check_row_count(len(frame), limits=limits, label=path.name)
    return RawData(frame=frame, geometry=None, crs=None, fmt=XLSX, label=path.name)


def _read_parquet(path: Path, *, option: str | None, limits: ImportLimits) -> RawData:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:
        raise GeoDataError(f"{path.name}: not a readable Parquet file ({archive.first_line(exc)}).") from exc
    archive.check_row_count(meta.num_rows, limits=limits, label=path.name)
    is_geo = b"geo" in (meta.metadata or {})
    try:
        if not is_geo:
            return RawData(frame=pd.read_parquet(path), geometry=None, crs=option, fmt=CSV, label=path.name)
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise GeoDataError(f"{path.name}: the GeoParquet file cannot be read ({archive.first_line(exc)}).") from exc
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    archive.check_vertex_count(int(shapely.get_num_coordinates(geoms).sum()), limits=limits, label=path.name)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    crs = _resolve_crs(_epsg(gdf.crs), option, False, geoms, path.name)
    return RawData(frame=frame, geometry=geoms, crs=crs, fmt=PARQUET, label=path.name)


# --- CRS fit ----------------------------------------------------------------------------
def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    coords = shapely.get_coordinates(geoms)
    coords = coords[np.isfinite(coords).all(axis=1)]
    if not len(coords):
        return (np.nan, np.nan, np.nan, np.nan)
    return (float(coords[:, 0].min()), float(coords[:, 1].min()),
            float(coords[:, 0].max()), float(coords[:, 1].max()))


def explain_outside(geoms: np.ndarray, crs: str | None, *, label: str, tabular: bool) -> CRSError:
    """Return the error for a file none of whose features lies in LA County, saying why it probably doesn't.

    Diagnoses feet inside a lon/lat file, swapped latitude/longitude, Web Mercator read as
    something else, and plain out-of-area data.
    """
    minx, miny, maxx, maxy = _bounds(geoms)
    extent = f"x {minx:,.6g}..{maxx:,.6g}, y {miny:,.6g}..{maxy:,.6g}"
    swapped = (COUNTY_LAT[0] <= minx and maxx <= COUNTY_LAT[1] and COUNTY_LON[0] <= miny and maxy <= COUNTY_LON[1])
    guess = infer_crs_from_bounds((minx, miny, maxx, maxy)) if np.isfinite(minx) else None
    if swapped:
        fix = ("swap the LAT and LON columns" if tabular else
               "re-export with longitude first (x = lon, y = lat), as GeoJSON requires")
        return CRSError(f"{label}: latitude and longitude look swapped ({extent}: x holds latitudes, y holds "
                        f"longitudes, which puts every feature outside LA County). Fix: {fix}.")
    if guess is not None and guess != crs:
        return CRSError(
            f"{label}: the coordinates ({extent}) look like {guess}, but the file's CRS is {crs}, which puts every "
            f"feature outside LA County. Re-export the file in {crs}, or re-run with --crs {guess.split(':')[-1]} "
            "if the file's CRS is only implied (GeoJSON, CSV) or missing."
        )
    return CRSError(
        f"{label}: no feature lies inside the LA County envelope (lon {COUNTY_LON[0]}..{COUNTY_LON[1]}, lat "
        f"{COUNTY_LAT[0]}..{COUNTY_LAT[1]}); the data covers {extent} in {crs}. Check that this is LA data "
        "and that the CRS is right (--crs)."
    )


def reproject_to_display(geoms: np.ndarray, crs: str) -> np.ndarray:
    """Return ``geoms`` reprojected from ``crs`` to EPSG:4326, coordinates rounded to 1e-7 degrees."""
    if not geoms.size:
        return geoms
    if CRS.from_user_input(crs) != CRS.from_user_input(DISPLAY_CRS):
        try:
            geoms = np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(DISPLAY_CRS).array, dtype=object)
        except Exception as exc:  # pyproj raises ProjError for impossible transforms
            raise CRSError(f"cannot reproject from {crs} to EPSG:4326 ({exc}). Check --crs.") from exc
    return np.asarray(shapely.set_precision(geoms, 1e-7, mode="pointwise"))
