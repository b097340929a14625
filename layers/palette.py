"""The one palette: every colour on a map or a chart means one thing, everywhere in the app.

:data:`PALETTE` maps a meaning to its colour; the code tables (risk tier, sign, gate, determination,
protection, verification, owner, category, count bins) map each code to a meaning, never straight to
a colour. So green is "done" (a sign posted, a gate closed and locked, a site protected) and never
"low risk"; red-brown is "high risk" and never "no sign". ``tests/layers/test_palette.py`` checks that
no colour stands for two meanings and that near-identical colours are not used for different ones.

Outline and text colours (:data:`INK`) carry no meaning and are not in the table.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: meaning -> colour (hex). The meanings read as a legend would.
PALETTE: dict[str, str] = {
    # the directive's measures: done / partly done / not done (signs, gates, protection)
    "done": "#1e8449",
    "partly done": "#abebc6",
    "not done": "#d81b60",
    "not applicable": "#95a5a6",  # no gate, not a candidate, no protection needed
    "not known": "#d5d8dc",
    # staging risk (internal): a heat ramp of its own
    "risk: high": "#8b0000",
    "risk: medium": "#ef6c00",
    "risk: low": "#fdd835",
    # the A.1 determination
    "A.1: candidate": "#00838f",
    "A.1: awaiting determination": "#f9e79f",
    # incidents: enforcement by verification; general crime is context
    "incident: LAPD confirmed": "#1f3a93",
    "incident: corroborated": "#2e86c1",
    "incident: unverified": "#aed6f1",
    "general crime (context)": "#5d6d7e",
    # parcels by owner
    "parcel: City site": "#2c3e50",
    "parcel: other public": "#48c9b0",
    "parcel: private": "#f0b27a",
    "parcel: repeat incidents": "#6e2c00",
    "parcel: any owner": "#a1887f",  # an assessor parcel where owners are not told apart
    # site categories
    "category: parking lot": "#8d6e63",
    "category: parking garage": "#4e342e",
    "category: park": "#9ccc65",
    "category: vacant lot": "#ffb300",
    "category: facility": "#0277bd",
    "category: yard": "#bcaaa4",
    "category: transit terminal": "#00bfa5",
    "category: golf course": "#33691e",
    "category: open land": "#c0ca33",
    "category: other": "#bdbdbd",
    # counts per district (choropleth bins, light to dark)
    "count: bin 1": "#fcfbfd",
    "count: bin 2": "#e0dcf0",
    "count: bin 3": "#b7b3d8",
    "count: bin 4": "#918ac4",
    "count: bin 5": "#6e5fac",
    "count: bin 6": "#3f007d",
    # places the user points at
    "found place": "#6a1b9a",  # a search result (layers.search)
    "reported point": "#c62828",  # the point being reported (layers.report_map)
}
#: Outlines, strokes, chart rules: no meaning of their own.
INK = "#1b2631"


def colours(codes: Mapping[Any, str]) -> dict[Any, str]:
    """Return code -> colour for a code table of code -> meaning."""
    return {code: PALETTE[meaning] for code, meaning in codes.items()}


#: code tables: code -> meaning
TIER = {"high": "risk: high", "medium": "risk: medium", "low": "risk: low", None: "not known"}
SIGN = {"posted": "done", "damaged": "partly done", "none": "not done", "unknown": "not known"}
GATE = {"closed_locked": "done", "closed_unlocked": "partly done", "open": "not done", "no_gate": "not applicable",
        "unknown": "not known"}
DETERMINATION = {"candidate": "A.1: candidate", "not_candidate": "not applicable",
                 "pending": "A.1: awaiting determination", None: "not known"}
PROTECTION = {"protected": "done", "partial": "partly done", "unprotected": "not done", "not_needed": "not applicable",
              None: "not known"}
VERIFICATION = {"lapd_confirmed": "incident: LAPD confirmed", "corroborated": "incident: corroborated",
                "unverified": "incident: unverified"}
OWNER = {"city_site": "parcel: City site", "other_public": "parcel: other public", "private": "parcel: private",
         "repeat": "parcel: repeat incidents"}
CATEGORY = {c: f"category: {c.replace('_', ' ')}" for c in (
    "parking_lot", "parking_garage", "park", "vacant_lot", "facility", "yard", "transit_terminal", "golf_course",
    "open_land", "other")}
COUNT_BINS = tuple(f"count: bin {n}" for n in range(1, 7))
