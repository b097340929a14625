"""B.8 monthly aggregated report: suspected unlawful conduct by district, observed conduct and verification.

Directive B.8 asks LAPD to report aggregated data on incidents of suspected unlawful conduct by
immigration enforcement officers publicly, to the Board of Police Commissioners and the Mayor's
Office, at least monthly. Only incidents whose relevance is ``suspected_unlawful_conduct`` are
counted: enforcement activity without it (staging, arrests, checkpoints, ...) and general crime
(context) never are. One incident may show several kinds of conduct, so the conduct columns do
not add up to the total; the totals count incidents. Every table goes through
:func:`geo.reports.publish.suppress` (k = 11 with complementary suppression); the three tables
share their totals, and :mod:`geo.reports.b8_audit` checks that nothing withheld can be solved
from everything published together (published zeros included).
"""
from __future__ import annotations

import csv
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
from geo.analysis.relevance import b8_incidents, conduct_lists
from geo.config import LOCAL_TZ
from geo.errors import SchemaError
from geo.i18n import N_, long_date, month_year, translator
from geo.io.export import neutralise_cell
from geo.messages import M
from geo.reports import b8_audit, pdf
from geo.reports.publish import K_MIN, SuppressedTable, suppress

CONDUCT_LABELS = dict(schema.CONDUCT_LABELS)
#: :data:`geo.schema.CONDUCT_LABELS`, marked for translation (the ground imports no translations).
CONDUCT_WORDS = (N_("Force"), N_("No visible identification"), N_("Masking"), N_("Entry without warrant"),
                 N_("Obstruction"), N_("Other"))
LEVEL_LABELS = {"unverified": N_("Unverified"), "corroborated": N_("Corroborated"),
                "lapd_confirmed": N_("LAPD-confirmed")}
NOT_LOCATED = N_("Not located")
BY_TYPE, BY_LEVEL, TYPE_LEVEL = (N_("District by observed conduct"), N_("District by verification level"),
                                 N_("Observed conduct by verification level"))
#: The words :meth:`geo.reports.publish.SuppressedTable.published` writes, translated where the PDF prints them.
TABLE_WORDS = (N_("Total"), N_("withheld"))
#: Margins the three tables share: a total withheld in one is withheld in all.
SHARED = {"district": ((BY_TYPE, "row"), (BY_LEVEL, "row")), "conduct": ((BY_TYPE, "col"), (TYPE_LEVEL, "row")),
          "level": ((BY_LEVEL, "col"), (TYPE_LEVEL, "col"))}


@dataclass(frozen=True)
class MonthlyReport:
    """The published tables of one month and what was needed to build them."""

    month: str
    synthetic: bool
    tables: dict[str, SuppressedTable]
    incidents: int  # true count, for the audit log only; the report prints the published total
    rounds: int  # audit rounds until nothing withheld was solvable


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of month ``YYYY-MM``.

    Raises
    ------
    SchemaError
        When ``text`` is not a month written as YYYY-MM.
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise SchemaError(M("--month {value} is not a month; write it as YYYY-MM, e.g. 2026-03.", value=repr(text)))
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def monthly_report(incidents: pd.DataFrame, *, month: str, districts: Sequence[int],
                   synthetic: bool = False, k: int = K_MIN) -> MonthlyReport:
    """Count one LA calendar month's suspected-unlawful-conduct incidents, suppressed.

    Parameters
    ----------
    incidents : DataFrame
        ``occurred_at`` (tz-aware), ``relevance``, ``conduct_observed``, ``verification_status``
        and ``council_district`` (missing districts are counted as 'Not located'). Incidents of
        other relevance classes are left out here.
    month : str
        ``YYYY-MM``. A month without incidents is a valid report of zeros.
    districts : sequence of int
        Every council district, so districts without incidents show zero.
    """
    first, last = parse_month(month)
    inc = b8_incidents(incidents)
    local = inc[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).dt.date
    inc = inc[((local >= first) & (local <= last)).to_numpy()]
    rows = [f"CD {int(d)}" for d in sorted(districts)]
    district = inc[schema.COUNCIL_DISTRICT].map(lambda d: NOT_LOCATED if pd.isna(d) else f"CD {int(d)}")
    if (district == NOT_LOCATED).any():
        rows.append(NOT_LOCATED)
    conduct = conduct_lists(inc)
    level = inc[schema.VERIFICATION].map(LEVEL_LABELS).fillna("Unverified")
    combos = sorted(set(conduct.tolist()), key=lambda c: (len(c), c)) or [("other",)]
    cube = np.zeros((len(rows), len(combos), len(LEVEL_LABELS)), np.int64)
    levels = list(LEVEL_LABELS.values())
    for d, c, v in zip(district, conduct, level):
        cube[rows.index(d), combos.index(c), levels.index(v)] += 1
    layout = _layout(len(rows), combos, len(levels))
    flat = cube.ravel()
    tables = {name: _table(layout, name, flat, rows, k=k) for name in (BY_TYPE, BY_LEVEL, TYPE_LEVEL)}
    tables, rounds = b8_audit.audit(tables, layout, shared=SHARED)
    return MonthlyReport(month=f"{first:%Y-%m}", synthetic=synthetic, tables=tables, incidents=len(inc),
                         rounds=rounds)


def solvable_items(report: MonthlyReport, *, combos: Sequence[tuple[str, ...]] | None = None) -> list[b8_audit.Item]:
    """Return the withheld cells and totals of ``report`` that follow from what it publishes (empty when safe).

    ``combos`` are the conduct combinations assumed present (default: every one that reaches a
    published or withheld count; more unknowns only make solving harder).
    """
    n_rows = len(report.tables[BY_LEVEL].counts)
    combos = list(combos) if combos is not None else [(c,) for c in schema.CONDUCT_TYPES]
    return b8_audit.solvable(report.tables, _layout(n_rows, combos, len(LEVEL_LABELS)))


def _layout(n_rows: int, combos: Sequence[tuple[str, ...]], n_levels: int) -> b8_audit.Layout:
    """Return which unknowns (district x conduct combination x level) each cell and total counts."""
    shape = (n_rows, len(combos), n_levels)
    n = int(np.prod(shape))
    idx = np.arange(n).reshape(shape)
    has = np.array([[c in combo for combo in combos] for c in schema.CONDUCT_TYPES], dtype=bool)  # conduct x combo

    def vec(ids: np.ndarray) -> np.ndarray:
        out = np.zeros(n)
        out[ids.ravel()] = 1.0
        return out

    n_types = len(schema.CONDUCT_TYPES)
    by_type = np.array([[vec(idx[d][has[c]]) for c in range(n_types)] for d in range(n_rows)]).reshape(n_rows, n_types, n)
    by_level = np.array([[vec(idx[d, :, v]) for v in range(n_levels)] for d in range(n_rows)]).reshape(n_rows, n_levels, n)
    type_level = np.array([[vec(idx[:, has[c], v]) for v in range(n_levels)] for c in range(n_types)]
                          ).reshape(n_types, n_levels, n)
    district = np.array([vec(idx[d]) for d in range(n_rows)]).reshape(n_rows, n)
    kind = np.array([vec(idx[:, has[c], :]) for c in range(n_types)]).reshape(n_types, n)
    level = np.array([vec(idx[:, :, v]) for v in range(n_levels)]).reshape(n_levels, n)
    return b8_audit.Layout(cells={BY_TYPE: by_type, BY_LEVEL: by_level, TYPE_LEVEL: type_level},
                           rows={BY_TYPE: district, BY_LEVEL: district, TYPE_LEVEL: kind},
                           cols={BY_TYPE: kind, BY_LEVEL: level, TYPE_LEVEL: level})


def _table(layout: b8_audit.Layout, name: str, flat: np.ndarray, rows: list[str], *, k: int) -> SuppressedTable:
    """Return one table with primary and per-table complementary suppression and its true totals."""
    index = {BY_TYPE: rows, BY_LEVEL: rows, TYPE_LEVEL: list(CONDUCT_LABELS.values())}[name]
    columns = {BY_TYPE: list(CONDUCT_LABELS.values()), BY_LEVEL: list(LEVEL_LABELS.values()),
               TYPE_LEVEL: list(LEVEL_LABELS.values())}[name]
    counts = pd.DataFrame((layout.cells[name] @ flat).round().astype(np.int64), index=index, columns=columns)
    row_totals = pd.Series((layout.rows[name] @ flat).round().astype(np.int64), index=index)
    col_totals = pd.Series((layout.cols[name] @ flat).round().astype(np.int64), index=columns)
    grand = int(flat.sum())
    base = suppress(counts, k=k)

    def small(v: np.ndarray) -> np.ndarray:
        return np.asarray((v >= 1) & (v < k))

    return SuppressedTable(counts=counts, withheld=base.withheld, row_totals=row_totals, col_totals=col_totals,
                           row_total_withheld=np.asarray(base.row_total_withheld) | small(row_totals.to_numpy()),
                           col_total_withheld=np.asarray(base.col_total_withheld) | small(col_totals.to_numpy()),
                           grand_total_withheld=bool(base.grand_total_withheld or small(np.array(grand))),
                           grand_total=grand)


def published_total(report: MonthlyReport) -> str:
    """Return the month's total of incidents as published ('withheld' when it is 1 to k-1)."""
    return str(report.tables[BY_LEVEL].published().loc["Total", "Total"])


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


def monthly_pdf_bytes(report: MonthlyReport, *, cadence: str | None = None, lang: str = "en") -> bytes:
    """Return the monthly report as PDF, in ``lang``: headline, what is counted, three suppressed tables, method.

    ``cadence`` is the B.8 cadence sentence as of the run date (:class:`geo.analysis.duties.Cadence`), printed
    under the headline; it is not part of the frozen publication. Only words are translated: every count and
    every withheld cell is the same in both languages.
    """
    _ = translator(lang)
    st = pdf.styles()
    first, last = parse_month(report.month)
    title = _("ED 17 B.8 monthly aggregated report, {month}").format(month=month_year(first, lang))
    story: list[Any] = [
        pdf.para(title, st.title),
        pdf.para(_("To the Board of Police Commissioners and the Office of the Mayor. Incidents in which officers "
                   "documented or received reports of suspected unlawful conduct by immigration enforcement "
                   "agents, {first} to {last} (Los Angeles time).").format(first=long_date(first, lang),
                                                                          last=long_date(last, lang)), st.body),
        pdf.para(_("Incidents this month: {total}").format(total=_(published_total(report))), st.h2),
        *([pdf.para(cadence, st.body)] if cadence else []),
        pdf.para(_("What is counted, and what is not"), st.h2),
        *[pdf.para(line, st.body) for line in counted_note(lang)],
    ]
    widths = {BY_TYPE: [64] + [62] * 6 + [50], BY_LEVEL: [90] + [80] * 4, TYPE_LEVEL: [130] + [80] * 4}
    for name, tab in report.tables.items():
        pub = tab.published().rename_axis(_("Council district") if name != TYPE_LEVEL else _("Observed conduct"))
        pub = pub.rename(index=_, columns=_).map(lambda v: _(v) if isinstance(v, str) else v)
        story.append(KeepTogether([pdf.para(_(name), st.h2),
                                   pdf.table(pub, st=st, index=True, widths=widths.get(name), total_row=True)]))
    story += [pdf.para(_("Method"), st.h2), *[pdf.para(line, st.small) for line in method_note(report, lang)]]
    return pdf.build_pdf(story, title=title, tier=pdf.PUBLIC, synthetic=report.synthetic, lang=lang)


def counted_note(lang: str = "en") -> list[str]:
    """Return the paragraphs that say what the report counts and what it leaves out, in ``lang``."""
    _ = translator(lang)
    conduct = ", ".join(_(v).lower() for v in CONDUCT_LABELS.values())
    return [
        _("Counted: incidents recorded as suspected unlawful conduct by an immigration enforcement agent "
          "(directive B.8), by what was observed: {conduct}. One incident may show several kinds of conduct, so "
          "the conduct columns do not add up to the total; every Total counts incidents. Observed conduct is "
          "recorded as reported, not as a finding that the law was broken.").format(conduct=conduct),
        _("Not counted: reports of enforcement activity without suspected unlawful conduct (staging areas, "
          "processing locations, operations bases, arrests, detentions, checkpoints, surveillance), which StageMap "
          "maps for the directive's other sections; and general crime reports, such as LAPD's Crime Data from "
          "2020 to Present, which are context only and never evidence of immigration enforcement."),
    ]


def method_note(report: MonthlyReport, lang: str = "en") -> list[str]:
    """Return the method note printed under the tables, in ``lang``."""
    _ = translator(lang)
    rounds = (_("{n} audit round") if report.rounds == 1 else _("{n} audit rounds")).format(n=report.rounds)
    return [
        _("Counts are incidents recorded in StageMap whose time of occurrence falls in the month, by the council "
          "district where they occurred (placed by location when they were entered). Districts are the only "
          "geography: no locations, sites or reporter details are published. Verification levels: unverified (one "
          "report), corroborated (independent reports agree), LAPD-confirmed."),
        _("Small cells: counts of 1 to {below} are shown as '<{k}' (k = {k}); further cells are withheld "
          "(complementary suppression) so that no withheld count can be worked out from the totals. Zero may show. "
          "Totals of 1 to 10 show as 'withheld'.").format(below=K_MIN - 1, k=K_MIN),
        _("The three tables share their totals; a total withheld in one table is withheld in all, and the published "
          "cells and totals of all three were checked together so that no withheld count can be solved from them "
          "({rounds}).").format(rounds=rounds),
        _("Aggregated data are reported to the extent allowed by law, at least monthly and more often as "
          "enforcement activity rises (Executive Directive 17, B.8)."),
    ]
