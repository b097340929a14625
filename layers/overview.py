"""The store overview map: every layer the store holds, with a legend and layer control."""
from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo import schema
from geo.config import SYNTHETIC_SOURCE
from geo.i18n import N_, translator
from layers.base import base_map
from layers.features import districts_layer, incidents_layer, parcels_layer, polygon_layer
from layers.incidents import incident_clusters
from layers.style import PARCEL_COLOR, SIGN_COLORS, VERIFICATION_COLORS, Banner, Legend

PARCEL_DRAW_CAP = 5_000  # above this the citywide map leaves parcels to the zoomed-in views
#: Above this many incidents the overview ships them as compact cluster rows (about 60 bytes each) instead of one
#: GeoJSON feature with a style per incident (about 290 bytes, compiled by branca as a template): 20,000 incidents
#: made a 5.8 MB page that took ~20 s to open on a loaded machine.
INCIDENT_POINT_CAP = 2_000


def store_overview_map(
    *,
    sites: gpd.GeoDataFrame,
    status: pd.DataFrame,
    parcels: gpd.GeoDataFrame | None,
    incidents: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    synthetic: bool,
    tiles: str | None = "OpenStreetMap",
    lang: str = "en",
    parcel_count: int | None = None,
) -> folium.Map:
    """Return a folium map of what the store holds (frames in EPSG:4326), its words in ``lang``.

    Sites are coloured by sign status; parcels are drawn only when there are at most
    :data:`PARCEL_DRAW_CAP` of them, and the legend says so when they are not; above
    :data:`INCIDENT_POINT_CAP` incidents are clustered (the Incident map's compact rows). ``parcels`` may be
    ``None`` with their ``parcel_count`` when there are too many to draw (they need not be read).
    """
    n_parcels = parcel_count if parcel_count is not None else (len(parcels) if parcels is not None else 0)
    drawn = parcels is not None and 0 < len(parcels) <= PARCEL_DRAW_CAP
    frames = [f for f in (districts, sites, incidents) if len(f)]
    bounds = tuple(pd.concat([f.geometry for f in frames]).total_bounds) if frames else None
    fmap = base_map(bounds=bounds, tiles=tiles, synthetic=synthetic, lang=lang)
    _ = translator(lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if len(districts):
        districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
    note = None
    if drawn and parcels is not None:
        parcels_layer(parcels, name=_("Parcels") + suffix, lang=lang).add_to(fmap)
    elif n_parcels:
        note = _("{n} parcels: too many for a citywide map; zoom in on a page that filters them.").format(
            n=f"{n_parcels:,}")
    if len(sites):
        joined = sites.merge(status[[schema.SITE_ID, schema.SIGN_STATUS, schema.GATE_STATUS]], on=schema.SITE_ID, how="left")
        polygon_layer(
            joined, name=_("City sites") + suffix, fields=[schema.SITE_ID, schema.NAME, schema.OWNING_DEPT, schema.SIGN_STATUS],
            aliases=[_("Site"), _("Name"), _("Department"), _("Sign")], color="#2c3e50",
            color_field=schema.SIGN_STATUS, colors=SIGN_COLORS, fill_opacity=0.6, lang=lang,
        ).add_to(fmap)
    if len(incidents) > INCIDENT_POINT_CAP:
        incident_clusters(incidents, name=_("Incidents") + suffix, lang=lang).add_to(fmap)
    elif len(incidents):
        incidents_layer(incidents, name=_("Incidents") + suffix, lang=lang).add_to(fmap)
    sections = {N_("City sites: sign"): SIGN_COLORS, N_("Incidents: verification"): VERIFICATION_COLORS}
    if drawn:
        sections[N_("Parcels")] = {N_("assessor parcel"): PARCEL_COLOR}
    Legend(sections, note=note, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
