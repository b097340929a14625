"""One colour meaning per colour (issue 15 item 3): every legend and chart colour comes from the one palette.

Green is "done" (a sign posted, a gate closed and locked, a site protected) and never "low risk"; no colour
stands for two meanings, and no two meanings get colours too alike to tell apart.
"""
from __future__ import annotations

import itertools
import re

import geopandas as gpd
import pandas as pd
import pytest

from geo import schema
from layers import palette, style
from layers.incidents import CHOROPLETH_COLORS, CONTEXT_COLOR, incident_view
from layers.overview import store_overview_map
from layers.parcel_tiles import OWNER_COLORS
from layers.public_map import PROTECTED_COLOR
from layers.report_map import PIN_COLOR
from layers.review_map import CLASS_COLORS
from layers.search import FOUND_COLOR
from layers.site_map import site_map
from layers.sites import COLOR_BY
from tests.layers.test_overview import _frames

SWATCH = re.compile(r"background:\s*(#[0-9a-fA-F]{6})")
MEANING = {colour.lower(): meaning for meaning, colour in palette.PALETTE.items()}


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _legend_colours(html: str) -> set[str]:
    boxes = re.findall(r'box\.innerHTML = (".*?");\n', html)  # the legend control's content (layers.style)
    return {c.lower() for box in boxes for c in SWATCH.findall(box)}


def test_every_colour_means_one_thing_and_looks_unlike_the_others():
    colours = [c.lower() for c in palette.PALETTE.values()]
    assert len(colours) == len(set(colours)), "a colour stands for two meanings"
    close = [(m, n, round(sum((a - b) ** 2 for a, b in zip(_rgb(x), _rgb(y), strict=True)) ** 0.5))
             for (m, x), (n, y) in itertools.combinations(palette.PALETTE.items(), 2)]
    too_close = [c for c in close if c[2] < 20]
    assert not too_close, f"meanings with colours too alike to tell apart: {too_close}"


def test_the_code_tables_colour_by_meaning():
    # the case: green meant both "low risk" and "closed_locked"
    assert style.TIER_COLORS["low"] != style.GATE_COLORS["closed_locked"]
    assert style.TIER_COLORS["high"] != style.SIGN_COLORS["none"] != style.DETERMINATION_COLORS["candidate"]
    # the same meaning is the same colour wherever it is shown
    assert style.SIGN_COLORS["posted"] == style.GATE_COLORS["closed_locked"] == style.PROTECTION_COLORS["protected"] \
        == PROTECTED_COLOR == palette.PALETTE["done"]
    tables = [style.TIER_COLORS, style.CATEGORY_COLORS, style.SIGN_COLORS, style.GATE_COLORS,
              style.VERIFICATION_COLORS, style.DETERMINATION_COLORS, style.PROTECTION_COLORS, CLASS_COLORS,
              OWNER_COLORS, *(table for _, table in COLOR_BY.values())]
    used = {c.lower() for t in tables for c in t.values()} | {c.lower() for c in CHOROPLETH_COLORS} | {
        CONTEXT_COLOR.lower(), style.PARCEL_COLOR.lower(), FOUND_COLOR.lower(), PIN_COLOR.lower()}
    assert used <= set(MEANING), f"colours outside the palette: {sorted(used - set(MEANING))}"
    # one table never shows one colour for two of its codes that mean different things
    for table in tables:
        meanings: dict[str, set[str]] = {}
        for code, colour in table.items():
            meanings.setdefault(colour.lower(), set()).add(str(code))
        shared = {c: codes for c, codes in meanings.items() if len(codes) > 1}
        assert not shared, f"one colour for several codes in a legend: {shared}"


@pytest.mark.parametrize("color_by", list(COLOR_BY))
def test_every_legend_swatch_on_the_maps_is_a_palette_colour(color_by):
    frames = _frames()
    sites = frames["sites"].assign(final_tier="high", category="park", sign_status="posted", gate_status="open",
                                   determination="candidate")
    html = site_map(sites, color_by=color_by, fields=[schema.SITE_ID], aliases=["Site"], synthetic=True,
                    districts=frames["districts"]).get_root().render()
    seen = _legend_colours(html)
    overview = store_overview_map(**frames, synthetic=True).get_root().render()
    seen |= _legend_colours(overview)
    assert seen and seen <= set(MEANING), f"legend colours outside the palette: {sorted(seen - set(MEANING))}"


def test_the_incident_choropleth_and_clusters_use_the_palette():
    frames = _frames()
    counts = pd.Series({1: 3})
    for mode in ("clusters", "choropleth"):
        layers = incident_view(gpd.GeoDataFrame(frames["incidents"]), frames["districts"], counts, mode=mode)
        assert layers
    assert {c.lower() for c in CHOROPLETH_COLORS} <= set(MEANING)
