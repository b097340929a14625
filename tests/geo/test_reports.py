"""Monthly, board and sign-packet PDFs render, say what they must, and leak nothing they must not."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest

from geo import schema
from geo.config import SIGN_TEXT_EN
from geo.errors import GeoDataError, SchemaError
from geo.reports import monthly
from geo.reports.board import board_pdf_bytes, resolve_department
from geo.reports.publish import SUPPRESSED
from geo.reports.sign_packet import QRCode, record_url, sign_packet_pdf
from geo.services.reports import board_from_store, monthly_from_store, sheets_from_store
from stagemap_cli import main as cli_main
from tests.actors import PLANNER
from tests.geo.test_nexus import HOSTILE, build_hostile_store

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NOTE = "Port Police patrol nightly; =cmd|' /C calc'!A0 <script>alert(1)</script>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The hostile sample store with one Harbor status change carrying a hostile note."""
    s = build_hostile_store(tmp_path_factory.mktemp("reports") / "reports.gpkg")
    sites = s.read_layer(schema.SITES)
    site = sites.loc[sites[schema.OWNING_DEPT].str.startswith("Harbor"), schema.SITE_ID].iloc[0]
    version = int(s.read_status().set_index(schema.SITE_ID).loc[site, schema.VERSION])
    s.save_status(site, {schema.STATUS_NOTE: NOTE, schema.SIGN_STATUS: "posted", schema.SIGN_POSTED_ON: "2026-03-01"},
                  expect_version=version, user="harbor liaison")
    return s


def render(pdf: bytes, *, artifact: str | None = None, page: int = 0) -> tuple[str, int]:
    """Return (all text, pages); assert the page is not blank; save it as a PNG artifact if named."""
    doc = pdfium.PdfDocument(pdf)
    try:
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        image = doc[page].render(scale=1.4 if artifact else 0.6).to_pil()
        pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 20 and (pixels < 200).mean() > 0.02, "page renders blank"
        if artifact:
            ARTIFACTS.mkdir(exist_ok=True)
            image.save(ARTIFACTS / artifact)
        return text, len(doc)
    finally:
        doc.close()


def flat(text: str) -> str:
    """Return ``text`` with all whitespace runs as single spaces (PDF lines wrap)."""
    return " ".join(text.split())


# --- monthly -------------------------------------------------------------------------------
def test_monthly_pdf_renders_with_month_tables_and_method(store):
    report = monthly_from_store(store, PLANNER, month="2026-03")
    text, _ = render(monthly.monthly_pdf_bytes(report), artifact="monthly_report_2026-03_page1.png")
    body = flat(text)
    for expected in ("March 2026", "Board of Police Commissioners", monthly.BY_TYPE, monthly.BY_LEVEL, monthly.TYPE_LEVEL,
                     "CD 15", SUPPRESSED, "k = 11", "SYNTHETIC DEMO DATA", "PUBLIC", "What is counted, and what is not",
                     "Not counted", "general crime reports", "Masking", "No visible identification",
                     "do not add up to the total"):
        assert expected in body, expected
    for hostile in (*HOSTILE, "SYN-2026", "SYN-SITE", "BLOCK"):
        assert hostile.strip() not in body, f"public report leaks {hostile!r}"


def test_every_month_is_suppressed_and_no_withheld_cell_is_solvable(store):
    incidents = store.read_layer(schema.INCIDENTS)
    months = sorted(incidents[schema.OCCURRED_AT].dt.tz_convert("America/Los_Angeles").dt.strftime("%Y-%m").unique())
    for month in months:
        report = monthly_from_store(store, PLANNER, month=month)
        for name, tab in report.tables.items():
            pub = tab.published()
            values = [v for v in pub.to_numpy().ravel() if not isinstance(v, str)]
            assert all(v == 0 or v >= 11 for v in values), (month, name)
        assert monthly.solvable_items(report) == [], month
        suspected = incidents[(incidents[schema.RELEVANCE] == schema.SUSPECTED_UNLAWFUL_CONDUCT)
                              & (incidents[schema.OCCURRED_AT].dt.tz_convert("America/Los_Angeles")
                                 .dt.strftime("%Y-%m") == month)]
        assert report.tables[monthly.BY_LEVEL].counts.to_numpy().sum() == report.incidents == len(suspected), month


def test_an_empty_month_is_a_report_of_zeros(store, tmp_path):
    report = monthly_from_store(store, PLANNER, month="2031-02", as_of=dt.date(2031, 3, 1))
    assert report.incidents == 0 and monthly.published_total(report) == "0"
    text, _ = render(monthly.monthly_pdf_bytes(report))
    assert "February 2031" in flat(text) and "Incidents this month: 0" in flat(text)
    rows = list(csv.DictReader(io.StringIO(monthly.monthly_csv_bytes(report).decode("utf-8-sig"))))
    assert rows and {r["published_value"] for r in rows} == {"0"}
    with pytest.raises(SchemaError, match=r"write it as YYYY-MM"):
        monthly.parse_month("2026-3x")


def test_monthly_csv_matches_the_published_tables(store):
    report = monthly_from_store(store, PLANNER, month="2026-03")
    rows = list(csv.DictReader(io.StringIO(monthly.monthly_csv_bytes(report).decode("utf-8-sig"))))
    assert len(rows) == sum(t.published().size for t in report.tables.values())
    pub = report.tables[monthly.BY_LEVEL].published()
    got = {(r["row"], r["column"]): r["published_value"] for r in rows if r["table"] == monthly.BY_LEVEL}
    assert all(got[(r, c)] == str(pub.loc[r, c]) for r in pub.index for c in pub.columns)


# --- board ---------------------------------------------------------------------------------
def test_board_pdf_lists_department_overdue_items_and_measures_as_text(store):
    report = board_from_store(store, PLANNER, department="Harbor", as_of=dt.date(2026, 4, 1))
    assert report.department == "Harbor Department (Port of LA)" and report.board == "Board of Harbor Commissioners"
    text, _ = render(board_pdf_bytes(report), artifact="board_report_harbor_page1.png")
    body = flat(text)
    for expected in ("Harbor Department (Port of LA)", "Board of Harbor Commissioners", "INTERNAL",
                     "25 February 2026", "Measures recorded", "Port Police", NOTE, "01 April 2026"):
        assert expected in body, expected
    assert len(report.measures) == 1 and report.measures.iloc[0]["Measure (status note)"] == NOTE
    for site in report.overdue["Site"]:
        assert site in body
    summary = report.summary.set_index("Measure")["Sites"]
    assert summary["Sites on the department's list (owned or controlled)"] == (
        store.read_layer(schema.SITES)[schema.OWNING_DEPT] == report.department).sum()
    # only candidates need a sign: the signed count is out of the candidates, never more
    assert summary["Signed (directive sign posted)"] <= summary["Candidates: need a sign (A.1)"]


def test_unknown_or_ambiguous_department_lists_the_known_ones():
    known = ["Airports (LAWA)", "Harbor Department (Port of LA)", "Recreation and Parks (RAP)"]
    assert resolve_department("airport", known) == "Airports (LAWA)"
    assert resolve_department("RAP", known) == "Recreation and Parks (RAP)"
    with pytest.raises(GeoDataError, match=r"matches no department\. Known departments: Airports \(LAWA\); Harbor"):
        resolve_department("Police", known)
    with pytest.raises(GeoDataError, match=r"matches 3 departments"):
        resolve_department("r", known)


# --- sign packet ---------------------------------------------------------------------------
def test_sign_packet_has_exact_sign_text_site_id_qr_url_and_map(store):
    sheet = sheets_from_store(store, PLANNER, site_id="SYN-SITE-0012")[0]
    pdf = sign_packet_pdf(sheet, synthetic=True, base_url="https://stagemap.lacity.example/")
    text, pages = render(pdf, artifact="sign_packet_SYN-SITE-0012_page1.png")
    render(pdf, artifact="sign_packet_SYN-SITE-0012_page2.png", page=1)
    body = flat(text)
    assert pages == 2
    assert flat(SIGN_TEXT_EN) in body
    assert "Traducción no oficial, pendiente de la traducción oficial de la Ciudad" in body
    assert "https://stagemap.lacity.example/?site=SYN-SITE-0012" in body  # any role's front door, not Planning's page
    assert body.count("SYN-SITE-0012") >= 4 and "SYNTHETIC DEMO DATA" in body
    assert "<script>alert('x')</script> =HYPERLINK(\"x\")" in body, "a hostile site name prints as text"
    assert len(sheet.neighbours) >= 1


def test_qr_encodes_the_record_url():
    url = record_url("SYN SITE/1", base_url="http://localhost:8501")
    assert url == "http://localhost:8501/?site=SYN%20SITE%2F1"
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    assert (QRCode(url, 80).matrix == np.array(code.get_matrix(), dtype=bool)).all()


def test_cli_reports_and_their_errors(store, tmp_path, capsys):
    out = tmp_path / "out"
    base = ["--out", str(out), "--store", store.url]
    assert cli_main(["report", "monthly", "--month", "2026-03", *base]) == 0
    assert cli_main(["report", "board", "--department", "Airport", "--as-of", "2026-03-01", *base]) == 0
    assert cli_main(["report", "sign-packet", "--department", "Airports", *base]) == 0
    names = {p.name for p in out.iterdir()}
    lawa = (store.read_layer(schema.SITES)[schema.OWNING_DEPT] == "Airports (LAWA)").sum()
    assert {"SYNTHETIC_monthly_report_2026-03.pdf", "SYNTHETIC_monthly_report_2026-03.csv",
            "SYNTHETIC_board_report_Airports_LAWA_2026-03-01.pdf"} <= names
    assert sum(n.startswith("SYNTHETIC_sign_packet_") for n in names) == lawa
    assert "SYNTHETIC_sign_packets_Airports_LAWA.pdf" in names  # one combined print file per department
    assert cli_main(["report", "monthly", "--month", "March", *base]) == 2
    assert cli_main(["report", "board", "--department", "Police", *base]) == 2
    assert cli_main(["report", "sign-packet", "--site", "NOPE", *base]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM" in err and "Known departments:" in err and "'NOPE' is not in the store" in err
    actions = pd.DataFrame(store.read_audit())["action"]
    assert {"export.report.monthly", "export.report.board", "export.report.sign_packet"} <= set(actions)


def test_site_map_draws_the_site_and_its_neighbours_in_colour():
    import shapely

    from geo.reports.sign_packet import SiteSheet

    x0, y0 = 6_480_000.0, 1_840_000.0  # EPSG:2229 feet near City Hall
    site = shapely.box(x0, y0, x0 + 200, y0 + 150)
    ring = np.array([shapely.box(x0 + dx, y0 + dy, x0 + dx + 180, y0 + dy + 140)
                     for dx, dy in ((-220, 0), (220, 0), (0, 170), (0, -170))], dtype=object)
    sheet = SiteSheet(record={schema.SITE_ID: "T-1", schema.NAME: "Test lot"}, site_geom=site, neighbours=ring)
    doc = pdfium.PdfDocument(sign_packet_pdf(sheet, synthetic=False))
    try:
        rgb = np.asarray(doc[1].render(scale=0.8).to_pil().convert("RGB"), dtype=int)
    finally:
        doc.close()
    orange = (abs(rgb[..., 0] - 240) < 20) & (abs(rgb[..., 1] - 180) < 30) & (rgb[..., 2] < 160)
    grey = (abs(rgb[..., 0] - 228) < 4) & (abs(rgb[..., 1] - 231) < 4) & (abs(rgb[..., 2] - 235) < 4)
    assert orange.sum() > 500 and grey.sum() > 4 * 500 * 0.8
