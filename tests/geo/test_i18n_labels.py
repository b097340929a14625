"""The one label table in Spanish: table headers and coded values read in the session's language."""
from __future__ import annotations

import pandas as pd

from geo.analysis.labels import header, label, readable, value_text
from geo.i18n import catalogue, long_date, month_year, short_date
from geo.labels import BY_COLUMN, COLUMNS, VALUES, code_label


def test_every_label_has_spanish():
    spanish = catalogue("es")
    labels = {*COLUMNS.values(), *VALUES.values(), *(v for m in BY_COLUMN.values() for v in m.values()), "Yes", "No"}
    assert sorted(t for t in labels if t not in spanish) == []


def test_a_table_reads_in_spanish():
    frame = pd.DataFrame({"site_id": ["SYN-1"], "owning_dept": ["Harbor"], "sign_status": ["none"],
                          "gate_status": ["closed_locked"], "council_district": [15], "repeat_site": [True],
                          "verification_status": ["corroborated, lapd_confirmed"], "custom_thing": ["x"]})
    es = readable(frame, lang="es")
    assert list(es.columns) == ["Sitio", "Departamento", "Letrero", "Portón", "Distrito del Concejo Municipal",
                                "Sitio reincidente", "Verificación", "Custom thing"]
    assert es.iloc[0].tolist() == ["SYN-1", "Harbor", "Sin letrero", "Cerrado con llave", 15, "Sí",
                                   "Corroborado, Confirmado por el LAPD", "x"]  # data (ids, names) never translated
    en = readable(frame)
    assert list(en.columns)[:4] == ["Site", "Department", "Sign", "Gate"] and en.iloc[0, 2] == "No sign"


def test_single_labels_in_spanish_and_english_by_default():
    assert header("gate_status", "es") == "Portón" and header("gate_status") == "Gate"
    assert label("partial", lang="es") == "Protegido en parte" and label("partial") == "Partly protected"
    assert value_text(False, lang="es") == "No" and value_text(True, lang="es") == "Sí"
    assert code_label("none", "sign_status", "es") == "Sin letrero" and code_label("Lot 7", lang="es") == "Lot 7"


def test_dates_in_spanish():
    import datetime as dt

    day = dt.date(2026, 3, 1)
    assert month_year(day, "es") == "marzo de 2026" and month_year(day, "en") == "March 2026"
    assert long_date(day, "es") == "01 de marzo de 2026" and long_date(day, "en") == "01 March 2026"
    assert short_date(dt.date(2026, 9, 5), "es") == "05 sep 2026" and short_date(dt.date(2026, 9, 5), "en") == \
        f"{dt.date(2026, 9, 5):%d %b %Y}"


def test_a_csv_for_a_person_has_spanish_headers_and_a_machine_csv_keeps_names():
    import csv
    import io

    from geo.io.export import to_csv_bytes

    frame = pd.DataFrame({"site_id": ["SYN-1"], "owning_dept": ["=HYPERLINK(\"x\")"], "pct_signed": [50.0]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame, synthetic=True, lang="es").decode("utf-8-sig"))))
    assert rows[0] == ["Sitio", "Departamento", "% con letrero", "Aviso sobre los datos"]
    assert rows[1][3] == "DATOS SINTÉTICOS DE DEMOSTRACIÓN - no son registros de la Ciudad"
    assert rows[1][1].startswith("'")  # still neutralised
    machine = list(csv.reader(io.StringIO(to_csv_bytes(frame, synthetic=False).decode("utf-8-sig"))))
    assert machine[0] == ["site_id", "owning_dept", "pct_signed"]


def test_the_before_after_method_shown_is_the_module_text():
    from geo.analysis import before_after
    from ui import events_panel

    assert before_after.__doc__ == events_panel.METHOD  # the marked copy never drifts from the documented method
