"""Extract the real LA County outline from plotly-geo's bundled Census county file (DATA.md section 6).

Provenance
----------
Source: U.S. Census Bureau, 2016 Cartographic Boundary File, counties, 1:500,000
(``cb_2016_us_county_500k``), public domain, as shipped in the PyPI package ``plotly-geo`` 1.0.0
(MIT) under ``_plotly_geo/package_data/``. The shapefile has no ``.prj``; its CRS is NAD83
(EPSG:4269). We take ``GEOID == '06037'`` (Los Angeles), declare EPSG:4269, reproject to
EPSG:4326, snap to 1e-7 degrees and write ``data/la_county_outline.geojson`` (3 parts, 823
vertices, about 4,101 sq mi in EPSG:2229). ``plotly-geo`` is a development dependency only.

Run ``.venv/bin/python data/make_county_outline.py`` and commit the output; the SHA-256 of the
committed file is pinned in ``tests/geo/test_outline.py``.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely

GEOID = "06037"
ATTRIBUTION = (
    "County outline: U.S. Census Bureau, 2016 Cartographic Boundary File (1:500,000), "
    "public domain; via plotly-geo 1.0.0."
)
OUT = Path(__file__).resolve().parent / "la_county_outline.geojson"


def county_shapefile() -> Path:
    """Return the path of ``cb_2016_us_county_500k.shp`` inside the installed plotly-geo."""
    spec = importlib.util.find_spec("_plotly_geo")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("plotly-geo is not installed: pip install plotly-geo==1.0.0")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "cb_2016_us_county_500k.shp"
    if not path.exists():
        raise SystemExit(f"{path} not found; reinstall plotly-geo==1.0.0")
    return path


def extract_outline(shp: Path) -> gpd.GeoDataFrame:
    """Return LA County (GEOID 06037) in EPSG:4326 with fields GEOID, NAME, source."""
    counties = gpd.read_file(shp)
    la = counties.loc[counties["GEOID"] == GEOID, ["GEOID", "NAME", "geometry"]]
    if len(la) != 1:
        raise SystemExit(f"expected one county with GEOID {GEOID}, found {len(la)}")
    la = la.set_crs(4269, allow_override=True).to_crs(4326)
    la = la.set_geometry(shapely.set_precision(la.geometry.values, 1e-7))
    return la.assign(source=ATTRIBUTION)[["GEOID", "NAME", "source", "geometry"]].reset_index(drop=True)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``gdf`` as compact, byte-stable RFC 7946 GeoJSON (written by json, not GDAL)."""
    features = [
        {
            "type": "Feature",
            "properties": {k: row[k] for k in ("GEOID", "NAME", "source")},
            "geometry": json.loads(shapely.to_geojson(row["geometry"])),
        }
        for _, row in gdf.iterrows()
    ]
    doc = {"type": "FeatureCollection", "name": "la_county_outline", "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def main() -> int:
    """Extract and write the outline; print a one-line summary."""
    outline = extract_outline(county_shapefile())
    write_geojson(outline, OUT)
    geom = outline.geometry.iloc[0]
    sq_mi = outline.to_crs(2229).area.iloc[0] / 27_878_400
    print(f"{OUT.name}: {geom.geom_type} {len(geom.geoms)} parts, "
          f"{shapely.get_num_coordinates(geom)} vertices, {sq_mi:,.0f} sq mi, {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
