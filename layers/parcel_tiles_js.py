"""The JavaScript of StageMap's parcel tile layer (``layers.parcel_tiles``): decoding, drawing, clicks, workers.

Vector tiles are fetched (HTTP range requests through the pinned ``pmtiles`` package), gunzipped,
decoded into typed arrays (no object per vertex or per parcel) and drawn a few parcels per canvas
fill, one colour at a time; below ``cfg.rasterBelow`` (zoom 13) a tile is decoded straight into
pixels instead (``layers.parcel_tiles_raster_js``). A drawn tile is kept (32 of them) and copied
when the map comes back to it, so zooming back out draws nothing again.
With ``cfg.workers`` > 0 the fetching, decoding and, for a tile shown whole (zoom <= 14), the
drawing into an ``OffscreenCanvas`` (or the pixels, below ``cfg.rasterBelow``) run in that many
Web Workers started from an inline ``blob:`` script; the bitmap, the pixels, the typed arrays and
the tile's bytes are moved to the page, not copied, for clicks and over-zoomed tiles. Where a worker
cannot start (a Content-Security-Policy without ``worker-src blob:``, no ``Worker``) the same
code runs on the page. Workers are off by default (``layers.parcel_tiles.DECODE_WORKERS``).
"""
from __future__ import annotations

from layers.parcel_tiles_raster_js import RASTER_JS

#: The tile layer class, defined once per page as ``window.stagemapParcelLayer``.
LAYER_JS = r"""
window.stagemapParcelLayer = window.stagemapParcelLayer || (function () {
  // the vector tile decoder: run on the page and, from its source text, in the workers
  function codec() {
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
    function decode(buf, want, then) {
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
          return (then || geometry)(r.b, {b: r.b, keys: keys, vpos: new Int32Array(vpos), nv: vpos.length / 2, vals: new Map(),
                                extent: extent}, feats, gbytes);
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

    // the parcels of a decoded tile D shown at display tile `coords`, `over` levels below its zoom, into ctx (px square)
    function draw(ctx, D, cfg, coords, over, px) {
      var flt = cfg.filter, nk = D.keys.length, nv = D.nv, i, q;
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
      var outline = coords.z >= cfg.outlineZoom;
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
    }
""" + RASTER_JS + r"""
    return {decode: decode, value: value, val: val, keyOk: keyOk, visible: visible, draw: draw, raster: raster};
  }
  // a worker: reads the archive (range requests and gunzip by pmtiles), decodes, and draws a tile shown whole
  // into an OffscreenCanvas; the bitmap and the arrays are moved to the page, not copied
  function worker() {
    var pm = null, cfg = null, canvas = typeof OffscreenCanvas !== "undefined";
    self.onmessage = function (e) {
      var m = e.data;
      if (m.cfg) {
        cfg = m.cfg; importScripts(m.lib); pm = new pmtiles.PMTiles(m.url); pm.getHeader();
        if (canvas) { var w = new OffscreenCanvas(8, 8).getContext("2d"); w.fillRect(0, 0, 4, 4); }  // the first fill is slow
        return;
      }
      pm.getZxy(m.z, m.x, m.y).then(function (res) {
        if (m.draw && m.draw.raster) {  // below the click zoom: pixels only (layers.parcel_tiles_raster_js)
          var R = res ? C.raster(res.data, cfg, m.draw.px) : null;
          self.postMessage({id: m.id, tile: R && {n: R.n, raster: true}, shot: R && R.px}, R ? [R.px.buffer] : []);
          return;
        }
        var D = res ? C.decode(res.data, cfg.layer) : null, shot = null, moved = [];
        if (D && m.draw && canvas) {
          try {
            var off = new OffscreenCanvas(m.draw.px, m.draw.px);
            C.draw(off.getContext("2d"), D, cfg, m.draw.coords, 0, m.draw.px);
            shot = off.transferToImageBitmap(); moved.push(shot);
          } catch (err) { shot = null; canvas = false; }  // the page draws it
        }
        if (D) { moved.push(D.b.buffer, D.tags.buffer, D.xy.buffer, D.rings.buffer, D.fr.buffer, D.box.buffer, D.vpos.buffer); }
        self.postMessage({id: m.id, tile: D, shot: shot}, moved);
      }).catch(function (err) { self.postMessage({id: m.id, error: String((err && err.message) || err)}); });
    };
  }
  var C = codec();
  // the workers, each given the next tile when it has the fewest waiting; a worker that fails sends its tiles back
  function Pool(cfg, n) {
    var lib = document.querySelector('script[src*="pmtiles"]'), self = this;
    if (!lib || typeof Worker === "undefined" || n < 1) { throw new Error("no workers"); }
    var src = "var C = (" + codec.toString() + ")();\n(" + worker.toString() + ")();\n";
    var url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
    this.jobs = new Map(); this.seq = 0; this.workers = []; this.dead = false;
    try {
      for (var i = 0; i < n; i++) {
        var w = new Worker(url);  // throws where the page's policy refuses blob: workers
        w.waiting = 0;
        w.onmessage = function (e) { self.done(e.data); };
        w.onerror = function (e) { if (e && e.preventDefault) { e.preventDefault(); } self.fail(); };
        w.postMessage({cfg: cfg, lib: lib.src, url: new URL(cfg.url, document.baseURI).href});
        this.workers.push(w);
      }
    } finally { URL.revokeObjectURL(url); }
  }
  Pool.prototype.get = function (z, x, y, draw) {  // a promise of [decoded tile, its bitmap for `draw` or null]
    var self = this, id = ++this.seq;
    var w = this.workers.reduce(function (a, b) { return b.waiting < a.waiting ? b : a; });
    w.waiting++;
    return new Promise(function (resolve, reject) {
      self.jobs.set(id, {resolve: resolve, reject: reject, w: w});
      w.postMessage({id: id, z: z, x: x, y: y, draw: draw});
    });
  };
  Pool.prototype.done = function (m) {
    var job = this.jobs.get(m.id);
    if (!job) { return; }
    this.jobs.delete(m.id); job.w.waiting--;
    if (m.error !== undefined) { job.reject(new Error(m.error)); } else { job.resolve([m.tile, m.shot]); }
  };
  Pool.prototype.fail = function () {
    this.dead = true;
    this.workers.forEach(function (w) { w.terminate(); });
    var jobs = this.jobs; this.jobs = new Map();
    jobs.forEach(function (job) { job.reject({workerFailed: true}); });
  };
  function props(L, i) {
    var p = {}, nk = L.keys.length;
    for (var k = 0; k < nk; k++) { var v = L.tags[i * nk + k]; if (v >= 0) { p[L.keys[k]] = C.val(L, v); } }
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
  var Layer = L.GridLayer.extend({
    visible: function (p) { return C.visible(this.cfg.filter, p); },
    initialize: function (cfg) {
      this.cfg = cfg; this._pm = null; this._data = new Map(); this._shots = new Map(); this._pool = null;
      this._rastered = new Map();
      var n = Math.min(cfg.workers || 0, navigator.hardwareConcurrency || 2);
      try { this._pool = new Pool(cfg, n); } catch (err) { this._pool = null; }  // decoded and drawn on the page instead
      L.GridLayer.prototype.initialize.call(this, {tileSize: 256 * Math.pow(2, cfg.levelDiff),
        attribution: cfg.attribution, opacity: cfg.opacity, updateWhenZooming: false, keepBuffer: 1});
    },
    decoder: function () { return this._pool && !this._pool.dead ? "worker" : "page"; },
    _load: function (z, x, y, draw) {  // a promise of [decoded tile or null, bitmap drawn for `draw` or null]
      var self = this, cfg = this.cfg;
      if (this._pool && !this._pool.dead) {
        return this._pool.get(z, x, y, draw).catch(function (err) {
          if (err && err.workerFailed) { return self._load(z, x, y, draw); }
          throw err;
        });
      }
      this._pm = this._pm || new pmtiles.PMTiles(cfg.url);
      return this._pm.getZxy(z, x, y).then(function (res) {
        if (!draw || !draw.raster) { return [res ? C.decode(res.data, cfg.layer) : null, null]; }
        var R = res ? C.raster(res.data, cfg, draw.px) : null;  // pixels only, nothing kept
        return [R && {n: R.n, raster: true}, R && R.px];
      });
    },
    _dataTile: function (z, x, y, draw) {  // the decoded tile, and a bitmap when this call fetched it and `draw` asked
      var key = z + "/" + x + "/" + y, hit = this._data.get(key);
      if (hit) { this._data.delete(key); this._data.set(key, hit); return hit.p.then(function (t) { return [t, null]; }); }
      var entry = {p: null, tile: null}, got = this._load(z, x, y, draw);
      entry.p = got.then(function (r) { entry.tile = r[0]; return r[0]; });
      this._data.set(key, entry);
      if (this._data.size > 40) { this._data.delete(this._data.keys().next().value); }
      return got;
    },
    _counted: function (key, meta) {  // parcels drawn in the rasterised tiles (no decoded tile is kept for them)
      this._rastered.delete(key); this._rastered.set(key, meta ? meta.n : 0);
      if (this._rastered.size > 40) { this._rastered.delete(this._rastered.keys().next().value); }
    },
    _keep: function (key, image) {  // drawn tiles, drawn again by a copy when the map comes back to them (zoom out)
      this._shots.delete(key); this._shots.set(key, image);
      if (this._shots.size > 32) {
        var old = this._shots.keys().next().value, img = this._shots.get(old);
        this._shots.delete(old);
        if (img && img.close) { img.close(); }
      }
    },
    _where: function (z) {  // display zoom -> [data zoom, levels over-zoomed]
      var dz = z - this.cfg.levelDiff, over = Math.max(0, dz - this.cfg.maxDataZoom);
      return [dz - over, over];
    },
    createTile: function (coords, done) {
      var size = this.getTileSize(), tile = document.createElement("canvas"), ratio = window.devicePixelRatio || 1;
      var px = size.x * ratio, key = coords.z + "/" + coords.x + "/" + coords.y, shot = this._shots.get(key);
      tile.width = px; tile.height = px;
      var w = this._where(coords.z), over = w[1], self = this;
      if (w[0] < 0 || this.cfg.filter.none) { setTimeout(function () { done(null, tile); }, 0); return tile; }
      if (shot) {  // drawn before: copied, not drawn again
        this._keep(key, shot); tile.getContext("2d").drawImage(shot, 0, 0);
        Promise.resolve().then(function () { done(null, tile); });
        return tile;
      }
      var raster = over === 0 && coords.z < this.cfg.rasterBelow;  // a few pixels a parcel: no canvas paths
      var draw = over === 0 ? {coords: {x: coords.x, y: coords.y, z: coords.z}, px: px, raster: raster} : null;
      var got = raster ? this._load(w[0], coords.x, coords.y, draw).then(function (r) { self._counted(key, r[0]); return r; })
        : this._dataTile(w[0], coords.x >> over, coords.y >> over, draw);  // the worker draws a tile shown whole
      got.then(function (got) {
        if (got[1] instanceof Uint32Array) {
          tile.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(got[1].buffer), px, px), 0, 0);
          self._keep(key, tile);
        } else if (got[1]) { tile.getContext("2d").drawImage(got[1], 0, 0); self._keep(key, got[1]); }
        else if (got[0]) { self._draw(tile, got[0], coords, over, px); self._keep(key, tile); }
      }).then(function () { done(null, tile); }, function (err) { done(err, tile); });  // a failed draw fails the tile
      return tile;
    },
    _draw: function (tile, D, coords, over, px) { C.draw(tile.getContext("2d"), D, this.cfg, coords, over, px); },
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
  Layer.codec = C;  // the decoder, for tests
  return Layer;
})();
"""
