"""The public map: protected City sites as points, with protected status only."""
from __future__ import annotations

import folium
import geopandas as gpd

from geo import schema
from geo.config import SYNTHETIC_SOURCE
from geo.i18n import N_, translator
from layers import palette
from layers.base import base_map
from layers.escape import safe_text
from layers.features import districts_layer, to_feature_collection
from layers.style import Banner, Legend

PROTECTED_COLOR = palette.PALETTE["done"]  # protected: the one palette's "done"
PUBLIC_FIELDS = [schema.NAME, schema.OWNING_DEPT, "protected_status"]


def public_map(sites: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame, synthetic: bool,
               tiles: str | None = "OpenStreetMap", lang: str = "en") -> folium.Map:
    """Return the public map from :func:`geo.reports.publish.public_sites` output (points, public columns only).

    Its words (layer names, tooltip headings, legend, banner) are in ``lang``.
    """
    _ = translator(lang)
    extra = set(sites.columns) - {*PUBLIC_FIELDS, schema.COUNCIL_DISTRICT, "geometry"}
    if extra:
        raise ValueError(f"public_map: internal columns {sorted(extra)} must not reach a public map; "
                         "build the frame with geo.reports.publish.public_sites().")
    frame = districts if len(districts) else sites
    fmap = base_map(bounds=tuple(frame.total_bounds) if len(frame) else None, tiles=tiles, synthetic=synthetic, lang=lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if len(districts):
        districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
    if len(sites):
        folium.GeoJson(to_feature_collection(sites, PUBLIC_FIELDS, lang=lang), name=safe_text(_("Protected City property") + suffix),
                       marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.9,
                                                  color="#145a32", fill_color=PROTECTED_COLOR),
                       tooltip=folium.GeoJsonTooltip(fields=PUBLIC_FIELDS,
                                                     aliases=[_("Property"), _("Department"), _("Status")])).add_to(fmap)
    Legend({N_("City property"): {N_("signed (and gated where applicable)"): PROTECTED_COLOR}}, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
