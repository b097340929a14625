"""The parcel layer's own rasteriser at zoom 13 in Chromium: every parcel drawn, and where the canvas drew a pixel whole.

At zoom 13 (below the click zoom) the layer decodes a tile straight into pixels
(``layers.parcel_tiles_raster_js``) instead of recording canvas paths. The sample's archive is
served over HTTP range requests on loopback to the review map at zoom 13; every tile in view is
read back and checked against the same tile decoded by the layer's decoder, parcel by parcel, and
against the canvas drawing of the same view (``rasterBelow`` 0: the canvas path the layer keeps
for zoom 14 up).
"""
from __future__ import annotations

import json

import pytest

from bench.tiles import Server, review_page
from geo import schema
from layers.parcel_tiles import RASTER_BELOW
from tests.browser.conftest import TILES_LOADED_JS, _ensure_assets

#: per tile in view: the parcels whose box's middle is in it, those of them leaving a pixel blank whose centre they
#: hold (or, holding none, the pixel under their box's middle), the parcels the rasteriser drew, and every pixel's
#: alpha as one character (0: none, 1: partial, 2: opaque)
PARCELS_JS = """async () => {
  const l = window.stagemapParcelTiles, C = window.stagemapParcelLayer.codec, out = {};
  for (const [key, t] of Object.entries(l._tiles)) {
    const [x, y, z] = key.split(":").map(Number), w = t.el.width, ctx = t.el.getContext("2d");  // Leaflet's x:y:z
    const px = ctx.getImageData(0, 0, w, w).data;
    const res = await l._pm.getZxy(z - l.cfg.levelDiff, x, y);
    const D = res ? C.decode(res.data, l.cfg.layer) : null;
    let inTile = 0, blank = 0, hidden = 0;
    if (D) {
      const s = w / D.extent;
      for (let i = 0; i < D.n; i++) {
        const x0 = D.box[4 * i] * s, y0 = D.box[4 * i + 1] * s, x1 = D.box[4 * i + 2] * s, y1 = D.box[4 * i + 3] * s;
        const mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
        if (mx < 0 || my < 0 || mx >= w || my >= w) { continue; }
        const props = {};
        D.keys.forEach((k, j) => { const v = D.tags[i * D.keys.length + j]; if (v >= 0) { props[k] = C.val(D, v); } });
        if (!l.visible(props)) { hidden++; continue; }  // the review filter
        inTile++;
        // the pixels whose centre the parcel holds (point in polygon, even-odd), else the one under its box's middle
        let held = 0, unpainted = 0;
        const a0 = D.fr[i] ? D.rings[D.fr[i] - 1] : 0;
        for (let r = Math.max(0, Math.floor(y0)); r < Math.min(w, Math.ceil(y1)); r++) {
          for (let c = Math.max(0, Math.floor(x0)); c < Math.min(w, Math.ceil(x1)); c++) {
            const cx = (c + 0.5) / s, cy = (r + 0.5) / s;
            let inside = false, a = a0;
            for (let q = D.fr[i]; q < D.fr[i + 1]; q++) {
              const e = D.rings[q];
              for (let u = a, v = e - 2; u < e; v = u, u += 2) {
                const xu = D.xy[u], yu = D.xy[u + 1], xv = D.xy[v], yv = D.xy[v + 1];
                if ((yu > cy) !== (yv > cy) && cx < (xv - xu) * (cy - yu) / (yv - yu) + xu) { inside = !inside; }
              }
              a = e;
            }
            if (inside) { held++; if (px[4 * (r * w + c) + 3] === 0) { unpainted++; } }
          }
        }
        if (held === 0) { unpainted = px[4 * (Math.floor(my) * w + Math.floor(mx)) + 3] === 0 ? 1 : 0; }
        if (unpainted) { blank++; }
      }
    }
    let alpha = "";
    for (let i = 3; i < px.length; i += 4) { alpha += px[i] === 255 ? "2" : px[i] > 0 ? "1" : "0"; }
    out[key] = {inTile: inTile, blank: blank, hidden: hidden, alpha: alpha, drawn: l._rastered.get(z + "/" + x + "/" + y) || 0};
  }
  return out;
}"""


@pytest.mark.parametrize("owners", [[], ["city_site", "other_public"]], ids=["every-parcel", "public-only"])
def test_zoom_13_draws_every_parcel_and_every_pixel_the_canvas_drew_whole(sample_archive, new_context, tmp_path,
                                                                           owners):
    _ensure_assets()
    store, file, (lat, lon, _ain) = sample_archive
    server = Server(tmp_path)
    try:
        html = review_page(server.add_archive(file), store.read_layer(schema.SITES), store.read_layer(schema.DISTRICTS),
                           zoom=13, center=(lat, lon))
        assert '"owner_classes": []' in html
        html = html.replace('"owner_classes": []', f'"owner_classes": {json.dumps(owners)}')  # the review filter
        assert f'"rasterBelow": {RASTER_BELOW}' in html and RASTER_BELOW == 14  # zoom 13 rasterised, 14 up the canvas
        seen = {}
        for name, page_html in (("raster", html), ("canvas", html.replace(f'"rasterBelow": {RASTER_BELOW}',
                                                                          '"rasterBelow": 0'))):
            ctx, guard = new_context(width=1280, height=800)
            page = ctx.new_page()
            page.goto(server.publish(f"{name}.html", page_html), wait_until="load")
            page.wait_for_function(TILES_LOADED_JS, timeout=120_000)
            seen[name] = page.evaluate(PARCELS_JS)
            guard.check()
            ctx.close()
        raster, canvas = seen["raster"], seen["canvas"]
        assert raster.keys() == canvas.keys() and len(raster) >= 4
        shown, hidden = sum(t["inTile"] for t in raster.values()), sum(t["hidden"] for t in raster.values())
        assert shown > (1_000 if not owners else 10) and (hidden > shown if owners else hidden == 0), (shown, hidden)
        for key, tile in raster.items():
            assert tile["blank"] == 0, (key, tile["blank"], tile["inTile"])  # every parcel drawn where it is
            assert tile["drawn"] >= tile["inTile"], (key, tile["drawn"], tile["inTile"])
            assert canvas[key]["drawn"] == 0  # the canvas page drew with paths
            whole = [i for i, a in enumerate(canvas[key]["alpha"]) if a == "2"]
            missed = [i for i in whole if tile["alpha"][i] == "0"]
            assert not missed, (key, len(missed), len(whole))  # covered whole by the canvas: painted here too
            stray = [i for i, a in enumerate(tile["alpha"]) if a != "0" and canvas[key]["alpha"][i] == "0"]
            assert not stray, (key, len(stray))  # nothing where the canvas drew nothing (a hidden parcel, a gap)
            assert set(tile["alpha"]) <= {"0", "2"}  # opaque pixels (the pane carries the layer's opacity)
    finally:
        server.close()
