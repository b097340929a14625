"""The A.3 notice letter to a department's contractor, with the directive's request in its own words.

The letter names the contractor, the contract, the City sites it operates, the department's
Immigrant Affairs Liaison to report to, and quotes Executive Directive 17 section A.3. Every
value is printed as text (escaped and wrapped), never as markup.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Spacer

from geo.config import SIGN_TEXT_EN, Directive
from geo.reports import pdf

#: Executive Directive 17 (10 Feb 2026), section A.3, as issued.
REQUEST_TEXT = ("Within 15 days of this order, provide written notice to department contractors of the request to "
                "immediately report to the department's Immigrant Affairs Liaison any attempted or actual use of a "
                "City-owned or controlled property as a staging area, processing location, or operations base for "
                "immigration enforcement.")
#: The directive's definition of a staging area (section A.1).
STAGING_AREA = ("Staging area means an area that is used to assemble, mobilize, and deploy vehicles, equipment, or "
                "materials, and related personnel, for the purpose of carrying out immigration enforcement operations.")


@dataclass(frozen=True)
class NoticeLetter:
    """What one letter says: who to, which contract and sites, and whom to report to."""

    department: str
    contractor: str
    contract_number: str
    site_ids: Sequence[str]
    liaison_name: str | None
    liaison_email: str | None
    dated: dt.date
    synthetic: bool


def letter_pdf(letter: NoticeLetter) -> bytes:
    """Return the notice letter as PDF bytes (reproducible: the same letter gives the same bytes)."""
    st = pdf.styles()
    due = Directive().identify_by
    liaison = letter.liaison_name or "the department's Immigrant Affairs Liaison"
    contact = f" ({letter.liaison_email})" if letter.liaison_email else ""
    sites = ", ".join(letter.site_ids) if letter.site_ids else "the City property your contract covers"
    flow = [
        pdf.para(f"City of Los Angeles - {letter.department}", st.small),
        pdf.para("Notice under Executive Directive No. 17, section A.3", st.title),
        pdf.para(f"Date: {letter.dated.isoformat()} (due under the directive by {due.isoformat()})", st.body),
        pdf.para(f"To: {letter.contractor}", st.body),
        pdf.para(f"Contract: {letter.contract_number}", st.body),
        pdf.para(f"City sites you operate: {sites}", st.body),
        Spacer(1, 8),
        pdf.para("The Mayor's Executive Directive No. 17, \"Protecting Angelenos from Ongoing Dangerous Federal "
                 "Immigration Operations\" (February 10, 2026), directs each City department:", st.body),
        pdf.para(f"\"{REQUEST_TEXT}\"", st.body),
        pdf.para(f"Accordingly, the department requests that you immediately report to {liaison}{contact}, "
                 "Immigrant Affairs Liaison, any attempted or actual use of the City property you operate as a "
                 "staging area, processing location, or operations base for immigration enforcement.", st.body),
        pdf.para(STAGING_AREA, st.body),
        pdf.para(f"Signs on these properties read: \"{SIGN_TEXT_EN}\"", st.body),
        Spacer(1, 8),
        pdf.para("Please acknowledge receipt of this notice in writing to the liaison named above.", st.body),
    ]
    return pdf.build_pdf(flow, title=f"ED 17 A.3 notice - {letter.contractor}", tier="Notice to a City contractor",
                         synthetic=letter.synthetic)
