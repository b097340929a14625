"""Page filters in the URL: a shared link restores the same filters in another browser.

A page lists its bindings (session key, URL parameter, kind) and calls :func:`restore` before
drawing its widgets and :func:`publish` after: a new session takes the values from the URL once,
and every run writes the current values back, so the address bar always holds the view.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

SEEDED = "url_seeded"  # the session keys already taken from the URL in this session


@dataclass(frozen=True)
class Binding:
    """One filter kept in the URL: ``key`` in session state, ``param`` in the query string, ``kind`` of value."""

    key: str
    param: str
    kind: str = "str"  # "str", "int", "bool" or "list" (comma-separated)
    choices: tuple[object, ...] = ()  # allowed values (for "str" and "list"), empty: any


def _parse(binding: Binding, raw: str) -> object | None:
    if binding.kind == "int":
        return int(raw) if raw.lstrip("-").isdigit() else None
    if binding.kind == "bool":
        return raw == "1" if raw in ("0", "1") else None
    if binding.kind == "list":
        items = [v for v in raw.split(",") if v]
        return [v for v in items if not binding.choices or v in binding.choices]
    return raw if not binding.choices or raw in binding.choices else None


def _text(binding: Binding, value: object) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if binding.kind == "bool":
        return "1" if value else None
    if binding.kind == "list" and isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def restore(bindings: Sequence[Binding]) -> None:
    """Take each binding's value from the URL, once per session (before the widgets are drawn)."""
    seeded: set[str] = st.session_state.setdefault(SEEDED, set())
    for binding in bindings:
        if binding.key in seeded:
            continue
        seeded.add(binding.key)
        raw = st.query_params.get(binding.param)
        value = _parse(binding, raw) if raw is not None else None
        if value is not None:
            st.session_state[binding.key] = value


def publish(bindings: Sequence[Binding]) -> None:
    """Write each binding's current value to the URL (a default or empty value leaves the parameter out)."""
    for binding in bindings:
        text = _text(binding, st.session_state.get(binding.key))
        if text is None:
            st.query_params.pop(binding.param, None)
        elif st.query_params.get(binding.param) != text:
            st.query_params[binding.param] = text
