"""The CLI speaks Spanish when asked (``--lang es``, ``$STAGEMAP_LANG``, the account's saved language), English otherwise.

Each test runs a real command that fails (or finds tampering) twice: in English the output is the text the CLI
always printed; in Spanish the same lines come out translated, with the data (paths, ids, hashes) unchanged.
"""
from __future__ import annotations

import os
import re
import sqlite3
import zipfile

import pytest

from geo.access.accounts import set_language
from geo.config import accounts_path
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from stagemap_cli.main import main
from tests.actors import records
from tests.geo.test_intake import add_sites
from tests.geo.test_packages import _harbor

BAD_CRS_EN = "error: --crs 'EPSG:99999999' is not a known CRS. Use an EPSG code such as 2229 or EPSG:4326.\n"
BAD_CRS_ES = "error: --crs 'EPSG:99999999' no es un CRS conocido. Use un código EPSG como 2229 o EPSG:4326.\n"


@pytest.fixture
def parcels_file(tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"AIN": '
                    '"5161003990"}, "geometry": {"type": "Point", "coordinates": [-118.24, 34.05]}}]}')
    return path


def _import(parcels_file, store, *lang: str) -> list[str]:
    return [*lang, "import", "parcels", str(parcels_file), "--store", store.url, "--user", "admin", "--crs",
            "EPSG:99999999"]


def test_a_rejected_import_prints_its_error_in_spanish_only_when_asked(store, parcels_file, cli_accounts, capsys,
                                                                      monkeypatch):
    assert main(_import(parcels_file, store)) == 2
    assert capsys.readouterr().err == BAD_CRS_EN  # unchanged English
    assert main(_import(parcels_file, store, "--lang", "es")) == 2
    assert capsys.readouterr().err == BAD_CRS_ES
    monkeypatch.setenv("STAGEMAP_LANG", "es")
    assert main(_import(parcels_file, store)) == 2
    assert capsys.readouterr().err == BAD_CRS_ES
    assert main(_import(parcels_file, store, "--lang", "en")) == 2  # the option beats the variable
    assert capsys.readouterr().err == BAD_CRS_EN


def test_the_acting_accounts_saved_language_is_the_default(store, parcels_file, cli_accounts, capsys):
    set_language(accounts_path(None), "admin", "es")
    assert main(["user", "list", "--user", "admin"]) == 0
    assert "admin\tadmin\t\tes (Español)" in capsys.readouterr().out
    assert main(_import(parcels_file, store)) == 2
    assert capsys.readouterr().err == BAD_CRS_ES
    assert main(_import(parcels_file, store, "--lang", "en")) == 2
    assert capsys.readouterr().err == BAD_CRS_EN


def test_a_refusal_is_printed_in_spanish(store, cli_accounts, capsys):
    argv = ["audit", "verify", "--store", store.url, "--user", "nobody"]
    assert main(argv) == 4
    english = capsys.readouterr().err
    assert english.startswith("denied: No account 'nobody' in ") and english.endswith(" Nothing was changed.\n")
    assert main(["--lang", "es", *argv]) == 4
    spanish = capsys.readouterr().err
    assert spanish.startswith("denegado: No existe la cuenta 'nobody' en ") and "Un administrador la crea con " \
        "`stagemap user add nobody --role ROLE`" in spanish and spanish.endswith(" No se cambió nada.\n")


def test_audit_verify_on_a_tampered_store_reports_in_spanish(store, capsys):
    add_sites(store)
    store.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    assert main(["--lang", "es", "audit", "verify", "--store", store.url]) == 0
    out = capsys.readouterr().out
    assert "cadena de auditoría correcta: " in out and "estado correcto: " in out and "cabeza: " in out
    con = sqlite3.connect(store.path)
    con.execute("UPDATE site_status SET gate_status = 'closed_locked' WHERE site_id = 'SYN-1'")
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    con.commit()
    con.close()
    assert main(["audit", "verify", "--store", store.url]) == 1
    english = capsys.readouterr().err
    assert "audit chain BROKEN at audit entry 1: content does not match its hash: the entry was edited" in english
    assert "FINDING site_status SYN-1: live row differs from its history version 2 (gate_status)" in english
    assert "state does NOT match the audit chain: " in english and "restore the named rows" in english
    assert main(["--lang", "es", "audit", "verify", "--store", store.url]) == 1
    spanish = capsys.readouterr().err
    assert "HALLAZGO entrada de auditoría 1: el contenido no coincide con su hash: la entrada fue editada" in spanish
    assert "HALLAZGO site_status SYN-1: la fila vigente difiere de la versión 2 de su historial (gate_status)" \
        in spanish
    assert "cadena de auditoría ROTA en entrada de auditoría 1" in spanish
    assert "el estado NO coincide con la cadena de auditoría: " in spanish and "restaure las filas" in spanish
    assert english.count("\n") == spanish.count("\n")  # the same lines, translated


def test_evidence_verify_names_the_altered_original_in_spanish(store, capsys):
    res = submit_incident(store, records("ana"), IncidentReport("other", 34.05, -118.25, "2026-03-01T09:00", "staff"),
                          evidence_files=[EvidenceUpload("a.bin", b"original bytes")])
    evidence = res.evidence[0]
    path = store.evidence_dir() / evidence.stored_path
    os.chmod(path, 0o644)
    path.write_bytes(b"Original bytes")
    assert main(["evidence", "verify", "--store", store.url]) == 1
    english = capsys.readouterr().err
    assert f"MISMATCH evidence {evidence.evidence_id}: {path} should hash to {evidence.sha256}, " \
           "file now hashes to " in english and "evidence verify FAILED: 1 of 1 files" in english
    assert main(["--lang", "es", "evidence", "verify", "--store", store.url]) == 1
    spanish = capsys.readouterr().err
    assert f"DISCREPANCIA evidencia {evidence.evidence_id}: {path} debería tener el hash " \
           f"{evidence.sha256}; el archivo ahora tiene el hash " in spanish
    assert "la verificación de evidencia FALLÓ: 1 de 1 archivos" in spanish


def test_a_tampered_evidence_package_fails_verification_in_spanish(store, tmp_path, monkeypatch, cli_accounts,
                                                                    capsys):
    _harbor(store, tmp_path, monkeypatch)
    cli_accounts("clerk", "records")
    out = tmp_path / "out"
    assert main(["--lang", "es", "evidence", "package", "--store", store.url, "--user", "clerk", "--recipient",
                 "us_attorney", "--district", "15", "--out", str(out)]) == 0
    built = capsys.readouterr().out
    assert built.startswith("paquete PKG-") and " para Fiscalía Federal de EE. UU., Distrito Central de California: " \
        in built and " incidentes, " in built and "SHA-256 del manifiesto" in built
    package = next(out.glob("PKG-*.zip"))
    assert main(["--lang", "es", "evidence", "verify", str(package)]) == 0
    assert capsys.readouterr().out.startswith("paquete correcto: firma válida, ")
    with zipfile.ZipFile(package) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    victim = next(n for n in members if n.startswith("evidence/"))
    with zipfile.ZipFile(package, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data[:-1] + bytes([data[-1] ^ 1]) if name == victim else data)
    assert main(["evidence", "verify", str(package)]) == 1
    english = capsys.readouterr().err
    assert f"MISMATCH {victim}: hashes to " in english and ": the file was altered" in english
    assert f"package verify FAILED: 1 problems in {package}; do not hand it over." in english
    assert main(["--lang", "es", "evidence", "verify", str(package)]) == 1
    spanish = capsys.readouterr().err
    assert f"DISCREPANCIA {victim}: su hash es " in spanish and ": el archivo fue alterado" in spanish
    assert f"la verificación del paquete FALLÓ: 1 problemas en {package}; no lo entregue." in spanish


def test_the_analysis_summary_reads_in_spanish(tmp_path, cli_accounts, capsys):
    """``stagemap analyze`` prints its summary (counts, headline KPIs, the data-end note) in the run's language."""
    path = str(tmp_path / "s.gpkg")
    assert main(["sample", "--store", path, "--user", "admin"]) == 0
    capsys.readouterr()
    run = ["analyze", "--store", path, "--user", "admin", "--as-of", "2026-03-10"]
    assert main([*run, "--out", str(tmp_path / "en")]) == 0
    english = capsys.readouterr().out.strip().splitlines()
    assert main(["--lang", "es", *run, "--out", str(tmp_path / "es")]) == 0
    spanish = capsys.readouterr().out.strip().splitlines()
    assert english[0].startswith("analysis as of 2026-03-10 written to ") and "; sites and parts " in english[0]
    assert spanish[0].startswith("análisis al 2026-03-10 escrito en ") and "incidentes de aplicación de la ley" in spanish[0]
    assert "sites and parts" not in spanish[0] and "Sitios y partes" in spanish[0]
    assert len(spanish) == len(english)  # the same lines (a note about where the data end, when there is one)
    counts = [re.findall(r"\d[\d,]*", line.split(": ", 1)[1].rsplit("(", 1)[0]) for line in (english[0], spanish[0])]
    assert counts[0] == counts[1]  # the same counts, in the same order
