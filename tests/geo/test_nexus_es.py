"""The nexus workbook in Spanish: assumption register, unit-cost wording and land-use classes (issue 17, part 5).

The Spanish XLSX (``lang="es"``, ``stagemap nexus --lang es``) is read back with openpyxl and compared cell by
cell with the English one: every generated text in the register, the unit-cost items and units and the land-use
classes reads in Spanish, while values (numbers, dates, names, typed wording, identifiers) are the same in both.
The English workbook and the frozen snapshot keep the exact English text they had before.
"""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from geo.i18n import catalogue, localise, translate
from geo.messages import Message
from geo.nexus import snapshot
from geo.nexus.costs import DEFAULT_UNIT_COSTS, PLACEHOLDER_SOURCE, default_unit_costs
from geo.nexus.snapshot import freeze, snapshot_hash, to_xlsx_bytes
from geo.nexus.wording import COLUMN_WORDS, LAND_USE_CLASSES, SCENARIO_UNITS
from geo.services.nexus import nexus_tables
from geo.services.registers import save_entry
from geo.store import open_store
from geo.synthetic import generate_sample
from stagemap_cli import main as cli_main
from tests.actors import PLANNER

AS_OF = dt.date(2026, 4, 1)
#: The register's English statements as the workbook wrote them before the Spanish (the English must not change).
ENGLISH_STATEMENTS = {
    "D1": "Data as of (LA calendar date)",
    "D2": "Synthetic demo records (not City data)",
    "D3": "Where the store lives and its version are in the snapshot manifest, not hashed, so the same data gives "
          "the same hash wherever it is stored.",
    "D4": "Incidents in the ledger",
    "D5": "Affected private parcels",
    "M1": "Each incident is linked to the site or parcel it falls in (on-site), else the nearest within 150 ft "
          "(adjacent); City sites win over parcels (geo.analysis.snap).",
    "M2": "Private means not a City site and not a public use code (80xx-88xx).",
    "M3": "Months are Los Angeles calendar months of the time the incident occurred.",
    "M4": "Estimated open/parking area = lot area - building floor area / floors assumed (never below 0).",
    "M5": "Attributable cost per chargeable parcel = counted incidents x cost per incident + cost per site.",
    "M6": "Cost per incident (USD) = officer rate x hours + closure cost x hours + staff rate x hours.",
    "M7": "Cost per site (USD) = administration hours x staff rate.",
    "M8": "Proportionality: under each basis no parcel's fee may exceed its attributable cost, and revenue may not "
          "exceed total attributable cost.",
    "M9": "Directive D's fee turns on an owner giving site control. Without a recorded grant (M12) the ledger says "
          "'not recorded' and counted incidents are candidates only.",
    "M10": "City sign and gate costs are City program costs, listed for the record and never attributed to private "
           "owners.",
    "M11": "Whether the fee is a mitigation or a regulatory fee is counsel's call; both need this cost per unit.",
    "R1": "Snap kinds counted toward a fee",
    "R2": "Verification levels counted",
    "R3": "Incidents that make a repeat site",
    "R4": "Share of attributable cost recovered",
    "A1": "Police officer, fully burdened hourly rate (USD per hour) [PLACEHOLDER]",
    "A2": "Officer hours per incident response (hours per incident) [PLACEHOLDER]",
    "A3": "Street or lot closure and traffic control (USD per closure hour) [PLACEHOLDER]",
    "A4": "Closure hours per incident (hours per incident) [PLACEHOLDER]",
    "A5": "City staff (liaison, Planning) hourly rate (USD per hour) [PLACEHOLDER]",
    "A6": "Staff follow-up hours per incident (hours per incident) [PLACEHOLDER]",
    "A7": "Administration hours per chargeable parcel (hours per parcel) [PLACEHOLDER]",
    "A8": "Directive sign, fabrication and posting (City sites) (USD per sign) [PLACEHOLDER]",
    "A9": "Gate or lock on a City lot (City sites) (USD per site) [PLACEHOLDER]",
    "M12": "Site control: incidents on a parcel with a recorded grant covering their date are 'granted'; other "
           "counted incidents are candidates. Owners who asked for a sign or refused site control form the "
           "comparison table.",
}
ENGLISH_SOURCES = {"D1": "analysis date", "D2": "StageMap store", "D3": "manifest.json", "D4": "incidents layer",
                   "D5": "parcels layer", "M1": "StageMap geo.analysis.snap", "M4": "Assessor lot and building area",
                   "M5": "unit-cost table", "M8": "Cal. Gov. Code 66001, 66016.5", "M9": "ED 17 section D",
                   "M11": "FEATURES.md, Nexus-study support",
                   "M12": "StageMap registers: site_control_grant, private_parcel"}
#: Sources that are identifiers (a file, a module, a statute): the same in both languages.
IDENTIFIERS = {"manifest.json", "StageMap geo.analysis.snap", "Cal. Gov. Code 66001, 66016.5"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The synthetic sample with one recorded grant of site control and one opt-in parcel."""
    sample = generate_sample()
    s = open_store(str(tmp_path_factory.mktemp("nexus_es") / "sample.gpkg"))
    s.write_layers(dict(sample.frames), mode="replace", status=sample.status)
    inv = nexus_tables(s, PLANNER, as_of=AS_OF).inventory.sort_values("incidents_total", ascending=False)
    save_entry(s, PLANNER, "site_control_grant", {"grant_id": "G-7", "ain": str(inv.iloc[0]["ain"]),
                                                  "grantee": "ICE (synthetic)", "granted_on": "2000-01-01",
                                                  "source": "synthetic lease record"}, expect_version=0)
    save_entry(s, PLANNER, "private_parcel", {"ain": str(inv.iloc[1]["ain"]), "owner": "Owner (synthetic)",
                                              "declaration": "sign_requested", "declared_on": "2026-03-01"},
               expect_version=0)
    return s


@pytest.fixture(scope="module")
def tables(store):
    return nexus_tables(store, PLANNER, as_of=AS_OF)


@pytest.fixture(scope="module")
def books(tables):
    """The English and the Spanish workbook of the same tables."""
    return (openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, snapshot="abc"))),
            openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, snapshot="abc", lang="es"))))


def rows(book, sheet: str) -> list[dict[str, object]]:
    """Return a sheet's rows as dicts keyed by its header."""
    values = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], r, strict=True)) for r in values[1:]]


def column_pairs(books, sheet_en: str, sheet_es: str, col_en: str, col_es: str) -> list[tuple[object, object]]:
    """Return (English cell, Spanish cell) of one column, row by row (both workbooks keep the row order)."""
    en, es = rows(books[0], sheet_en), rows(books[1], sheet_es)
    assert len(en) == len(es) > 0
    return [(a[col_en], b[col_es]) for a, b in zip(en, es, strict=True)]


def assert_spanish(pairs: list[tuple[object, object]], column: str) -> None:
    """Every Spanish cell is the catalogue's Spanish of its English cell's word: no English left, none made up."""
    spanish = catalogue("es")
    for english, cell in pairs:
        msgid = COLUMN_WORDS[column].get(str(english))
        assert msgid is not None and msgid in spanish, f"{column}: {english!r} has no Spanish"
        assert cell == spanish[msgid], f"{column}: {english!r} reads {cell!r}"
        assert cell != english or spanish[msgid] == english, f"{column}: English left: {cell!r}"


# --- the assumption register -----------------------------------------------------------------------------
def test_every_register_statement_reads_in_spanish(tables, books):
    pairs = column_pairs(books, "register", "Registro de supuestos", "statement", "Declaración")
    refs = [r["ref"] for r in rows(books[0], "register")]
    assert [en for en, _ in pairs] == [ENGLISH_STATEMENTS[r] for r in refs] and "M12" in refs
    spanish = catalogue("es")
    for ref, (english, cell) in zip(refs, pairs, strict=True):
        assert cell != english and english not in cell, f"{ref}: English left in the Spanish register: {cell!r}"
    for ref, statement in zip(tables.register["ref"], tables.register["statement"], strict=True):
        # a statement added as plain text, or as a message without Spanish, fails here
        assert isinstance(statement, Message), f"{ref}: the statement is not built with M(); it cannot be translated"
        assert statement.template in spanish, f"{ref}: no Spanish for {statement.template!r}"
    es = {r["Ref."]: r for r in rows(books[1], "Registro de supuestos")}
    assert es["D1"]["Declaración"] == "Fecha de corte de los datos (fecha del calendario de Los Ángeles)"
    assert es["A1"]["Declaración"] == ("Agente de policía, tarifa por hora con todos los costos incluidos "
                                       "(USD por hora) [MARCADOR]")
    assert es["M9"]["Declaración"].startswith("La tarifa de la Directiva D depende de que un propietario ceda")
    assert "cesión registrada" in es["M12"]["Declaración"]


def test_register_sources_and_values_translate_the_words_and_keep_the_data(books):
    en = {r["ref"]: r for r in rows(books[0], "register")}
    es = {r["Ref."]: r for r in rows(books[1], "Registro de supuestos")}
    for ref, source in ENGLISH_SOURCES.items():
        assert en[ref]["source"] == source
        if source in IDENTIFIERS:
            assert es[ref]["Fuente"] == source
        else:
            assert es[ref]["Fuente"] != source, f"{ref}: English source left: {source!r}"
    assert es["M11"]["Fuente"] == "FEATURES.md, apoyo al estudio de nexo"
    assert es["M12"]["Fuente"] == "Registros de StageMap: site_control_grant, private_parcel"
    assert es["A1"]["Fuente"] == translate(PLACEHOLDER_SOURCE, "es") != PLACEHOLDER_SOURCE
    assert (en["D2"]["value"], es["D2"]["Valor"]) == ("yes", "sí")
    assert (en["R1"]["value"], es["R1"]["Valor"]) == ("on_site", "En el sitio")
    assert (en["R2"]["value"], es["R2"]["Valor"]) == ("corroborated, lapd_confirmed", "Corroborado, Confirmado por el LAPD")
    for ref in ("D1", "D4", "D5", "M4", "M6", "M7", "R3", "R4", "A1", "A9", "M12"):  # numbers and dates: data
        assert es[ref]["Valor"] == en[ref]["value"] != ""


def test_typed_unit_cost_wording_stays_as_typed_and_only_the_default_wording_translates(store):
    costs = default_unit_costs()
    costs.loc[0, ["item", "unit", "source", "year"]] = ["Deputy rate (typed by a planner)", "USD per shift",
                                                        "LASD 2026 rate sheet", 2026]
    tables = nexus_tables(store, PLANNER, as_of=AS_OF, unit_costs=costs)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(tables, lang="es")))
    unit_costs = rows(book, "Costos unitarios")
    assert (unit_costs[0]["Dato"], unit_costs[0]["Unidad"]) == ("Deputy rate (typed by a planner)", "USD per shift")
    assert (unit_costs[1]["Dato"], unit_costs[1]["Unidad"]) == ("Horas de agente por respuesta a un incidente",
                                                                "horas por incidente")
    register = {r["Ref."]: r for r in rows(book, "Registro de supuestos")}
    assert register["A1"]["Declaración"] == "Deputy rate (typed by a planner) (USD per shift) [con fuente]"
    assert register["A1"]["Fuente"] == "LASD 2026 rate sheet" and register["A1"]["Año"] == 2026
    assert register["A2"]["Declaración"].endswith("(horas por incidente) [MARCADOR]")


# --- unit costs and fee scenarios -----------------------------------------------------------------------
def test_unit_cost_items_and_units_read_in_spanish(books):
    assert [r["item"] for r in rows(books[0], "unit_costs")] == [row[1] for row in DEFAULT_UNIT_COSTS]
    assert [r["unit"] for r in rows(books[0], "unit_costs")] == [row[2] for row in DEFAULT_UNIT_COSTS]
    assert_spanish(column_pairs(books, "unit_costs", "Costos unitarios", "item", "Dato"), "item")
    assert_spanish(column_pairs(books, "unit_costs", "Costos unitarios", "unit", "Unidad"), "unit")
    assert rows(books[1], "Costos unitarios")[8]["Dato"] == \
        "Portón o candado en un lote de la Ciudad (sitios de la Ciudad)"
    values = column_pairs(books, "unit_costs", "Costos unitarios", "value", "Valor")
    assert all(a == b for a, b in values)  # the numbers are the same


def test_scenario_units_and_land_use_classes_read_in_spanish(books):
    en = rows(books[0], "scenarios")
    assert {r["unit"] for r in en} == set(SCENARIO_UNITS.values()) and "all" in {r["land_use_class"] for r in en}
    assert_spanish(column_pairs(books, "scenarios", "Escenarios de tarifa", "unit", "Unidad"), "unit")
    assert_spanish(column_pairs(books, "scenarios", "Escenarios de tarifa", "land_use_class",
                                "Clase de uso del suelo"), "land_use_class")
    es = rows(books[1], "Escenarios de tarifa")
    assert es[0]["Clase de uso del suelo"] == "Todas las clases de uso del suelo"
    assert es[0]["Unidad"] == "incidente contado"
    for sheet_en, sheet_es in (("inventory", "Inventario"), ("parcel_fees", "Tarifas por parcela")):
        pairs = column_pairs(books, sheet_en, sheet_es, "land_use_class", "Clase de uso del suelo")
        assert {en for en, _ in pairs} <= set(LAND_USE_CLASSES)  # the sample's classes are all known ones
        assert_spanish(pairs, "land_use_class")
        assert {"Comercial", "Residencial"} & {es for _, es in pairs}


def test_a_land_use_class_the_table_does_not_know_is_data():
    frame = pd.DataFrame({"land_use_class": ["unknown", "Commercial", "Agricultural (new County class)"]})
    out = snapshot._xlsx_frame(frame, synthetic=False, lang="es")
    assert out.iloc[:, 0].tolist() == ["Clase de uso del suelo desconocida", "Comercial",
                                       "Agricultural (new County class)"]


# --- site control in the ledger -------------------------------------------------------------------------
def test_a_recorded_grant_reads_in_spanish_in_the_ledger(books):
    pairs = column_pairs(books, "ledger", "Libro de registro", "site_control", "Control del sitio")
    granted = [(en, es) for en, es in pairs if str(en).startswith("granted: ")]
    assert granted and all(es == "cedido: G-7 (synthetic lease record)" for _, es in granted)
    assert {es for en, es in pairs if en == "not recorded"} == {"no registrado"}


# --- English unchanged, CLI, frozen snapshot ------------------------------------------------------------
def test_the_english_workbook_and_hash_are_unchanged(tables, books, tmp_path):
    en = rows(books[0], "register")
    assert {r["ref"]: r["statement"] for r in en} == ENGLISH_STATEMENTS
    assert {r["ref"]: r["source"] for r in en if r["ref"] in ENGLISH_SOURCES} == ENGLISH_SOURCES
    assert books[0].sheetnames[:9] == ["notice", "inventory", "parcel_months", "ledger", "owners", "unit_costs",
                                       "scenarios", "parcel_fees", "register"]
    assert {r["land_use_class"] for r in rows(books[0], "inventory")} <= {"Commercial", "Residential",
                                                                         "Industrial", "Institutional"}
    # the statements are messages, but their text is the English: the canonical CSVs and the hash are too
    plain = tables.register.assign(statement=tables.register["statement"].map(str),
                                   source=tables.register["source"].map(str), value=tables.register["value"].map(str))
    assert snapshot.canonical_tables(tables)["register"] == snapshot._canonical_csv(plain, ["ref"])
    digest, folder = freeze(tables, root=tmp_path)
    assert digest == snapshot_hash(tables)
    frozen = openpyxl.load_workbook(folder / "nexus.xlsx")  # the snapshot's workbook stays English
    assert {r["ref"]: r["statement"] for r in rows(frozen, "register")} == ENGLISH_STATEMENTS


def test_localised_statement_equals_the_workbook_cell(tables, books):
    es = {r["Ref."]: r["Declaración"] for r in rows(books[1], "Registro de supuestos")}
    for ref, statement in zip(tables.register["ref"], tables.register["statement"], strict=True):
        assert es[ref] == localise(statement, "es")


def test_the_cli_writes_the_spanish_register(store, tmp_path):
    assert cli_main(["nexus", "--out", str(tmp_path), "--as-of", AS_OF.isoformat(), "--lang", "es",
                     "--store", store.url]) == 0
    book = openpyxl.load_workbook(next(tmp_path.glob("*nexus_es.xlsx")))
    register = {r["Ref."]: r["Declaración"] for r in rows(book, "Registro de supuestos")}
    assert register["D5"] == "Parcelas privadas afectadas" and register["A4"].startswith("Horas de cierre")
    assert rows(book, "Costos unitarios")[0]["Unidad"] == "USD por hora"
