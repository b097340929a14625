"""Issue 18: the import's content digest takes our GeoPackage blobs' WKB as written (no decode and encode again).

A blob StageMap wrote for a 2-D geometry already holds the 2-D ISO little-endian WKB the digest hashes; any other
blob (an envelope, Z, another writer's) is decoded and encoded as before. Both must give the same bytes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.store.gpkg import _HEADER, from_gpkg_blobs, gpkg_digest_wkb, to_gpkg_blobs
from geo.store.values import to_sql_values
from tests.geo.test_importers import CITY_HALL, square


def test_digest_wkb_of_our_blobs_is_the_decoded_and_encoded_wkb():
    lon, lat = CITY_HALL
    hole = shapely.Polygon(square(lon, lat, 0.01).exterior.coords,
                           [square(lon + 0.004, lat + 0.004, 0.001).exterior.coords])
    geoms = np.array([shapely.MultiPolygon([hole, square(lon + 0.05, lat)]), hole, shapely.Point(lon, lat),
                      shapely.LineString([(lon, lat), (lon + 1, lat + 1)]), shapely.MultiPolygon(),
                      shapely.Polygon([(lon, lat, 5), (lon + 1, lat, 5), (lon, lat + 1, 5)]), None], dtype=object)
    blobs: list[bytes | None] = [*to_gpkg_blobs(geoms[:-1]), None]
    enveloped = b"GP\x00\x03" + _HEADER[4:] + np.array([lon, lon + 0.01, lat, lat + 0.01]).tobytes() \
        + shapely.to_wkb(hole, byte_order=1, flavor="iso")  # another writer's blob, with an envelope
    blobs.append(enveloped)
    expected = list(shapely.to_wkb(from_gpkg_blobs(blobs), output_dimension=2, byte_order=1, flavor="iso"))
    assert gpkg_digest_wkb(blobs) == expected


def test_shared_text_goes_to_the_driver_as_the_arrow_path_gives_it():
    shared = pd.Series(np.array(["LOS ANGELES", None, "LOS ANGELES", np.nan, "PASADENA", "ñ"] * 10, dtype=object))
    mixed = pd.Series(np.array([1, "1", 1.0, None, True] * 10, dtype=object))
    distinct = pd.Series([f"{i} MAIN ST" for i in range(40)] + [None] * 4, dtype=object)
    for s in (shared, mixed, distinct, shared.astype("str")):
        text = s.astype("string")
        arrow = list(np.where(text.isna().to_numpy(), None, text.to_numpy(dtype=object, na_value=None)).tolist())
        assert to_sql_values("text", s) == arrow
