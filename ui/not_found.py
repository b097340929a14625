"""An unknown page address answered by StageMap itself, in the session's language.

Streamlit answers a URL path that names no page of the navigation (a mistyped link, a page the role
cannot open, a bookmark from another role) with its own English "Page not found" dialog, then runs the
default page. :func:`stand_in` returns a hidden page registered under exactly that path, so Streamlit
finds a page and sends no dialog; the page says, in the reader's language, that the address is not one
of theirs and links to their first page.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo.i18n import N_
from ui.i18n import _
from ui.text import md_line

TITLE = N_("Page not found")


def requested_path() -> str | None:
    """Return the URL path the browser asked for by name (``None``: the root, a page chosen by hash, no session)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    manager = ctx.pages_manager
    if manager.intended_page_script_hash:  # a page picked in the menu or by st.switch_page: known by its hash
        return None
    name = (manager.intended_page_name or "").strip().strip("/")
    return name or None


def stand_in(pages: Sequence[StreamlitPage], path: str | None = None) -> StreamlitPage | None:
    """Return a hidden page for an address none of ``pages`` answers, or ``None`` when one does (or none asked)."""
    path = requested_path() if path is None else path
    if not path or not pages or path in {p.url_path for p in pages}:
        return None
    home = next((p for p in pages if p.url_path == ""), pages[0])  # the default page answers the root

    def page_not_found() -> None:
        st.title(_(TITLE))
        st.error(_("StageMap has no page at the address \u201c{path}\u201d for you: it does not exist, or your role "
                   "cannot open it. Choose a page in the menu.").format(path=md_line(path)))
        st.page_link(home, label=_("Go to {page}").format(page=home.title), icon=home.icon or None)

    try:
        return st.Page(page_not_found, title=_(TITLE), url_path=path, visibility="hidden")
    except StreamlitAPIException:  # a nested path (a/b) cannot be a page's address: Streamlit's dialog stays
        return None
