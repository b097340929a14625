"""Planning's review map: City sites by risk tier and parcels by owner class (from vector tiles), or district counts."""
from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo import schema
from geo.config import SYNTHETIC_SOURCE
from geo.i18n import N_, translator
from geo.records import MapView
from layers import palette
from layers.base import base_map
from layers.features import districts_layer, polygon_layer
from layers.incidents import choropleth_legend, district_choropleth
from layers.parcel_tiles import OWNER_COLORS, ParcelTiles, ParcelTilesLayer
from layers.quiet import quiet_start
from layers.style import TIER_COLORS, Banner, Legend

CLASS_COLORS = {**{k: v for k, v in TIER_COLORS.items() if k},
                **{k: v for k, v in palette.colours(palette.OWNER).items() if k != "city_site"}}
FIELDS = ["record_id", "kind", schema.NAME, "category", schema.USE_CODE, "final_tier"]
ALIASES = [N_("Id"), N_("Kind"), N_("Name / address"), N_("Category"), N_("Use code"), N_("Risk tier")]


def review_map(features: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame, aggregate: pd.Series | None,
               view: MapView | None, synthetic: bool, note: str, tiles: str | None = "OpenStreetMap",
               parcel_tiles: ParcelTiles | None = None, lang: str = "en") -> folium.Map:
    """Return the review map: ``features`` drawn, or when ``aggregate`` is given, district counts (words in ``lang``).

    With ``parcel_tiles`` every parcel comes from the archive (at every zoom, all of them from
    zoom 13) and ``features`` are the live rows drawn on top (sites with their tier, repeat-incident
    parcels); districts are outlines that leave clicks to the parcels beneath.
    """
    if parcel_tiles is not None:
        return _tiled_map(features, districts=districts, parcel_tiles=parcel_tiles, synthetic=synthetic, note=note,
                          tiles=tiles, lang=lang)
    if view is not None:
        fmap = base_map(tiles=tiles, zoom_start=view.zoom, synthetic=synthetic, lang=lang)
        fmap.location = list(view.center)
    else:
        frame = features if len(features) else districts
        fmap = base_map(bounds=tuple(frame.total_bounds) if len(frame) else None, tiles=tiles, synthetic=synthetic, lang=lang)
    _ = translator(lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if aggregate is not None:
        district_choropleth(districts, aggregate, name=_("Matching records by district") + suffix,
                            label=N_("Matching records"), lang=lang).add_to(fmap)
        legend = {N_("Matching records"): choropleth_legend()}
    else:
        if len(districts):
            districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
        if len(features):
            cls = features["final_tier"].where(features["kind"] == "City site",
                                               features["owner_class"].where(~features["repeat_site"], "repeat"))
            polygon_layer(features.assign(_class=cls), name=_("Sites and parcels") + suffix, fields=FIELDS,
                          aliases=[_(a) for a in ALIASES], color="#2c3e50", color_field="_class", colors=CLASS_COLORS,
                          fill_opacity=0.55, lang=lang).add_to(fmap)
        legend = {N_("City sites: risk tier (internal)"): {k: TIER_COLORS[k] for k in ("high", "medium", "low")},
                  N_("Parcels"): {"other_public": CLASS_COLORS["other_public"], N_("private"): CLASS_COLORS["private"],
                                  N_("Repeat incidents"): CLASS_COLORS["repeat"]}}
    Legend(legend, note=note, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return quiet_start(fmap)  # the view it settles on is not sent back: the page runs once on load


def _tiled_map(features: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame, parcel_tiles: ParcelTiles, synthetic: bool,
               note: str, tiles: str | None, lang: str = "en") -> folium.Map:
    _ = translator(lang)
    frame = districts if len(districts) else features
    fmap = base_map(bounds=tuple(frame.total_bounds) if len(frame) else None, tiles=tiles, synthetic=synthetic, lang=lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    ParcelTilesLayer(parcel_tiles.url, max_data_zoom=parcel_tiles.max_data_zoom, level_diff=parcel_tiles.level_diff,
                     filter_rules=parcel_tiles.filter_rules).add_to(fmap)
    if len(districts):
        outlines = districts_layer(districts, name=_("Council districts") + suffix, lang=lang)
        outlines.options["interactive"] = False  # a click inside a district belongs to the parcel under it
        outlines.add_to(fmap)
    if len(features):
        cls = features["final_tier"].where(features["kind"] == "City site",
                                           features["owner_class"].where(~features["repeat_site"], "repeat"))
        polygon_layer(features.assign(_class=cls), name=_("Sites and repeat-incident parcels") + suffix, fields=FIELDS,
                      aliases=[_(a) for a in ALIASES], color="#2c3e50", color_field="_class", colors=CLASS_COLORS,
                      fill_opacity=0.6, lang=lang).add_to(fmap)
    parcels = _("Parcels (tiles; all from zoom {zoom})").format(zoom=parcel_tiles.every_parcel_from)
    legend = {N_("City sites: risk tier (internal)"): {k: TIER_COLORS[k] for k in ("high", "medium", "low")},
              parcels: {N_("City site parcel"): OWNER_COLORS["city_site"], "other_public": OWNER_COLORS["other_public"],
                        N_("private"): OWNER_COLORS["private"], N_("Repeat incidents"): CLASS_COLORS["repeat"]}}
    Legend(legend, note=note, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
