"""A sign photo's note and GPS placement check as messages: stored in English, shown in the reader's language.

A status save records its photo in the site's note as ``sign photo sha256:<16 hex> (<placement>)``, and an
evidence row keeps the placement (``inside site``, ``within 150 ft of site (40 ft)``, ``no gps``, ...). Both
are stored as English text, exactly as before, so the audit log, older rows and their hashes read the same.
The templates below build that text, and :func:`note_message` / :func:`placement_message` recognise it again
in stored text and return the message, so a page, the history or the CLI shows it in Spanish
(``geo.i18n.localise``) with nothing new stored. Text that is not one of them is returned as it is (user data).
"""
from __future__ import annotations

import re

from geo.i18n import N_
from geo.messages import Message, join

NOT_PHOTO, NO_GPS, NO_SITE, INSIDE = N_("not a photo"), N_("no gps"), N_("no site to check"), N_("inside site")
NEAR = N_("within 150 ft of site ({feet} ft)")
FAR = N_("outside site ({feet} ft away)")
PHOTO_NOTE = N_("sign photo sha256:{sha} ({placement})")
_WORDS = frozenset({NOT_PHOTO, NO_GPS, NO_SITE, INSIDE})
_FEET = ((NEAR, re.compile(r"within 150 ft of site \(([0-9][0-9,]*) ft\)")),
         (FAR, re.compile(r"outside site \(([0-9][0-9,]*) ft away\)")))
#: A photo line inside a note; the placement may hold one level of parentheses (``(40 ft)``).
_NOTE = re.compile(r"sign photo sha256:([0-9a-f]{16}) \(((?:[^()\n]|\([^()\n]*\))*)\)")


def placement(word: str, feet: float | None = None) -> Message:
    """Return a placement check: one of the words (``INSIDE``...), or ``NEAR``/``FAR`` with the distance in feet."""
    return Message(word, {} if feet is None else {"feet": f"{feet:,.0f}"})


def photo_note(sha256: str, where: str) -> Message:
    """Return the text a status save records for its sign photo (``sign photo sha256:... (inside site)``)."""
    return Message(PHOTO_NOTE, {"sha": sha256[:16], "placement": placement_message(where)})


def placement_message(text: object) -> str:
    """Return stored placement text as its message (translatable); other text (or ``None``) as it is."""
    if isinstance(text, Message) or not isinstance(text, str):
        return text if isinstance(text, str) else "" if text is None else str(text)
    if text in _WORDS:
        return Message(text)
    for template, pattern in _FEET:
        hit = pattern.fullmatch(text)
        if hit:
            return Message(template, {"feet": hit.group(1)})
    return text


def note_message(note: object) -> str:
    """Return a stored status note with every sign-photo line as its message; the rest (user text) as it is.

    In English the result reads exactly as the stored note.
    """
    text = "" if note is None else str(note)
    parts: list[str] = []
    at = 0
    for hit in _NOTE.finditer(text):
        parts += [text[at:hit.start()], Message(PHOTO_NOTE, {"sha": hit.group(1),
                                                             "placement": placement_message(hit.group(2))})]
        at = hit.end()
    if not parts:
        return text
    return join([p for p in [*parts, text[at:]] if p], sep="")
