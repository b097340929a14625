"""The review set's category basis in Spanish for the rows a person sees (a table page, a download).

The localised basis of a subset of the review frame is exactly the basis ``classify_sites(words=True)`` makes
for the same parcels (and the run's ``category_basis_data`` for sites), localised; English rows come back as
they are; a row whose rebuilt English differs from its own keeps its English; slicing changes nothing.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from geo import schema
from geo.analysis import review_basis
from geo.analysis.analyze import analyze
from geo.analysis.classify import CATEGORY, CATEGORY_BASIS, CATEGORY_BASIS_DATA, classify_sites
from geo.analysis.review import KIND, PARCEL_KIND, RECORD_ID, SITE_KIND, review_frame
from geo.analysis.review_basis import basis_in, localise_review, parcel_keys
from geo.crs import to_analysis
from geo.i18n import PSEUDO, PSEUDO_OPEN, localise
from geo.messages import from_data
from geo.store import open_store
from geo.synthetic import generate_sample


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The sample's parcels, run and review frame (as the app builds them from the store)."""
    sample = generate_sample()
    store = open_store(str(tmp_path_factory.mktemp("review_basis") / "sample.gpkg"))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    parcels = store.read_layer(schema.PARCELS)
    res = analyze(parcels, store.read_layer(schema.SITES), store.read_layer(schema.INCIDENTS), store.read_status(),
                  store.read_overrides(), as_of=dt.date(2026, 11, 1))
    return parcels, res, review_frame(res, parcels)


def _subset(review: pd.DataFrame) -> pd.DataFrame:
    """Some sites and parcels of every category, out of order (as a filtered table or download holds them)."""
    parcels = review[review[KIND] == PARCEL_KIND]
    n = parcels.groupby(CATEGORY).cumcount()
    picked = parcels[(n % 7 == 0) & (n < 280)]
    sites = review[review[KIND] == SITE_KIND].iloc[::9]
    return pd.concat([picked, sites]).sample(frac=1.0, random_state=17)


def _spanish(data: pd.Series) -> list[str]:
    return [localise(from_data(json.loads(d)), "es") for d in data]


def test_the_localised_basis_of_a_subset_is_the_classifiers_own(run):
    parcels, res, review = run
    rows = _subset(review)
    assert rows[CATEGORY].nunique() >= 4 and (rows[KIND] == SITE_KIND).sum() >= 20
    got = basis_in(rows, sites=res.sites, parcels=parcels, lang="es")
    assert list(got.index) == list(rows.index)

    parcel_rows = rows[rows[KIND] == PARCEL_KIND]
    same = parcels.set_index(parcels[schema.AIN].astype(str)).loc[parcel_rows[RECORD_ID]]
    made = classify_sites(to_analysis(same), parks=None, words=True)  # the same parcels, with their words
    assert list(made[CATEGORY_BASIS]) == list(parcel_rows[CATEGORY_BASIS])  # the review's English is that basis
    assert list(got.loc[parcel_rows.index]) == _spanish(made[CATEGORY_BASIS_DATA])

    site_rows = rows[rows[KIND] == SITE_KIND]
    kept = res.sites.set_index(res.sites[schema.SITE_ID].astype(str)).loc[site_rows[RECORD_ID]]
    assert list(got.loc[site_rows.index]) == _spanish(kept[CATEGORY_BASIS_DATA])
    assert (got != rows[CATEGORY_BASIS]).all()  # every rule's words have Spanish: no row is left in English


def test_english_is_the_rows_themselves(run):
    parcels, res, review = run
    rows = _subset(review)
    assert localise_review(rows, sites=res.sites, parcels=parcels, lang="en") is rows
    assert list(basis_in(rows, sites=res.sites, parcels=parcels, lang="en")) == list(rows[CATEGORY_BASIS])
    spanish = localise_review(rows, sites=res.sites, parcels=parcels, lang="es")
    assert spanish is not rows and list(rows[CATEGORY_BASIS]) == list(_subset(review)[CATEGORY_BASIS])  # no change
    assert spanish.drop(columns=CATEGORY_BASIS).equals(rows.drop(columns=CATEGORY_BASIS))


def test_a_row_whose_words_differ_keeps_its_english(run):
    """Never a translation of something else: an unknown AIN or site, or English that is not the rebuilt one."""
    parcels, res, review = run
    rows = _subset(review).copy()
    first_parcel = rows.index[rows[KIND] == PARCEL_KIND][0]
    first_site = rows.index[rows[KIND] == SITE_KIND][0]
    second_parcel = rows.index[rows[KIND] == PARCEL_KIND][1]
    rows.loc[first_parcel, CATEGORY_BASIS] = "edited by hand"
    rows.loc[first_site, RECORD_ID] = "NO-SUCH-SITE"
    rows.loc[second_parcel, RECORD_ID] = "0000000000"
    got = basis_in(rows, sites=res.sites, parcels=parcels, lang="es")
    for label in (first_parcel, first_site, second_parcel):
        assert got[label] == rows.loc[label, CATEGORY_BASIS]
    others = rows.index.difference([first_parcel, first_site, second_parcel])
    assert (got[others] != rows.loc[others, CATEGORY_BASIS]).all()


def test_slices_change_nothing_and_the_lookup_can_be_shared(run, monkeypatch):
    parcels, res, review = run
    rows = review.iloc[::5]
    whole = basis_in(rows, sites=res.sites, parcels=parcels, lang="es")
    monkeypatch.setattr(review_basis, "WORDS_SLICE", 37)  # many slices of messages, each freed in turn
    sliced = basis_in(rows, sites=res.sites, parcels=parcels, lang="es", keys=parcel_keys(parcels))
    assert sliced.equals(whole)


def test_every_row_goes_through_the_catalogue(run):
    """In the pseudo-language each basis carries the marks: no row escapes translation."""
    parcels, res, review = run
    got = basis_in(_subset(review), sites=res.sites, parcels=parcels, lang=PSEUDO)
    assert got.str.startswith(PSEUDO_OPEN).all()
