"""Vector layers: sites, parcels, incidents and districts as single GeoJson layers."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS, LOCAL_TZ
from geo.crs import require_crs
from geo.i18n import translator
from geo.labels import code_label
from layers.escape import safe_text
from layers.style import DISTRICT_COLOR, PARCEL_COLOR, VERIFICATION_COLORS

DISPLAY_SIMPLIFY_DEG = 1e-5  # about 1 m; display only, never fed back into analysis
DISPLAY_GRID_DEG = 1e-6  # about 0.1 m


def display_geometry(geoms: np.ndarray) -> np.ndarray:
    """Simplify and round EPSG:4326 geometry for display only (PERFORMANCE.md section 2.4)."""
    # pointwise: display copies need rounded coordinates, not GEOS's (slow) validity repair
    return shapely.set_precision(shapely.simplify(geoms, DISPLAY_SIMPLIFY_DEG), DISPLAY_GRID_DEG, mode="pointwise")


def to_feature_collection(
    gdf: gpd.GeoDataFrame, fields: Sequence[str], *, extra: Mapping[str, Sequence[object]] | None = None,
    lang: str = "en",
) -> dict:
    """Return a GeoJSON FeatureCollection with escaped ``fields`` and display geometry.

    Coded field values read as words in ``lang`` (the label table, :func:`geo.labels.code_label`); ``extra``
    goes in as given.

    The text is assembled from vectorised pieces (one ``to_geojson`` call, one ``to_json``
    of the properties) and parsed once, instead of one dict per feature.
    """
    require_crs(gdf, DISPLAY_CRS, op="to_feature_collection")
    geoms = display_geometry(np.asarray(gdf.geometry.values))
    props = pd.DataFrame({f: [safe_text(code_label(v, f, lang) if isinstance(v, str) else v) for v in gdf[f]]
                          for f in fields}, index=range(len(gdf)))
    for name, values in (extra or {}).items():
        props[name] = list(values)
    keep = ~shapely.is_missing(geoms)
    geo_text = shapely.to_geojson(geoms[keep])
    prop_text = json.loads(props[keep].to_json(orient="values")) if len(props.columns) else [[]] * int(keep.sum())
    names = list(props.columns)
    body = ",".join(
        '{"type":"Feature","properties":' + json.dumps(dict(zip(names, row)), ensure_ascii=False)
        + ',"geometry":' + g + "}" for row, g in zip(prop_text, geo_text)
    )
    return json.loads('{"type":"FeatureCollection","features":[' + body + "]}")


def polygon_layer(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    color: str | Callable[[dict], str],
    color_field: str | None = None,
    colors: Mapping[Any, str] | None = None,
    weight: float = 1.5,
    fill_opacity: float = 0.45,
    show: bool = True,
    lang: str = "en",
) -> folium.GeoJson:
    """Return one GeoJson layer of polygons with a tooltip of escaped ``fields`` (values read in ``lang``)."""
    extra = {}
    if color_field is not None and colors is not None:
        extra["_color"] = [colors.get(v, colors.get(None, "#7f8c8d")) for v in gdf[color_field]]
    data = to_feature_collection(gdf, fields, extra=extra, lang=lang)

    def style(feature: dict) -> dict:
        fill = feature["properties"].get("_color", color if isinstance(color, str) else "#7f8c8d")
        return {"color": fill, "weight": weight, "fillColor": fill, "fillOpacity": fill_opacity}

    return folium.GeoJson(
        data, name=safe_text(name), style_function=style, show=show, smooth_factor=1.0,
        tooltip=folium.GeoJsonTooltip(fields=list(fields), aliases=[safe_text(a) for a in aliases])
        if fields else None,
    )


def parcels_layer(parcels: gpd.GeoDataFrame, *, name: str, show: bool = False, lang: str = "en") -> folium.GeoJson:
    """Return parcels as thin grey outlines with AIN and use code in the tooltip (headings in ``lang``)."""
    _ = translator(lang)
    return polygon_layer(
        parcels, name=name, fields=["ain", schema.USE_CODE], aliases=[_("AIN"), _("Use code")],
        color=PARCEL_COLOR, weight=0.6, fill_opacity=0.15, show=show, lang=lang,
    )


def incidents_layer(incidents: gpd.GeoDataFrame, *, name: str, show: bool = True, lang: str = "en") -> folium.GeoJson:
    """Return incidents as canvas CircleMarkers in one GeoJson layer, coloured by verification."""
    _ = translator(lang)
    fields = [schema.INCIDENT_ID, schema.INCIDENT_TYPE, schema.VERIFICATION, "occurred"]
    frame = incidents.assign(occurred=incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d"))
    data = to_feature_collection(
        frame, fields,
        extra={"_color": [VERIFICATION_COLORS.get(v, "#7f8c8d") for v in incidents[schema.VERIFICATION]]}, lang=lang,
    )
    return folium.GeoJson(
        data,
        name=safe_text(name),
        show=show,
        marker=folium.CircleMarker(radius=5, weight=1, fill=True, fill_opacity=0.85),
        style_function=lambda f: {"color": "#1b2631", "fillColor": f["properties"]["_color"]},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[_("Incident"), _("Type"), _("Verification"), _("Date")]),
    )


DISTRICT_LABEL_STYLE = ("font: 600 11px sans-serif; color: #1b2631; text-align: center; white-space: nowrap; "
                        "pointer-events: none; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff")


def districts_layer(districts: gpd.GeoDataFrame, *, name: str, lang: str = "en") -> folium.GeoJson:
    """Return council districts as outlines with their number and name, each labelled "CD n" inside it."""
    _ = translator(lang)
    layer = polygon_layer(
        districts, name=name, fields=[schema.DISTRICT, schema.DISTRICT_NAME], aliases=[_("District"), _("Name")],
        color=DISTRICT_COLOR, weight=2, fill_opacity=0.03, lang=lang,
    )
    inside = shapely.point_on_surface(np.asarray(districts.geometry.values, dtype=object))
    for number, point in zip(pd.to_numeric(districts[schema.DISTRICT], errors="coerce"), inside, strict=True):
        if pd.isna(number) or point is None or point.is_empty:
            continue
        folium.Marker([point.y, point.x], interactive=False, keyboard=False, icon=folium.DivIcon(
            html=f'<div style="{DISTRICT_LABEL_STYLE}">CD {int(number)}</div>', icon_size=(48, 16),
            icon_anchor=(24, 8), class_name="stagemap-district-label"),
        ).add_to(layer)  # toggles with its outlines; a number only, never free text
    return layer
