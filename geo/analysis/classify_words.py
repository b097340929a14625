"""The site category's basis in words: translatable messages (``geo.messages``), one per decided site.

``classify_sites`` decides categories with vectorised parcel-level work; only the rows a rule decides get
their words, built here as :class:`geo.messages.Message` objects (English text, template and values), so a
page can show the basis in the reader's language and the English text stays exactly as it was.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar

import pandas as pd

from geo.i18n import N_
from geo.messages import Message, to_data

#: The basis of a site no rule decides.
NO_RULE = N_("no rule matched: not parking, park, vacant, a yard or a public 80xx-88xx use code")
#: What words in a name or description name (the category label follows).
GOLF, LANDFILL = N_("a golf course"), N_("a landfill, reservoir or spreading ground")
YARD = N_("a yard, depot, maintenance, bus division, tow or sanitation facility")
PARK_AND_RIDE, GARAGE = N_("a park-and-ride lot"), N_("a garage or parking structure")
TERMINAL, VACANT_BUILDING = N_("a transit terminal"), N_("a vacant building (a building, not a vacant lot)")
NAMES = N_("{what} -> {category}")
ASSET = N_("department asset type '{asset}' -> {category}")
#: Words in the name, then in the description: (what they name, open space on so many acres).
SAID = {"name": (N_("name names {why}"), N_("name names open space on {area} (>= {bound}) -> {category}")),
        "description": (N_("description names {why}"),
                        N_("description names open space on {area} (>= {bound}) -> {category}"))}
ACRES, ACRES_BOUND = N_("{acres:,.1f} acres"), N_("{acres:,.0f} acres")
PARKING_CODE = N_("use code {code} is {prefix}xx (parking); {garage}")
PARKING_TEXT = N_("description mentions parking; {garage}")
NO_BUILDING = N_("no building area -> parking lot")
YEAR_ONLY = N_("year built {year:.0f} but no building area: paving or a booth, not a structure -> parking lot")
BOOTH = N_("building area {area:,.0f} sq ft on a {lot:,.0f} sq ft lot ({share:.0f} % of it, < {bound:.0%}): "
           "a booth or kiosk on a surface lot -> parking lot")
STRUCTURE = N_("building area {area:,.0f} sq ft on a {lot:,.0f} sq ft lot ({share:.0f} % of it, >= {bound:.0%}): "
               "a structure -> parking garage")
PARK_SHARE = N_("site area {share:.0f} % inside park boundaries (>= {bound:.0%})")
RECREATION_CODE = N_("use code {code} is 6xxx (recreational)")
PARK_TEXT = N_("description mentions a park or recreation")
VACANT_CODE_BUILT = N_("use code {code} ends in V (vacant) but building area {area:,.0f} sq ft (>= {least:,.0f}): "
                       "a vacant building -> non-public facility")
VACANT_TEXT_BUILT = N_("description says vacant but building area {area:,.0f} sq ft (>= {least:,.0f}): "
                       "a vacant building -> non-public facility")
VACANT_CODE = N_("use code {code} ends in V (vacant), no building -> vacant lot")
VACANT_TEXT = N_("description says vacant, no building -> vacant lot")
YARD_CODE = N_("use code {code} is {prefix}xx (open storage yard)")
PUBLIC_OPEN = N_("use code {code} is public ({lo}xx-{hi}xx) with no building on {area} (>= {bound}) -> {category}")
PUBLIC_FACILITY = N_("use code {code} is public ({lo}xx-{hi}xx), not parking, park or vacant")


#: While true, :func:`each` makes plain English text instead of messages (``classify_sites(words="english")``:
#: a County of parcels whose words are only read in English, at a third of the cost).
PLAIN: ContextVar[bool] = ContextVar("plain_words", default=False)


def each(template: str, rows: pd.Series, **values: object) -> pd.Series:
    """Return one :class:`Message` per row where ``rows`` is true (an object Series on those rows).

    A Series value gives each row its own value (aligned on the index); any other value is shared.
    """
    index = rows.index[rows.to_numpy(bool)]
    cols = {key: (value.loc[index].tolist() if isinstance(value, pd.Series) else [value] * len(index))
            for key, value in values.items()}
    plain = PLAIN.get()

    def make(vals: dict[str, object]) -> str:
        return template.format(**vals) if plain else Message(template, vals)

    return pd.Series([make({key: col[i] for key, col in cols.items()}) for i in range(len(index))],
                     index=index, dtype=object)


def on_acres(template: str, acres: pd.Series, **values: object) -> Callable[[pd.Series], pd.Series]:
    """Return a words builder: ``template`` with the decided rows' ``{area}`` in acres and ``values``."""
    return lambda rows: each(template, rows, area=each(ACRES, rows, acres=acres), **values)


def data_column(basis: pd.Series) -> pd.Series:
    """Return each basis as JSON of :func:`geo.messages.to_data` (kept with the run, read back by pages)."""
    return pd.Series([json.dumps(to_data(b)) for b in basis], index=basis.index, dtype=object)


def english(basis: pd.Series) -> pd.Series:
    """Return each basis as its plain English text."""
    return pd.Series([str(b) for b in basis], index=basis.index, dtype=object)
