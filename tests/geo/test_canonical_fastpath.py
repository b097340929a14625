"""The parcel import's cheaper canonical steps give exactly what the general steps give (issue 18).

Each fast step (ragged-array reprojection, MultiPolygons built once, Arrow-native text, lengths
per distinct value, slices without a copy) is compared with the general route it replaces, on
geometry and text that exercise its edge cases: holes, multi-part polygons, a polygon pinched by
rounding, missing and blank text, few and many distinct values.
"""
from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.config import ANALYSIS_CRS, DISPLAY_CRS
from geo.io import aliases, geomstage, importers, ragged, stream
from geo.io.raw import RawData, reproject_to_display
from geo.io.textcut import text_lengths

X0, Y0 = 6_480_000.0, 1_840_000.0  # EPSG:2229 feet, downtown LA


def _square(x: float, y: float, size: float, hole: bool = False) -> Polygon:
    shell = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    inner = [[(x + size / 4, y + size / 4), (x + size / 2, y + size / 4), (x + size / 2, y + size / 2),
              (x + size / 4, y + size / 2)]] if hole else []
    return Polygon(shell, inner)


def _array(items: list[object]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _parcels_2229() -> np.ndarray:
    geoms: list[object] = [_square(X0 + 100 * i, Y0 + 37 * i, 50 + i, hole=i % 3 == 0) for i in range(40)]
    geoms += [MultiPolygon([_square(X0 - 500, Y0, 40), _square(X0 - 400, Y0, 30, hole=True)])]
    return _array(geoms)


def _wkb(geoms: np.ndarray) -> list[bytes]:
    return list(shapely.to_wkb(geoms))


def _two_step(geoms: np.ndarray, crs: str) -> tuple[np.ndarray, pd.Series]:
    """The general route: transform each geometry, then repair and wrap Polygons in MultiPolygons."""
    repaired = pd.Series([None] * len(geoms), dtype=object)
    out = geomstage._polygon_output(reproject_to_display(geoms, crs), repaired, np.arange(len(geoms)))
    return out, repaired


def _one_step(geoms: np.ndarray, crs: str) -> tuple[np.ndarray, pd.Series]:
    repaired = pd.Series([None] * len(geoms), dtype=object)
    out = geomstage._polygon_output(ragged.polygons_to_display(geoms, crs)[0], repaired, np.arange(len(geoms)),
                                    single=shapely.get_type_id(geoms) == 3)
    return out, repaired


def test_ragged_reprojection_is_the_two_step_route_byte_for_byte() -> None:
    geoms = _parcels_2229()
    assert ragged.plain_polygons(geoms)
    fast, _ = _one_step(geoms, "EPSG:2229")
    slow, _ = _two_step(geoms, "EPSG:2229")
    assert (shapely.get_type_id(fast) == 6).all()
    assert _wkb(fast) == _wkb(slow)


def test_a_polygon_pinched_by_rounding_is_repaired_as_before() -> None:
    # in EPSG:4326: a sliver whose top collapses onto its base at 1e-7 degrees, and a bow-tie made by rounding
    sliver = Polygon([(-118.25, 34.05), (-118.24, 34.05), (-118.24, 34.05000004), (-118.25, 34.05000001)])
    tie = Polygon([(-118.25, 34.05), (-118.2499999, 34.0500002), (-118.24999996, 34.05000004),
                   (-118.2499999, 34.0499998), (-118.24999994, 34.04999994), (-118.25, 34.0499996)])
    good = _square(-118.3, 34.1, 0.001)
    geoms = _array([sliver, tie, good, MultiPolygon([good, _square(-118.31, 34.1, 0.001)])])
    assert shapely.is_valid(geoms).all()
    fast, fast_notes = _one_step(geoms, DISPLAY_CRS)
    slow, slow_notes = _two_step(geoms, DISPLAY_CRS)
    assert slow_notes.notna().any()  # the case exists: rounding broke at least one
    assert list(fast_notes) == list(slow_notes)
    assert [None if g is None else shapely.to_wkb(g) for g in fast] == [
        None if g is None else shapely.to_wkb(g) for g in slow]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_offsets_of_a_mix_are_those_of_to_ragged_array(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = list(_parcels_2229())
    pool += [MultiPolygon([_square(X0, Y0 - 900, 10, hole=True), _square(X0 + 20, Y0 - 900, 10)])]
    geoms = _array([pool[i] for i in rng.integers(0, len(pool), 200)])
    multi = _array([g if g.geom_type == "MultiPolygon" else MultiPolygon([g]) for g in geoms])
    _, want_coords, want = shapely.to_ragged_array(multi)
    coords, offsets = ragged._multipolygon_arrays(geoms)
    assert np.array_equal(coords, want_coords)
    assert all(np.array_equal(a, b) for a, b in zip(offsets, want, strict=True))


@pytest.mark.parametrize("geom", [None, Polygon(), shapely.Point(1, 2), Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)])])
def test_anything_but_plain_2d_polygons_keeps_the_general_route(geom: object) -> None:
    assert not ragged.plain_polygons(_array([_square(0, 0, 1), geom]))


def test_measured_on_the_way_is_what_measure_gives() -> None:
    source = _parcels_2229()
    source[3] = shapely.affinity.translate(source[3], 3e6, 0)  # outside the County: not measured (rejected later)
    shown, feet = ragged.polygons_to_display(source, "EPSG:2229", measure=True)
    assert feet is not None
    m = importers.measure(gpd.GeoDataFrame(geometry=gpd.GeoSeries(shown, crs=DISPLAY_CRS)))
    inside = np.ones(len(source), bool)
    inside[3] = False
    assert np.isnan(feet[3]).all()
    assert np.array_equal(np.round(feet[inside, 0], 1), m["area"][inside])
    assert np.array_equal(np.round(feet[inside, 1], 2), m["x"][inside])
    assert np.array_equal(np.round(feet[inside, 2], 2), m["y"][inside])
    unrounded = np.asarray(gpd.GeoSeries(shown[inside], crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS).array, dtype=object)
    assert np.array_equal(feet[inside, 0], shapely.area(unrounded))


TEXT = pd.Series(["  a ", None, "", "NULL", "b", "nan", " 0100 ", "12.0", "élan", "a"], dtype="str")


def test_arrow_text_cleaning_gives_the_object_cleaning() -> None:
    for fast, slow in ((aliases.clean_string, aliases.clean_text), (aliases.ain_string, aliases.normalize_ain),
                       (aliases.use_code_string, aliases.normalize_use_code), (aliases.zip5_string, aliases.first5_zip)):
        for values in (TEXT, TEXT.astype(object), pd.Series([2004001003.0, np.nan, 90012.0])):
            got = fast(values)
            assert isinstance(got.dtype, pd.StringDtype)
            assert got.astype(object).where(got.notna(), None).tolist() == slow(values).tolist()


@pytest.mark.parametrize("distinct", [3, 5_000])
def test_compact_text_of_arrow_strings_is_that_of_python_strings(distinct: int) -> None:
    values = pd.Series([f"v{i % distinct}" if i % 7 else None for i in range(20_000)], dtype="string")
    fast = importers.compact_text(values)
    slow = importers.compact_text(values.astype(object).where(values.notna(), None))
    assert type(fast) is type(slow) and str(fast.dtype) == str(slow.dtype)
    assert pd.Series(fast).tolist() == pd.Series(slow).tolist()
    if distinct == 3:  # shared: one Python string per distinct value
        assert len({id(v) for v in np.asarray(fast) if v is not None}) == 3


def test_text_lengths_are_those_of_str_conversion() -> None:
    for values in (TEXT, TEXT.astype(object), pd.Series([1.5, None, "xyz"], dtype=object),
                   pd.Series(importers.compact_text(TEXT.astype(object)))):
        expected = values.astype("str").str.len().fillna(-1).astype(int).tolist()
        assert text_lengths(values).tolist() == expected


def test_a_slice_of_consecutive_rows_is_the_rows_taken() -> None:
    frame = pd.DataFrame({"AIN": pd.Series([f"{i:010d}" for i in range(10)], dtype="str"), "n": range(10)})
    raw = RawData(frame=frame, geometry=None, crs=None, fmt="GeoParquet", label="x.parquet")
    for positions in (np.arange(3, 8), np.array([0, 1, 2, 9])):
        part = stream._slice(raw, positions)
        pd.testing.assert_frame_equal(part.frame, frame.iloc[positions].reset_index(drop=True))
        assert dataclasses.replace(part, frame=frame).origin is positions


def test_ain_keys_tell_every_normalised_ain_apart() -> None:
    raw = pd.Series(["2004001003", "2004001003.0", None, "12345", "0123456789", "00123456789", "9" * 18,
                     "9" * 25, "1" * 25, "abc", "2004-001-003",
                     "\uff12\uff10\uff10\uff14\uff10\uff10\uff11\uff10\uff10\uff13",  # full-width digits
                     "\u0662\u0660\u0660\u0664\u0660\u0660\u0661\u0660\u0660\u0663"], dtype="str")  # Arabic-Indic
    ains = aliases.ain_string(raw)
    keys = stream._ain_keys(ains)
    present = ains.notna().to_numpy()
    assert len(set(keys[present])) == ains.dropna().nunique()  # equal AINs share a key, different ones do not
    assert keys[0] == keys[1] == keys[10] and keys[4] != keys[5]


def test_stacked_rows_go_to_the_slice_of_their_first_ain() -> None:
    ains = pd.Series([f"{5_000_000_000 + i % 23}" if i % 5 == 0 else f"{6_000_000_000 + i}" for i in range(100)],
                     dtype="str")
    slices = stream._slices(ains, 10)
    assert sorted(np.concatenate(slices).tolist()) == list(range(100))
    first_slice = {a: int(i) // 10 for i, a in reversed(list(enumerate(ains)))}
    for k, rows in enumerate(slices):
        assert all(first_slice[ains.iat[int(r)]] == k for r in rows)
