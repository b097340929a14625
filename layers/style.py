"""Palette, legends and the one lat/lon conversion used by every layer."""
from __future__ import annotations

import branca.element

from geo.labels import code_label
from layers.escape import safe_text

TIER_COLORS = {"high": "#c0392b", "medium": "#e67e22", "low": "#27ae60", None: "#7f8c8d"}
CATEGORY_COLORS = {
    "parking_lot": "#8e44ad", "parking_garage": "#5b2c6f", "park": "#27ae60",
    "vacant_lot": "#d35400", "facility": "#2c3e50", "yard": "#a04000", "transit_terminal": "#1f618d",
    "golf_course": "#7dcea0", "open_land": "#b7950b", "other": "#7f8c8d",
}
SIGN_COLORS = {"posted": "#27ae60", "damaged": "#f39c12", "none": "#c0392b", "unknown": "#95a5a6"}
GATE_COLORS = {
    "closed_locked": "#27ae60", "closed_unlocked": "#f39c12", "open": "#c0392b",
    "no_gate": "#95a5a6", "unknown": "#bdc3c7",
}
VERIFICATION_COLORS = {"lapd_confirmed": "#1f3a93", "corroborated": "#2980b9", "unverified": "#85c1e9"}
DETERMINATION_COLORS = {"candidate": "#c0392b", "not_candidate": "#95a5a6", "pending": "#f1c40f", None: "#bdc3c7"}
PROTECTION_COLORS = {"protected": "#27ae60", "partial": "#f39c12", "unprotected": "#c0392b", "not_needed": "#95a5a6",
                     None: "#bdc3c7"}
PARCEL_COLOR = "#95a5a6"
DISTRICT_COLOR = "#34495e"


_LEGEND = """
{% macro html(this, kwargs) %}
<div class="stagemap-legend" style="position:absolute; bottom:44px; left:10px; z-index:9999;
  background:rgba(255,255,255,.92); padding:6px 10px; border:1px solid #999; border-radius:4px;
  font:12px/1.4 sans-serif; max-width:240px;">{{ this.body }}</div>
{% endmacro %}
"""


class Legend(branca.element.MacroElement):
    """A fixed legend box in the map's lower-left corner."""

    _template = branca.element.Template(_LEGEND)

    def __init__(self, sections: dict[str, dict[str, str]], *, note: str | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        parts = []
        for title, entries in sections.items():
            column = "sign_status" if title == "Sign" else None  # "none" reads "No sign" there
            parts.append(f"<b>{safe_text(title)}</b><br>")
            parts.extend(
                f'<span style="display:inline-block;width:10px;height:10px;background:{color};'
                f'margin-right:4px;border:1px solid #555"></span>{safe_text(code_label(label, column))}<br>'
                for label, color in entries.items()
            )
        if note:
            parts.append(f'<i style="color:#a00">{safe_text(note)}</i>')
        self.body = "".join(parts)


_BANNER = """
{% macro html(this, kwargs) %}
<div class="stagemap-banner" style="position:absolute; top:8px; left:50%; transform:translateX(-50%);
  z-index:9999; background:#fff3cd; color:#7a4b00; border:1px solid #e0b84f; padding:2px 10px;
  border-radius:4px; font:bold 12px sans-serif;">{{ this.text }}</div>
{% endmacro %}
"""


class Banner(branca.element.MacroElement):
    """A banner across the top of the map (the synthetic-data notice)."""

    _template = branca.element.Template(_BANNER)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Banner"
        self.text = safe_text(text)
