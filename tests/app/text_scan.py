"""Collect every string an AppTest run shows (element protos and dataframe contents)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def all_text(at: AppTest) -> str:
    """Return the text of every element on the page, main area and sidebar."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        value = getattr(node, "value", None)
        if hasattr(value, "to_csv"):
            out.append(value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)
