"""The parcel tile layer's workers in Chromium: the same pixels and parcels as decoding and drawing on the page.

The sample's archive is served over HTTP range requests on loopback (as Streamlit's static route
does) to the review map; the same view is opened with the workers, without them (``workers=0``)
and under a Content-Security-Policy that refuses ``blob:`` workers, and every tile canvas is read
back pixel by pixel.
"""
from __future__ import annotations

import pytest

from bench.tiles import Server, review_page
from geo import schema
from tests.browser.conftest import TILES_LOADED_JS, _ensure_assets

#: every tile in view: its key, a digest of its pixels and how many are painted; the parcels decoded; the decoder
DRAWN_JS = """async () => {
  const l = window.stagemapParcelTiles, out = [];
  for (const [key, t] of Object.entries(l._tiles)) {
    const px = t.el.getContext("2d").getImageData(0, 0, t.el.width, t.el.height).data;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", px));
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) { painted++; } }
    out.push([key, Array.from(digest).map(b => b.toString(16).padStart(2, "0")).join(""), painted]);
  }
  let parcels = 0;
  l._data.forEach(e => { parcels += e.tile ? e.tile.n : 0; });
  l._rastered.forEach(n => { parcels += n; });  // zoom 13: decoded straight into pixels, nothing kept
  return {tiles: out.sort(), parcels: parcels, decoder: l.decoder()};
}"""
CSP = '<meta http-equiv="Content-Security-Policy" content="worker-src \'none\'">'


def _open(new_context, server: Server, html: str, name: str) -> tuple[object, object]:
    ctx, guard = new_context(width=1280, height=800)
    page = ctx.new_page()
    page.goto(server.publish(name, html), wait_until="load")
    page.wait_for_function(TILES_LOADED_JS, timeout=120_000)
    return page, guard


@pytest.mark.parametrize("zoom", [13, 14, 16], ids=["z13-every-parcel", "z14-click", "z16-over-zoomed"])
def test_the_workers_draw_the_same_pixels_as_the_page(sample_archive, new_context, playwright_browser, tmp_path, zoom):
    _ensure_assets()
    store, file, (lat, lon, ain) = sample_archive
    server = Server(tmp_path)
    try:
        url = server.add_archive(file)
        html = review_page(url, store.read_layer(schema.SITES), store.read_layer(schema.DISTRICTS), zoom=zoom,
                           center=(lat, lon))
        assert '"workers": 0' in html  # on the page by default (layers.parcel_tiles.DECODE_WORKERS)
        workers = html.replace('"workers": 0', '"workers": 2')
        seen = {}
        for name, page_html in (("workers", workers), ("page", html),
                                ("refused", workers.replace("<head>", "<head>" + CSP, 1))):
            page, guard = _open(new_context, server, page_html, f"{name}-{zoom}.html")
            seen[name] = page.evaluate(DRAWN_JS)
            if zoom >= 14:  # a click reads the AIN from the tile the workers decoded
                found = page.evaluate("([lat, lon]) => window.stagemapParcelTiles.queryTileFeaturesDebug(lon, lat)"
                                      ".flat().map(h => String(h.feature.props.ain))", [lat, lon])
                assert ain in found, (name, found)
            if name != "refused":  # the refused worker is logged by Chromium as a console error, by design
                guard.check()
        assert seen["workers"]["decoder"] == "worker"
        assert seen["page"]["decoder"] == "page" and seen["refused"]["decoder"] == "page"
        assert seen["workers"]["parcels"] > 0
        assert any(painted > 0 for _key, _digest, painted in seen["workers"]["tiles"])
        assert seen["workers"] == {**seen["page"], "decoder": "worker"}  # same tiles, pixels, parcels decoded
        assert seen["refused"] == seen["page"]
    finally:
        server.close()
