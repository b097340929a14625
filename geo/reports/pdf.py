"""Shared PDF furniture: styles, escaped paragraphs and tables, and the per-page banner and footer.

Every page carries the document title, its publication tier, a page number and, when the
store is synthetic, the synthetic-data notice. Text from the store always goes through
:func:`printable` (via :func:`para` and :func:`table`): control and invisible characters
dropped, whitespace runs collapsed, cut to a sane length with a visible ellipsis, and escaped
for ReportLab's mini-HTML, so a ``<script>`` in a note prints as text, and a 50,000-character
name wraps and ends in "…" instead of breaking the layout. Helvetica has no glyphs outside
Latin-1 and Windows-1252, so emoji, CJK and Arabic print as boxes (they never crash).
"""
from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from geo.config import SYNTHETIC_SOURCE
from geo.i18n import N_, translate

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#0b4f8a")
WARN = colors.HexColor("#b42318")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#eef2f6")
MARGIN = 0.7 * inch
PUBLIC, INTERNAL = N_("PUBLIC - aggregated counts only"), N_("INTERNAL - not for public release")
ELLIPSIS = "\u2026"
#: Longest text printed for a name, address, department or other short field (tables, headings).
NAME_LIMIT = 300
#: Longest text printed for a note, reason or description.
NOTE_LIMIT = 2_000
#: C0/C1 controls, DEL, zero-width and bidi formatting characters, line/paragraph separators.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles every report uses."""

    title: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    head: ParagraphStyle


def styles() -> Styles:
    """Return the report paragraph styles (Helvetica, which covers Spanish accents)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5,
                          textColor=INK, spaceAfter=4)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=17, leading=21,
                             textColor=ACCENT, spaceAfter=6),
        h2=ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=14,
                          textColor=ACCENT, spaceBefore=8, spaceAfter=4),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        head=ParagraphStyle("head", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=10,
                            spaceAfter=0, alignment=TA_CENTER, textColor=colors.white),
    )


def clip(text: object, *, limit: int = NOTE_LIMIT) -> str:
    """Return ``text`` as plain printable text of at most ``limit`` characters.

    Control, zero-width and bidi-override characters are dropped (whitespace-like ones become
    spaces), whitespace runs become single spaces, and longer text is cut with a trailing "…".
    """
    raw = "" if text is None else str(text)
    plain = " ".join(_INVISIBLE.sub(_replacement, raw).split())
    if len(plain) <= limit:
        return plain
    return plain[:max(limit - 1, 0)].rstrip() + ELLIPSIS


def printable(text: object, *, limit: int = NOTE_LIMIT) -> str:
    """Return ``text`` clipped (:func:`clip`) and escaped for ReportLab's paragraph mini-HTML."""
    return escape(clip(text, limit=limit))


def para(text: object, style: ParagraphStyle, *, limit: int = NOTE_LIMIT) -> Paragraph:
    """Return a paragraph of ``text``: clipped to ``limit`` characters, every markup character escaped.

    Long words are split at the line width (ReportLab's ``splitLongWords``), so an unbroken
    5,000-character name wraps instead of running off the page.
    """
    return Paragraph(printable(text, limit=limit), style)


def fit_width(text: object, *, font: str, size: float, width: float) -> str:
    """Return ``text`` clipped to one line no wider than ``width`` points, ending in "…" when cut."""
    line = clip(text, limit=NAME_LIMIT)
    if stringWidth(line, font, size) <= width:
        return line
    while line and stringWidth(line + ELLIPSIS, font, size) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def table(frame: pd.DataFrame, *, st: Styles, widths: Sequence[float] | None = None,
          index: bool = False, total_row: bool = False, note_columns: Collection[str] = (),
          split_rows: bool = True) -> Table:
    """Return a grid table of ``frame`` with escaped, wrapping cells and a shaded header.

    Cells are cut to :data:`NAME_LIMIT` characters, those of ``note_columns`` to
    :data:`NOTE_LIMIT`; a row taller than a page is split across pages (``split_rows=False``
    moves a row whole to the next page instead: only for rows that always fit a page).
    """
    data = frame.reset_index() if index else frame
    limits = [NOTE_LIMIT if c in note_columns else NAME_LIMIT for c in data.columns]
    header = [para(c, st.head, limit=NAME_LIMIT) for c in data.columns]
    rows = [[para(_cell(v), st.cell, limit=n) for v, n in zip(row, limits, strict=True)]
            for row in data.itertuples(index=False)]
    t = _Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=int(split_rows))
    style = [("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("GRID", (0, 0), (-1, -1), 0.4, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    style += [("BACKGROUND", (0, i), (-1, i), SHADE) for i in range(2, len(rows) + 1, 2)]
    if total_row and rows:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1.0, INK))
    t.setStyle(TableStyle(style))
    return t


def build_pdf(flowables: list[Flowable], *, title: str, tier: str, synthetic: bool,
              pagesize: tuple[float, float] = letter, lang: str = "en") -> bytes:
    """Render ``flowables`` to PDF bytes with the banner and footer on every page (their words in ``lang``).

    The output is byte-for-byte reproducible (ReportLab's invariant mode: no timestamps).
    """
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + (0.3 * inch if synthetic else 0.1 * inch), bottomMargin=MARGIN,
                            title=clip(title, limit=NAME_LIMIT), author="StageMap (City of Los Angeles, ED 17)",
                            invariant=True)

    def furniture(canvas: Any, document: Any) -> None:
        draw_page_furniture(canvas, pagesize, title=title, tier=tier, synthetic=synthetic, page=document.page,
                            lang=lang)

    doc.build(flowables, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


def draw_page_furniture(canvas: Any, pagesize: tuple[float, float], *, title: str, tier: str, synthetic: bool,
                        page: int, lang: str = "en") -> None:
    """Draw the synthetic banner (when synthetic), the tier label and the footer on one page, in ``lang``."""
    width, height = pagesize
    synthetic_source = translate(SYNTHETIC_SOURCE, lang)
    canvas.saveState()
    if synthetic:
        canvas.setFillColor(WARN)
        canvas.rect(0, height - 0.42 * inch, width, 0.42 * inch, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(width / 2, height - 0.27 * inch,
                                 translate(N_("{source}: every place, count and name is invented"), lang).format(
                                     source=synthetic_source))
    canvas.setFont("Helvetica-Bold", 7.5)
    canvas.setFillColor(WARN if tier == INTERNAL else MUTED)
    canvas.drawRightString(width - MARGIN, height - (0.6 if synthetic else 0.4) * inch, translate(tier, lang))
    canvas.setStrokeColor(RULE)
    canvas.line(MARGIN, 0.55 * inch, width - MARGIN, 0.55 * inch)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, 0.4 * inch, fit_width(f"StageMap - {title}", font="Helvetica", size=7.5,
                                                    width=width - 2 * MARGIN - 60))
    canvas.drawRightString(width - MARGIN, 0.4 * inch, translate(N_("Page {page}"), lang).format(page=page))
    if synthetic:
        canvas.drawCentredString(width / 2, 0.25 * inch, synthetic_source)
    canvas.restoreState()


class _Table(Table):  # type: ignore[misc]  # reportlab is untyped
    """A table whose pieces keep its alignment when a row is split across pages.

    ReportLab's in-row split builds the continuation without ``hAlign``, so it would be
    centred under a left-aligned table.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # reportlab names the arguments
        """Split as ReportLab does, then give every piece this table's alignment."""
        pieces: list[Flowable] = super().split(availWidth, availHeight)
        for piece in pieces:
            piece.hAlign = self.hAlign
        return pieces


def _replacement(match: re.Match[str]) -> str:
    return " " if match.group().isspace() else ""


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)
