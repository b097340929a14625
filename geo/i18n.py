"""Translations (gettext catalogues read with Babel): English source strings, Spanish catalogues.

Mark a string where it is shown with ``_()`` (``ui.i18n._`` in the app, ``translator(lang)`` in geo
code such as the PDFs); mark a module-level constant with :func:`N_` and translate it where it is shown.
Translate the template, then fill it: ``_("{n} sites signed").format(n=n)``.

The Spanish catalogue is every ``*.po`` file under ``geo/locale/es/LC_MESSAGES/`` merged (one per area
of the code, so two people can extend it at once). A missing entry falls back to English; the test
``tests/geo/test_i18n.py`` fails the build when any marked string has no Spanish.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from geo.messages import Message, Term, message_of

LANGUAGES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
#: Test-only pseudo-language: every translated string comes back wrapped in these marks, so a page walked
#: in it shows at a glance (and to a test) every string that never went through a translation.
PSEUDO = "qps"
PSEUDO_OPEN, PSEUDO_CLOSE = "\u27ea", "\u27eb"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(text: str) -> str:
    """Mark a constant for extraction without translating it (translate where it is shown)."""
    return text


@lru_cache(maxsize=8)
def catalogue(lang: str) -> dict[str, str]:
    """Return msgid -> msgstr for ``lang`` from every .po file of that language (empty for English)."""
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                    merged[message.id] = message.string
    return merged


def normalise(lang: str | None) -> str:
    """Return the supported language code for ``lang`` (``"es-MX"`` -> ``"es"``); English when unknown."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES or code == PSEUDO else DEFAULT_LANGUAGE


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang``; English (the source) when the catalogue has no entry."""
    if lang == PSEUDO:
        return PSEUDO_OPEN + catalogue("es").get(text, text) + PSEUDO_CLOSE
    if lang == DEFAULT_LANGUAGE or not text:
        return text
    return catalogue(lang).get(text, text)


def localise(value: object, lang: str) -> str:
    """Return ``value`` in ``lang``.

    A :class:`geo.messages.Message` (or an exception raised with one) is translated template first, then filled
    with its values (nested messages translated the same way); anything else is returned as text.
    """
    if isinstance(value, BaseException):
        value = message_of(value)
    if not isinstance(value, Message):
        return str(value)
    if isinstance(value, Term):  # a code: its name in another language, the code itself in English
        name = translate(value.key, lang)
        return name if lang != DEFAULT_LANGUAGE and name != value.key else str(value)
    values = {key: localise(item, lang) if isinstance(item, Message) else item for key, item in value.values.items()}
    try:
        return translate(value.template, lang).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a field: English beats nothing
        return str(value)


def translator(lang: str) -> Callable[[str], str]:
    """Return a ``_`` bound to one language, for code that renders for a given reader (PDFs, exports)."""
    code = normalise(lang)
    return lambda text: translate(text, code)


#: Month names, marked for the catalogue (Spanish month names are lower case).
MONTHS: tuple[str, ...] = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
                           N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
                           N_("December"))


def month_year(day: dt.date, lang: str) -> str:
    """``March 2026`` / ``marzo de 2026``."""
    return translate(N_("{month} {year}"), lang).format(month=translate(MONTHS[day.month - 1], lang),
                                                         year=day.year)


def long_date(day: dt.date, lang: str) -> str:
    """``01 March 2026`` / ``01 de marzo de 2026``."""
    return translate(N_("{day} {month} {year}"), lang).format(day=f"{day.day:02d}",
                                                               month=translate(MONTHS[day.month - 1], lang),
                                                               year=day.year)


def short_date(day: dt.date, lang: str) -> str:
    """``01 Mar 2026`` / ``01 mar 2026`` (the first three letters of the month's name)."""
    month = translate(MONTHS[day.month - 1], lang)
    if lang == PSEUDO:  # keep the marks around the cut name, so a walked page still shows it went through _
        return f"{day.day:02d} {PSEUDO_OPEN}{month[1:4]}{PSEUDO_CLOSE} {day.year}"
    return f"{day.day:02d} {month[:3]} {day.year}"
