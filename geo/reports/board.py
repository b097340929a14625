"""Board report: a department's sites identified, signed and gated, overdue items and measures recorded.

The directive asks the Airport, Harbor, and Recreation and Parks boards to report to the Mayor
within 15 days the measures their police departments are taking on City property; the same
report serves any department's compliance summary. It lists unprotected sites, so it is an
INTERNAL document and says so on every page.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
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
from geo.i18n import N_, long_date, translator
from geo.labels import code_label
from geo.messages import M
from geo.records import Edit
from geo.reports import pdf
from geo.reports.board_measures import measure_section

#: Boards named in the directive, matched on the department name, with their police departments.
BOARDS = (("airport", N_("Board of Airport Commissioners"), N_("Airport Police")),
          ("harbor", N_("Board of Harbor Commissioners"), N_("Port Police")),
          ("recreation and parks", N_("Board of Recreation and Parks Commissioners"), N_("Park Rangers")))
#: Values the board tables write in words (not codes): translated where the PDF is drawn.
PENDING, NOT_NEEDED = N_("A.1 pending"), N_("Not needed")


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
        raise GeoDataError(M("--department {name} matches no department. Known departments: {known}.",
                             name=repr(name), known="; ".join(known)))
    raise GeoDataError(M("--department {name} matches {n} departments ({hits}); give more of the name.",
                         name=repr(name), n=len(hits), hits="; ".join(hits)))


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


def board_pdf_bytes(report: BoardReport, *, lang: str = "en") -> bytes:
    """Return the board report as PDF, in ``lang`` (headings, table headers and codes; data stays as recorded)."""
    _ = translator(lang)
    st, d = pdf.styles(), Directive()
    title = _("ED 17 measures report: {department}").format(department=report.department)
    board = _(report.board) if report.police else _("{department} (department compliance report)").format(
        department=report.department)
    board = pdf.clip(board, limit=pdf.NAME_LIMIT)  # a department's name can be any length
    police = _(report.police) if report.police else None
    recorded = (_("Status changes recorded for these sites: {n}; with a note describing a measure: {m} (for example "
                  "by the {police}).") if police else
                _("Status changes recorded for these sites: {n}; with a note describing a measure: {m}."))
    note = _("Measure (status note)")
    story: list[Any] = [
        pdf.para(title, st.title, limit=pdf.NAME_LIMIT),
        pdf.para(_("{board} to the Office of the Mayor. Executive Directive 17 asks for the measures being "
                   "implemented on City property under the department's jurisdiction within 15 days "
                   "(due {due}); signs were due {sign_by}. Status as of {as_of}.").format(
            board=board, due=long_date(d.identify_by, lang), sign_by=long_date(d.sign_by, lang),
            as_of=long_date(report.as_of, lang)), st.body),
        pdf.para(_("Summary"), st.h2), pdf.table(_in(report.summary, _, rows="Measure"), st=st, widths=[300, 90, 80]),
        pdf.para(_("Sites by category"), st.h2),
        pdf.table(_in(_spelled(report.by_category, lang), _), st=st, widths=[130, 60, 60, 70, 60, 70]),
        pdf.para(_("Measures recorded"), st.h2),
        pdf.para(recorded.format(n=report.edits_recorded, m=len(report.measures), police=police), st.body),
    ]
    if len(report.measures):
        story.append(pdf.table(_in(report.measures, _), st=st, widths=[62, 78, 80, 250], note_columns=(note,)))
    else:
        story.append(pdf.para(_("No measures are recorded in status notes yet. Liaisons record them with each "
                                "status change (the note field)."), st.small))
    story += measure_section(report.board_measures, police=report.police, as_of=report.as_of, st=st, lang=lang)
    story += [pdf.para(_("Overdue and outstanding items ({n})").format(n=len(report.overdue)), st.h2)]
    if len(report.overdue):
        # names are cut at 300 characters, so a row always fits a page: never split one across two
        widths = [72, 130, 66, 56, 76, 70] if lang == "en" else [72, 108, 88, 62, 70, 70]  # "Estacionamiento"
        story.append(pdf.table(_in(_spelled(report.overdue, lang), _), st=st, widths=widths, split_rows=False))
    else:
        story.append(pdf.para(_("None: every site is signed, and gated where a barrier applies."), st.body))
    story += [Spacer(1, 8), pdf.para(_("Definitions: only candidates need a sign (A.1: property that might be used "
                                       "as a staging area, processing location or operations base); a part (a park's "
                                       "parking lot, a yard) is counted on its own. Signed means the directive sign is "
                                       "posted (a damaged sign counts as not signed); gated means closed and locked, "
                                       "counted only where a barrier applies (parking lots, garages, vacant lots and "
                                       "non-public areas, directive A.2, unless recorded as not appropriate). Days "
                                       "overdue are calendar days past the sign deadline."), st.small)]
    return pdf.build_pdf(story, title=title, tier=pdf.INTERNAL, synthetic=report.synthetic, lang=lang)


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
    rows = [(N_("Sites on the department's list (owned or controlled)"), int((kind == SITE_UNIT).sum()), ""),
            (N_("Parts drawn (lots, garages, yards, non-public areas)"), int((kind == PART_UNIT).sum()), ""),
            (N_("Determined (A.1: candidate or not)"), int(units[IDENTIFIED].sum()), pct(int(units[IDENTIFIED].sum()), len(units))),
            (N_("Still pending a determination"), int((~units[IDENTIFIED].astype(bool)).sum()), ""),
            (N_("Candidates: need a sign (A.1)"), n_cand, ""),
            (N_("Signed (directive sign posted)"), signed, pct(signed, n_cand)),
            (N_("Sign damaged, to replace"), int((c[schema.SIGN_STATUS] == "damaged").sum()), ""),
            (N_("Candidates where a locked gate applies (A.2)"), applies, ""),
            (N_("Gated and locked"), gated, pct(gated, applies)),
            (N_("Fully protected"), protected, pct(protected, n_cand)),
            (N_("Partly protected"), int((c[PROTECTION] == PARTIAL).sum()), ""),
            (N_("Unprotected"), int((c[PROTECTION] == UNPROTECTED).sum()), ""),
            (N_("Past the sign deadline without a sign"), int((units[SIGN_OVERDUE_DAYS] > 0).sum()), ""),
            (N_("Past the identification deadline, still pending"), int((units[IDENTIFY_OVERDUE_DAYS] > 0).sum()), ""),
            (N_("Signs posted after the deadline"), int((units[SIGNED_LATE_DAYS] > 0).sum()), "")]
    return pd.DataFrame(rows, columns=[N_("Measure"), N_("Sites"), N_("Share")])


def _spelled(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return ``table`` with its coded columns as people read them in ``lang`` (``closed_locked`` -> "Closed and locked")."""
    columns = {"Category": "category", "Sign": schema.SIGN_STATUS, "Gate": schema.GATE_STATUS}
    _ = translator(lang)
    return table.assign(**{col: table[col].map(lambda v, c=code: _(v) if v in (PENDING, NOT_NEEDED)
                                               else code_label(v, c, lang))
                           for col, code in columns.items() if col in table})


def _in(table: pd.DataFrame, _: Callable[[str], str], *, rows: str | None = None) -> pd.DataFrame:
    """Return ``table`` with its headers (and the words of column ``rows``) through ``_``; data stays as it is."""
    out = table.assign(**{rows: table[rows].map(_)}) if rows else table
    return out.rename(columns=_)


def _by_category(units: pd.DataFrame) -> pd.DataFrame:
    c = units[units[CANDIDATE].astype(bool)]
    g = c.assign(_gated=c[GATED] & c[BARRIER_APPLIES], _late=c[SIGN_OVERDUE_DAYS] > 0).groupby("category", sort=True)
    out = pd.DataFrame({N_("Sites"): g.size(), N_("Signed"): g[SIGNED].sum(),
                        N_("Gate applies"): g[BARRIER_APPLIES].sum(), N_("Gated"): g["_gated"].sum(),
                        N_("Overdue"): g["_late"].sum()})
    return out.astype(int).rename_axis(N_("Category")).reset_index()


def _overdue(units: pd.DataFrame) -> pd.DataFrame:
    cand = units[CANDIDATE].astype(bool)
    pending_any = ~units[IDENTIFIED].astype(bool)  # outstanding: still awaiting its A.1 determination
    late = units[(units[SIGN_OVERDUE_DAYS] > 0) | (cand & units[BARRIER_APPLIES] & ~units[GATED]) | pending_any]
    pending = ~late[IDENTIFIED].astype(bool)
    out = pd.DataFrame({
        N_("Site"): late[UNIT_ID], N_("Name"): late[schema.NAME], N_("Category"): late["category"],
        N_("Sign"): late[schema.SIGN_STATUS].where(~pending, PENDING),
        N_("Gate"): late[schema.GATE_STATUS].where(late[BARRIER_APPLIES], NOT_NEEDED),
        N_("Sign days overdue"): late[SIGN_OVERDUE_DAYS].astype(int),
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
    out = pd.DataFrame(rows, columns=[N_("Date"), N_("Site"), N_("Recorded by"), N_("Measure (status note)")])
    return out.sort_values(["Date", "Site"], kind="stable").reset_index(drop=True)
