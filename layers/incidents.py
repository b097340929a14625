"""Incident views for the council-office map: clustered points, heat map, district choropleth."""
from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import FastMarkerCluster, HeatMap

from geo import schema
from geo.config import DISPLAY_CRS, LOCAL_TZ
from geo.crs import require_crs
from geo.i18n import N_, translator
from geo.labels import code_label
from geo.schema import INCIDENT_TYPES
from layers import palette
from layers.escape import safe_text
from layers.features import incidents_layer, polygon_layer, to_feature_collection
from layers.style import VERIFICATION_COLORS

MODES = ("clusters", "points", "heat", "choropleth")
POINT_CAP = 10_000  # incidents drawn as points per view; above it the map shows the heat map (first paint <= 1 s)
CHOROPLETH_BINS = (0, 1, 5, 10, 25, 50)
CHOROPLETH_COLORS = tuple(palette.PALETTE[b] for b in palette.COUNT_BINS)  # the one palette (layers.palette)
CONTEXT_COLOR = palette.PALETTE["general crime (context)"]  # general crime: grey, small, its own layer
CONTEXT_LABEL = N_("General crime (context, not evidence)")

def _cluster_callback(types: list[str], colors: list[str]) -> str:
    """Return the marker callback; row = [lat, lon, verification code, type code, 'YYYY-MM-DD', escaped id]."""
    return f"""
function (row) {{
    var types = {json.dumps([safe_text(t) for t in types])};
    var colors = {json.dumps(colors)};
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {{radius: 6, color: '#1b2631', weight: 1, fillColor: colors[row[2]], fillOpacity: 0.85}});
    marker.bindTooltip(row[5] + '<br>' + types[row[3]] + '<br>' + row[4]);
    return marker;
}}
"""


def incident_clusters(incidents: gpd.GeoDataFrame, *, name: str, lang: str = "en") -> FastMarkerCluster:
    """Return all incidents in one FastMarkerCluster: compact rows, escaped ids, canvas circle markers."""
    require_crs(incidents, DISPLAY_CRS, op="incident_clusters")
    geoms = incidents.geometry.values
    lat = np.round(shapely.get_y(geoms), 5).tolist()
    lon = np.round(shapely.get_x(geoms), 5).tolist()
    ver = list(VERIFICATION_COLORS)
    vcode = pd.Categorical(incidents[schema.VERIFICATION], categories=ver).codes.clip(0).tolist()
    tcode = pd.Categorical(incidents[schema.INCIDENT_TYPE], categories=list(INCIDENT_TYPES)).codes.clip(0).tolist()
    day = incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d").tolist()
    ids = [safe_text(i) for i in incidents[schema.INCIDENT_ID]]
    data = [list(r) for r in zip(lat, lon, vcode, tcode, day, ids)]
    types = list(INCIDENT_TYPES) if lang == "en" else [code_label(t, schema.INCIDENT_TYPE, lang) for t in INCIDENT_TYPES]
    return FastMarkerCluster(data, callback=_cluster_callback(types, list(VERIFICATION_COLORS.values())),
                             name=safe_text(name))


def incident_heat(incidents: gpd.GeoDataFrame, *, name: str) -> HeatMap:
    """Return a heat map of incident locations."""
    require_crs(incidents, DISPLAY_CRS, op="incident_heat")
    xs, ys = shapely.get_x(incidents.geometry.values), shapely.get_y(incidents.geometry.values)
    return HeatMap([[round(float(y), 5), round(float(x), 5)] for x, y in zip(xs, ys)],
                   name=safe_text(name), radius=18, blur=14, min_opacity=0.3)


def choropleth_color(count: int) -> str:
    """Return the fill colour of a district with ``count`` incidents."""
    idx = sum(count >= b for b in CHOROPLETH_BINS) - 1
    return CHOROPLETH_COLORS[max(idx, 0)]


def district_choropleth(districts: gpd.GeoDataFrame, counts: pd.Series, *, name: str,
                        label: str = N_("Incidents"), lang: str = "en") -> folium.GeoJson:
    """Return districts shaded by a count (``counts`` indexed by district number); ``label`` marked, shown in ``lang``."""
    _ = translator(lang)
    frame = districts.assign(incidents=districts[schema.DISTRICT].astype(int).map(counts).fillna(0).astype(int))
    frame = frame.assign(_fill=[choropleth_color(c) for c in frame["incidents"]])
    return polygon_layer(
        frame, name=name, fields=[schema.DISTRICT, schema.DISTRICT_NAME, "incidents"],
        aliases=[_("District"), _("Name"), _(label)], color="#08306b", color_field="_fill",
        colors={c: c for c in CHOROPLETH_COLORS}, fill_opacity=0.7, weight=1, lang=lang,
    )


def choropleth_legend() -> dict[str, str]:
    """Return legend entries for the choropleth bins."""
    edges = [*CHOROPLETH_BINS[1:], None]
    labels = [f"{lo}" if lo == 0 else (f"{lo}-{hi - 1}" if hi else f"{lo}+") for lo, hi in zip(CHOROPLETH_BINS, edges)]
    return dict(zip(labels, CHOROPLETH_COLORS))


def incident_view(incidents: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, counts: pd.Series, *,
                  mode: str, suffix: str = "", lang: str = "en") -> list[folium.map.Layer]:
    """Return the layers of one incident view mode (see :data:`MODES`), named in ``lang``."""
    _ = translator(lang)
    if mode not in MODES:
        raise ValueError(f"incident view mode {mode!r}: use one of {MODES}")
    if mode == "choropleth":
        return [district_choropleth(districts, counts, name=_("Incidents by district") + suffix, lang=lang)]
    if not len(incidents):
        return []
    if mode == "heat" or len(incidents) > POINT_CAP:
        return [incident_heat(incidents, name=_("Incident heat map") + suffix)]
    if mode == "points":
        return [incidents_layer(incidents, name=_("Incidents") + suffix, lang=lang)]
    return [incident_clusters(incidents, name=_("Incidents (clustered)") + suffix, lang=lang)]


def context_layer(incidents: gpd.GeoDataFrame, *, name: str = CONTEXT_LABEL, lang: str = "en") -> folium.GeoJson:
    """Return general-crime incidents as small grey circles in their own layer (context, never evidence)."""
    _ = translator(lang)
    require_crs(incidents, DISPLAY_CRS, op="context_layer")
    frame = incidents.assign(occurred=incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d"),
                             kind=_("general crime (context)"))
    fields = [schema.INCIDENT_ID, "kind", "occurred"]
    return folium.GeoJson(
        to_feature_collection(frame, fields, lang=lang), name=safe_text(name), show=True,
        marker=folium.CircleMarker(radius=3, weight=0.5, fill=True, fill_opacity=0.55),
        style_function=lambda f: {"color": "#5d6166", "fillColor": CONTEXT_COLOR},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[_("Record"), _("Relevance"), _("Date")]),
    )


def incident_map(incidents: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, counts: pd.Series, *, mode: str,
                 synthetic: bool, tiles: str | None = "OpenStreetMap",
                 context: gpd.GeoDataFrame | None = None, lang: str = "en") -> folium.Map:
    """Return the council-office incident map for one view mode, with legend and layer control, in ``lang``.

    ``context`` (general crime) is drawn only when given, in its own grey layer, and never counted.
    """
    _ = translator(lang)
    from geo.config import SYNTHETIC_SOURCE
    from layers.base import base_map
    from layers.features import districts_layer
    from layers.style import Banner, Legend

    frame = districts if len(districts) else incidents
    fmap = base_map(bounds=tuple(frame.total_bounds) if len(frame) else None, tiles=tiles, synthetic=synthetic, lang=lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if mode != "choropleth" and len(districts):
        districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
    if context is not None and len(context):
        context_layer(context, name=_(CONTEXT_LABEL) + suffix, lang=lang).add_to(fmap)
    for layer in incident_view(incidents, districts, counts, mode=mode, suffix=suffix, lang=lang):
        layer.add_to(fmap)
    legend = {N_("Incidents by district"): choropleth_legend()} if mode == "choropleth" else (
        {N_("Verification"): VERIFICATION_COLORS} if mode in ("clusters", "points") else {})
    notes = [(_("{n} incidents match the filters") if len(incidents) else
              _("{n} incidents match the filters: nothing to show")).format(n=f"{len(incidents):,}")]
    if context is not None:
        legend[CONTEXT_LABEL] = {N_("general crime record"): CONTEXT_COLOR}
        notes.append(_("{n} general-crime records shown as context (grey), not counted").format(n=f"{len(context):,}"))
    if mode in ("clusters", "points") and len(incidents) > POINT_CAP:
        notes.append(_("over {cap} to draw as points, so shown as a heat map: narrow the filters to see points").format(
            cap=f"{POINT_CAP:,}"))
    Legend(legend, note="; ".join(notes), lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
