"""A search result on a map: one fit (the last asked for) and a ring at the place."""
from __future__ import annotations

import re

from layers.base import base_map, fit_to
from layers.search import mark_found


def test_the_found_place_is_the_only_fit_and_is_ringed():
    fmap = base_map(bounds=(-118.6, 33.7, -118.1, 34.3), tiles=None)
    fit_to(fmap, (-118.3, 34.0, -118.2, 34.1))  # the district
    mark_found(fmap, {"lon": -118.25, "lat": 34.05, "minx": -118.25, "maxx": -118.25, "miny": 34.05, "maxy": 34.05,
                      "label": "<b>200 N Main</b>"})
    html = fmap.get_root().render()
    fits = re.findall(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\]", html)
    assert len(fits) == 1 and abs(float(fits[0][0]) - 34.048) < 1e-6  # street level around the point, not a pin
    assert "stagemap-found" in html and "<b>200 N Main</b>" not in html  # the label is text
    assert fit_to(fmap, None) is fmap and len(re.findall(r"fitBounds\(", fmap.get_root().render())) == 1
