"""The Data page's steering inputs: a column mapping (the CLI's ``--map``) and a boundary set's vintage.

The mapping lists the chosen file's columns (header only, read through ``geo.services.imports``)
in one selectbox per key canonical column, plus a text field for any other ``canonical=column``
pairs. Boundary kinds get the vintage and "make current" inputs of ``--vintage``/``--make-current``.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from geo import schema
from geo.access.roles import Actor
from geo.config import ImportLimits
from geo.errors import GeoDataError
from geo.i18n import N_
from geo.messages import message_of
from geo.services.boundaries import WARNING
from geo.services.imports import file_columns, mapping_fields, parse_pairs
from ui import state
from ui.i18n import _, error_text
from ui.text import md_escape
from ui.uploads import save_upload

#: The selectbox choice that leaves a canonical column to the alias table.
AUTO = N_("(automatic)")
_COLUMNS = "data_columns_cache"  # session cache: (upload id, columns or the error text)


def map_key(kind: str, name: str) -> str:
    """Return the session key of the selectbox for canonical ``name`` of ``kind``."""
    return f"{state.DATA_MAP_PREFIX}{kind}_{name}"


def _columns(actor: Actor, upload: Any, limits: ImportLimits) -> list[str] | str:
    """Return the upload's columns (cached per upload), or why they cannot be listed."""
    ident = (upload.name, upload.size, getattr(upload, "file_id", ""))
    cached = st.session_state.get(_COLUMNS)
    if cached is not None and cached[0] == ident:
        return cached[1]  # type: ignore[no-any-return]
    for key in [k for k in st.session_state if str(k).startswith(state.DATA_MAP_PREFIX) and k != state.DATA_MAP_TEXT]:
        del st.session_state[key]  # another file: the old choices name columns it may not have
    try:
        path = save_upload(upload.name, upload.getvalue(), max_bytes=limits.max_file_bytes)
        try:
            found: list[str] | str = file_columns(actor, path, limits=limits)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
    except GeoDataError as exc:
        found = message_of(exc)
    st.session_state[_COLUMNS] = (ident, found)
    return found


def column_mapping(actor: Actor, kind: str, upload: Any, limits: ImportLimits) -> dict[str, str] | str:
    """Draw the mapping inputs; return ``{canonical: column}``, or the text of a malformed entry."""
    keys, names = mapping_fields(kind)
    chosen: dict[str, str] = {}
    with st.expander(_("Column mapping (optional): say which column is which"), expanded=False):
        st.caption(_("Leave a column on automatic to let StageMap recognise it by name; the same as "
                   "`stagemap import --map canonical=column`."))
        columns = _columns(actor, upload, limits) if upload is not None else None
        if columns is None:
            st.caption(_("Choose a file to list its columns."))
        elif isinstance(columns, str):
            st.warning(_("The file's columns could not be listed: {why}").format(why=md_escape(error_text(columns))))
        else:
            st.caption(_("The file's columns: {columns}").format(columns=md_escape(", ".join(columns))))
            for name in keys:
                choice = st.selectbox(name, [AUTO, *columns], key=map_key(kind, name),
                                      format_func=lambda v: _(v) if v == AUTO else v)
                if choice != AUTO:
                    chosen[name] = str(choice)
        text = st.text_input(_("Other columns: canonical=column pairs separated by ';'"), key=state.DATA_MAP_TEXT,
                             help=_("Canonical names for this kind: {names}").format(names=", ".join(names)))
    try:
        extra = parse_pairs([p for p in text.split(";") if p.strip()], upload.name if upload is not None else None)
    except GeoDataError as exc:
        return message_of(exc)
    return {**extra, **chosen}


def boundary_inputs(kind: str) -> tuple[str | None, bool]:
    """Draw the vintage and make-current inputs for boundary kinds; return (vintage, make_current)."""
    if kind not in schema.BOUNDARY_KINDS:
        return None, False
    vintage = st.text_input(_("Vintage: the plan year or effective date of this set (e.g. 2021 or 2012-07-01); "
                            "empty = the file's own"), key=state.DATA_VINTAGE)
    current = st.checkbox(_("Make this set current even if it looks older than the current one "
                          "(re-assigns every parcel, site and incident)"), key=state.DATA_MAKE_CURRENT)
    return vintage.strip() or None, bool(current)


def show_warnings(notes: list[str]) -> None:
    """Show the report's warnings (an older boundary set not made current) above the report."""
    for note in notes:
        if note.startswith(WARNING):
            st.warning(md_escape(error_text(note)))
