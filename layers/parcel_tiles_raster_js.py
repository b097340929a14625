"""The parcel tile layer's own rasteriser for the zooms below the click zoom (``layers.parcel_tiles_js`` inlines it).

At zoom 13 a parcel is a few device pixels and a data tile holds ~41k of them. Recording them
into canvas paths (one call per vertex) and rasterising those paths was most of the first
paint's CPU. Below ``cfg.rasterBelow`` the tile is instead decoded straight into pixels: each
feature's tags and geometry are read once (no typed arrays kept: no click reads these zooms), its
rings scan-converted at pixel centres (even-odd) into one RGBA buffer, put on the tile canvas at
once. A parcel holding no pixel centre (narrower than a pixel) gets the pixel under the middle of
its box, set after the others so that no wider neighbour covers it: every parcel whose box's
middle is in the tile is drawn. Pixels are hard-edged (no anti-aliasing): a gap between parcels
narrower than a pixel shows as a row of empty pixels where it holds their centres, or not at
all. The zooms from ``cfg.rasterBelow`` up are drawn by the canvas as before, pixel for pixel.
"""
from __future__ import annotations

#: JavaScript inlined in ``codec()`` (so the workers have it too): ``raster(buf, cfg, px)`` -> {px: Uint32Array, n}.
RASTER_JS = r"""
    function rgba(hex) {  // "#rrggbb" -> a little-endian RGBA pixel, opaque (the pane carries the layer's opacity)
      var v = parseInt(String(hex).slice(1), 16);
      return 0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);  // an int32: never 0
    }
    // one feature's tags into tg and rings into P (pixels) and G (ring ends); -> [coordinates, rings] in n
    function shape(r, end, tg, nk, P, G, scale, n) {
      var np = 0, nr = 0, q;
      for (q = 0; q < nk; q++) { tg[q] = -1; }
      while (r.p < end) {
        var t = varint(r), f = t >> 3, w = t & 7;
        if (f === 2 && w === 2) {
          var te = varint(r) + r.p;
          while (r.p < te) { var kk = varint(r), vv = varint(r); if (kk < nk) { tg[kk] = vv; } }
        } else if (f === 4 && w === 2) {
          var ge = varint(r) + r.p, x = 0, y = 0, open = false;
          while (r.p < ge) {
            var c = varint(r), cmd = c & 7, cnt = c >> 3;
            if (cmd === 7) { if (open) { G[nr++] = np; open = false; } continue; }
            if (cmd === 1 && open) { G[nr++] = np; }
            open = true;
            for (var j = 0; j < cnt; j++) {
              var dx = varint(r), dy = varint(r);
              x += (dx >>> 1) ^ -(dx & 1); y += (dy >>> 1) ^ -(dy & 1);
              P[np++] = x * scale; P[np++] = y * scale;
            }
          }
          if (open) { G[nr++] = np; }
        } else { skip(r, w); }
      }
      n[0] = np; n[1] = nr;
    }
    // the pixel centres inside a feature's rings (even-odd) set to `fill`; -> how many (-1: outside the tile); none:
    // n[2] = the pixel under the middle of its box (-1: outside the tile)
    function scan(out, px, P, np, G, nr, X, fill, n) {
      var x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9, s, q;
      for (s = 0; s < np; s += 2) {
        var xv = P[s], yv = P[s + 1];
        if (xv < x0) { x0 = xv; } if (xv > x1) { x1 = xv; } if (yv < y0) { y0 = yv; } if (yv > y1) { y1 = yv; }
      }
      if (x1 < 0 || y1 < 0 || x0 >= px || y0 >= px) { return -1; }  // in the tile's buffer only
      // pixel c is in [a, b) when its centre c + 0.5 is (so a pixel on an edge two parcels share is one parcel's);
      // integer maths with | 0, not Math.ceil/max (slow here); rows a little wider than the box (those hold no crossing)
      var got = 0, rs = ((y0 + 0.5) | 0) - 1, re = (y1 + 0.5) | 0;
      if (rs < 0) { rs = 0; } if (re > px - 1) { re = px - 1; }
      for (var row = rs; row <= re; row++) {
        var yc = row + 0.5, nx = 0, a = 0;
        for (q = 0; q < nr; q++) {
          var e = G[q];
          for (var u = a, t = e - 2; u < e; t = u, u += 2) {
            var ys = P[u + 1], yt = P[t + 1];
            if ((ys > yc) !== (yt > yc)) {  // from the lower end: an edge two parcels share crosses at the same x
              X[nx++] = ys < yt ? P[u] + (yc - ys) * (P[t] - P[u]) / (yt - ys) : P[t] + (yc - yt) * (P[u] - P[t]) / (ys - yt);
            }
          }
          a = e;
        }
        for (q = 1; q < nx; q++) {  // a handful of crossings: insertion sort
          var xk = X[q], k = q - 1;
          while (k >= 0 && X[k] > xk) { X[k + 1] = X[k]; k--; }
          X[k + 1] = xk;
        }
        for (q = 0; q + 1 < nx; q += 2) {
          var c0 = (X[q] + 0.5) | 0, c1 = ((X[q + 1] + 0.5) | 0) - 1;
          if (c0 - 0.5 >= X[q]) { c0--; } if (c1 + 0.5 >= X[q + 1]) { c1--; }  // centre on a: in; on b: out
          if (c0 < 0) { c0 = 0; } if (c1 > px - 1) { c1 = px - 1; }
          for (var col = c0, o = row * px; col <= c1; col++) { out[o + col] = fill; got++; }
        }
      }
      if (got === 0) {  // narrower than a pixel
        var cx = ((x0 + x1) / 2) | 0, cy = ((y0 + y1) / 2) | 0;
        n[2] = cx >= 0 && cy >= 0 && cx < px && cy < px ? cy * px + cx : -1;
      }
      return got;
    }
    function paint(b, L, feats, cfg, px) {
      var n = feats.length / 2, nk = L.keys.length, nv = L.nv, flt = cfg.filter, r = {b: b, p: 0}, most = 0, i, q;
      for (i = 0; i < n; i++) { var len = feats[2 * i + 1] - feats[2 * i]; if (len > most) { most = len; } }
      var P = new Float64Array(most + 2), G = new Int32Array(most + 2), X = new Float64Array(most + 2);  // 2+ bytes a vertex
      var out = new Uint32Array(px * px), scale = px / L.extent, tg = new Int32Array(nk), cn = new Int32Array(3), drawn = 0;
      var late = [];  // the parcels narrower than a pixel: [pixel, fill], set last so that no wider neighbour covers them
      var nc = FILTER_KEYS.length, at = new Int32Array(nc), seen = new Int8Array(nc * (nv + 1));  // per value: 1 in, 2 out
      var oc = L.keys.indexOf("owner_class"), fills = new Int32Array(nv + 1);  // per owner class value: its pixel (0: not yet)
      for (q = 0; q < nc; q++) { at[q] = L.keys.indexOf(FILTER_KEYS[q]); }
      for (i = 0; i < n; i++) {
        r.p = feats[2 * i];
        shape(r, feats[2 * i + 1], tg, nk, P, G, scale, cn);
        var pass = cn[0] > 0;
        for (q = 0; q < nc && pass; q++) {  // the review filter, as in draw()
          var v = at[q] >= 0 ? tg[at[q]] : -1, slot = q * (nv + 1) + (v >= 0 ? v : nv), st = seen[slot];
          if (st === 0) { st = keyOk(flt, FILTER_KEYS[q], v >= 0 ? val(L, v) : undefined) ? 1 : 2; seen[slot] = st; }
          pass = st === 1;
        }
        if (!pass) { continue; }
        var ov = oc >= 0 ? tg[oc] : -1, fs = ov >= 0 ? ov : nv, fill = fills[fs];
        if (fill === 0) { fill = rgba(cfg.colors[ov >= 0 ? val(L, ov) : ""] || cfg.otherColor) | 0; fills[fs] = fill; }
        var got = scan(out, px, P, cn[0], G, cn[1], X, fill, cn);
        if (got === 0 && cn[2] >= 0) { late.push(cn[2], fill); got = 1; }
        if (got > 0) { drawn++; }
      }
      for (i = 0; i < late.length; i += 2) { out[late[i]] = late[i + 1]; }
      return {px: out, n: drawn};
    }
    // the parcels of vector tile `buf` (shown whole, `px` square) as pixels; null when the layer is not in it
    function raster(buf, cfg, px) {
      return decode(buf, cfg.layer, function (b, L, feats) { return paint(b, L, feats, cfg, px); });
    }
"""
