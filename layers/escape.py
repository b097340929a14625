"""The only path from user-derived text to a folium map (SECURITY.md R1)."""
from __future__ import annotations

import html

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def safe_text(value: object) -> str:
    """Escape ``value`` for HTML and for folium's JavaScript template literals.

    folium builds popups and tooltips inside JavaScript template literals and concatenates
    GeoJSON properties into HTML, so besides ``& < > " '`` this also neutralises the
    backtick, ``$``, backslash and braces. ``None`` and NaN become an empty string.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)
