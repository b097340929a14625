"""One map of City sites for the Liaison, Parcel review and Gap pages."""
from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd

from geo.config import SYNTHETIC_SOURCE
from geo.i18n import translator
from layers.base import base_map
from layers.features import districts_layer
from layers.sites import site_layers, site_legend
from layers.style import Banner, Legend


def site_map(sites: gpd.GeoDataFrame, *, color_by: str, fields: list[str], aliases: list[str], synthetic: bool,
             districts: gpd.GeoDataFrame | None = None, selected: str | None = None,
             tiles: str | None = "OpenStreetMap", note: str | None = None,
             extra: Sequence[folium.map.Layer] = (), legend: bool = True, lang: str = "en") -> folium.Map:
    """Return a map of ``sites`` (EPSG:4326) fitted to them, with legend, banner and layer control, in ``lang``.

    ``aliases`` and ``note`` are shown as given (the page translates them).

    ``extra`` layers (site parts) are drawn above the sites, before the layer control is built.
    ``legend=False`` leaves the legend box off a small map where it would cover the site (the
    page then says what the colours mean).
    """
    frame = sites if len(sites) else districts
    bounds = tuple(frame.total_bounds) if frame is not None and len(frame) else None
    fmap = base_map(bounds=bounds, tiles=tiles, synthetic=synthetic, lang=lang)
    _ = translator(lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if districts is not None and len(districts):
        districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
    if len(sites):
        for layer in site_layers(sites, color_by=color_by, fields=fields, aliases=aliases,
                                 name=_("City sites") + suffix, selected=selected, lang=lang):
            layer.add_to(fmap)
    for layer in extra:
        layer.add_to(fmap)
    if legend:
        Legend(site_legend(color_by), note=note, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
