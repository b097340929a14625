"""The basemap as configuration: none, the City's XYZ tile server, a self-hosted PMTiles file, or public OSM.

A public tile server learns from every tile request which lots and garages City staff are
looking at, and public tiles are often blocked on the City's network. So a store of real data
gets no basemap (or the configured City source) unless a deployment explicitly chooses public
OpenStreetMap tiles; demo mode on the synthetic sample may use them and says so on the map.

``STAGEMAP_BASEMAP`` chooses the source:

* ``none``: no basemap; the layers draw on a plain background;
* ``xyz:https://tiles.example.lacity.gov/{z}/{x}/{y}.png``: an XYZ tile server;
* ``pmtiles:basemap/la.pmtiles``: a PMTiles archive under ``./static`` (served by StageMap at
  ``/app/static/...`` with HTTP range requests), raster tiles or a Protomaps vector basemap;
* ``osm``: public OpenStreetMap tiles (the tile server sees the area viewed).

Unset: ``osm`` for the synthetic sample (labelled on the map), ``none`` for real data.
``STAGEMAP_BASEMAP_ATTR`` sets the attribution of an XYZ or PMTiles source. The older
``STAGEMAP_TILES`` (a URL template, a provider name or "none") is still read when
``STAGEMAP_BASEMAP`` is unset.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import branca.element
import folium
from folium.elements import JSCSSMixin

from geo.i18n import N_, translate
from layers.escape import safe_text

BASEMAP_ENV = "STAGEMAP_BASEMAP"
ATTR_ENV = "STAGEMAP_BASEMAP_ATTR"
LEGACY_TILES_ENV = "STAGEMAP_TILES"
STATIC_URL = "/app/static"
OSM_ATTR = "&copy; OpenStreetMap contributors"
PMTILES_JS = "https://unpkg.com/pmtiles@4.5.0/dist/pmtiles.js"
PROTOMAPS_JS = "https://unpkg.com/protomaps-leaflet@5.1.0/dist/protomaps-leaflet.js"
KINDS = ("none", "xyz", "pmtiles", "osm")


@dataclass(frozen=True)
class Basemap:
    """One basemap source: its kind, URL, attribution, and the note the map shows about it."""

    kind: str
    url: str | None = None
    attribution: str | None = None
    note: str | None = None

    @property
    def public(self) -> bool:
        """Whether tiles come from a public third party (which sees the area viewed)."""
        return self.kind == "osm"


def configured_basemap(*, synthetic: bool | None) -> Basemap:
    """Return the configured basemap for a store (``synthetic``: True for the sample, False for real data).

    Raises
    ------
    ValueError
        When ``STAGEMAP_BASEMAP`` names no known kind, or a source without its URL or path.
    """
    raw = (os.environ.get(BASEMAP_ENV) or "").strip()
    attr = os.environ.get(ATTR_ENV) or "City of Los Angeles"
    if not raw:
        raw = _legacy() or ("osm" if synthetic else "none")
    kind, _, rest = raw.partition(":")
    kind = kind.strip().lower()
    if kind == "none":
        return Basemap("none")
    if kind == "osm":
        note = (N_("Basemap: public OpenStreetMap tiles (demo); the tile server sees which area is viewed.")
                if synthetic else N_("Basemap: public OpenStreetMap tiles, chosen by this deployment."))
        return Basemap("osm", attribution=OSM_ATTR, note=note)
    if kind == "xyz" and "{z}" in rest:
        return Basemap("xyz", url=rest.strip(), attribution=attr)
    if kind == "pmtiles" and rest.strip():
        return Basemap("pmtiles", url=pmtiles_url(rest.strip()), attribution=attr)
    raise ValueError(f"{BASEMAP_ENV}={raw!r}: use none, osm, xyz:<URL with {{z}}/{{x}}/{{y}}> or "
                     "pmtiles:<file under ./static, or an http(s) URL>.")


def _legacy() -> str | None:
    raw = (os.environ.get(LEGACY_TILES_ENV) or "").strip()
    if not raw:
        return None
    if raw.lower() in ("none", "off", "no"):
        return "none"
    if "{z}" in raw:
        return f"xyz:{raw}"
    return "osm" if raw.lower() in ("openstreetmap", "osm") else f"xyz:{raw}"


def pmtiles_url(path: str) -> str:
    """Return the URL of a PMTiles archive: an http(s) URL as given, else a file under ./static."""
    if path.startswith(("http://", "https://", "/")):
        return path
    return f"{STATIC_URL}/{path.removeprefix('static/').lstrip('/')}"


def add_basemap(fmap: folium.Map, basemap: Basemap, *, lang: str = "en") -> None:
    """Draw ``basemap`` under every layer of ``fmap``, with a one-time notice (in ``lang``) if it cannot load."""
    if basemap.kind in ("osm", "xyz"):
        url = "OpenStreetMap" if basemap.kind == "osm" else str(basemap.url)
        folium.TileLayer(url, attr=basemap.attribution, name="Basemap", control=False,
                         max_zoom=19).add_to(fmap)
    elif basemap.kind == "pmtiles":
        PMTilesLayer(str(basemap.url), attribution=basemap.attribution or "").add_to(fmap)
    if basemap.kind != "none":
        BasemapNotice(translate(basemap.note, lang) if basemap.note else None, lang=lang).add_to(fmap)


_PMTILES = """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var archive = new pmtiles.PMTiles({{ this.url_json }});
  archive.getHeader().then(function(h) {
    var layer = h.tileType === 1
      ? protomapsL.leafletLayer({url: archive, flavor: "light", lang: "en", attribution: {{ this.attr_json }}})
      : pmtiles.leafletRasterLayer(archive, {attribution: {{ this.attr_json }}, maxZoom: 19});
    layer.addTo(map);
    if (layer.bringToBack) { layer.bringToBack(); }
  }).catch(function(e) { window.stagemapBasemapFailed && window.stagemapBasemapFailed(e); });
})();
{% endmacro %}
"""


class PMTilesLayer(JSCSSMixin, branca.element.MacroElement):  # type: ignore[misc]  # folium is untyped
    """A PMTiles archive drawn with the pinned ``pmtiles`` (raster) or ``protomaps-leaflet`` (vector) plugin."""

    _template = branca.element.Template(_PMTILES)
    default_js = [("pmtiles", PMTILES_JS), ("protomaps_leaflet", PROTOMAPS_JS)]  # noqa: RUF012 - folium reads it

    def __init__(self, url: str, *, attribution: str) -> None:
        super().__init__()
        self._name = "PMTilesLayer"
        self.url_json = json.dumps(url)
        self.attr_json = json.dumps(safe_text(attribution))


_NOTICE = """
{% macro html(this, kwargs) %}
{% if this.note %}<div class="stagemap-basemap-note" style="position:absolute; bottom:2px; right:180px;
  z-index:9998; background:rgba(255,255,255,.85); padding:1px 6px; font:11px sans-serif; color:#555;">
  {{ this.note }}</div>{% endif %}
{% endmacro %}
{% macro script(this, kwargs) %}
window.stagemapBasemapFailed = function() {
  if (window.stagemapBasemapNoticeShown) { return; }
  window.stagemapBasemapNoticeShown = true;
  var line = document.createElement("div");
  line.className = "stagemap-basemap-notice";
  line.style.cssText = "color:#a00;font:12px sans-serif;margin-top:4px";
  line.textContent = {{ this.failed_json }};
  var box = document.querySelector(".stagemap-legend");
  if (box) { box.appendChild(line); } else {
    line.style.cssText += ";position:absolute;bottom:24px;left:10px;z-index:9999;background:#fff;" +
      "padding:4px 8px;border:1px solid #999;border-radius:4px";
    document.body.appendChild(line);
  }
};
(function() {
  var map = {{ this._parent.get_name() }};
  map.eachLayer(function(layer) {
    if (layer instanceof L.TileLayer) { layer.on("tileerror", function(e) { window.stagemapBasemapFailed(e); }); }
  });
})();
{% endmacro %}
"""


class BasemapNotice(branca.element.MacroElement):  # type: ignore[misc]  # branca is untyped
    """Says once, in the legend area, when the basemap cannot load; shows the note about its source."""

    _template = branca.element.Template(_NOTICE)

    def __init__(self, note: str | None, *, lang: str = "en") -> None:
        super().__init__()
        self._name = "BasemapNotice"
        self.note = safe_text(note) if note else ""
        self.failed_json = json.dumps(translate(N_("Basemap could not load: layers are drawn without it."), lang))
