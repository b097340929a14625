"""B.8 monthly aggregated report: incidents by council district, type and verification, suppressed.

Directive B.8 asks LAPD to report aggregated incident data publicly, to the Board of Police
Commissioners and the Mayor's Office, at least monthly. Every table goes through
:func:`geo.reports.publish.suppress` (k = 11 with complementary suppression). The three tables share
their totals, so a total withheld in one is withheld in all, and a joint audit checks that no
withheld cell can be solved from everything published together (published zeros included).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from reportlab.platypus import KeepTogether

from geo import schema
from geo.config import LOCAL_TZ
from geo.errors import SchemaError
from geo.io.export import neutralise_cell
from geo.reports import pdf
from geo.reports.publish import K_MIN, SuppressedTable, suppress

TYPE_LABELS = {"staging_area": "Staging area", "processing_location": "Processing location",
               "operations_base": "Operations base", "arrest": "Arrest", "checkpoint": "Checkpoint",
               "other": "Other"}
LEVEL_LABELS = {"unverified": "Unverified", "corroborated": "Corroborated", "lapd_confirmed": "LAPD-confirmed"}
NOT_LOCATED = "Not located"
BY_TYPE, BY_LEVEL, TYPE_LEVEL = ("District by incident type", "District by verification level",
                                 "Incident type by verification level")


@dataclass(frozen=True)
class MonthlyReport:
    """The published tables of one month and what was needed to build them."""

    month: str
    synthetic: bool
    tables: dict[str, SuppressedTable]
    incidents: int  # true count, for the audit log only; the report prints the published total
    rounds: int  # audit rounds until no withheld cell was solvable


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of month ``YYYY-MM``.

    Raises
    ------
    SchemaError
        When ``text`` is not a month written as YYYY-MM.
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise SchemaError(f"--month {text!r} is not a month; write it as YYYY-MM, e.g. 2026-03.")
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def monthly_report(incidents: pd.DataFrame, *, month: str, districts: Sequence[int],
                   synthetic: bool = False, k: int = K_MIN) -> MonthlyReport:
    """Count one LA calendar month's incidents by district, type and verification level, suppressed.

    Parameters
    ----------
    incidents : DataFrame
        ``occurred_at`` (tz-aware), ``incident_type``, ``verification_status`` and
        ``council_district`` (missing districts are counted as 'Not located').
    month : str
        ``YYYY-MM``. A month without incidents is a valid report of zeros.
    districts : sequence of int
        Every council district, so districts without incidents show zero.
    """
    first, last = parse_month(month)
    local = incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.date
    inc = incidents[((local >= first) & (local <= last)).to_numpy()]
    rows = [f"CD {int(d)}" for d in sorted(districts)]
    district = inc[schema.COUNCIL_DISTRICT].map(lambda d: NOT_LOCATED if pd.isna(d) else f"CD {int(d)}")
    if (district == NOT_LOCATED).any():
        rows.append(NOT_LOCATED)
    kind = inc[schema.INCIDENT_TYPE].map(TYPE_LABELS).fillna("Other")
    level = inc[schema.VERIFICATION].map(LEVEL_LABELS).fillna("Unverified")
    cube = pd.crosstab([district, kind], level).reindex(
        pd.MultiIndex.from_product([rows, list(TYPE_LABELS.values())]), columns=list(LEVEL_LABELS.values()),
        fill_value=0)
    arr = cube.to_numpy(dtype=np.int64).reshape(len(rows), len(TYPE_LABELS), len(LEVEL_LABELS))
    counts = {
        BY_TYPE: pd.DataFrame(arr.sum(axis=2), index=rows, columns=list(TYPE_LABELS.values())),
        BY_LEVEL: pd.DataFrame(arr.sum(axis=1), index=rows, columns=list(LEVEL_LABELS.values())),
        TYPE_LEVEL: pd.DataFrame(arr.sum(axis=0), index=list(TYPE_LABELS.values()),
                                 columns=list(LEVEL_LABELS.values())),
    }
    tables = {name: suppress(c, k=k) for name, c in counts.items()}
    tables, rounds = _audit_jointly(tables, arr.shape)
    return MonthlyReport(month=f"{first:%Y-%m}", synthetic=synthetic, tables=tables, incidents=len(inc),
                         rounds=rounds)


def published_total(report: MonthlyReport) -> str:
    """Return the month's total as published ('withheld' when it is 1 to k-1)."""
    return str(report.tables[BY_TYPE].published().loc["Total", "Total"])


def monthly_csv_bytes(report: MonthlyReport) -> bytes:
    """Return the published tables as one long CSV: table, row, column, published value."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["report", "month", "table", "row", "column", "published_value", "data_notice"])
    notice = "SYNTHETIC DEMO DATA - not City records" if report.synthetic else ""
    for name, tab in report.tables.items():
        pub = tab.published()
        for row in pub.index:
            for col in pub.columns:
                w.writerow([neutralise_cell(v) for v in ("ED 17 B.8 monthly aggregated report", report.month,
                                                         name, row, col, pub.loc[row, col], notice)])
    return buf.getvalue().encode("utf-8-sig")


def monthly_pdf_bytes(report: MonthlyReport) -> bytes:
    """Return the monthly report as PDF: headline, three suppressed tables and the method note."""
    st = pdf.styles()
    first, last = parse_month(report.month)
    title = f"ED 17 B.8 monthly aggregated report, {first:%B %Y}"
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para("To the Board of Police Commissioners and the Office of the Mayor. Incidents in which officers "
               "documented or received reports of suspected unlawful conduct by immigration enforcement agents, "
               f"{first:%d %B %Y} to {last:%d %B %Y} (Los Angeles time).", st.body),
        pdf.para(f"Incidents this month: {published_total(report)}", st.h2),
    ]
    widths = {BY_TYPE: [70] + [58] * 7, BY_LEVEL: [90] + [80] * 4, TYPE_LEVEL: [110] + [80] * 4}
    for name, tab in report.tables.items():
        pub = tab.published().rename_axis("Council district" if name != TYPE_LEVEL else "Incident type")
        story.append(KeepTogether([pdf.para(name, st.h2),
                                   pdf.table(pub, st=st, index=True, widths=widths[name], total_row=True)]))
    story += [pdf.para("Method", st.h2), *[pdf.para(line, st.small) for line in method_note(report)]]
    return pdf.build_pdf(story, title=title, tier=pdf.PUBLIC, synthetic=report.synthetic)


def method_note(report: MonthlyReport) -> list[str]:
    """Return the method note printed under the tables."""
    return [
        "Counts are incidents recorded in StageMap whose time of occurrence falls in the month, by the council "
        "district where they occurred. Districts are the only geography: no locations, sites or reporter details "
        "are published. Verification levels: unverified (one report), corroborated (independent reports agree), "
        "LAPD-confirmed.",
        f"Small cells: counts of 1 to {K_MIN - 1} are shown as '<{K_MIN}' (k = {K_MIN}); further cells are withheld "
        "(complementary suppression) so that no withheld count can be worked out from the totals. Zero may show. "
        "Totals of 1 to 10 show as 'withheld'.",
        "The three tables share their totals; a total withheld in one table is withheld in all, and the published "
        "cells of all three were checked together so that no withheld count can be solved from them "
        f"({report.rounds} audit round{'s' if report.rounds != 1 else ''}).",
        "Aggregated data are reported to the extent allowed by law, at least monthly and more often as "
        "enforcement activity rises (Executive Directive 17, B.8).",
    ]


# --- joint audit -------------------------------------------------------------------------------
def _audit_jointly(tables: dict[str, SuppressedTable], shape: tuple[int, int, int],
                   max_rounds: int = 200) -> tuple[dict[str, SuppressedTable], int]:
    """Withhold more until no withheld cell is solvable from all three tables together.

    A solvable cell is usually a complementary zero whose value another table gives away
    (a published zero row over the same counts). Every cell, in any table, that covers the
    same counts is then withheld too; when that changes nothing, the totals are withheld.
    """
    d, t, v = shape
    idx = np.arange(d * t * v).reshape(d, t, v)
    for rounds in range(1, max_rounds + 1):
        tables = _harmonise(tables)
        solvable = solvable_cells(tables, shape)
        if not any(m.any() for m in solvable.values()):
            return _publish_known_zeros(tables, shape), rounds
        exposed = np.zeros(d * t * v, bool)
        for name, mask in solvable.items():
            for i, j in zip(*np.nonzero(mask)):
                exposed[_LINES[name](idx, i, j).ravel()] = True
        exposed &= ~known_zeros(tables, shape)
        grown, changed = {}, False
        for name, tab in tables.items():
            mask = tab.withheld.to_numpy().copy()
            for i, j in np.ndindex(mask.shape):
                if not mask[i, j] and exposed[_LINES[name](idx, i, j).ravel()].any():
                    mask[i, j] = changed = True
            grown[name] = dataclasses.replace(tab, withheld=pd.DataFrame(mask, index=tab.withheld.index,
                                                                         columns=tab.withheld.columns))
        if not changed:
            grown = {name: dataclasses.replace(tab, row_total_withheld=np.ones(tab.withheld.shape[0], bool),
                                               col_total_withheld=np.ones(tab.withheld.shape[1], bool),
                                               grand_total_withheld=True) for name, tab in grown.items()}
        tables = grown
    raise SchemaError("monthly report: suppression did not settle; report this as a bug with the month used.")


_LINES = {BY_TYPE: lambda idx, i, j: idx[i, j, :], BY_LEVEL: lambda idx, i, j: idx[i, :, j],
          TYPE_LEVEL: lambda idx, i, j: idx[:, i, j]}


def _harmonise(tables: dict[str, SuppressedTable]) -> dict[str, SuppressedTable]:
    """Withhold a shared total in every table when any table withholds it."""
    t1, t2, t3 = tables[BY_TYPE], tables[BY_LEVEL], tables[TYPE_LEVEL]
    district = t1.row_total_withheld | t2.row_total_withheld
    kind = t1.col_total_withheld | t3.row_total_withheld
    level = t2.col_total_withheld | t3.col_total_withheld
    grand = t1.grand_total_withheld or t2.grand_total_withheld or t3.grand_total_withheld
    rep = dataclasses.replace
    return {BY_TYPE: rep(t1, row_total_withheld=district, col_total_withheld=kind, grand_total_withheld=grand),
            BY_LEVEL: rep(t2, row_total_withheld=district, col_total_withheld=level, grand_total_withheld=grand),
            TYPE_LEVEL: rep(t3, row_total_withheld=kind, col_total_withheld=level, grand_total_withheld=grand)}


def solvable_cells(tables: dict[str, SuppressedTable], shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """Return, per table, which withheld cells are determined by everything published in all three.

    Unknowns are the district x type x level counts. Each published cell and total is one
    linear equation; a published zero also fixes every count under it at zero (counts are
    non-negative), so those counts leave the unknowns. A withheld cell is solvable when its
    equation lies in the span of the published ones.
    """
    n = int(np.prod(shape))
    idx = np.arange(n).reshape(shape)
    keep = ~known_zeros(tables, shape)
    eqs: list[np.ndarray] = []
    targets: list[tuple[str, int, int, np.ndarray]] = []
    for name, tab in tables.items():
        mask = tab.withheld.to_numpy()
        vecs = np.zeros((*mask.shape, n))
        for i, j in np.ndindex(mask.shape):
            vecs[i, j, _LINES[name](idx, i, j).ravel()] = 1
        targets += [(name, i, j, vecs[i, j, keep]) for i, j in zip(*np.nonzero(mask))]
        eqs += [vecs[i, j, keep] for i, j in zip(*np.nonzero(~mask))]
        eqs += [vecs[i].sum(axis=0)[keep] for i in np.flatnonzero(~tab.row_total_withheld)]
        eqs += [vecs[:, j].sum(axis=0)[keep] for j in np.flatnonzero(~tab.col_total_withheld)]
    if not tables[BY_TYPE].grand_total_withheld:
        eqs.append(np.ones(int(keep.sum())))
    out = {name: np.zeros(tab.withheld.shape, bool) for name, tab in tables.items()}
    live = np.unique(np.array(eqs), axis=0) if eqs else np.zeros((0, int(keep.sum())))
    live = live[live.any(axis=1)] if live.size else live
    basis = _row_space(live) if len(live) and live.shape[1] else np.zeros((0, int(keep.sum())))
    for name, i, j, vec in targets:
        if not vec.any():  # every count under it is a published zero: it is 0 and hides nothing
            continue
        residual = vec - basis.T @ (basis @ vec)
        out[name][i, j] = bool(np.linalg.norm(residual) < 1e-8)
    return out


def known_zeros(tables: dict[str, SuppressedTable], shape: tuple[int, int, int]) -> np.ndarray:
    """Return which district x type x level counts a published zero cell fixes at zero (flat)."""
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    out = np.zeros(idx.size, bool)
    for name, tab in tables.items():
        zero = ~tab.withheld.to_numpy() & (tab.counts.to_numpy() == 0)
        for i, j in zip(*np.nonzero(zero)):
            out[_LINES[name](idx, i, j).ravel()] = True
    return out


def _publish_known_zeros(tables: dict[str, SuppressedTable], shape: tuple[int, int, int]) -> dict[str, SuppressedTable]:
    """Show as 0 the withheld cells another table already proves are zero (they hide nothing)."""
    zero = known_zeros(tables, shape)
    idx = np.arange(zero.size).reshape(shape)
    out = {}
    for name, tab in tables.items():
        mask = tab.withheld.to_numpy().copy()
        for i, j in zip(*np.nonzero(mask)):
            mask[i, j] = not zero[_LINES[name](idx, i, j).ravel()].all()
        out[name] = dataclasses.replace(tab, withheld=pd.DataFrame(mask, index=tab.withheld.index,
                                                                   columns=tab.withheld.columns))
    return out


def _row_space(eqs: np.ndarray) -> np.ndarray:
    """Return an orthonormal basis (rows) of the span of ``eqs``."""
    _, sing, vt = np.linalg.svd(eqs, full_matrices=False)
    rank = int((sing > 1e-9 * max(eqs.shape) * (sing[0] if len(sing) else 1.0)).sum())
    return vt[:rank]
