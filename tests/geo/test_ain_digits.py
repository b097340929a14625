"""AINs written with another script's digits (full-width, Arabic-Indic) are the same AIN, not a look-alike parcel.

A file whose AIN reads "５１６１００３９００" stored it as such before: a second parcel that looks exactly like
5161003900 on every page but matches no site list, search or later import.
"""
from __future__ import annotations

import pandas as pd

from geo import schema
from geo.io import aliases
from geo.services.imports import import_file
from tests.actors import ADMIN
from tests.geo.test_importers import county_parcels


def test_other_scripts_digits_read_as_ascii_digits():
    raw = pd.Series(["５１６１-００３-９００", "\u0665\u0661\u0666\u0661\u0660\u0660\u0663\u0669\u0660\u0660",
                     "5161-003-900", "2004001003.0", None, "ABC"], dtype="string")
    assert aliases.normalize_ain(raw).tolist() == ["5161003900", "5161003900", "5161003900", "2004001003", None, None]
    assert aliases.ain_string(raw).dropna().tolist() == ["5161003900"] * 3 + ["2004001003"]


def test_a_full_width_ain_updates_the_parcel_it_names(store, tmp_path):
    first = tmp_path / "first.geojson"
    county_parcels().to_file(first)
    import_file(store, ADMIN, "parcels", first)
    again = county_parcels()
    again.loc[0, "AIN"] = "５１６１００３９００"
    second = tmp_path / "second.geojson"
    again.to_file(second)
    report = import_file(store, ADMIN, "parcels", second)
    ains = store.read_layer(schema.PARCELS)[schema.AIN].tolist()
    assert sorted(ains) == ["5161003900", "5161003901", "5161003902", "5161003903"]
    assert report.written is not None and report.written[schema.PARCELS].inserted == 0
