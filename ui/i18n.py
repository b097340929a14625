"""The session's language in the app: ``_()`` for page text, the language picker, and remembering it.

Pages import ``_`` from here and wrap every string a person reads (titles, captions, widget labels,
options shown through ``format_func``, messages, legends). The language is the session's; it starts from
``?lang=`` in the URL, else the signed-in user's saved choice, else English.
"""
from __future__ import annotations

import json

import streamlit as st

from geo import i18n
from geo.messages import Message, from_data, message_of

LANG = "lang"  # session-state key of the session's language
FROM_URL = "lang_from_url"  # whether the session's language was given by ?lang= in the URL


def lang() -> str:
    """The session's language code ("en" or "es")."""
    current = st.session_state.get(LANG)
    if current is None:
        current = i18n.normalise(st.query_params.get("lang"))
        st.session_state[LANG] = current
        st.session_state[FROM_URL] = bool(st.query_params.get("lang"))
    return str(current)


def _(text: str) -> str:
    """``text`` in the session's language."""
    return i18n.translate(text, lang())


def error_text(exc: BaseException | str) -> str:
    """An error (or a message built with ``geo.messages.M``) in the session's language; show it through md_escape.

    An error raised with a plain string is shown translated when that string is itself in the catalogue
    (a fixed message such as the sign-in refusal), else as it is.
    """
    code = lang()
    value = message_of(exc) if isinstance(exc, BaseException) else exc
    if not isinstance(value, Message) and value in i18n.catalogue("es"):
        return i18n.translate(value, code)
    return i18n.localise(value, code)


def data_text(data: object, fallback: str) -> str:
    """A message kept as JSON of ``geo.messages.to_data`` (a run's ``category_basis_data``) in the session's language.

    ``fallback`` (the English column) when there is no data or it does not read; show it through md_escape.
    """
    if not isinstance(data, str) or not data:
        return str(fallback)
    try:
        return error_text(from_data(json.loads(data)))
    except ValueError:
        return str(fallback)
