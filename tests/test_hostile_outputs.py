"""The hostile corpus (tests/hostile.py) through every output: no crash, no formula, no live markup, PDFs open.

One store holds each corpus string as a site name, an address, a status note, a tier-override
reason, an incident description and location text and a private owner's name (and three as
departments), all saved through geo/services by a user whose name is hostile too. Every
output is then read back: spreadsheets cell by cell, PDFs as text, app pages element by element.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pypdfium2 as pdfium
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.analysis.review import review_frame
from geo.io.export import neutralise_cell, to_csv_bytes, to_geojson_bytes, to_gpkg_bytes
from geo.nexus.snapshot import XLSX_CELL_LIMIT, verify_snapshot
from geo.reports.pdf import ELLIPSIS, INTERNAL, NAME_LIMIT, NOTE_LIMIT, build_pdf, clip, para, styles, table
from geo.reports.publish import public_sites
from geo.services.analysis import analyze_store, run_analysis
from geo.services.intake import import_incidents
from geo.services.nexus import export_nexus, nexus_tables
from geo.services.reports import write_board, write_sign_packets
from tests.actors import ADMIN, PLANNER, RECORDS
from tests.hostile import (
    AS_OF,
    CORPUS,
    DEPT,
    FORMULA_START,
    HOSTILE_DEPARTMENTS,
    HOSTILE_USER,
    LONG_50K,
    UNICODE,
    build_hostile_store,
    label,
)
from ui.text import md_escape, md_line

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile store, built once for this module."""
    return build_hostile_store(tmp_path_factory.mktemp("hostile"))


def test_the_corpus_is_large_and_distinct():
    assert len(CORPUS) >= 50 and len(set(CORPUS)) == len(CORPUS)


def test_notes_with_control_characters_are_refused_naming_the_field(hostile):
    with_control = [t for t in CORPUS if any(ord(c) < 32 and c not in "\t\n\r" for c in t)]
    assert len(hostile.refused_notes) == len(with_control) > 0
    assert all("note contains control characters" in m for m in hostile.refused_notes)


def test_rejected_reporter_contacts_are_never_echoed(hostile, tmp_path):
    email, phone = "canary.reporter-at-example.org", "CANARY 12"
    path = tmp_path / "incidents.csv"
    pd.DataFrame({"type": ["staging_area"] * 2, "lat": [34.05] * 2, "lon": [-118.25] * 2,
                  "occurred": ["2026-03-01T10:00"] * 2, "source": ["public"] * 2,
                  "reporter_email": [email, None], "reporter_phone": [None, phone]}).to_csv(path, index=False)
    summary = import_incidents(hostile.store, RECORDS, path).summary()
    assert "reporter_email: not an email address" in summary and "reporter_phone: does not have 7-15" in summary
    assert email not in summary and "CANARY" not in summary and "0 added, 2 invalid" in summary


# --- spreadsheets: CSV, XLSX, GeoPackage ----------------------------------------------------
def assert_safe_cell(value: object, where: str) -> None:
    """Fail on a text cell a spreadsheet would run, or one holding a control character (numbers pass)."""
    if isinstance(value, str):
        assert not value.startswith(FORMULA_START) or _is_number(value), f"{where}: formula cell {label(value)}"
        assert not ILLEGAL_CHARACTERS_RE.search(value) and "\x7f" not in value, f"{where}: control char {label(value)}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv_cells(data: bytes) -> pd.DataFrame:
    """Return a CSV's cells as text exactly as written (no NA parsing)."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def assert_safe_frame(frame: pd.DataFrame, where: str) -> None:
    for col in frame.columns:
        for value in frame[col]:
            assert_safe_cell(value, f"{where}[{col}]")


def stored(hostile, layer: str, key: str, ids: list[str], column: str) -> list[str]:
    """Return the values the store holds for ``ids`` (the truth every output is checked against)."""
    return hostile.store.read_layer(layer).set_index(key).loc[ids, column].astype(str).tolist()


def test_analysis_csvs_are_neutralised_and_numbers_stay_numbers(hostile, tmp_path):
    run_analysis(hostile.store, ADMIN, out_dir=tmp_path, as_of=AS_OF)
    files = sorted(tmp_path.glob("*.csv"))
    assert {"units.csv", "site_parts.csv"} <= {p.name for p in files} and len(files) == 11
    for path in files:
        assert_safe_frame(read_csv_cells(path.read_bytes()), path.name)
    sites = read_csv_cells((tmp_path / "sites.csv").read_bytes())
    names = stored(hostile, schema.SITES, schema.SITE_ID, hostile.site_ids, schema.NAME)
    assert {neutralise_cell(n) for n in names} <= set(sites[schema.NAME])
    assert {neutralise_cell(r.strip()) for r in CORPUS} <= set(sites["override_reason"])
    assert neutralise_cell(HOSTILE_DEPARTMENTS[0]) in set(sites[schema.OWNING_DEPT])
    typed = pd.read_csv(tmp_path / "sites.csv", usecols=["risk_score", "lon", "lat", "sign_overdue_days"])
    assert all(pd.api.types.is_numeric_dtype(typed[c]) for c in typed.columns)


def test_nexus_xlsx_csv_and_geopackage_are_neutralised(hostile, tmp_path):
    tables = nexus_tables(hostile.store, PLANNER)
    files, _digest, folder = export_nexus(hostile.store, PLANNER, tables, snapshot=True, snapshot_dir=tmp_path)
    verify_snapshot(folder)
    for path in sorted(folder.glob("*.csv")):  # the canonical (hashed) tables of the snapshot
        assert_safe_frame(read_csv_cells(path.read_bytes()), path.name)
    descriptions = stored(hostile, schema.INCIDENTS, schema.INCIDENT_ID, hostile.incident_ids, schema.DESCRIPTION)
    expected = {_fit(neutralise_cell(d)) for d in descriptions}
    book = openpyxl.load_workbook(io.BytesIO(files["SYNTHETIC_nexus.xlsx"]))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                assert_safe_cell(cell.value, f"{ws.title}!{cell.coordinate}")
                assert not isinstance(cell.value, str) or len(cell.value) <= XLSX_CELL_LIMIT
    header = [c.value for c in book["ledger"][1]]
    column = header.index("description") + 1
    assert {_lf(v) for v in expected} <= {_lf(r[0].value) for r in book["ledger"].iter_rows(min_row=2, min_col=column,
                                                                                            max_col=column)}
    owners = {_lf(r[0].value) for r in book["owners"].iter_rows(min_row=2, max_col=1)}
    assert {_lf(_fit(neutralise_cell(t))) for t in CORPUS} <= owners, "every corpus owner owns an incident parcel"
    with zipfile.ZipFile(io.BytesIO(files["SYNTHETIC_nexus_csv.zip"])) as zf:
        for name in zf.namelist():
            assert_safe_frame(read_csv_cells(zf.read(name)), name)
        ledger = read_csv_cells(zf.read("SYNTHETIC_nexus_ledger.csv"))
    assert {neutralise_cell(d) for d in descriptions} <= set(ledger["description"])
    path = tmp_path / "nexus.gpkg"
    path.write_bytes(files["SYNTHETIC_nexus.gpkg"])
    for layer, _ in pyogrio.list_layers(path):
        assert_safe_frame(pyogrio.read_dataframe(path, layer=layer, read_geometry=False), layer)
    gpkg_ledger = pyogrio.read_dataframe(path, layer="SYNTHETIC_ledger", read_geometry=False)
    assert {neutralise_cell(d) for d in descriptions} <= set(gpkg_ledger["description"])


def _lf(text: object) -> object:
    """Return ``text`` with carriage returns as line feeds (XML, and so XLSX, reads them that way)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def _fit(text: object) -> object:
    """Return a cell as the XLSX holds it (cut at Excel's cell limit)."""
    if isinstance(text, str) and len(text) > XLSX_CELL_LIMIT:
        return text[:XLSX_CELL_LIMIT - 1] + ELLIPSIS
    return text


def test_review_and_public_exports_are_neutralised(hostile, tmp_path):
    res = analyze_store(hostile.store, as_of=AS_OF)
    review = review_frame(res, hostile.store.read_layer(schema.PARCELS))
    names = stored(hostile, schema.SITES, schema.SITE_ID, hostile.site_ids, schema.NAME)
    table = read_csv_cells(to_csv_bytes(review, synthetic=True))
    assert_safe_frame(table, "review.csv")
    assert {neutralise_cell(n) for n in names} <= set(table[schema.NAME])
    features = json.loads(to_geojson_bytes(review, synthetic=True))["features"]
    props = pd.DataFrame([f["properties"] for f in features])
    assert_safe_frame(props, "review.geojson")
    assert {neutralise_cell(n) for n in names} <= set(props[schema.NAME])
    path = tmp_path / "review.gpkg"
    path.write_bytes(to_gpkg_bytes(review, layer="parcel_review", synthetic=True))
    back = pyogrio.read_dataframe(path, read_geometry=False)
    assert_safe_frame(back, "review.gpkg")
    assert {neutralise_cell(n) for n in names} <= set(back[schema.NAME])
    public = public_sites(res.sites)
    assert_safe_frame(read_csv_cells(to_csv_bytes(public, synthetic=True)), "public.csv")
    assert_safe_frame(pd.DataFrame([f["properties"] for f in json.loads(
        to_geojson_bytes(public, synthetic=True))["features"]]), "public.geojson")


# --- PDFs --------------------------------------------------------------------------------------
#: Page furniture and repeated table headers, dropped so that a cell split across pages reads as one.
FURNITURE = re.compile("|".join([
    r"SYNTHETICDEMODATA-notCityrecords(:everyplace,countandnameisinvented)?", r"INTERNAL-notforpublicrelease",
    r"StageMap-[^\n]*?Page\d+", r"DateSiteRecordedbyMeasure\(statusnote\)", r"SiteNameCategorySignGateSigndaysoverdue",
    r"NameNote"]))


def pdf_text(data: bytes) -> tuple[str, int]:
    """Open a PDF with pdfium and return (its text without whitespace and page furniture, page count)."""
    doc = pdfium.PdfDocument(data)
    try:
        pages = ["".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
        return "".join(FURNITURE.sub("", page) for page in pages), len(doc)
    finally:
        doc.close()


def shown_in_pdf(value: str, limit: int) -> str | None:
    """Return how ``value`` prints (clipped, without whitespace), or None outside Helvetica's characters."""
    printed = clip(value, limit=limit)
    try:
        printed.encode("cp1252")
    except UnicodeEncodeError:
        return None
    return "".join(printed.split())


def test_pdf_paragraphs_and_cells_wrap_and_cut_long_text_with_an_ellipsis():
    st = styles()
    name, note = "N" * 5_000, "note " * 4_000
    frame = pd.DataFrame({"Name": [name, "<b>x</b> & y", *UNICODE], "Note": [note, LONG_50K, *UNICODE]})
    data = build_pdf([para(name, st.h2, limit=NAME_LIMIT), para(note, st.body),
                      table(frame, st=st, widths=[150, 320], note_columns=("Note",))],
                     title=name, tier=INTERNAL, synthetic=True)
    text, pages = pdf_text(data)
    assert 2 <= pages <= 6
    assert text.count("N" * (NAME_LIMIT - 1) + ELLIPSIS) == 2, "the heading and the cell are cut at 300"
    assert "note" * 400 + ELLIPSIS in text and "B" * (NOTE_LIMIT - 1) + ELLIPSIS in text
    assert "<b>x</b>&y" in text


def test_monthly_report_pdf_and_csv(hostile):
    pdf, csv_path = hostile.monthly
    text, pages = pdf_text(pdf.read_bytes())
    assert pages >= 1 and "Incidentsthismonth" in text
    assert_safe_frame(read_csv_cells(csv_path.read_bytes()), csv_path.name)


def test_board_report_wraps_and_truncates_every_name_and_note(hostile, tmp_path):
    path = write_board(hostile.store, PLANNER, department=DEPT, as_of=AS_OF, out=tmp_path)
    text, pages = pdf_text(path.read_bytes())
    assert pages >= 2
    names = stored(hostile, schema.SITES, schema.SITE_ID, hostile.site_ids, schema.NAME)
    notes = hostile.store.read_status().set_index(schema.SITE_ID).loc[hostile.site_ids, schema.STATUS_NOTE]
    for value, limit in [*((n, NAME_LIMIT) for n in names), *((n, NOTE_LIMIT) for n in notes)]:
        printed = shown_in_pdf(value, limit)
        assert printed is None or printed in text, f"{label(value)} is not printed"
    assert "A" * (NAME_LIMIT - 1) + ELLIPSIS in text, "the 5,000-A name is cut at 300 characters, with an ellipsis"
    assert "<script>alert(1)</script>" in text and "<b>bold</b>&more" in text
    other = write_board(hostile.store, PLANNER, department=HOSTILE_DEPARTMENTS[1], as_of=AS_OF, out=tmp_path)
    assert "<imgsrc=http://evil/d.png>Dept" in pdf_text(other.read_bytes())[0]


def test_sign_packets_print_every_hostile_name_address_and_note(hostile, tmp_path):
    paths = write_sign_packets(hostile.store, PLANNER, site_id=None, department=DEPT, out=tmp_path)
    by_site = {p.stem.removeprefix("SYNTHETIC_sign_packet_").replace("_", "-"): p for p in paths}
    status = hostile.store.read_status().set_index(schema.SITE_ID)
    sites = hostile.store.read_layer(schema.SITES).set_index(schema.SITE_ID)
    for site in hostile.site_ids:
        text, pages = pdf_text(by_site[site].read_bytes())
        assert pages in (2, 3), site  # the sign, then the profile (which a 2,000-character note may push on)
        assert "CITYOFLOSANGELES" in text and f"Siteprofile:{site}" in text
        note = status.loc[site, schema.STATUS_NOTE]
        for value, limit in ((sites.loc[site, schema.NAME], NAME_LIMIT), (sites.loc[site, schema.ADDRESS], NAME_LIMIT),
                             (note, NOTE_LIMIT)):
            printed = shown_in_pdf(value, limit)
            assert printed is None or printed in text, f"{site}: {label(value)} is not printed"
            if len(value) > limit:
                assert ELLIPSIS in text, f"{site}: {label(value)} is cut without an ellipsis"


# --- app pages (AppTest) -----------------------------------------------------------------------
RENDERS_MARKDOWN = frozenset({"markdown", "caption", "error", "warning", "info", "success", "title", "header",
                              "subheader", "toast", "latex"})
LIVE = re.compile(r"<[a-z!/?]|!\[|\]\(", re.IGNORECASE)
#: Corpus strings that are markup wherever they stand (not only at the start of a line, like "-2+3").
MARKUP = [t for t in CORPUS if md_line(f"x {t}") != "x " + " ".join(t.split()) and len(t) >= 3]
LINE_START = [t.strip() for t in CORPUS if md_escape(t) != t and t not in MARKUP and t.strip()]


def markdown_bodies(at: AppTest) -> list[str]:
    """Return every string the page renders as Markdown: element bodies and widget labels."""
    out: list[str] = []

    def walk(node: object) -> None:
        if getattr(node, "type", None) in RENDERS_MARKDOWN:
            out.append(str(node.value))  # type: ignore[attr-defined]
        if isinstance(getattr(node, "label", None), str):
            out.append(node.label)  # type: ignore[attr-defined]
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def assert_inert(at: AppTest, where: str) -> list[str]:
    """Fail on any Markdown body with live markup or a raw corpus string; return the bodies."""
    assert not at.exception, f"{where}: {at.exception}"
    bodies = markdown_bodies(at)
    for body in bodies:
        unescaped = re.sub(r"\\.", "", body, flags=re.DOTALL)  # what is left when escaped characters are dropped
        live = LIVE.search(unescaped)
        assert live is None, f"{where}: live markup {live.group()!r} in {label(body)}"
        raw = [t for t in MARKUP if " ".join(t.split()) in unescaped]
        raw += [t for t in LINE_START for line in body.split("\n") if line.strip().startswith(t)]
        assert not raw, f"{where}: raw user text {label(raw[0])} in {label(body)}"
    return bodies


@pytest.mark.parametrize("text", CORPUS, ids=[f"corpus{i}" for i in range(len(CORPUS))])
def test_md_escape_loses_no_visible_text(text):
    shown = re.sub(r"\\([!-/:-@[-`{-~])", r"\1", md_escape(text))  # what Markdown shows for each backslash escape
    kept = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "",
                  re.sub("\r\n?|[\u2028\u2029]", "\n", text))
    assert shown == "\n".join(line.lstrip(" \t") for line in kept.split("\n"))


def test_md_escape_leaves_plain_names_readable():
    for plain in ("gate_status", "SYN-SITE-0001", "Recreation and Parks (RAP)", "2026-03-01", "Ñandú Café"):
        assert md_escape(plain) == plain


@pytest.fixture
def app_store(hostile, tmp_path, monkeypatch):
    """A private copy of the hostile store, opened by the app in demo mode."""
    for src in hostile.path.parent.glob(hostile.path.name + "*"):
        if src.is_file():  # the store and its journal; the derived-analysis cache folder is rebuilt
            shutil.copy(src, tmp_path / src.name)
    monkeypatch.setenv("STAGEMAP_STORE", str(tmp_path / hostile.path.name))
    monkeypatch.setenv("STAGEMAP_AUTH", "demo")
    return hostile


def app(role: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["user_name"] = HOSTILE_USER
    at.session_state["demo_role"] = role
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_review_detail_shows_names_reasons_and_users_as_text(app_store):
    at = app("planner").switch_page("app_pages/review.py").run()
    assert_inert(at, "review")
    reasons = app_store.store.read_overrides().set_index(schema.SITE_ID)["reason"]
    for site, text in zip(app_store.site_ids, CORPUS, strict=True):
        at.session_state["selected_site"] = site
        at.run()
        bodies = assert_inert(at, f"review {site} {label(text)}")
        assert any(md_line(text, limit=NAME_LIMIT) in b for b in bodies), f"{label(text)}: name not shown"
        assert any(md_escape(reasons[site]) in b and md_line(HOSTILE_USER) in b for b in bodies), label(text)


def test_liaison_page_shows_department_and_user_as_text(app_store):
    at = app("liaison", demo_dept=HOSTILE_DEPARTMENTS[1]).switch_page("app_pages/liaison.py").run()
    bodies = assert_inert(at, "liaison, hostile department")
    assert f"Department: **{md_line(HOSTILE_DEPARTMENTS[1])}**" in bodies
    at = app("liaison", demo_dept=DEPT).switch_page("app_pages/liaison.py").run()
    at.selectbox(key="selected_site").set_value(app_store.site_ids[CORPUS.index("**bold**")]).run()
    bodies = assert_inert(at, "liaison, hostile site")
    assert any(f"last saved by {md_line(HOSTILE_USER)}" in b for b in bodies)
    next(b for b in at.button if b.label == "Save").click().run()
    bodies = assert_inert(at, "liaison, after saving")
    assert any(md_line(HOSTILE_USER) in b for b in bodies), "the saver's name is shown, escaped"


@pytest.mark.parametrize("page", ["overview", "gaps", "incidents", "nexus", "public", "data"])
def test_other_pages_render_hostile_store_text_inert(app_store, page):
    at = app("admin", selected_incident=app_store.incident_ids[CORPUS.index("<script>alert(1)</script>")])
    assert_inert(at.switch_page(f"app_pages/{page}.py").run(), page)


def test_report_page_quotes_a_hostile_file_name_as_text(app_store):
    at = app("records").switch_page("app_pages/report.py").run()
    name = "<img src=http://evil/f.png>![e](http://evil/e.png).jpg"
    at.file_uploader[0].set_value([(name, b"", "image/jpeg")])
    next(b for b in at.button if b.label == "Submit report").click().run()
    assert_inert(at, "report")
    assert at.error and md_escape(name) in at.error[0].value and "the file is empty" in at.error[0].value
