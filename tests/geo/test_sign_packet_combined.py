"""Sign packets: one combined print file per department in a stable order; QR links use the public base URL."""
from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import shapely

from geo import schema
from geo.config import public_base_url
from geo.reports.sign_packet import SiteSheet, combined_sign_packet_pdf, record_url


def _sheet(site_id: str, dx: float) -> SiteSheet:
    x0, y0 = 6_480_000.0 + dx, 1_840_000.0
    return SiteSheet(record={schema.SITE_ID: site_id, schema.NAME: f"Lot {site_id}", schema.OWNING_DEPT: "Airports"},
                     site_geom=shapely.box(x0, y0, x0 + 200, y0 + 150), neighbours=np.array([], dtype=object))


def _pages(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_combined_file_holds_every_site_twice_paged_in_id_order():
    sheets = [_sheet("T-3", 0), _sheet("T-1", 400), _sheet("T-2", 800)]
    first = combined_sign_packet_pdf(sheets, title="Sign packets: Airports", synthetic=True,
                                     base_url="https://stagemap.example.org")
    pages = _pages(first)
    assert len(pages) == 6  # the sign, then the profile, per site
    profiles = [next(s for s in ("T-1", "T-2", "T-3") if f"Site profile: {s}" in p) for p in pages[1::2]]
    assert profiles == ["T-1", "T-2", "T-3"]
    assert "https://stagemap.example.org/?site=T-1" in pages[0].replace("\r\n", "").replace("\n", "")
    again = _pages(combined_sign_packet_pdf(list(reversed(sheets)), title="Sign packets: Airports", synthetic=True,
                                            base_url="https://stagemap.example.org"))
    assert again == pages  # the order does not depend on how the sites were read


def test_public_base_url_comes_from_configuration(monkeypatch):
    monkeypatch.delenv("STAGEMAP_PUBLIC_URL", raising=False)
    monkeypatch.delenv("STAGEMAP_BASE_URL", raising=False)
    assert record_url("S 1") == "http://localhost:8501/?site=S%201"
    monkeypatch.setenv("STAGEMAP_BASE_URL", "https://old.example/")
    monkeypatch.setenv("STAGEMAP_PUBLIC_URL", "https://stagemap.lacity.example/ ")
    assert public_base_url() == "https://stagemap.lacity.example"
    assert record_url("S1") == "https://stagemap.lacity.example/?site=S1"
    assert record_url("S1", base_url="https://given.example") == "https://given.example/?site=S1"
