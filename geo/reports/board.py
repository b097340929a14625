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
from geo.analysis.control import PART_UNIT, SITE_UNIT, UNIT_ID, UNIT_KIND
from geo.analysis.gaps import (
    BARRIER_APPLIES,
    CANDIDATE,
    GATED,
    IDENTIFIED,
    IDENTIFY_OVERDUE_DAYS,
    PARTIAL,
    PROTECTED,
    PROTECTION,
    SIGN_OVERDUE_DAYS,
    SIGNED,
    SIGNED_LATE_DAYS,
    UNPROTECTED,
    unit_table,
)
from geo.analysis.timefmt import local_text
from geo.config import Directive
from geo.errors import GeoDataError
from geo.labels import code_label
from geo.records import Edit
from geo.reports import pdf
from geo.reports.board_measures import measure_section

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
    board_measures: pd.DataFrame | None = None  # structured day-15 measures (geo/reports/board_measures.py)


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
                 as_of: dt.date, synthetic: bool = False, units: pd.DataFrame | None = None,
                 board_measures: pd.DataFrame | None = None) -> BoardReport:
    """Summarise one department's sites and parts from the analysis and their status history.

    Only candidates need a sign (A.1): signs, gates and protection are counted among candidates;
    sites still pending their determination are listed when past the identification deadline.

    Parameters
    ----------
    site_table : DataFrame
        ``AnalysisResult.sites`` (determination, sign and gate status, days overdue, category).
    history : mapping
        Site id to its status edits (``Store.status_history``); edits with a note are measures.
    units : DataFrame, optional
        ``AnalysisResult.units`` (sites and their parts); without it the sites alone are the units.
    """
    dept = resolve_department(department, site_table[schema.OWNING_DEPT].dropna().unique())
    sites = pd.DataFrame(site_table[site_table[schema.OWNING_DEPT] == dept].drop(columns="geometry", errors="ignore"))
    every = units if units is not None else unit_table(sites, pd.DataFrame(columns=[schema.PART_ID, schema.SITE_ID]))
    mine = every[every[schema.OWNING_DEPT] == dept]
    board, police = _board_of(dept)
    return BoardReport(department=dept, board=board, police=police, as_of=as_of, synthetic=synthetic,
                       summary=_summary(mine), by_category=_by_category(mine), overdue=_overdue(mine),
                       measures=_measures(history, sites[schema.SITE_ID]),
                       edits_recorded=sum(len(history.get(s, [])) for s in sites[schema.SITE_ID]),
                       board_measures=board_measures)


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
        pdf.para("Sites by category", st.h2), pdf.table(_spelled(report.by_category), st=st, widths=[130, 60, 60, 70, 60, 70]),
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
    story += measure_section(report.board_measures, police=report.police, as_of=report.as_of, st=st)
    story += [pdf.para(f"Overdue and outstanding items ({len(report.overdue)})", st.h2)]
    if len(report.overdue):
        # names are cut at 300 characters, so a row always fits a page: never split one across two
        story.append(pdf.table(_spelled(report.overdue), st=st, widths=[72, 130, 66, 56, 76, 70], split_rows=False))
    else:
        story.append(pdf.para("None: every site is signed, and gated where a barrier applies.", st.body))
    story += [Spacer(1, 8), pdf.para("Definitions: only candidates need a sign (A.1: property that might be used "
                                   "as a staging area, processing location or operations base); a part (a park's "
                                   "parking lot, a yard) is counted on its own. Signed means the directive sign is "
                                   "posted (a damaged sign counts as not signed); gated means closed and locked, "
                                   "counted only where a barrier applies (parking lots, garages, vacant lots and "
                                   "non-public areas, directive A.2, unless recorded as not appropriate). Days "
                                   "overdue are calendar days past the sign deadline.", st.small)]
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


def _summary(units: pd.DataFrame) -> pd.DataFrame:
    kind = units[UNIT_KIND]
    cand = units[CANDIDATE].astype(bool)
    c = units[cand]
    applies = int(c[BARRIER_APPLIES].sum())
    n_cand = len(c)

    def pct(k: int, of: int) -> str:
        return f"{100 * k / of:.0f}%" if of else "-"

    signed = int(c[SIGNED].sum())
    gated = int((c[GATED] & c[BARRIER_APPLIES]).sum())
    protected = int((c[PROTECTION] == PROTECTED).sum())
    rows = [("Sites on the department's list (owned or controlled)", int((kind == SITE_UNIT).sum()), ""),
            ("Parts drawn (lots, garages, yards, non-public areas)", int((kind == PART_UNIT).sum()), ""),
            ("Determined (A.1: candidate or not)", int(units[IDENTIFIED].sum()), pct(int(units[IDENTIFIED].sum()), len(units))),
            ("Still pending a determination", int((~units[IDENTIFIED].astype(bool)).sum()), ""),
            ("Candidates: need a sign (A.1)", n_cand, ""),
            ("Signed (directive sign posted)", signed, pct(signed, n_cand)),
            ("Sign damaged, to replace", int((c[schema.SIGN_STATUS] == "damaged").sum()), ""),
            ("Candidates where a locked gate applies (A.2)", applies, ""),
            ("Gated and locked", gated, pct(gated, applies)),
            ("Fully protected", protected, pct(protected, n_cand)),
            ("Partly protected", int((c[PROTECTION] == PARTIAL).sum()), ""),
            ("Unprotected", int((c[PROTECTION] == UNPROTECTED).sum()), ""),
            ("Past the sign deadline without a sign", int((units[SIGN_OVERDUE_DAYS] > 0).sum()), ""),
            ("Past the identification deadline, still pending", int((units[IDENTIFY_OVERDUE_DAYS] > 0).sum()), ""),
            ("Signs posted after the deadline", int((units[SIGNED_LATE_DAYS] > 0).sum()), "")]
    return pd.DataFrame(rows, columns=["Measure", "Sites", "Share"])


def _spelled(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with its coded columns as people read them (``closed_locked`` -> "Closed and locked")."""
    columns = {"Category": "category", "Sign": schema.SIGN_STATUS, "Gate": schema.GATE_STATUS}
    return table.assign(**{col: table[col].map(lambda v, c=code: code_label(v, c))
                           for col, code in columns.items() if col in table})


def _by_category(units: pd.DataFrame) -> pd.DataFrame:
    c = units[units[CANDIDATE].astype(bool)]
    g = c.assign(_gated=c[GATED] & c[BARRIER_APPLIES], _late=c[SIGN_OVERDUE_DAYS] > 0).groupby("category", sort=True)
    out = pd.DataFrame({"Sites": g.size(), "Signed": g[SIGNED].sum(), "Gate applies": g[BARRIER_APPLIES].sum(),
                        "Gated": g["_gated"].sum(), "Overdue": g["_late"].sum()})
    return out.astype(int).rename_axis("Category").reset_index()


def _overdue(units: pd.DataFrame) -> pd.DataFrame:
    cand = units[CANDIDATE].astype(bool)
    pending_any = ~units[IDENTIFIED].astype(bool)  # outstanding: still awaiting its A.1 determination
    late = units[(units[SIGN_OVERDUE_DAYS] > 0) | (cand & units[BARRIER_APPLIES] & ~units[GATED]) | pending_any]
    pending = ~late[IDENTIFIED].astype(bool)
    out = pd.DataFrame({
        "Site": late[UNIT_ID], "Name": late[schema.NAME], "Category": late["category"],
        "Sign": late[schema.SIGN_STATUS].where(~pending, "A.1 pending"),
        "Gate": late[schema.GATE_STATUS].where(late[BARRIER_APPLIES], "Not needed"),
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
            rows.append({"Date": local_text(edit.updated_at)[:10], "Site": site, "Recorded by": edit.updated_by or "",
                         "Measure (status note)": str(note)})
    out = pd.DataFrame(rows, columns=["Date", "Site", "Recorded by", "Measure (status note)"])
    return out.sort_values(["Date", "Site"], kind="stable").reset_index(drop=True)
