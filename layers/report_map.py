"""The Report-an-incident map: council districts, the synthetic label, and a draggable pin at the entered point."""
from __future__ import annotations

import branca
import folium
import geopandas as gpd

from geo.config import SYNTHETIC_SOURCE
from geo.i18n import N_, translator
from layers.base import base_map
from layers.features import districts_layer
from layers.style import Banner

PIN_CLASS = "stagemap-report-pin"  # the pin's element class (the browser tests find it by this)
PIN_COLOR = "#c62828"
_PIN_SVG = (f'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="40" viewBox="0 0 28 40" aria-hidden="true">'
            f'<path d="M14 0C6.3 0 0 6.3 0 14c0 10.5 14 26 14 26s14-15.5 14-26C28 6.3 21.7 0 14 0z" '
            f'fill="{PIN_COLOR}" stroke="#fff" stroke-width="2"/><circle cx="14" cy="14" r="5" fill="#fff"/></svg>')

# On 'dragend' the pin reports its new position as a click on it: streamlit-folium listens to every
# layer's 'click' and returns it as last_object_clicked (with a count), so a drag reaches Python.
_DRAG_REPORT = """
{% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.on('dragend', function (e) {
        var pin = e.target;
        pin.fire('click', {latlng: pin.getLatLng(), sourceTarget: pin, target: pin});
    });
{% endmacro %}
"""


class DragReport(branca.element.MacroElement):
    """Make a draggable marker report where it was dropped (as a click on it at the new point)."""

    _template = branca.element.Template(_DRAG_REPORT)

    def __init__(self) -> None:
        super().__init__()
        self._name = "DragReport"


def report_map(districts: gpd.GeoDataFrame, *, synthetic: bool, lang: str = "en") -> folium.Map:
    """Return the map of the report form: fitted to the council districts, outlined and labelled "CD n" (in ``lang``)."""
    _ = translator(lang)
    fmap = base_map(bounds=tuple(districts.total_bounds) if len(districts) else None, synthetic=synthetic, lang=lang)
    suffix = " " + _("(SYNTHETIC)") if synthetic else ""
    if len(districts):
        districts_layer(districts, name=_("Council districts") + suffix, lang=lang).add_to(fmap)
    if synthetic:
        Banner(_(SYNTHETIC_SOURCE)).add_to(fmap)
    return fmap


def report_pin(lat: float, lon: float, *, title: str = N_("Drag to move the reported point"),
               lang: str = "en") -> folium.FeatureGroup:
    """Return a layer holding one draggable pin at (``lat``, ``lon``) that reports where it is dropped.

    Given to ``st_folium(feature_group_to_add=...)`` the pin moves with the typed coordinates without
    redrawing the map; dropped elsewhere, it comes back as ``last_object_clicked`` at the new point.
    """
    _ = translator(lang)
    group = folium.FeatureGroup(name=_("Reported point"), control=False)
    pin = folium.Marker(
        [float(lat), float(lon)], draggable=True, title=_(title), keyboard=True,
        icon=folium.DivIcon(html=_PIN_SVG, icon_size=(28, 40), icon_anchor=(14, 40), class_name=PIN_CLASS))
    DragReport().add_to(pin)
    pin.add_to(group)
    return group
