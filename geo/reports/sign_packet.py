"""Sign packet: per site, the directive sign to post (English and Spanish) and a site profile with map and QR.

Page 1 is the sign: the exact English text of Executive Directive 17 A.1 and a Spanish
translation marked as unofficial until the City publishes its own, with the site id and a QR
code that opens the site's record in StageMap. Page 2 is the site profile for City staff: the
parcel facts, sign and gate status, and a map drawn from the site and neighbouring parcel
polygons (vector, no tiles, no internet).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import qrcode
import shapely
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import FILL_EVEN_ODD
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from geo import schema
from geo.analysis.photo_note import note_message
from geo.config import ANALYSIS_CRS, SIGN_TEXT_EN, public_base_url
from geo.i18n import N_, localise, translator
from geo.labels import code_label
from geo.reports import pdf

#: Spanish rendering of the sign text; NOT an official City translation (none has been published).
SIGN_TEXT_ES = (
    "Esta propiedad es propiedad de la Ciudad de Los Ángeles o está bajo su control. Solo puede usarse para "
    "el propósito municipal al que está destinada y no para la aplicación de las leyes de inmigración como "
    "área de concentración, lugar de procesamiento o base de operaciones."
)
ES_MARKING = ("Traducción no oficial, pendiente de la traducción oficial de la Ciudad. / "
              "Unofficial translation, pending the City's official translation.")


@dataclass(frozen=True)
class SiteSheet:
    """What one site's packet prints: its record, status and geometry with neighbours (EPSG:2229)."""

    record: dict[str, Any]
    site_geom: Any
    neighbours: np.ndarray


def record_url(site_id: str, *, base_url: str | None = None) -> str:
    """Return the StageMap URL of a site's record (base: :func:`geo.config.public_base_url`).

    The link opens the app's front door with ``?site=``: each signed-in role lands on the page
    that shows a site to them (Parcel review for Planning, Liaison for the site's department,
    the Overview map, flown to the site, for anyone else who may see it).
    """
    return f"{public_base_url(base_url)}/?site={quote(str(site_id), safe='')}"


def site_sheets(sites: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, status: pd.DataFrame) -> list[SiteSheet]:
    """Return one sheet per site with the parcels around it (within the map frame)."""
    sites2229 = sites.to_crs(ANALYSIS_CRS)
    pgeoms = np.asarray(parcels.to_crs(ANALYSIS_CRS).geometry.values, dtype=object)
    tree = shapely.STRtree(pgeoms)
    out = []
    for (_, row), geom in zip(sites.iterrows(), sites2229.geometry.values):
        frame = _frame_box(geom)
        near = pgeoms[tree.query(frame, predicate="intersects")]
        rec = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.drop("geometry").items()}
        if row[schema.SITE_ID] in status.index:
            rec.update({k: v for k, v in status.loc[row[schema.SITE_ID]].items() if k in schema.EDITABLE_STATUS})
        out.append(SiteSheet(record=rec, site_geom=geom, neighbours=near))
    return out


def sign_packet_pdf(sheet: SiteSheet, *, synthetic: bool, base_url: str | None = None, lang: str = "en") -> bytes:
    """Return one site's two-page packet: the sign to post (always bilingual), then the site profile in ``lang``."""
    _ = translator(lang)
    site_id = str(sheet.record[schema.SITE_ID])
    return pdf.build_pdf(_story(sheet, base_url=base_url, lang=lang),
                         title=_("Sign packet {site}").format(site=site_id),
                         tier=N_("Page 1: the sign to post. Page 2: site profile for City staff"), synthetic=synthetic,
                         lang=lang)


def combined_sign_packet_pdf(sheets: list[SiteSheet], *, title: str, synthetic: bool,
                             base_url: str | None = None, lang: str = "en") -> bytes:
    """Return one print file of every sheet's packet (two pages each), in site-id order; words in ``lang``."""
    _ = translator(lang)
    ordered = sorted(sheets, key=lambda s: str(s.record[schema.SITE_ID]))
    story: list[Flowable] = []
    for i, sheet in enumerate(ordered):
        story += ([PageBreak()] if i else []) + _story(sheet, base_url=base_url, lang=lang)
    return pdf.build_pdf(story, title=title, tier=_("{n} sites, two pages each: the sign, then the site "
                                                    "profile").format(n=len(ordered)), synthetic=synthetic, lang=lang)


def _story(sheet: SiteSheet, *, base_url: str | None, lang: str = "en") -> list[Flowable]:
    _ = translator(lang)
    st = pdf.styles()
    site_id = str(sheet.record[schema.SITE_ID])
    url = record_url(site_id, base_url=base_url)
    big = ParagraphStyle("sign", parent=st.body, fontName="Helvetica-Bold", fontSize=21, leading=28,
                         alignment=TA_CENTER, spaceAfter=0)
    es = ParagraphStyle("sign_es", parent=big, fontName="Helvetica", fontSize=17, leading=23)
    center = ParagraphStyle("center", parent=st.small, alignment=TA_CENTER, fontSize=8.5, leading=11)
    head = ParagraphStyle("head", parent=big, fontSize=30, leading=36, textColor=pdf.ACCENT)
    sign = [
        pdf.para("CITY OF LOS ANGELES", head), Spacer(1, 4),
        pdf.para("NOTICE  /  AVISO", ParagraphStyle("n", parent=center, fontSize=13, leading=16, textColor=pdf.INK)),
        Spacer(1, 14), _boxed(pdf.para(SIGN_TEXT_EN, big), pdf.INK), Spacer(1, 14),
        _boxed(pdf.para(SIGN_TEXT_ES, es), pdf.MUTED), Spacer(1, 4), pdf.para(ES_MARKING, center), Spacer(1, 10),
        pdf.para("Executive Directive No. 17, Mayor Karen Bass, 10 February 2026.", center), Spacer(1, 16),
        _qr_row(url, site_id, st, caption=_("City staff: scan to open this site's record in StageMap."), lang=lang),
        PageBreak(),
    ]
    profile = [
        pdf.para(_("Site profile: {site}").format(site=site_id), st.title, limit=pdf.NAME_LIMIT),
        pdf.para(sheet.record.get(schema.NAME) or "", st.h2, limit=pdf.NAME_LIMIT),
        pdf.table(_facts(sheet.record, lang), st=st, widths=[150, 320], note_columns=(_("Value"),)), Spacer(1, 8),
        SiteMap(sheet.site_geom, sheet.neighbours, width=6.9 * inch, height=3.9 * inch),
        pdf.para(_("Site outline in orange over neighbouring parcel lines; drawn from the store's polygons "
                   "(EPSG:2229, grid north up). Not a survey."), st.small), Spacer(1, 6),
        _qr_row(url, site_id, st, caption=_("Scan to open this site's record (sign and gate status, history)."),
                lang=lang),
    ]
    return sign + profile


class QRCode(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A QR code drawn as vector modules (sharp at any print size)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        self.matrix = np.array(code.get_matrix(), dtype=bool)
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        """Draw the dark modules, top row first."""
        n = self.matrix.shape[0]
        cell = self.size / n
        self.canv.setFillColor(colors.black)
        for r, c in zip(*np.nonzero(self.matrix)):
            self.canv.rect(c * cell, self.size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


class SiteMap(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The site and its neighbouring parcels (EPSG:2229 feet) drawn to scale in a framed box."""

    def __init__(self, site: Any, neighbours: np.ndarray, *, width: float, height: float) -> None:
        super().__init__()
        self.site, self.neighbours = site, neighbours
        self.width, self.height = width, height

    def draw(self) -> None:
        """Draw neighbours, the site, a scale bar and a north arrow, clipped to the frame."""
        c, w, h = self.canv, self.width, self.height
        minx, miny, maxx, maxy = shapely.bounds(_frame_box(self.site))
        scale = min(w / (maxx - minx), h / (maxy - miny))
        ox, oy = (w - (maxx - minx) * scale) / 2 - minx * scale, (h - (maxy - miny) * scale) / 2 - miny * scale
        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, w, h)
        c.clipPath(clip, stroke=0, fill=0)
        c.setFillColor(colors.HexColor("#f7f9fb"))
        c.rect(0, 0, w, h, stroke=0, fill=1)
        c.setStrokeColor(colors.HexColor("#9aa5b1"))
        c.setFillColor(colors.HexColor("#e4e7eb"))
        c.setLineWidth(0.4)
        self._polygons(list(self.neighbours), scale, ox, oy, stroke=1, fill=1)
        c.setStrokeColor(colors.HexColor("#c2410c"))
        c.setFillColor(colors.Color(0.98, 0.55, 0.2, alpha=0.55))
        c.setLineWidth(2.0)
        self._polygons([self.site], scale, ox, oy, stroke=1, fill=1)
        c.restoreState()
        self._furniture(scale)

    def _polygons(self, geoms: list[Any], scale: float, ox: float, oy: float, *, stroke: int, fill: int) -> None:
        path = self.canv.beginPath()
        for geom in geoms:
            for poly in getattr(geom, "geoms", [geom]):
                if poly.is_empty or poly.geom_type != "Polygon":
                    continue
                for ring in [poly.exterior, *poly.interiors]:
                    xy = np.asarray(ring.coords)[:, :2] * scale + (ox, oy)
                    path.moveTo(*xy[0])
                    for x, y in xy[1:]:
                        path.lineTo(x, y)
                    path.close()
        self.canv.drawPath(path, stroke=stroke, fill=fill, fillMode=FILL_EVEN_ODD)

    def _furniture(self, scale: float) -> None:
        c, w, h = self.canv, self.width, self.height
        c.setStrokeColor(pdf.INK)
        c.setLineWidth(0.8)
        c.rect(0, 0, w, h, stroke=1, fill=0)
        feet = next(f for f in (2000, 1000, 500, 250, 200, 100, 50, 20) if f * scale <= w / 4)
        c.setFillColor(pdf.INK)
        c.rect(10, 10, feet * scale, 4, stroke=1, fill=1)
        c.setFont("Helvetica", 7.5)
        c.drawString(10, 18, f"{feet:,} ft")
        c.line(w - 18, h - 34, w - 18, h - 14)
        c.line(w - 18, h - 14, w - 22, h - 21)
        c.line(w - 18, h - 14, w - 14, h - 21)
        c.setFont("Helvetica-Bold", 8)
        c.drawCentredString(w - 18, h - 44, "N")


# --- private helpers ------------------------------------------------------------------------
def _frame_box(geom: Any) -> Any:
    """Return the map frame around ``geom``: its box grown by 40 % of its size, at least 250 ft."""
    minx, miny, maxx, maxy = shapely.bounds(geom)
    pad = max(0.4 * max(maxx - minx, maxy - miny), 250.0)
    return shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)


def _boxed(flowable: Flowable, color: colors.Color) -> Table:
    t = Table([[flowable]], colWidths=[6.9 * inch])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2.0, color), ("TOPPADDING", (0, 0), (-1, -1), 12),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 14), ("LEFTPADDING", (0, 0), (-1, -1), 14),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 14)]))
    return t


def _qr_row(url: str, site_id: str, st: pdf.Styles, *, caption: str, lang: str = "en") -> Table:
    _ = translator(lang)
    site = _("Site {site}").format(site=site_id)
    text = [pdf.para(site, st.h2, limit=pdf.NAME_LIMIT), pdf.para(caption, st.body),
            pdf.para(url, st.small, limit=pdf.NAME_LIMIT)]
    t = Table([[QRCode(url, 1.15 * inch), text]], colWidths=[1.4 * inch, 5.5 * inch], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return t


def _sign_words(status: str, posted_on: str, lang: str = "en") -> str:
    _ = translator(lang)
    word = code_label(status, schema.SIGN_STATUS, lang) if lang != "en" else status
    if not posted_on:
        return word
    return _("posted on {date}").format(date=posted_on) if status == "posted" else \
        _("{status} (posted on {date})").format(status=word, date=posted_on)


def _facts(rec: dict[str, Any], lang: str = "en") -> pd.DataFrame:
    _ = translator(lang)

    def text(key: str) -> str:
        value = rec.get(key)
        return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    area = rec.get(schema.AREA_SQFT)
    gate = text(schema.GATE_STATUS) or "unknown"
    rows = [(N_("Department"), text(schema.OWNING_DEPT)), (N_("Asset type"), text(schema.ASSET_TYPE)),
            (N_("Address"), text(schema.ADDRESS)), (N_("AINs"), text(schema.AINS).replace(";", ", ")),
            (N_("Use"), f"{text(schema.USE_CODE)} {text(schema.USE_DESCRIPTION)}".strip()),
            (N_("Council district"), text(schema.COUNCIL_DISTRICT)), (N_("LAPD area"), text(schema.LAPD_AREA)),
            (N_("Area"), _("{n} sq ft").format(n=f"{float(area):,.0f}") if area is not None else ""),
            (N_("Sign"), _sign_words(text(schema.SIGN_STATUS) or "unknown", text(schema.SIGN_POSTED_ON)[:10], lang)),
            (N_("Gate"), code_label(gate, schema.GATE_STATUS, lang) if lang != "en" else gate),
            (N_("Last inspected"), text(schema.LAST_INSPECTED)[:10]), (N_("Status note"), localise(note_message(text(schema.STATUS_NOTE)), lang))]
    # names and codes print up to NAME_LIMIT characters, the note up to NOTE_LIMIT (pdf.table's "Value" limit)
    rows = [(_(item), value if item == "Status note" else pdf.clip(value, limit=pdf.NAME_LIMIT)) for item, value in rows]
    return pd.DataFrame(rows, columns=[_("Item"), _("Value")])
