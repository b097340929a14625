"""Palette, legends and the one lat/lon conversion used by every layer."""
from __future__ import annotations

import json
import re

import branca.element

from geo.i18n import N_, translate
from geo.labels import code_label
from layers import palette
from layers.escape import safe_text

# every colour comes from the one palette (layers.palette): one meaning per colour across the app
TIER_COLORS = palette.colours(palette.TIER)
CATEGORY_COLORS = palette.colours(palette.CATEGORY)
SIGN_COLORS = palette.colours(palette.SIGN)
GATE_COLORS = palette.colours(palette.GATE)
VERIFICATION_COLORS = palette.colours(palette.VERIFICATION)
DETERMINATION_COLORS = palette.colours(palette.DETERMINATION)
PROTECTION_COLORS = palette.colours(palette.PROTECTION)
PARCEL_COLOR = palette.PALETTE["parcel: any owner"]
#: Legend titles whose entries are sign statuses ("none" reads "No sign" under them).
SIGN_TITLES = (N_("Sign"), N_("City sites: sign"))
DISTRICT_COLOR = "#34495e"


#: The legend opens by itself only on a map at least this wide and tall (px); smaller maps show "Legend" to tap.
LEGEND_OPEN_MIN = (600, 450)
LEGEND_TITLE = N_("Legend")
_LEGEND = """
{% macro script(this, kwargs) %}
(function() {  // a Leaflet control in the lower-left corner: stacked above the scale bar, never over a control
  var map = {{ this._parent.get_name() }}, box = document.createElement("details");
  box.className = "stagemap-legend-box";
  box.style.cssText = "background:rgba(255,255,255,.92);border:1px solid #999;border-radius:4px;" +
    "font:12px/1.4 sans-serif;max-width:240px;overflow:auto;margin-bottom:6px;";
  box.innerHTML = {{ this.inner_json }};
  var control = L.control({position: "bottomleft"});
  control.onAdd = function() {
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box); return box;
  };
  control.addTo(map);
  function fit() {  // open on a roomy map; never taller than the room between the top controls and the scale bar
    var size = map.getSize(), top = map.getContainer().querySelector(".leaflet-top.leaflet-left");
    var scale = map.getContainer().querySelector(".leaflet-control-scale");
    var room = size.y - (top ? top.offsetHeight : 0) - (scale ? scale.offsetHeight : 0) - 24;
    box.style.maxHeight = Math.max(room, 40) + "px";
    box.style.maxWidth = Math.min(240, Math.max(size.x - 80, 120)) + "px";
  }
  if (map.getSize().x >= {{ this.open_min[0] }} && map.getSize().y >= {{ this.open_min[1] }}) { box.open = true; }
  fit(); map.on("resize", fit);
  new MutationObserver(function() {  // a basemap notice added to the legend is shown, not folded away
    if (box.querySelector(".stagemap-basemap-notice")) { box.open = true; }
  }).observe(box, {childList: true, subtree: true});
})();
{% endmacro %}
"""


def entry_text(label: object, column: str | None, lang: str) -> str:
    """Return a legend entry in ``lang``: a code spelled out from the label table, else the marked word."""
    known = code_label(label, column, lang)
    return known if known != str(label) else translate(str(label), lang)


class Legend(branca.element.MacroElement):
    """The legend: a Leaflet control in the lower-left corner, folded ("Legend") on a small map, opened with a tap."""

    _template = branca.element.Template(_LEGEND)

    def __init__(self, sections: dict[str, dict[str, str]], *, note: str | None = None, lang: str = "en") -> None:
        """``sections``: title -> entry -> colour, in English (codes or marked words), shown in ``lang``.

        ``note`` is shown as given (the caller translates it).
        """
        super().__init__()
        self._name = "Legend"
        parts = []
        for title, entries in sections.items():
            column = "sign_status" if title in SIGN_TITLES else None  # "none" reads "No sign" there
            parts.append(f"<b>{safe_text(translate(title, lang))}</b><br>")
            parts.extend(
                f'<span style="display:inline-block;width:10px;height:10px;background:{color};'
                f'margin-right:4px;border:1px solid #555"></span>{safe_text(entry_text(label, column, lang))}<br>'
                for label, color in entries.items()
            )
        if note:
            parts.append(f'<i style="color:#a00">{safe_text(note)}</i>')
        self.body = "".join(parts)
        self.summary = safe_text(translate(LEGEND_TITLE, lang))
        self.open_min = LEGEND_OPEN_MIN
        inner = ("<summary style='cursor:pointer;padding:4px 10px;font-weight:bold;min-height:24px;line-height:24px'>"
                 f"{self.summary}</summary><div class='stagemap-legend' style='padding:0 10px 6px'>{self.body}</div>")
        # text is escaped (safe_text); as a JSON string in the script, with no "</script" that could end it early
        self.inner_json = re.sub(r"(?i)</script", r"<\\/script", json.dumps(inner, ensure_ascii=False))


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
