"""Overview map: layers, counts, bounds, escaping, banner and the parcel cap."""
from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import shapely

from geo import schema
from layers.escape import safe_text
from layers.overview import PARCEL_DRAW_CAP, store_overview_map
from tests.conftest import canonical_frame

HOSTILE = "<img src=x onerror=alert(1)>`${alert(2)}`\\"


def _frames(n_parcels: int = 3):
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id="SYN-1",
                            name=HOSTILE, owning_dept="Transportation (LADOT)", area_sqft=1.0,
                            site_origin="asset_list")
    status = pd.DataFrame({"site_id": ["SYN-1"], "sign_status": ["posted"], "gate_status": ["open"]})
    parcels = canonical_frame(
        schema.PARCELS, [shapely.box(-118.25 + i * 1e-4, 34.05, -118.2499 + i * 1e-4, 34.0501) for i in range(n_parcels)],
        ain=[f"99000000{i:02d}" for i in range(n_parcels)], use_code="0100")
    incidents = canonical_frame(schema.INCIDENTS, [shapely.Point(-118.24, 34.052), shapely.Point(-118.26, 34.06)],
                                incident_id=["SYN-2025-000001", "SYN-2025-000002"],
                                occurred_at=[pd.Timestamp(dt.datetime(2025, 7, 1), tz="UTC")] * 2,
                                incident_type="staging_area", verification_status="unverified")
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(-118.3, 34.0, -118.2, 34.1)], district=1,
                                district_name="Demo zone 1 - NOT council district boundaries")
    return dict(sites=sites, status=status, parcels=parcels, incidents=incidents, districts=districts)


def _geojson_layers(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"_add\((\{\"features\".*?\})\);\s*$", html, flags=re.S | re.M)]


def test_overview_has_every_layer_with_exact_counts_and_city_bounds():
    fmap = store_overview_map(**_frames(), synthetic=True)
    html = fmap.get_root().render()
    layers = _geojson_layers(html)
    counts = sorted(len(layer["features"]) for layer in layers)
    assert counts == [1, 1, 2, 3]  # district, site, incidents, parcels
    (s, w), (n, e) = fmap.get_bounds()
    assert 33.7 <= s <= n <= 34.4 and -118.7 <= w <= e <= -118.1
    assert "preferCanvas" in html and "SYNTHETIC DEMO DATA" in html


def test_hostile_site_name_is_escaped_everywhere():
    html = store_overview_map(**_frames(), synthetic=True).get_root().render()
    assert HOSTILE not in html
    assert "<img src=x" not in html and "${alert" not in html
    names = [f["properties"]["name"] for layer in _geojson_layers(html) for f in layer["features"]
             if "name" in f["properties"]]
    assert names == [safe_text(HOSTILE)]


def test_parcels_above_the_cap_are_left_out_and_the_legend_says_so():
    fmap = store_overview_map(**_frames(PARCEL_DRAW_CAP + 1), synthetic=False)
    html = fmap.get_root().render()
    assert max(len(layer["features"]) for layer in _geojson_layers(html)) < PARCEL_DRAW_CAP
    assert f"{PARCEL_DRAW_CAP + 1:,} parcels" in html
    assert "SYNTHETIC DEMO DATA" not in html


def test_safe_text_neutralises_template_literal_and_html():
    out = safe_text("`${x}`\\<b>\"'")
    assert not set(out) & set("`${}\\<>\"'")
    assert safe_text(None) == "" and safe_text(float("nan")) == ""


def test_many_incidents_ship_as_compact_cluster_rows_every_one_present():
    """Above INCIDENT_POINT_CAP the overview clusters incidents: each present once, far smaller than GeoJSON."""
    from layers.overview import INCIDENT_POINT_CAP

    frames = _frames()
    n = INCIDENT_POINT_CAP + 500
    xs = -118.5 + 0.3 * (pd.RangeIndex(n) % 97) / 97
    ys = 33.9 + 0.3 * (pd.RangeIndex(n) // 97) / (n // 97 + 1)
    frames["incidents"] = canonical_frame(
        schema.INCIDENTS, list(shapely.points(xs, ys)), incident_id=[f"SYN-2025-{i:06d}" for i in range(n)],
        occurred_at=[pd.Timestamp(dt.datetime(2025, 7, 1), tz="UTC")] * n, incident_type="staging_area",
        verification_status="unverified")
    html = store_overview_map(**frames, synthetic=True).get_root().render()
    ids = re.findall(r'"(SYN-2025-\d{6})"', html)
    assert sorted(ids) == sorted(frames["incidents"]["incident_id"])  # every incident, once
    assert "markerClusterGroup" in html or "MarkerClusterGroup" in html
    assert not any(len(layer["features"]) == n for layer in _geojson_layers(html))
    small = store_overview_map(**_frames(), synthetic=True).get_root().render()
    assert len(html) - len(small) < 110 * n  # compact rows, not a feature and a style per incident
