"""AppTest: the Sites page shows the chosen site's category basis in Spanish (the rule in words, translated)."""
from __future__ import annotations

import json

from geo import i18n, schema
from geo.analysis.classify import classify_sites
from geo.crs import to_analysis
from geo.messages import from_data
from tests.app.test_readable import CELLS
from tests.app.test_spanish import _page
from ui.text import md_line


def test_sites_page_shows_the_category_basis_in_spanish(sample_store, monkeypatch):
    role = next(r for r, p in CELLS if p == "sites")
    sites = sample_store.read_layer(schema.SITES)
    got = classify_sites(to_analysis(sites), parks=to_analysis(sample_store.read_layer(schema.PARKS)))
    spanish = {md_line(i18n.localise(from_data(json.loads(d)), "es")) for d in got["category_basis_data"]}
    english = {md_line(b) for b in got["category_basis"]}
    at = _page(role, "sites", "es", monkeypatch)
    caption = next(c.value for c in at.caption if c.value.startswith("**Categoría:**"))
    basis = caption.split(" · *", 1)[1].removesuffix("*")
    assert basis in spanish and basis not in english, caption
