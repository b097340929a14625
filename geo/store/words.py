"""Translatable words for the rows of the versioned tables (``Versioned.what``), for error messages."""
from __future__ import annotations

from geo import duties
from geo.messages import M, Message

#: ``Versioned.what`` -> (the word as a label, the word in a sentence).
_WHAT = {"Site": (M("Site"), M("site")), "Part": (M("Part"), M("part")),
         "Scene of": (duties.SCENE_OF, M("scene of")), "Referral": (M("Referral"), M("referral"))}


def row_label(what: str, key: object) -> Message:
    """Return the translatable label of one row, e.g. ``Part P-1`` for ``("Part", "P-1")``."""
    return M("{what} {key}", what=row_title(what), key=key)


def row_title(what: str) -> str:
    """Return the word for a row as a title (``Site``, ``Part``), translatable when known."""
    return _WHAT[what][0] if what in _WHAT else what


def row_word(what: str) -> str:
    """Return the word for a row inside a sentence (``site``, ``part``), translatable when known."""
    return _WHAT[what][1] if what in _WHAT else what.lower()
