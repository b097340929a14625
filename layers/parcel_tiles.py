"""Every parcel from the PMTiles archive, drawn in Leaflet by StageMap's own lean canvas tile layer.

The archive is read with HTTP range requests by the pinned ``pmtiles`` package; each vector tile
is decoded straight into typed arrays (no object per vertex or per parcel) and drawn with one
canvas fill per owner-class colour, so a zoom-13 view of ~150k parcels costs a few fills per
tile. Tiles carry AIN, owner class, use category, use type and code and council district, never
risk or status. The review filter is applied in the browser with the same rules as on the
server. A click on a tiled parcel (where no live feature took it) is resolved in the decoded
tile (point in polygon) and handed to streamlit-folium as a click with the tooltip
``Parcel AIN …``; the page resolves that AIN on the server into the detail panel.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import branca.element
from folium.elements import JSCSSMixin

from layers import palette
from layers.basemap import PMTILES_JS

OWNER_COLORS = {k: v for k, v in palette.colours(palette.OWNER).items() if k != "repeat"}  # the one palette
CLICK_PREFIX = "Parcel AIN "  # geo.analysis.lod.TILE_CLICK_PREFIX reads it back
OUTLINE_ZOOM = 16  # outlines cost a second canvas pass: drawn only when parcels are large on screen


@dataclass(frozen=True)
class ParcelTiles:
    """The archive a map draws its parcels from, and the filter it applies."""

    url: str
    max_data_zoom: int = 13  # geo.tiles.TileRules.max_zoom
    level_diff: int = 1
    every_parcel_from: int = 13
    filter_rules: Mapping[str, object] = field(default_factory=dict)


#: The tile layer: MVT decoding into typed arrays, one fill per colour, point-in-polygon clicks.
_LAYER_JS = r"""
window.stagemapParcelLayer = window.stagemapParcelLayer || (function () {
  function varint(r) {
    var b = r.b, v = 0, s = 1, c;
    do { c = b[r.p++]; v += (c & 0x7f) * s; s *= 128; } while (c >= 0x80);
    return v;
  }
  function skip(r, w) {
    if (w === 0) { varint(r); } else if (w === 1) { r.p += 8; } else if (w === 5) { r.p += 4; }
    else if (w === 2) { var n = varint(r); r.p += n; }
  }
  var utf8 = new TextDecoder();
  function str(r) { var n = varint(r), s = utf8.decode(r.b.subarray(r.p, r.p + n)); r.p += n; return s; }
  function value(r, end) {
    var v = null;
    while (r.p < end) {
      var t = varint(r), f = t >> 3;
      if (f === 1) { v = str(r); }
      else if (f === 2) { v = new DataView(r.b.buffer, r.b.byteOffset + r.p, 4).getFloat32(0, true); r.p += 4; }
      else if (f === 3) { v = new DataView(r.b.buffer, r.b.byteOffset + r.p, 8).getFloat64(0, true); r.p += 8; }
      else if (f === 4 || f === 5) { v = varint(r); }
      else if (f === 6) { var z = varint(r); v = z % 2 ? -(z + 1) / 2 : z / 2; }
      else if (f === 7) { v = !!varint(r); }
      else { skip(r, t & 7); }
    }
    return v;
  }
  // one layer of a vector tile: keys, values, and every feature's tags and rings in typed arrays
  function decode(buf, want) {
    var r = {b: new Uint8Array(buf), p: 0}, end = r.b.length;
    while (r.p < end) {
      var t = varint(r);
      if ((t >> 3) !== 3 || (t & 7) !== 2) { skip(r, t & 7); continue; }
      var n = varint(r), le = r.p + n, name = "", keys = [], vpos = [], extent = 4096, feats = [], gbytes = 0;
      while (r.p < le) {
        var u = varint(r), f = u >> 3;
        if (f === 1) { name = str(r); }
        else if (f === 2) { var m = varint(r); feats.push(r.p, r.p + m); gbytes += m; r.p += m; }
        else if (f === 3) { keys.push(str(r)); }
        else if (f === 4) { var k = varint(r); vpos.push(r.p, r.p + k); r.p += k; }  // decoded when asked for
        else if (f === 5) { extent = varint(r); }
        else { skip(r, u & 7); }
      }
      r.p = le;
      if (name === want) {
        return geometry(r.b, {b: r.b, keys: keys, vpos: vpos, nv: vpos.length / 2, vals: new Map(), extent: extent},
                        feats, gbytes);
      }
    }
    return null;
  }
  function geometry(b, L, feats, gbytes) {
    var n = feats.length / 2, nk = L.keys.length, r = {b: b, p: 0};
    var tags = new Int32Array(n * nk).fill(-1), xy = new Int32Array(gbytes + 2);
    var rings = new Int32Array(Math.ceil(gbytes / 3) + n + 2), fr = new Int32Array(n + 1), box = new Int32Array(n * 4);
    var ci = 0, ri = 0;
    for (var i = 0; i < n; i++) {
      r.p = feats[2 * i]; var end = feats[2 * i + 1], x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
      fr[i] = ri;
      while (r.p < end) {
        var t = varint(r), f = t >> 3, w = t & 7;
        if (f === 2 && w === 2) {
          var te = varint(r) + r.p;
          while (r.p < te) { var kk = varint(r), vv = varint(r); if (kk < nk) { tags[i * nk + kk] = vv; } }
        } else if (f === 4 && w === 2) {
          var ge = varint(r) + r.p, x = 0, y = 0, open = false;
          while (r.p < ge) {
            var c = varint(r), cmd = c & 7, cnt = c >> 3;
            if (cmd === 7) { if (open) { rings[ri++] = ci; open = false; } continue; }
            if (cmd === 1 && open) { rings[ri++] = ci; }
            open = true;
            for (var j = 0; j < cnt; j++) {  // most deltas are one byte: read those inline
              var p = r.p, dx = b[p], dy;
              if (dx < 0x80) { p++; } else { dx = varint(r); p = r.p; }
              dy = b[p];
              if (dy < 0x80) { r.p = p + 1; } else { r.p = p; dy = varint(r); }
              x += (dx >>> 1) ^ -(dx & 1); y += (dy >>> 1) ^ -(dy & 1);
              xy[ci++] = x; xy[ci++] = y;
              if (x < x0) { x0 = x; } if (x > x1) { x1 = x; } if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
            }
          }
          if (open) { rings[ri++] = ci; }
        } else { skip(r, w); }
      }
      box[4 * i] = x0; box[4 * i + 1] = y0; box[4 * i + 2] = x1; box[4 * i + 3] = y1;
    }
    fr[n] = ri;
    L.n = n; L.tags = tags; L.xy = xy; L.rings = rings; L.fr = fr; L.box = box;
    return L;
  }
  var BATCH = 24;  // parcels per canvas path
  var FILTER_KEYS = ["category", "owner_class", "district", "use_code"];
  function keyOk(flt, key, v) {  // the review filter, one attribute at a time (same rules as the server's)
    if (key === "category") { return !flt.categories.length || flt.categories.indexOf(v) >= 0; }
    if (key === "owner_class") { return !flt.owner_classes.length || flt.owner_classes.indexOf(v) >= 0; }
    if (key === "district") { return !flt.districts.length || flt.districts.indexOf(Number(v)) >= 0; }
    if (key === "use_code") { return !flt.use_code || String(v || "").toUpperCase().indexOf(flt.use_code) === 0; }
    return true;
  }
  function visible(flt, p) {
    if (flt.none) { return false; }
    for (var i = 0; i < FILTER_KEYS.length; i++) { if (!keyOk(flt, FILTER_KEYS[i], p[FILTER_KEYS[i]])) { return false; } }
    return true;
  }
  function val(L, v) {
    if (!L.vals.has(v)) { L.vals.set(v, value({b: L.b, p: L.vpos[2 * v]}, L.vpos[2 * v + 1])); }
    return L.vals.get(v);
  }
  function props(L, i) {
    var p = {}, nk = L.keys.length;
    for (var k = 0; k < nk; k++) { var v = L.tags[i * nk + k]; if (v >= 0) { p[L.keys[k]] = val(L, v); } }
    return p;
  }
  function inside(L, i, px, py) {
    var a = L.fr[i] ? L.rings[L.fr[i] - 1] : 0, hit = false;
    for (var q = L.fr[i]; q < L.fr[i + 1]; q++) {
      var e = L.rings[q];
      for (var s = a, t = e - 2; s < e; t = s, s += 2) {
        var xs = L.xy[s], ys = L.xy[s + 1], xt = L.xy[t], yt = L.xy[t + 1];
        if ((ys > py) !== (yt > py) && px < (xt - xs) * (py - ys) / (yt - ys) + xs) { hit = !hit; }
      }
      a = e;
    }
    return hit;
  }
  return L.GridLayer.extend({
    visible: function (p) { return visible(this.cfg.filter, p); },
    initialize: function (cfg) {
      this.cfg = cfg; this._pm = new pmtiles.PMTiles(cfg.url); this._data = new Map();
      L.GridLayer.prototype.initialize.call(this, {tileSize: 256 * Math.pow(2, cfg.levelDiff),
        attribution: cfg.attribution, opacity: cfg.opacity, updateWhenZooming: false, keepBuffer: 1});
    },
    _dataTile: function (z, x, y) {
      var key = z + "/" + x + "/" + y, hit = this._data.get(key), cfg = this.cfg;
      if (hit) { this._data.delete(key); this._data.set(key, hit); return hit.p; }
      var entry = {p: null, tile: null};
      entry.p = this._pm.getZxy(z, x, y).then(function (res) {
        entry.tile = res ? decode(res.data, cfg.layer) : null; return entry.tile;
      });
      this._data.set(key, entry);
      if (this._data.size > 40) { this._data.delete(this._data.keys().next().value); }
      return entry.p;
    },
    _where: function (z) {  // display zoom -> [data zoom, levels over-zoomed]
      var dz = z - this.cfg.levelDiff, over = Math.max(0, dz - this.cfg.maxDataZoom);
      return [dz - over, over];
    },
    createTile: function (coords, done) {
      var size = this.getTileSize(), tile = document.createElement("canvas"), ratio = window.devicePixelRatio || 1;
      tile.width = size.x * ratio; tile.height = size.y * ratio;
      var w = this._where(coords.z), over = w[1], self = this;
      if (w[0] < 0 || this.cfg.filter.none) { setTimeout(function () { done(null, tile); }, 0); return tile; }
      this._dataTile(w[0], coords.x >> over, coords.y >> over).then(function (data) {
        if (data) { self._draw(tile, data, coords, over, size.x * ratio); }
      }).then(function () { done(null, tile); }, function (err) { done(err, tile); });  // a failed draw fails the tile
      return tile;
    },
    _draw: function (tile, D, coords, over, px) {
      var cfg = this.cfg, flt = cfg.filter, nk = D.keys.length, nv = D.nv, i, q;
      var checks = FILTER_KEYS.map(function (name) { return [D.keys.indexOf(name), name, new Int8Array(nv + 1)]; });
      var oc = D.keys.indexOf("owner_class"), fills = new Map(), groups = new Map();
      var span = Math.pow(2, over), scale = px * span / D.extent;
      var ox = (coords.x - ((coords.x >> over) << over)) * px, oy = (coords.y - ((coords.y >> over) << over)) * px;
      var lx = ox / scale, ly = oy / scale, hx = (ox + px) / scale, hy = (oy + px) / scale;
      for (i = 0; i < D.n; i++) {
        var b = 4 * i, pass = true;
        if (D.box[b] > hx || D.box[b + 2] < lx || D.box[b + 1] > hy || D.box[b + 3] < ly) { continue; }
        for (q = 0; q < checks.length && pass; q++) {
          var c = checks[q], v = c[0] >= 0 ? D.tags[i * nk + c[0]] : -1, slot = v >= 0 ? v : nv, s = c[2][slot];
          if (s === 0) { s = keyOk(flt, c[1], v >= 0 ? val(D, v) : undefined) ? 1 : 2; c[2][slot] = s; }
          pass = s === 1;
        }
        if (!pass) { continue; }
        var ov = oc >= 0 ? D.tags[i * nk + oc] : -1, fill = fills.get(ov);
        if (fill === undefined) { fill = cfg.colors[ov >= 0 ? val(D, ov) : ""] || cfg.otherColor; fills.set(ov, fill); }
        var g = groups.get(fill);
        if (!g) { g = []; groups.set(fill, g); }
        g.push(i);
      }
      var ctx = tile.getContext("2d"), outline = coords.z >= cfg.outlineZoom;
      ctx.strokeStyle = cfg.stroke; ctx.lineWidth = 0.6;
      groups.forEach(function (members, fill) {
        // Chromium's software canvas slows down quadratically with subpaths per path: fill a few parcels at a time
        // (opaque, the layer's opacity is the pane's, so the seams of adjacent fills do not show)
        ctx.fillStyle = fill;
        for (var m0 = 0; m0 < members.length; m0 += BATCH) {
          ctx.beginPath();
          for (var m = m0; m < Math.min(m0 + BATCH, members.length); m++) {
            var f = members[m], a = D.fr[f] ? D.rings[D.fr[f] - 1] : 0;
            for (var r = D.fr[f]; r < D.fr[f + 1]; r++) {
              var e = D.rings[r];
              ctx.moveTo(D.xy[a] * scale - ox, D.xy[a + 1] * scale - oy);
              for (var s2 = a + 2; s2 < e; s2 += 2) { ctx.lineTo(D.xy[s2] * scale - ox, D.xy[s2 + 1] * scale - oy); }
              ctx.closePath(); a = e;
            }
          }
          ctx.fill();
          if (outline) { ctx.stroke(); }
        }
      });
    },
    // the parcels under a point, from the decoded tile drawn at the current zoom: [[{feature: {props}, layerName}]]
    queryTileFeaturesDebug: function (lng, lat) {
      var map = this._map; if (!map) { return []; }
      var w = this._where(Math.round(map.getZoom())), dz = w[0], n = Math.pow(2, dz);
      var fx = (lng + 180) / 360 * n, fy = (1 - Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) / Math.PI) / 2 * n;
      var tx = Math.floor(fx), ty = Math.floor(fy), entry = this._data.get(dz + "/" + tx + "/" + ty);
      var D = entry && entry.tile, out = [];
      if (!D) { return []; }
      var px = (fx - tx) * D.extent, py = (fy - ty) * D.extent;
      for (var i = 0; i < D.n; i++) {
        var b = 4 * i;
        if (px < D.box[b] || px > D.box[b + 2] || py < D.box[b + 1] || py > D.box[b + 3]) { continue; }
        if (inside(D, i, px, py)) { out.push({feature: {props: props(D, i)}, layerName: this.cfg.layer}); }
      }
      return [out];
    }
  });
})();
"""

_TEMPLATE = """
{% macro script(this, kwargs) %}
""" + _LAYER_JS + """
(function() {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config_json }};
  var layer = new window.stagemapParcelLayer(cfg);
  layer.addTo(map);
  window.stagemapParcelTiles = layer;
  map.on("click", function(e) {
    if (e.originalEvent && e.originalEvent._stopped) { return; }  // a live feature took the click
    if (map.getZoom() < cfg.clickZoom) { return; }
    var ain = null;
    layer.queryTileFeaturesDebug(e.latlng.lng, e.latlng.lat).forEach(function(hits) {
      hits.forEach(function(h) {
        var a = String(h.feature.props.ain || "");
        if (h.layerName === cfg.layer && layer.visible(h.feature.props) && /^[0-9A-Za-z-]{1,32}$/.test(a)) { ain = a; }
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
    default_js = [("pmtiles", PMTILES_JS)]  # noqa: RUF012 - folium reads it

    def __init__(self, url: str, *, layer: str = "parcels", max_data_zoom: int = 13, level_diff: int = 1,
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
