"""Board report: a department's sites identified, signed and gated, overdue items and measures recorded.

The directive asks the Airport, Harbor, and Recreation and Parks boards to report to the Mayor
within 15 days the measures their police departments are taking on City property; the same
report serves any department's compliance summary. It lists unprotected sites, so it is an
INTERNAL document and says so on every page.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from reportlab.platypus import Spacer

from geo import schema
from geo.analysis.gaps import (
    BARRIER_APPLIES,
    GATED,
    PARTIAL,
    PROTECTED,
    PROTECTION,
    SIGN_OVERDUE_DAYS,
    SIGNED,
    SIGNED_LATE_DAYS,
    UNPROTECTED,
)
from geo.config import Directive
from geo.errors import GeoDataError
from geo.records import Edit
from geo.reports import pdf

#: Boards named in the directive, matched on the department name, with their police departments.
BOARDS = (("airport", "Board of Airport Commissioners", "Airport Police"),
          ("harbor", "Board of Harbor Commissioners", "Port Police"),
          ("recreation and parks", "Board of Recreation and Parks Commissioners", "Park Rangers"))


@dataclass(frozen=True)
class BoardReport:
    """One department's report: summary, categories, overdue items and measures recorded."""

    department: str
    board: str
    police: str | None
    as_of: dt.date
    synthetic: bool
    summary: pd.DataFrame
    by_category: pd.DataFrame
    overdue: pd.DataFrame
    measures: pd.DataFrame
    edits_recorded: int


def resolve_department(name: str, known: Iterable[str]) -> str:
    """Return the department in ``known`` that ``name`` names (exact, else a unique word match).

    Raises
    ------
    GeoDataError
        When no department, or more than one, matches; the message lists them.
    """
    known = sorted({str(k) for k in known if k and k != schema.UNASSIGNED})
    wanted = " ".join(str(name).lower().split())
    exact = [k for k in known if k.lower() == wanted]
    if exact:
        return exact[0]
    hits = [k for k in known if wanted and (wanted in k.lower() or wanted in _abbreviation(k))]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise GeoDataError(f"--department {name!r} matches no department. Known departments: {'; '.join(known)}.")
    raise GeoDataError(f"--department {name!r} matches {len(hits)} departments ({'; '.join(hits)}); "
                       "give more of the name.")


def board_report(site_table: pd.DataFrame, history: Mapping[str, list[Edit]], *, department: str,
                 as_of: dt.date, synthetic: bool = False) -> BoardReport:
    """Summarise one department's sites from the analysis site table and their status history.

    Parameters
    ----------
    site_table : DataFrame
        ``AnalysisResult.sites`` (identification, sign and gate status, days overdue, category).
    history : mapping
        Site id to its status edits (``Store.status_history``); edits with a note are measures.
    """
    dept = resolve_department(department, site_table[schema.OWNING_DEPT].dropna().unique())
    sites = pd.DataFrame(site_table[site_table[schema.OWNING_DEPT] == dept].drop(columns="geometry", errors="ignore"))
    board, police = _board_of(dept)
    return BoardReport(department=dept, board=board, police=police, as_of=as_of, synthetic=synthetic,
                       summary=_summary(sites), by_category=_by_category(sites), overdue=_overdue(sites),
                       measures=_measures(history, sites[schema.SITE_ID]),
                       edits_recorded=sum(len(history.get(s, [])) for s in sites[schema.SITE_ID]))


def board_pdf_bytes(report: BoardReport) -> bytes:
    """Return the board report as PDF."""
    st, d = pdf.styles(), Directive()
    title = f"ED 17 measures report: {report.department}"
    board = pdf.clip(report.board, limit=pdf.NAME_LIMIT)  # a department's name can be any length
    story: list[Any] = [
        pdf.para(title, st.title, limit=pdf.NAME_LIMIT),
        pdf.para(f"{board} to the Office of the Mayor. Executive Directive 17 asks for the measures being "
               "implemented on City property under the department's jurisdiction within 15 days "
               f"(due {d.identify_by:%d %B %Y}); signs were due {d.sign_by:%d %B %Y}. Status as of "
               f"{report.as_of:%d %B %Y}.", st.body),
        pdf.para("Summary", st.h2), pdf.table(report.summary, st=st, widths=[300, 90, 80]),
        pdf.para("Sites by category", st.h2), pdf.table(report.by_category, st=st, widths=[130, 60, 60, 70, 60, 70]),
        pdf.para("Measures recorded", st.h2),
        pdf.para(f"Status changes recorded for these sites: {report.edits_recorded}; with a note describing a "
               f"measure: {len(report.measures)}"
               + (f" (for example by the {report.police})." if report.police else "."), st.body),
    ]
    if len(report.measures):
        story.append(pdf.table(report.measures, st=st, widths=[62, 78, 80, 250],
                               note_columns=("Measure (status note)",)))
    else:
        story.append(pdf.para("No measures are recorded in status notes yet. Liaisons record them with each "
                            "status change (the note field).", st.small))
    story += [pdf.para(f"Overdue and outstanding items ({len(report.overdue)})", st.h2)]
    if len(report.overdue):
        story.append(pdf.table(report.overdue, st=st, widths=[72, 130, 66, 56, 76, 70]))
    else:
        story.append(pdf.para("None: every site is signed, and gated where a barrier applies.", st.body))
    story += [Spacer(1, 8), pdf.para("Definitions: signed means the directive sign is posted (a damaged sign counts "
                                   "as not signed); gated means closed and locked, counted only where a barrier "
                                   "applies (parking lots, garages, vacant lots and non-public facilities, "
                                   "directive A.2). Days overdue are calendar days past the sign deadline.",
                                   st.small)]
    return pdf.build_pdf(story, title=title, tier=pdf.INTERNAL, synthetic=report.synthetic)


# --- private steps ------------------------------------------------------------------------
def _board_of(dept: str) -> tuple[str, str | None]:
    low = dept.lower()
    for key, board, police in BOARDS:
        if key in low:
            return board, police
    return f"{dept} (department compliance report)", None


def _abbreviation(dept: str) -> str:
    inside = dept[dept.find("(") + 1:dept.find(")")] if "(" in dept and ")" in dept else ""
    return inside.lower()


def _summary(sites: pd.DataFrame) -> pd.DataFrame:
    n = len(sites)
    applies = int(sites[BARRIER_APPLIES].sum())

    def pct(k: int, of: int) -> str:
        return f"{100 * k / of:.0f}%" if of else "-"

    rows = [("Sites identified (owned or controlled)", n, ""),
            ("Signed (directive sign posted)", int(sites[SIGNED].sum()), pct(int(sites[SIGNED].sum()), n)),
            ("Sign damaged, to replace", int((sites[schema.SIGN_STATUS] == "damaged").sum()), ""),
            ("Sites where a locked gate applies (A.2)", applies, ""),
            ("Gated and locked", int((sites[GATED] & sites[BARRIER_APPLIES]).sum()),
             pct(int((sites[GATED] & sites[BARRIER_APPLIES]).sum()), applies)),
            ("Fully protected", int((sites[PROTECTION] == PROTECTED).sum()),
             pct(int((sites[PROTECTION] == PROTECTED).sum()), n)),
            ("Partly protected", int((sites[PROTECTION] == PARTIAL).sum()), ""),
            ("Unprotected", int((sites[PROTECTION] == UNPROTECTED).sum()), ""),
            ("Past the sign deadline without a sign", int((sites[SIGN_OVERDUE_DAYS] > 0).sum()), ""),
            ("Signs posted after the deadline", int((sites[SIGNED_LATE_DAYS] > 0).sum()), "")]
    return pd.DataFrame(rows, columns=["Measure", "Sites", "Share"])


def _by_category(sites: pd.DataFrame) -> pd.DataFrame:
    g = sites.assign(_gated=sites[GATED] & sites[BARRIER_APPLIES]).groupby("category", sort=True)
    out = pd.DataFrame({"Sites": g.size(), "Signed": g[SIGNED].sum(), "Gate applies": g[BARRIER_APPLIES].sum(),
                        "Gated": g["_gated"].sum(), "Overdue": g[SIGN_OVERDUE_DAYS].apply(lambda s: int((s > 0).sum()))})
    return out.astype(int).rename_axis("Category").reset_index()


def _overdue(sites: pd.DataFrame) -> pd.DataFrame:
    late = sites[(sites[SIGN_OVERDUE_DAYS] > 0) | (sites[BARRIER_APPLIES] & ~sites[GATED])]
    out = pd.DataFrame({
        "Site": late[schema.SITE_ID], "Name": late[schema.NAME], "Category": late["category"],
        "Sign": late[schema.SIGN_STATUS], "Gate": late[schema.GATE_STATUS].where(late[BARRIER_APPLIES], "not needed"),
        "Sign days overdue": late[SIGN_OVERDUE_DAYS].astype(int),
    })
    return out.sort_values(["Sign days overdue", "Site"], ascending=[False, True]).reset_index(drop=True)


def _measures(history: Mapping[str, list[Edit]], site_ids: pd.Series) -> pd.DataFrame:
    rows = []
    for site in site_ids:
        for edit in history.get(site, []):
            note = edit.changes.get(schema.STATUS_NOTE, (None, None))[1]
            if note is None or not str(note).strip():
                continue
            rows.append({"Date": (edit.updated_at or "")[:10], "Site": site, "Recorded by": edit.updated_by or "",
                         "Measure (status note)": str(note)})
    out = pd.DataFrame(rows, columns=["Date", "Site", "Recorded by", "Measure (status note)"])
    return out.sort_values(["Date", "Site"], kind="stable").reset_index(drop=True)
