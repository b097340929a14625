"""The board report, the Police Commission PDFs and the nexus XLSX in Spanish; their errors in Spanish.

A Spanish PDF carries the Spanish headings and none of the English ones (text read with pypdfium2);
the English output is unchanged; the nexus workbook in Spanish has Spanish sheet names and headers
while names, AINs and notes stay as recorded. Every page of each Spanish PDF is saved as a PNG under
``artifacts/pdf_es/`` for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest

from geo import duties, i18n, schema
from geo.errors import GeoDataError, SchemaError
from geo.intake.package import verify_package
from geo.intake.registers import REGISTERS, check_entry
from geo.nexus.snapshot import to_xlsx_bytes
from geo.nexus.tables import check_unit_costs, default_unit_costs
from geo.reports import commission as commission_report
from geo.reports.board import board_pdf_bytes, resolve_department
from geo.reports.monthly import parse_month
from geo.services import commission
from geo.services.nexus import nexus_files
from geo.services.reports import board_from_store
from geo.store import open_store
from stagemap_cli import main as cli_main
from tests.actors import PLANNER, RECORDS
from tests.geo.test_commission import fill_world
from tests.geo.test_nexus import nexus_from_store
from tests.geo.test_reports import flat, store  # noqa: F401  (a fixture)

PNG_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "pdf_es"
AS_OF = dt.date(2026, 4, 1)

BOARD_EN = ("ED 17 measures report", "Board of Harbor Commissioners", "to the Office of the Mayor", "Summary",
            "Sites by category", "Measures recorded", "Overdue and outstanding items", "Definitions:",
            "Measure (status note)", "Sites on the department's list", "Candidates: need a sign (A.1)",
            "Measures by the Port Police (day 15)", "INTERNAL - not for public release", "Page 1", "Recorded by",
            "Sign days overdue", "25 February 2026", "01 April 2026")
BOARD_ES = ("Informe de medidas de la DE 17: Harbor Department (Port of LA)", "Junta de Comisionados del Puerto",
            "a la Oficina del Alcalde", "Resumen", "Sitios por categoría", "Medidas registradas",
            "Asuntos vencidos y pendientes", "Definiciones:", "Medida (nota de estado)",
            "Sitios en la lista del departamento", "Candidatos: necesitan letrero (A.1)",
            "Medidas de Policía Portuaria (día 15)", "Registrado por", "Días de retraso del letrero",
            "25 de febrero de 2026", "01 de abril de 2026", "Página 1")
COMMISSION_EN = ("LAPD scene duties and referrals", "To the Board of Police Commissioners", "Compliance city-wide",
                 "Public reports (B.6)", "Referrals (B.7) by recipient and status", "Compliance by LAPD division",
                 "Body-worn camera activated", "De-escalation used", "Duty", "Scenes", "Share", "District Attorney",
                 "acknowledged", "Cadence (", "INTERNAL - not for public release")
COMMISSION_ES = ("DE 17 Sección B: deberes del LAPD en la escena y remisiones, 2026-03",
                 "A la Junta de Comisionados de Policía", "Cumplimiento en toda la ciudad", "Reportes del público (B.6)",
                 "Remisiones (B.7) por destinatario y estado", "Cumplimiento por división del LAPD",
                 "Cámara corporal activada", "Se usó la desescalada", "Deber", "Escenas", "Proporción",
                 "Fiscal de Distrito", "destinatario", "Página 1")
PUBLIC_EN = ("LAPD scene duties, 2026-03 (public)", "Scenes where each duty was met and not met", "Not met",
             "Body-worn camera activated", "PUBLIC - aggregated counts only", "Total")
PUBLIC_ES = ("DE 17 Sección B: deberes del LAPD en la escena, 2026-03 (público)",
             "Escenas donde cada deber se cumplió y no se cumplió", "No cumplido", "Cumplido",
             "Cámara corporal activada", "PÚBLICO - solo conteos agregados")


def pdf_text(data: bytes, *, png: str | None = None) -> str:
    """Return the PDF's text (whitespace flattened); save every page as ``png``-N.png when named."""
    doc = pdfium.PdfDocument(data)
    try:
        if png:
            PNG_DIR.mkdir(parents=True, exist_ok=True)
            for i in range(len(doc)):
                doc[i].render(scale=1.5).to_pil().save(PNG_DIR / f"{png}-{i + 1}.png")
        return flat("\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    finally:
        doc.close()


def _both(body: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    for words in present:
        assert words in body, words
    for words in absent:
        assert words not in body, f"English left in the Spanish document: {words!r}"


# --- board report --------------------------------------------------------------------------------------
def test_board_report_in_spanish_from_the_cli_and_english_unchanged(store, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    assert cli_main(["report", "board", "--department", "Harbor", "--as-of", AS_OF.isoformat(), "--lang", "es",
                     "--out", str(out), "--store", store.url]) == 0
    path = next(out.glob("*board_report_*_es.pdf"))
    spanish = pdf_text(path.read_bytes(), png="board_harbor_es")
    _both(spanish, BOARD_ES, BOARD_EN)
    report = board_from_store(store, PLANNER, department="Harbor", as_of=AS_OF)
    english = pdf_text(board_pdf_bytes(report))
    _both(english, BOARD_EN, BOARD_ES[1:])
    for site in report.overdue["Site"]:  # the data (site ids, names, notes) is the same in both
        assert site in spanish
    assert report.measures.iloc[0]["Measure (status note)"][:20] in spanish


def test_a_department_without_a_board_reads_in_spanish(store):  # noqa: F811
    depts = store.read_layer(schema.SITES)[schema.OWNING_DEPT].dropna().unique()
    other = next(d for d in depts if not any(k in d.lower() for k in ("airport", "harbor", "recreation and parks")))
    report = board_from_store(store, PLANNER, department=other, as_of=AS_OF)
    body = pdf_text(board_pdf_bytes(report, lang="es"))
    assert f"{flat(other)} (informe de cumplimiento del departamento) a la Oficina del Alcalde" in body
    assert "department compliance report" not in body and "Medidas de " not in body


# --- Police Commission -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The Section B scenes of tests/geo/test_commission.py, on a GeoPackage store."""
    return fill_world(open_store(str(tmp_path_factory.mktemp("commission") / "c.gpkg")))


def test_commission_internal_pdf_in_spanish_from_the_cli(world, tmp_path):
    out = tmp_path / "out"
    assert cli_main(["report", "commission", "--month", "2026-03", "--as-of", "2026-04-30", "--lang", "es",
                     "--out", str(out), "--store", world.url]) == 0
    spanish = pdf_text(next(out.glob("*commission_section_b_2026-03_es.pdf")).read_bytes(), png="commission_es")
    _both(spanish, COMMISSION_ES, COMMISSION_EN)
    assert "Frecuencia (" in spanish and "J. Doe" not in spanish
    english = pdf_text(commission.commission_pdf(world, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 30))[1])
    _both(english, COMMISSION_EN, COMMISSION_ES)
    figures = sorted(w for w in english.split() if w.isdigit())
    assert figures == sorted(w for w in spanish.split() if w.isdigit())  # the counts are the same in both languages
    assert "Cumplido" in spanish.split()  # the header fits its column (not cut into "Cumplid o")
    langs = [json.loads(str(e["new"])).get("lang") for e in world.read_audit() if e["action"] == "export.report.commission"]
    assert langs[-2:] == ["es", "en"]


def test_commission_public_pdf_in_spanish_keeps_the_published_cells(world, tmp_path):
    name, data = commission.commission_public_pdf(world, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 30),
                                                  lang="es")
    assert name.endswith("_public_es.pdf")
    spanish = pdf_text(data, png="commission_public_es")
    _both(spanish, PUBLIC_ES, PUBLIC_EN[:4])
    english = pdf_text(commission.commission_public_pdf(world, RECORDS, month="2026-03",
                                                        as_of=dt.date(2026, 4, 30))[1])
    _both(english, PUBLIC_EN, PUBLIC_ES)
    assert english.count("<11") == spanish.count("<11") > 0


def test_duty_words_cover_the_duties():
    assert tuple(label for _, label, _ in duties.DUTIES) == commission_report.DUTY_WORDS


# --- nexus workbook ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tables(store):  # noqa: F811
    return nexus_from_store(store)


def test_nexus_xlsx_in_spanish_names_its_sheets_and_headers_in_spanish(tables):
    english = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, snapshot="abc")))
    assert english.sheetnames == ["notice", *tables.sheets()]  # English: the table names, as before
    assert [c.value for c in english["inventory"][1]][:3] == ["ain", "apn", "owner_name"]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, snapshot="abc", lang="es")))
    assert book.sheetnames[:9] == ["Aviso", "Inventario", "Parcela x mes", "Libro de registro", "Propietarios",
                                   "Costos unitarios", "Escenarios de tarifa", "Tarifas por parcela",
                                   "Registro de supuestos"]
    inventory = [c.value for c in book["Inventario"][1]]
    assert inventory[:3] == ["AIN", "APN", "Nombre del propietario"] and "Distrito del Concejo Municipal" in inventory
    ledger = book["Libro de registro"]
    head = [c.value for c in ledger[1]]
    assert {"Incidente", "Dónde", "Cuenta para la tarifa", "Control del sitio"} <= set(head)
    where = {r[head.index("Dónde")] for r in ledger.iter_rows(min_row=2, values_only=True)}
    assert where <= {"En el sitio", "Junto al sitio", "No está cerca de un sitio"} and where
    notice = {r[0]: r[1] for r in book["Aviso"].iter_rows(min_row=2, values_only=True)}
    assert notice["Fecha de corte"] == tables.as_of.isoformat() and "MARCADOR" in notice["Costos unitarios"]
    # the data is not translated: the owner names and AINs are those of the English workbook
    owners_en = sorted(str(r[0]) for r in english["owners"].iter_rows(min_row=2, values_only=True))
    assert sorted(str(r[0]) for r in book["Propietarios"].iter_rows(min_row=2, values_only=True)) == owners_en
    english_words = {"notice", "inventory", "ledger", "owner_name", "snap_kind", "counts_toward_fee"}
    seen = {c.value for ws in book.worksheets for c in ws[1]} | set(book.sheetnames)
    assert not english_words & seen


def test_nexus_files_in_spanish_keep_the_machine_csv(tables):
    files = nexus_files(tables, lang="es")
    xlsx = next(n for n in files if n.endswith(".xlsx"))
    assert xlsx.endswith("nexus_es.xlsx")
    csv_zip = zipfile.ZipFile(io.BytesIO(files[next(n for n in files if n.endswith(".zip"))]))
    costs = next(n for n in csv_zip.namelist() if "unit_costs" in n)
    assert csv_zip.read(costs).decode("utf-8-sig").splitlines()[0].startswith('"key","item","unit"')


def test_nexus_cli_writes_the_spanish_workbook(store, tmp_path):  # noqa: F811
    assert cli_main(["nexus", "--out", str(tmp_path), "--as-of", "2026-04-01", "--lang", "es",
                     "--store", store.url]) == 0
    book = openpyxl.load_workbook(next(tmp_path.glob("*nexus_es.xlsx")), read_only=True)
    assert "Inventario" in book.sheetnames


# --- errors in Spanish ----------------------------------------------------------------------------------
def test_errors_of_the_documents_read_in_spanish(tmp_path):
    cases = []
    with pytest.raises(SchemaError) as month:
        parse_month("2026-13")
    cases.append((month.value, "--month '2026-13' is not a month", "no es un mes; escríbalo como AAAA-MM"))
    with pytest.raises(GeoDataError) as dept:
        resolve_department("Zoo", ["Airports (LAWA)", "Harbor Department (Port of LA)"])
    cases.append((dept.value, "matches no department", "no coincide con ningún departamento"))
    costs = default_unit_costs().assign(year="19x")
    with pytest.raises(SchemaError) as unit:
        check_unit_costs(costs)
    cases.append((unit.value, "Unit-cost table: ", "Tabla de costos unitarios: "))
    with pytest.raises(SchemaError) as entry:
        check_entry(REGISTERS["agency"], {"agency_id": "", "nonsense": 1})
    cases.append((entry.value, "Nothing was saved.", "No se guardó nada."))
    with pytest.raises(SchemaError) as package:
        verify_package(b"not a zip", key=b"k" * 32)
    cases.append((package.value, "not a ZIP evidence package", "no es un paquete de evidencia ZIP"))
    for exc, english, spanish in cases:
        assert english in str(exc) and spanish not in str(exc)
        text = i18n.localise(exc, "es")
        assert spanish in text and english not in text, text
    assert "Tabla de costos unitarios: " in i18n.localise(unit.value, "es") and \
        "no es un año entre 1900 y 2100" in i18n.localise(unit.value, "es")


def test_board_measures_section_reads_in_spanish_with_the_descriptions_as_recorded():
    from geo.reports.board_measures import measures_overdue, measures_table

    measures = pd.DataFrame({"measure_id": ["m1", "m2"], "measure_type": ["patrol", "access_control"],
                             "description": ["Night patrol of Lot 5", "Card readers"],
                             "start_date": ["2026-03-01", "2026-05-01"], "site_ids": ["SYN-1;SYN-2", None],
                             "status": ["in_place", "planned"]})
    table = measures_table(measures, "es")
    assert list(table.columns) == ["Tipo", "Medida", "Inicio", "Sitios cubiertos", "Estado"]
    assert table["Tipo"].tolist() == ["Patrullaje", "Control de acceso"]
    assert table["Medida"].tolist() == ["Night patrol of Lot 5", "Card readers"]  # data: never translated
    assert table["Sitios cubiertos"].tolist() == ["SYN-1, SYN-2", "todos los sitios"]
    assert table["Estado"].tolist() == ["en vigor", "planificada"]
    assert measures_table(measures)["Status"].tolist() == ["in place", "planned"]  # English as before
    late = measures_overdue(measures, as_of=dt.date(2026, 6, 1), lang="es")
    assert late == ["2 medida(s) comenzaron después del plazo del día 15 (25 de febrero de 2026).",
                    "1 medida(s) siguen planificadas después de su fecha de inicio."]
    assert measures_overdue(None, as_of=dt.date(2026, 3, 2), lang="es") == [
        "No hay ninguna medida registrada: el informe de la junta vencía el 25 de febrero de 2026 (5 días de retraso)."]


def test_the_placeholder_source_is_the_one_the_tables_write():
    from geo.nexus import snapshot, tables

    assert snapshot.WORDS["source"][tables.PLACEHOLDER_SOURCE] == tables.PLACEHOLDER_SOURCE


def test_a_rejected_incident_report_and_a_bulk_status_report_read_in_spanish():
    from geo.intake.bulk_status import BulkStatusReport, RowResult, parse_row
    from geo.intake.bulk_status import Sheet as BulkSheet
    from geo.intake.reports import IncidentReport, IntakeRejected, validate_report

    report = IncidentReport(incident_type="arrest", lat=-118.25, lon=34.05, occurred_at="yesterday",
                            source_type="public", reporter_email="not-an-address")
    with pytest.raises(IntakeRejected) as rejected:
        validate_report(report, [], user="web", role="public", source="web")
    english = str(rejected.value)
    assert english.startswith("Incident report not saved (nothing was written): ") and "look swapped" in english
    spanish = i18n.localise(rejected.value, "es")
    assert spanish.startswith("Reporte de incidente no guardado (no se escribió nada): ")
    assert "no es una fecha y hora" in spanish and "not-an-address" not in spanish and "not a date" not in spanish
    sheet = BulkSheet("status.csv", ("site_id", "expect_version", "sign_status"), (), "0" * 64)
    row = parse_row(sheet, {"site_id": 0, "expect_version": 1, "sign_status": 2}, 2, ("SYN-1", 3, "sideways"),
                    dt.date(2026, 4, 1))
    assert isinstance(row, RowResult)
    summary = BulkStatusReport("status.csv", (row,)).summary()
    assert summary.startswith("row 2, column sign_status site SYN-1: INVALID 'sideways' is not valid here. Fix: use ")
    assert i18n.localise(summary, "es").splitlines() == [
        "fila 2, columna sign_status sitio SYN-1: NO VÁLIDO 'sideways' no es válido aquí. Corrección: use posted, "
        "missing, damaged or unknown.",
        "status.csv: 0 aplicadas, 0 conflictos, 1 no válidas, 0 sitios desconocidos"]
