"""Incident layers: clusters, heat map and choropleth carry the right data, escaped."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import shapely

from geo import schema
from layers.incidents import MODES, choropleth_color, incident_map
from tests.conftest import canonical_frame

HOSTILE = "</script><svg onload=alert(1)>`${x}`"


@pytest.fixture
def frames():
    incidents = canonical_frame(
        schema.INCIDENTS, [shapely.Point(-118.25, 34.05), shapely.Point(-118.3, 34.1), shapely.Point(-118.31, 34.11)],
        incident_id=["I-1", HOSTILE, "I-3"], occurred_at=list(pd.to_datetime(["2026-03-01"] * 3, utc=True)),
        incident_type="staging_area", verification_status=["unverified", "corroborated", "lapd_confirmed"],
        council_district=[1, 2, 2])
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(-118.28, 34.0, -118.2, 34.08),
                                              shapely.box(-118.35, 34.08, -118.28, 34.15)], district=[1, 2])
    return incidents, districts, pd.Series({1: 1, 2: 2})


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_renders_inside_la_with_the_hostile_id_neutralised(frames, mode):
    html = incident_map(*frames, mode=mode, synthetic=True).get_root().render()
    assert "</script><svg" not in html and "${x}" not in html
    (s, w), (n, e) = incident_map(*frames, mode=mode, synthetic=True).get_bounds()
    assert 33.7 <= s <= n <= 34.4 and -118.7 <= w <= e <= -118.1
    assert "SYNTHETIC DEMO DATA" in html


def test_clusters_hold_every_incident_once(frames):
    html = incident_map(*frames, mode="clusters", synthetic=False).get_root().render()
    data = json.loads(re.search(r"var data = (\[\[.*?\]\]);", html, flags=re.S).group(1))
    assert len(data) == 3
    assert sorted((round(r[0], 2), round(r[1], 2)) for r in data) == [(34.05, -118.25), (34.1, -118.3), (34.11, -118.31)]
    assert "L.markerClusterGroup" in html


def test_heat_map_has_one_point_per_incident(frames):
    html = incident_map(*frames, mode="heat", synthetic=False).get_root().render()
    pts = json.loads(re.search(r"L\.heatLayer\(\s*(\[\[.*?\]\])", html, flags=re.S).group(1))
    assert len(pts) == 3


def test_choropleth_shades_by_count(frames):
    html = incident_map(*frames, mode="choropleth", synthetic=False).get_root().render()
    assert choropleth_color(0) != choropleth_color(2)
    assert f'"_color": "{choropleth_color(2)}"' in html and f'"_color": "{choropleth_color(1)}"' in html
    assert '"incidents": "2"' in html


def test_unknown_mode_is_refused(frames):
    with pytest.raises(ValueError, match="use one of"):
        incident_map(*frames, mode="hexagons", synthetic=False)


def test_above_the_point_cap_clusters_become_a_heat_map_and_say_so(frames, monkeypatch):
    monkeypatch.setattr("layers.incidents.POINT_CAP", 2)
    html = incident_map(*frames, mode="clusters", synthetic=False).get_root().render()
    assert "L.heatLayer" in html and "L.markerClusterGroup" not in html
    assert "shown as a heat map" in html
