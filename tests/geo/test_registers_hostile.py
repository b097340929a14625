"""The hostile corpus through the registers: refused with a reason or stored as text, and every export neutralised."""
from __future__ import annotations

import io

import openpyxl

from geo.errors import SchemaError
from geo.services.registers import export_register, save_entry
from tests.actors import PLANNER
from tests.hostile import CORPUS, FORMULA_START, label


def test_every_corpus_string_is_refused_or_exported_as_inert_text(store):
    kept = 0
    for i, text in enumerate(CORPUS):
        fields = {"contract_id": f"C-{i}", "bidder": text[:200] or "x", "dhs_agreement": "yes", "dhs_agency": text,
                  "nature_of_work": text, "third_party_data_sharing": text, "note": text}
        try:
            save_entry(store, PLANNER, "contractor_disclosure", fields, expect_version=0)
            kept += 1
        except SchemaError as exc:  # control characters: named by code point, never echoed
            assert "control characters" in str(exc) and "U+" in str(exc), label(text)
            assert text not in str(exc) or len(text) < 3, label(text)
    assert kept >= len(CORPUS) // 2
    _, data = export_register(store, PLANNER, "contractor_disclosure", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    for row in book.active.iter_rows(min_row=2, values_only=True):
        for value in row:
            assert not (isinstance(value, str) and value.startswith(FORMULA_START)), label(str(value))
    _, csv = export_register(store, PLANNER, "contractor_disclosure", "csv")
    for line in csv.decode("utf-8-sig").splitlines():
        for cell in line.split('","'):
            assert not cell.strip('"').startswith(("=", "+", "@")), label(cell)
