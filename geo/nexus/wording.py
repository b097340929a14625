"""The nexus workbook's built-in words, for the workbook in another language.

Land-use classes (the Assessor's ``UseType`` vocabulary, plus ``unknown`` and the scenarios' ``all``),
the fee scenarios' units and the default unit-cost wording are looked up here per column when the
workbook is written in Spanish. A value not in these tables (a use type the Assessor adds, an item a
planner typed) is data and stays as recorded.
"""
from __future__ import annotations

import pandas as pd

from geo.i18n import N_, translate
from geo.messages import Term
from geo.nexus.costs import DEFAULT_WORDING, PLACEHOLDER_SOURCE

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


#: The unit-cost table's columns whose built-in words the editor shows in the person's language.
EDITABLE_WORDS = ("item", "unit", "source")


def _built_in(lang: str) -> dict[str, str]:
    """Return English built-in wording -> its words in ``lang`` (the default items, units and placeholder source)."""
    return {w: translate(w, lang) for w in (*sorted(DEFAULT_WORDING), PLACEHOLDER_SOURCE)}


def costs_in_language(costs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the unit-cost table with its built-in wording in ``lang``, for the editor (typed text as it is)."""
    words = _built_in(lang)
    return costs.assign(**{c: costs[c].map(lambda v: words.get(v, v) if isinstance(v, str) else v)
                           for c in EDITABLE_WORDS if c in costs})


def costs_from_language(costs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return an edited unit-cost table with built-in wording shown in ``lang`` back in English.

    The study's tables, files and snapshot hash are the same whichever language the planner edits in;
    wording the planner changed is data and stays as typed.
    """
    back = {shown: english for english, shown in _built_in(lang).items()}
    return costs.assign(**{c: costs[c].map(lambda v: back.get(v, v) if isinstance(v, str) else v)
                           for c in EDITABLE_WORDS if c in costs})
