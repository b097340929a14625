"""The nexus workbook's built-in words, for the workbook in another language.

Land-use classes (the Assessor's ``UseType`` vocabulary, plus ``unknown`` and the scenarios' ``all``),
the fee scenarios' units and the default unit-cost wording are looked up here per column when the
workbook is written in Spanish. A value not in these tables (a use type the Assessor adds, an item a
planner typed) is data and stays as recorded.
"""
from __future__ import annotations

from geo.i18n import N_
from geo.messages import Term
from geo.nexus.costs import DEFAULT_WORDING

#: The land-use class of every affected parcel (``use_type``), spelled out; "all" is the scenarios' total row.
ALL_CLASSES, UNKNOWN_CLASS = "all", "unknown"
LAND_USE_CLASSES: dict[str, str] = {
    "Residential": N_("Residential"), "Commercial": N_("Commercial"), "Industrial": N_("Industrial"),
    "Institutional": N_("Institutional"), "Recreational": N_("Recreational"), "Miscellaneous": N_("Miscellaneous"),
    UNKNOWN_CLASS: N_("Unknown land-use class"), ALL_CLASSES: N_("All land-use classes"),
}
#: The unit each fee basis charges by (the scenarios' ``unit`` column).
SCENARIO_UNITS: dict[str, str] = {
    "per_incident": N_("counted incident"), "per_site": N_("chargeable parcel"),
    "per_parking_sqft": N_("sq ft of estimated open/parking area"),
}
#: Per column: English value -> msgid (the built-in words only).
COLUMN_WORDS: dict[str, dict[str, str]] = {
    "land_use_class": LAND_USE_CLASSES,
    "item": {w: w for w in sorted(DEFAULT_WORDING)},
    "unit": {**{w: w for w in sorted(DEFAULT_WORDING)}, **{w: w for w in SCENARIO_UNITS.values()}},
}


def wording(text: str) -> str:
    """Return ``text`` as a term translated in the workbook when it is built-in wording; typed text as it is."""
    return Term(text, text) if text in DEFAULT_WORDING else text
