"""City sites coloured by risk tier, category, sign or gate status, with point markers to find them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS
from geo.crs import require_crs
from geo.i18n import N_, translator
from layers.escape import safe_text
from layers.features import polygon_layer, to_feature_collection
from layers.style import (
    CATEGORY_COLORS,
    DETERMINATION_COLORS,
    GATE_COLORS,
    PROTECTION_COLORS,
    SIGN_COLORS,
    TIER_COLORS,
)

COLOR_BY: dict[str, tuple[str, Mapping[Any, str]]] = {"tier": ("final_tier", TIER_COLORS), "category": ("category", CATEGORY_COLORS),
            "sign": (schema.SIGN_STATUS, SIGN_COLORS), "gate": (schema.GATE_STATUS, GATE_COLORS),
            "determination": (schema.DETERMINATION, DETERMINATION_COLORS)}
LEGEND_TITLES = {"tier": N_("Staging risk (internal)"), "category": N_("Category"), "sign": N_("Sign"),
                 "gate": N_("Gate / barrier"), "determination": N_("A.1 determination")}


def site_layers(sites: gpd.GeoDataFrame, *, color_by: str, fields: list[str], aliases: list[str], name: str,
                selected: str | None = None, lang: str = "en") -> list[folium.map.Layer]:
    """Return the site polygons and a marker per site (fill by ``color_by``, outline by gate status).

    Sites are small at city zoom, so each also gets a canvas circle marker at its
    representative point; the selected site is drawn larger.
    """
    require_crs(sites, DISPLAY_CRS, op="site_layers")
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by {color_by!r}: use one of {list(COLOR_BY)}")
    column, colors = COLOR_BY[color_by]
    polygons = polygon_layer(sites, name=translator(lang)(N_("{name} (outlines)")).format(name=name), fields=fields,
                             aliases=aliases, color="#2c3e50",
                             color_field=column, colors=colors, fill_opacity=0.55, lang=lang)
    points = sites.set_geometry(shapely.point_on_surface(sites.geometry.values))
    gate = sites.get(schema.GATE_STATUS, None)
    extra: dict[str, Sequence[object]] = {
        "_fill": [colors.get(v, colors.get(None, "#7f8c8d")) for v in sites[column]],
        "_stroke": [GATE_COLORS.get(v, "#1b2631") for v in gate] if gate is not None else ["#1b2631"] * len(sites),
        "_r": [9 if sid == selected else 6 for sid in sites[schema.SITE_ID]],
    }
    data = to_feature_collection(points, fields, extra=extra, lang=lang)
    markers = folium.GeoJson(
        data, name=safe_text(name),
        marker=folium.CircleMarker(radius=6, weight=3, fill=True, fill_opacity=0.9),
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "color": f["properties"]["_stroke"],
                                  "radius": f["properties"]["_r"]},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[safe_text(a) for a in aliases]),
    )
    return [polygons, markers]


def site_legend(color_by: str) -> dict[str, dict[str, str]]:
    """Return legend sections: the fill scheme and, for markers, the gate outline."""
    colors = COLOR_BY[color_by][1]
    fill = {str(k): v for k, v in colors.items() if k is not None}
    sections = {LEGEND_TITLES[color_by]: fill}
    if color_by != "gate":
        sections[N_("Marker outline: gate")] = {k: v for k, v in GATE_COLORS.items()}
    return sections


def parts_layer(parts: gpd.GeoDataFrame, *, name: str, fields: list[str], aliases: list[str],
                lang: str = "en") -> folium.GeoJson:
    """Return site parts (a park's parking lot, a yard) as outlines filled by their own protection."""
    require_crs(parts, DISPLAY_CRS, op="parts_layer")
    return polygon_layer(parts, name=name, fields=fields, aliases=aliases, color="#1b2631", color_field="protection",
                         colors=PROTECTION_COLORS, weight=3.0, fill_opacity=0.7, lang=lang)
