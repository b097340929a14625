"""AppTest: a table's cells that are words of ours read in the session's language (issue 17 item 5).

The walk of :mod:`tests.app.test_spanish` reads titles, labels and table headers; this one reads the cells.
Every page is walked in the pseudo-language as every role that may open it, and every text cell of every table
shown must carry the translation marks, unless its column holds data (names, addresses, descriptions, times,
sources, the registers' recorded texts), listed below by its header with the reason. A coded value, a verdict,
a state or a generated statement left in English fails here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

from geo import i18n
from tests.app.test_readable import CELLS
from tests.app.test_spanish import _page, is_data

#: Columns (by their header, as shown in Spanish) whose cells are data, with the reason.
DATA_COLUMNS = {
    "Nombre": "a site's or record's name as recorded", "Departamento": "department names",
    "Uso": "the Assessor's use description", "Descripción": "an incident's description as reported",
    "Dirección": "a situs address", "Nombre del propietario": "owner names as recorded",
    "Autoridad": "a register's recorded legal authority", "Nota": "a register's recorded note",
    "Fuente": "the source a record names", "Ocurrió": "a time (zone abbreviation)",
    "Primero el": "a time (zone abbreviation)", "Último el": "a time (zone abbreviation)",
    "Agencia": "agency names", "Contratista": "contractor names", "Documento": "a document's name or address",
}


def _tables(node: object) -> Iterator[pd.DataFrame]:
    """Yield every table shown under ``node``, with only the columns a person sees."""
    if str(getattr(node, "type", "")) in {"dataframe", "arrow_data_frame"}:
        try:
            frame = node.value  # type: ignore[attr-defined]
        except Exception:  # some elements compute their value lazily and may not have one
            frame = None
        if isinstance(frame, pd.DataFrame):
            proto = getattr(node, "proto", None)
            order = list(proto.column_order) if proto is not None and proto.column_order else []
            yield frame[[c for c in frame.columns if not order or c in order]]
    for child in getattr(node, "children", {}).values():
        yield from _tables(child)


def _unmarked_cells(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Return header -> cells with words that did not go through the translation, for non-data columns."""
    found: dict[str, list[str]] = {}
    for column in frame.columns:
        head = str(column).replace(i18n.PSEUDO_OPEN, "").replace(i18n.PSEUDO_CLOSE, "").strip()
        if head in DATA_COLUMNS:
            continue
        bad = sorted({v for v in frame[column].tolist() if isinstance(v, str) and i18n.PSEUDO_OPEN not in v
                      and re.search(r"[A-Za-z]{3}", v) and not is_data(v)})
        if bad:
            found[head] = bad[:5]
    return found


def test_the_cell_scan_is_not_blind():
    frame = pd.DataFrame({f"{i18n.PSEUDO_OPEN}Estado{i18n.PSEUDO_CLOSE}": ["sent late", "12"],
                          f"{i18n.PSEUDO_OPEN}Nombre{i18n.PSEUDO_CLOSE}": ["Yard 7", "Lot"]})
    assert _unmarked_cells(frame) == {"Estado": ["sent late"]}


@pytest.mark.parametrize(("role", "page"), CELLS)
def test_every_table_cell_of_ours_is_translated(sample_store, monkeypatch, role, page):
    at = _page(role, page, i18n.PSEUDO, monkeypatch)
    found = {head: cells for frame in _tables(at._tree) for head, cells in _unmarked_cells(frame).items()}
    assert not found, f"{role} on {page}: cells not translated (column: examples): {found}"
