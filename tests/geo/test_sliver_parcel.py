"""A parcel that rounding to 1e-7 degrees collapses (a sliver ~1 cm thin) is rejected by name, not a crash.

Found on a County-shaped file: ``make_valid`` left such a polygon empty, the row stayed accepted and
measuring it raised a GEOS error that stopped the whole import.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.services.imports import import_file
from tests.actors import ADMIN
from tests.geo.test_importers import county_parcels


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_a_sliver_rounding_collapses_is_rejected_and_the_rest_imported(store, tmp_path, suffix):
    parcels = county_parcels().to_crs("EPSG:2229")
    x, y = parcels.geometry.iloc[0].centroid.coords[0]
    sliver = shapely.Polygon([(x + 500, y), (x + 600, y), (x + 600, y + 0.01), (x + 500, y + 0.01)])  # 100 ft x 0.01 ft
    extra = gpd.GeoDataFrame({"AIN": ["5161003999"], "APN": ["5161-003-999"], "SitusFullAddress": ["1 SLIVER WAY"]},
                             geometry=[sliver], crs="EPSG:2229")
    frame = gpd.GeoDataFrame(pd.concat([parcels, extra], ignore_index=True), crs="EPSG:2229")
    path = tmp_path / f"parcels{suffix}"
    (frame.to_crs("EPSG:4326") if suffix == ".geojson" else frame).to_file(path)
    report = import_file(store, ADMIN, "parcels", path)
    stored = store.read_layer(schema.PARCELS)
    assert "5161003999" not in set(stored[schema.AIN])
    assert len(stored) == 4  # the five County rows (one condo pair merged)
    sliver_issue = [i for i in report.rejected if "5161003999" in str(i.key)]
    assert len(sliver_issue) == 1 and "collapses to nothing" in str(sliver_issue[0].problem)
    assert not stored.geometry.is_empty.any()
