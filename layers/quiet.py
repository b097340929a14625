"""A map that reports only what the user does: no rerun of the page when the map first settles.

streamlit-folium sends the map's state (zoom, bounds) whenever it differs from the last state it
sent, and its first "last state" is what the server guessed (the data's bounds), never the view the
browser actually fits. So every map that returns its view made the page run twice on load: drawn,
greyed out, drawn again. :class:`QuietStart` records the settled view as already sent until the
user first touches the map (pointer, wheel, key); from then on every move is reported as before.
"""
from __future__ import annotations

import branca.element
import folium

_QUIET = """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }}, touched = false, box = map.getContainer();
  ["pointerdown", "mousedown", "touchstart", "wheel", "keydown", "dblclick"].forEach(function(name) {
    box.addEventListener(name, function() { touched = true; }, {capture: true, passive: true});
  });
  function settled() {  // the state streamlit-folium would send now, recorded as sent (its own field order)
    var g = window.__GLOBAL_DATA__;
    if (touched || !g || !g.returned_objects) { return; }
    var wrap = g.wrap_longitude, w = function(v) { return v && wrap ? map.wrapLatLng(v) : v; };
    var b = map.getBounds();
    var all = {last_clicked: w(g.lat_lng_clicked), last_object_clicked: w(g.last_object_clicked),
      last_object_clicked_count: g.last_object_clicked_count, last_object_clicked_tooltip: g.last_object_clicked_tooltip,
      last_object_clicked_popup: g.last_object_clicked_popup, all_drawings: g.all_drawings,
      last_active_drawing: g.last_active_drawing, last_geocoder_result: g.last_geocoder_result,
      bounds: b && wrap ? map.wrapLatLngBounds(b) : b, zoom: map.getZoom(),
      last_circle_radius: g.last_circle_radius, last_circle_polygon: g.last_circle_polygon,
      center: w(map.getCenter()), selected_layers: Object.values(g.selected_layers || {}),
      selected_tags: g.selected_tags};
    var sent = {};
    Object.keys(all).forEach(function(k) { if (g.returned_objects.indexOf(k) >= 0) { sent[k] = all[k]; } });
    g.previous_data = JSON.parse(JSON.stringify(sent));
  }
  map.on("moveend zoomend resize", settled);
  map.whenReady(function() { settled(); setTimeout(settled, 0); });
})();
{% endmacro %}
"""


class QuietStart(branca.element.MacroElement):  # type: ignore[misc]  # branca is untyped
    """Add to a map drawn with ``st_folium(returned_objects=[... "zoom", "bounds"])``: its first view sends nothing."""

    _template = branca.element.Template(_QUIET)

    def __init__(self) -> None:
        super().__init__()
        self._name = "QuietStart"


def quiet_start(fmap: folium.Map) -> folium.Map:
    """Return ``fmap`` with :class:`QuietStart` added (the page runs once when it loads)."""
    QuietStart().add_to(fmap)
    return fmap
