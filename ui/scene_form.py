"""Section B scene record widgets (B.1-B.6): the fields of an LAPD-attended scene, inside a form.

The officer form (``app_pages/report.py``) shows them with the report; the Commission page edits
a stored scene. Saving goes through :mod:`geo.services.scenes` (records and admin only).
"""
from __future__ import annotations

import streamlit as st

from geo import duties
from geo.i18n import N_
from ui.i18n import _

YES_NO = ("unknown", "yes", "no")
YES_NO_WORDS = (N_("unknown"), N_("yes"), N_("no"))  # how the answers read, translated
#: (field, question) of the yes/no answers, in B order.
QUESTIONS = (
    (duties.CAMERA_ACTIVATED, N_("B.1 Body-worn camera activated")),
    (duties.VIDEO_PRESERVED, N_("B.1 Video preserved")),
    (duties.SUPERVISOR_IDENTIFIED, N_("B.2 Supervisory immigration officer identified on camera")),
    (duties.DEESCALATION, N_("B.3 De-escalation used")),
    (duties.BYSTANDERS_INFORMED, N_("B.4 Bystanders told of LAPD's neutral role")),
    (duties.INJURIES, N_("B.5 Anyone injured")),
    (duties.AID_SUMMONED, N_("B.5 Aid summoned")),
    (duties.PUBLIC_REPORT, N_("B.6 Report from the public received")),
)
TEXTS = (
    (duties.VIDEO_REF, N_("B.1 Video repository reference")),
    (duties.SUPERVISOR_NAME, N_("B.2 Supervisor name")),
    (duties.SUPERVISOR_BADGE, N_("B.2 Supervisor badge")),
    (duties.SUPERVISOR_REASON, N_("B.2 Reason not identified")),
    (duties.AID_TO, N_("B.5 Aid summoned to (service)")),
    (duties.REPORT_NUMBER, N_("B.6 Report number")),
    (duties.SCENE_NOTE, N_("Scene note")),
)


def _word(value: object) -> str:
    flag = duties.flag(value)
    return "unknown" if flag is None else "yes" if flag else "no"


def scene_inputs(key: str, current: dict[str, object] | None = None) -> dict[str, object]:
    """Render the scene fields (inside a form) prefilled from ``current``; return every field as answered.

    Yes/no answers come back as ``yes``/``no``/``unknown`` words, free text as stripped text or ``None``.
    """
    current = current or {}
    out: dict[str, object] = {}
    cols = st.columns(2)
    for i, (field, question) in enumerate(QUESTIONS):
        out[field] = cols[i % 2].radio(_(question), YES_NO, format_func=_, index=YES_NO.index(_word(current.get(field))),
                                       horizontal=True, key=f"{key}_{field}")
    cols = st.columns(2)
    for i, (field, label) in enumerate(TEXTS):
        text = cols[i % 2].text_input(_(label), value=str(current.get(field) or ""), max_chars=500, key=f"{key}_{field}")
        out[field] = text.strip() or None
    return out


def changed(answers: dict[str, object], current: dict[str, object]) -> dict[str, object]:
    """Return the answers that differ from ``current`` (a new record: every answer given)."""
    out = {}
    for field, value in answers.items():
        before = _word(current.get(field)) if field in duties.SCENE_FLAGS else (current.get(field) or None)
        if value != before:
            out[field] = value
    return out
