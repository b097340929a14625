"""Every parcel from the PMTiles archive, drawn in Leaflet by the pinned ``protomaps-leaflet`` plugin.

The archive is read with HTTP range requests (``pmtiles``); tiles carry AIN, owner class, use
category, use type and code and council district, never risk or status. The review filter is
applied in the browser with the same rules as on the server. A click on a tiled parcel (where no
live feature took it) is handed to streamlit-folium as a click with the tooltip ``Parcel AIN …``;
the page resolves that AIN on the server into the detail panel.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import branca.element
from folium.elements import JSCSSMixin

from layers import palette
from layers.basemap import PMTILES_JS, PROTOMAPS_JS

OWNER_COLORS = {k: v for k, v in palette.colours(palette.OWNER).items() if k != "repeat"}  # the one palette
CLICK_PREFIX = "Parcel AIN "  # geo.analysis.lod.TILE_CLICK_PREFIX reads it back
OUTLINE_ZOOM = 16  # outlines cost a second canvas pass per parcel: drawn only when parcels are large on screen



@dataclass(frozen=True)
class ParcelTiles:
    """The archive a map draws its parcels from, and the filter it applies."""

    url: str
    max_data_zoom: int = 14
    level_diff: int = 1
    every_parcel_from: int = 13
    filter_rules: Mapping[str, object] = field(default_factory=dict)


_TEMPLATE = """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config_json }};
  var flt = cfg.filter;
  function visible(p) {
    if (flt.none) { return false; }
    if (flt.categories.length && flt.categories.indexOf(p.category) < 0) { return false; }
    if (flt.owner_classes.length && flt.owner_classes.indexOf(p.owner_class) < 0) { return false; }
    if (flt.districts.length && flt.districts.indexOf(Number(p.district)) < 0) { return false; }
    if (flt.use_code && String(p.use_code || "").toUpperCase().indexOf(flt.use_code) !== 0) { return false; }
    return true;
  }
  var layer = protomapsL.leafletLayer({
    url: cfg.url, maxDataZoom: cfg.maxDataZoom, levelDiff: cfg.levelDiff, attribution: cfg.attribution,
    labelRules: [],
    paintRules: [{
      dataLayer: cfg.layer,
      filter: function(z, f) { return visible(f.props); },
      symbolizer: new protomapsL.PolygonSymbolizer({
        fill: function(z, f) { return cfg.colors[f.props.owner_class] || cfg.otherColor; },
        opacity: cfg.opacity, stroke: cfg.stroke,
        width: function(z) { return z >= cfg.outlineZoom ? 0.6 : 0; }
      })
    }]
  });
  layer.addTo(map);
  window.stagemapParcelTiles = layer;
  map.on("click", function(e) {
    if (e.originalEvent && e.originalEvent._stopped) { return; }  // a live feature took the click
    if (map.getZoom() < cfg.clickZoom) { return; }
    var ain = null;
    layer.queryTileFeaturesDebug(e.latlng.lng, e.latlng.lat).forEach(function(hits) {
      hits.forEach(function(h) {
        var a = String(h.feature.props.ain || "");
        if (h.layerName === cfg.layer && visible(h.feature.props) && /^[0-9A-Za-z-]{1,32}$/.test(a)) { ain = a; }
      });
    });
    if (!ain) { return; }
    var probe = L.circleMarker(e.latlng, {radius: 0, interactive: false});
    probe.bindTooltip(cfg.clickPrefix + ain);
    window.stagemapParcelClicked = ain;
    layer.fire("click", {latlng: e.latlng, sourceTarget: probe});
  });
})();
{% endmacro %}
"""


class ParcelTilesLayer(JSCSSMixin, branca.element.MacroElement):  # type: ignore[misc]  # folium is untyped
    """The parcel archive at ``url`` as a Leaflet layer, coloured by owner class and filtered like the review table."""

    _template = branca.element.Template(_TEMPLATE)
    default_js = [("pmtiles", PMTILES_JS), ("protomaps_leaflet", PROTOMAPS_JS)]  # noqa: RUF012 - folium reads it

    def __init__(self, url: str, *, layer: str = "parcels", max_data_zoom: int = 14, level_diff: int = 1,
                 filter_rules: Mapping[str, object] | None = None, click_zoom: int = 14,
                 opacity: float = 0.55, attribution: str = "Assessor parcels") -> None:
        super().__init__()
        self._name = "ParcelTilesLayer"
        rules = {"categories": [], "districts": [], "use_code": "", "owner_classes": [], "none": False,
                 **(filter_rules or {})}
        self.config_json = json.dumps({
            "url": url, "layer": layer, "maxDataZoom": max_data_zoom, "levelDiff": level_diff, "filter": rules,
            "colors": OWNER_COLORS, "otherColor": "#7f8c8d", "opacity": opacity, "stroke": "#4d5656",
            "outlineZoom": OUTLINE_ZOOM, "clickZoom": click_zoom, "clickPrefix": CLICK_PREFIX,
            "attribution": attribution,
        }).replace("</", "<\\/")
