"""The PDFs the City publishes, in Spanish: the monthly B.8 report and the sign packet (text read with pypdfium2).

A Spanish PDF carries the Spanish headings and none of the English ones; the counts are the same as in
English; the sign itself stays bilingual (its English text is the directive's own).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import schema
from geo.config import SIGN_TEXT_EN
from geo.reports import monthly
from geo.reports.sign_packet import sign_packet_pdf
from geo.services.reports import monthly_from_store, sheets_from_store
from stagemap_cli import main as cli_main
from tests.actors import PLANNER
from tests.geo.test_reports import flat, render, store  # noqa: F401  (a fixture)

MONTHLY_EN = ("ED 17 B.8 monthly aggregated report", "Board of Police Commissioners", "What is counted, and what is not",
              "District by observed conduct", "District by verification level",
              "Observed conduct by verification level", "Method", "Council district", "Incidents this month",
              "PUBLIC - aggregated counts only", "Page 1", "Not counted")
MONTHLY_ES = ("Informe mensual agregado B.8 de la DE 17, marzo de 2026", "Junta de Comisionados de Policía",
              "Qué se cuenta y qué no", "Distrito por conducta observada", "Distrito por nivel de verificación",
              "Conducta observada por nivel de verificación", "Metodología", "Distrito del Concejo Municipal",
              "Incidentes este mes", "PÚBLICO - solo conteos agregados", "Página 1", "No se cuentan",
              "Rostro cubierto", "Sin identificación visible", "DATOS SINTÉTICOS DE DEMOSTRACIÓN", "Frecuencia")
PACKET_EN = ("Site profile:", "Department", "Council district", "Last inspected", "Status note", "Item",
             "Scan to open this site's record", "Page 2: site profile for City staff", "Not a survey")
PACKET_ES = ("Perfil del sitio: SYN-SITE-0012", "Departamento", "Distrito del Concejo Municipal", "Última inspección",
             "Nota de estado", "Dato", "Valor", "Escanee para abrir el registro de este sitio",
             "Página 2: perfil del sitio para el personal de la Ciudad", "Paquete de letrero SYN-SITE-0012",
             "Portón", "Letrero")


def _cli_pdf(args: list[str], out, pattern: str) -> str:
    assert cli_main(args) == 0
    paths = sorted(out.glob(pattern))
    assert paths, f"no {pattern} in {sorted(p.name for p in out.iterdir())}"
    return flat(render(paths[0].read_bytes())[0])


def test_monthly_report_in_spanish_from_the_cli(store, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    base = ["--out", str(out), "--store", store.url]
    body = _cli_pdf(["report", "monthly", "--month", "2026-03", "--lang", "es", *base], out, "*monthly_report_2026-03_es.pdf")
    for heading in MONTHLY_ES:
        assert heading in body, heading
    for heading in MONTHLY_EN:
        assert heading not in body, f"English left in the Spanish report: {heading!r}"
    english = flat(render(monthly.monthly_pdf_bytes(monthly_from_store(store, PLANNER, month="2026-03")))[0])
    assert all(h in english for h in MONTHLY_EN) and not any(h in english for h in MONTHLY_ES[:9])
    assert "CD 15" in body and "<11" in body  # the district rows and withheld cells are the same figures
    audit = pd.DataFrame(store.read_audit())
    assert json.loads(audit.loc[audit["action"] == "export.report.monthly", "new"].iloc[-1])["lang"] == "es"


def test_spanish_monthly_tables_hold_the_english_figures(store):  # noqa: F811
    report = monthly_from_store(store, PLANNER, month="2026-03")
    en, es = (flat(render(monthly.monthly_pdf_bytes(report, lang=lang))[0]) for lang in ("en", "es"))
    def figures(text: str) -> list[str]:
        return [w.strip("().,;") for w in text.split() if w.strip("().,;").lstrip("<").isdigit()]

    assert len(figures(en)) > 20 and figures(es) == figures(en)


def test_sign_packet_in_spanish_keeps_the_bilingual_sign(store, tmp_path):  # noqa: F811
    sheet = sheets_from_store(store, PLANNER, site_id="SYN-SITE-0012")[0]
    body = flat(render(sign_packet_pdf(sheet, synthetic=True, base_url="https://x.example", lang="es"))[0])
    for heading in PACKET_ES:
        assert heading in body, heading
    for heading in PACKET_EN:
        assert heading not in body, f"English left in the Spanish packet: {heading!r}"
    assert flat(SIGN_TEXT_EN) in body and "Esta propiedad es propiedad de la Ciudad de Los Ángeles" in body
    out = tmp_path / "out"
    text = _cli_pdf(["report", "sign-packet", "--site", "SYN-SITE-0012", "--lang", "es", "--out", str(out),
                     "--store", store.url], out, "*sign_packet_SYN_SITE_0012_es.pdf")
    assert "Perfil del sitio: SYN-SITE-0012" in text


def test_cli_refuses_a_language_it_does_not_offer(store, tmp_path, capsys):  # noqa: F811
    with pytest.raises(SystemExit):
        cli_main(["report", "monthly", "--month", "2026-03", "--lang", "fr", "--store", store.url,
                  "--out", str(tmp_path)])
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_conduct_words_cover_the_schema():
    assert set(schema.CONDUCT_LABELS.values()) == set(monthly.CONDUCT_WORDS)
