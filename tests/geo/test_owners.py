"""Owner class of parcels and the right list of derived sites: names decide, a public use code alone never does."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import schema
from geo.io.owners import owner_columns, owner_kind_of
from geo.services.imports import import_file
from geo.synthetic import generate_sample, real_shaped_layers
from tests.actors import ADMIN

#: (AgencyName, OwnerName, AgencyType, UseCode) -> owner_kind, written by hand from DATA.md "Wave 2 additions".
CASES = [
    (("CITY OF LOS ANGELES", None, None, "8800"), "city"),
    (("L A CITY", None, None, "2700"), "city"),
    ((None, "LOS ANGELES CITY DEPT OF WATER AND POWER", None, "0100"), "city"),
    (("LOS ANGELES WORLD AIRPORTS", None, None, "8800"), "city"),
    (("CITY OF BURBANK", None, None, "8800"), "other_city"),
    (("COUNTY OF LOS ANGELES", None, None, "8800"), "county"),
    (("L A UNIFIED SCHOOL DISTRICT", None, None, "8800"), "school_district"),
    (("STATE OF CALIFORNIA", None, None, "8800"), "state"),
    (("UNITED STATES OF AMERICA", None, None, "8800"), "federal"),
    (("SOUTHERN CALIFORNIA EDISON CO", None, None, "8800"), "utility"),
    (("METROPOLITAN WATER DISTRICT OF SO CAL", None, None, "8800"), "special_district"),
    (("ACME PUBLIC TRUST", None, None, "8800"), "other_agency"),
    ((None, None, "County", "8800"), "county"),
    ((None, None, "City", "8800"), "public_unnamed"),  # some city: whose is not said
    ((None, None, None, "8800"), "public_unnamed"),  # a public use code alone: never the City
    ((None, None, None, "880V"), "public_unnamed"),
    ((None, "SMITH JOHN AND MARY", None, "8800"), "private"),  # a named private owner wins over the code
    ((None, None, None, "0100"), "private"),
    ((None, None, None, None), "private"),
]


@pytest.mark.parametrize(("fields", "kind"), CASES, ids=[str(c[0]) for c in CASES])
def test_owner_kind_by_hand(fields, kind):
    assert owner_kind_of(*fields) == kind


def test_vectorised_classes_match_the_rules_and_keep_the_index():
    frame = pd.DataFrame([f for f, _ in CASES], columns=[schema.AGENCY_NAME, schema.OWNER_NAME, schema.AGENCY_TYPE,
                                                         schema.USE_CODE], index=np.arange(100, 100 + len(CASES)))
    out = owner_columns(frame)
    assert out.index.equals(frame.index)
    assert out[schema.OWNER_KIND].tolist() == [k for _, k in CASES]
    assert out.loc[104, schema.OWNER_CLASS] == "other_public" and out.loc[114, schema.OWNER_CLASS] == "unknown"


OTHER_PUBLIC = ["COUNTY OF LOS ANGELES", "L A UNIFIED SCHOOL DISTRICT", "STATE OF CALIFORNIA",
                "UNITED STATES OF AMERICA", "SOUTHERN CALIFORNIA EDISON CO", "METROPOLITAN WATER DISTRICT",
                "CITY OF BURBANK"]


def test_real_shaped_county_parcels_give_the_right_list_of_sites(store, tmp_path):
    """A County-layer file: 396 City parcels name the City; 35 other agencies, 12 unnamed public, the rest private."""
    parcels = real_shaped_layers(generate_sample(n_parcels=1500))[schema.PARCELS].copy()
    city = parcels["AgencyName"].eq("CITY OF LOS ANGELES").to_numpy()
    private = np.flatnonzero(~city)
    parcels.loc[parcels.index[private[:35]], "AgencyName"] = [OTHER_PUBLIC[i % 7] for i in range(35)]
    parcels.loc[parcels.index[private[35:40]], "AgencyName"] = "L A CITY DEPT OF WATER AND POWER"  # City, by name
    unnamed = parcels.index[private[40:52]]
    parcels.loc[unnamed, "UseCode"] = ["8800", "880V"] * 6  # public by code, owner not named
    parcels.loc[unnamed, ["AgencyName", "OwnerName"]] = None
    nameless_city = parcels.index[np.flatnonzero(city)[:4]]
    parcels.loc[nameless_city, ["AgencyName", "OwnerName"]] = None  # City land whose roll names no one ...
    parcels.loc[nameless_city, "UseCode"] = "8800"  # ... only a public use code: owner unknown, not a City site
    path = tmp_path / "LA_County_Parcels.geojson"
    parcels.to_file(path)
    import_file(store, ADMIN, "parcels", path)

    stored = store.read_layer(schema.PARCELS)
    counts = stored[schema.OWNER_CLASS].value_counts().to_dict()
    n_city = int(city.sum()) - 4 + 5
    assert counts == {"city": n_city, "other_public": 35, "unknown": 16, "private": len(parcels) - n_city - 35 - 16}
    kinds = stored[schema.OWNER_KIND].value_counts()
    assert kinds["county"] == kinds["school_district"] == kinds["other_city"] == 5
    sites = store.read_layer(schema.SITES)
    assert len(sites) == n_city  # every City-named parcel, and nothing else
    assert set(sites[schema.OWNER_CLASS]) == {"city"} and set(sites[schema.LISTED_BASIS]) == {"owned"}
    assert not set(sites[schema.SITE_ID]) & {f"CLA-{a}" for a in parcels.loc[unnamed, "AIN"]}
    assert not set(sites[schema.SITE_ID]) & {f"CLA-{a}" for a in parcels.loc[nameless_city, "AIN"]}


def test_an_asset_list_adds_leased_land_with_its_basis(store, tmp_path):
    parcels = real_shaped_layers(generate_sample(n_parcels=200))[schema.PARCELS]
    parcels.to_file(tmp_path / "p.geojson")
    import_file(store, ADMIN, "parcels", tmp_path / "p.geojson")
    private = parcels.loc[parcels["AgencyName"].isna(), "AIN"].iloc[:2].tolist()
    city = parcels.loc[parcels["AgencyName"].notna(), "AIN"].iloc[:1].tolist()
    pd.DataFrame({"Asset ID": ["LEASED-1", "OWNED-1", "BAD-1"], "AIN": [private[0], city[0], private[1]],
                  "Control": ["Leased", None, "borrowed"], "Lease End": ["2031-06-30", None, None],
                  "Lease No": ["L-1001", None, None], "is_synthetic": True}).to_csv(tmp_path / "assets.csv", index=False)
    report = import_file(store, ADMIN, "sites", tmp_path / "assets.csv", department="General Services (GSD)")
    assert report.n_accepted == 2 and "Control 'borrowed' is not a control basis" in report.summary()
    sites = store.read_layer(schema.SITES).set_index(schema.SITE_ID)
    leased, owned = sites.loc["LEASED-1"], sites.loc["OWNED-1"]
    assert (leased[schema.OWNER_CLASS], leased[schema.LISTED_BASIS], leased[schema.LISTED_END],
            leased[schema.LISTED_DOC]) == ("private", "leased_in", "2031-06-30", "L-1001")
    assert (owned[schema.OWNER_CLASS], owned[schema.LISTED_BASIS]) == ("city", "owned")
    assert store.control_defaults("LEASED-1")[schema.CONTROL_BASIS] == "leased_in"


def test_snapping_uses_the_stored_owner_class_over_the_use_code():
    from geo.analysis.snap import owner_class_of_parcels

    parcels = pd.DataFrame({schema.AIN: ["1", "2", "3", "4"], schema.USE_CODE: ["0100", "8800", "8800", "0100"],
                            schema.OWNER_CLASS: ["other_public", "private", None, "private"]})
    sites = pd.DataFrame({schema.SITE_ID: ["S"], schema.AINS: ["4"], schema.OWNING_DEPT: ["GSD"]})
    got = owner_class_of_parcels(parcels, sites)["owner_class"].tolist()
    # a County parcel on a residential code is public; a named private owner on 8800 is private; no class: the code
    assert got == ["other_public", "private", "other_public", "city_site"]
