"""The language picker in the sidebar (English / Español), remembered per person.

The session's language starts from ``?lang=`` in the URL, else the signed-in account's saved choice, else
English (:func:`ui.i18n.lang`). Choosing one here changes the session at once, saves it to a signed-in
person's account (through :mod:`geo.services.preferences`, audited) and keeps it in the link, so a shared
link (``?lang=es``) opens in the same language, the public view included.
"""
from __future__ import annotations

import streamlit as st

from geo.access.roles import Actor
from geo.config import accounts_path
from geo.errors import GeoDataError
from geo.i18n import LANGUAGE_NAMES, LANGUAGES
from geo.services import preferences
from ui.i18n import FROM_URL, LANG, _, error_text, lang
from ui.text import md_escape

PICKER = "lang_picker"  # the widget's key (the session's language itself is ui.i18n.LANG)
APPLIED = "lang_account"  # the signed-in name whose saved choice this session has applied


def _has_account(actor: Actor) -> bool:
    """Whether ``actor`` is signed in with an account (demo sessions pick any name, so never save there)."""
    from ui.auth import auth_mode

    return actor.role != "public" and auth_mode() != "demo"


def _saved(actor: Actor) -> str | None:
    if not _has_account(actor):
        return None
    try:
        return preferences.saved_language(accounts_path(), actor.name)
    except GeoDataError:  # an unreadable accounts file: sign-in says so; the language stays as it is
        return None


def apply_saved_choice(actor: Actor) -> bool:
    """On a sign-in, switch to the account's saved language (unless the link chose one); True if it changed."""
    current = lang()
    name = actor.name if actor.role != "public" else None
    if st.session_state.get(APPLIED, None) == name:
        return False
    st.session_state[APPLIED] = name
    saved = _saved(actor) if name else None
    if saved is None or saved == current or st.session_state.get(FROM_URL):
        return False
    st.session_state[LANG] = saved
    return True


def _chosen(actor: Actor) -> None:
    """The picker changed: switch the session, keep it in the link, save it for a signed-in account."""
    choice = str(st.session_state[PICKER])
    st.session_state[LANG] = choice
    st.session_state[FROM_URL] = False  # the person's own choice now outranks the link they came by
    if not _has_account(actor):  # visitors and demo sessions keep it in the link only
        return
    from ui.data import session_store

    try:
        preferences.save_language(session_store(), accounts_path(), actor, choice)
    except GeoDataError as exc:  # e.g. an unreadable accounts file: this session keeps the choice
        st.sidebar.warning(md_escape(_("Your language choice is kept for this session only: {why}").format(
            why=error_text(exc))))


def language_picker(actor: Actor) -> str:
    """Draw the picker in the sidebar and keep the language in the URL; return the session's language."""
    if apply_saved_choice(actor):
        st.rerun()  # everything drawn so far in this run was in the previous language
    current = lang()
    st.session_state[PICKER] = current if current in LANGUAGES else LANGUAGES[0]
    with st.sidebar:
        st.selectbox(_("Language"), LANGUAGES, key=PICKER, format_func=lambda c: LANGUAGE_NAMES[c],
                     on_change=_chosen, args=(actor,), help=_("English or Spanish, for every page and the PDFs "
                                                               "you make; saved to your account when signed in."))
    if current in LANGUAGES and current != LANGUAGES[0]:
        st.query_params["lang"] = current
    else:
        st.query_params.pop("lang", None)
    return current

