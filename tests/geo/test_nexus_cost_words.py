"""The unit-cost editor in Spanish: built-in wording shown translated, read back in English (same study, same hash)."""
from __future__ import annotations

import pandas as pd

from geo.nexus.costs import PLACEHOLDER_SOURCE, check_unit_costs, default_unit_costs
from geo.nexus.wording import costs_from_language, costs_in_language


def test_built_in_wording_round_trips_and_typed_text_stays():
    english = default_unit_costs()
    shown = costs_in_language(english, "es")
    assert (shown["item"] != english["item"]).all() and (shown["unit"] != english["unit"]).all()
    assert not (shown["source"] == PLACEHOLDER_SOURCE).any()  # the placeholder source reads in Spanish too
    back = costs_from_language(shown, "es")
    pd.testing.assert_frame_equal(check_unit_costs(back), check_unit_costs(english))
    typed = shown.copy()
    typed.loc[0, "item"] = "Tarifa acordada con el LAPD"
    typed.loc[0, "source"], typed.loc[0, "year"] = "LAPD budget FY2026, p. 12", 2026
    read = check_unit_costs(costs_from_language(typed, "es"))
    assert read.loc[0, "item"] == "Tarifa acordada con el LAPD"  # typed: data, as typed
    assert read.loc[0, "status"] == "sourced" and read.loc[1, "status"] == "PLACEHOLDER"
    assert costs_in_language(english, "en").equals(english)
