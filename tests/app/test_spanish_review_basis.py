"""AppTest: the Parcel review's table and downloads show each row's category basis in the session's language.

In Spanish, every parcel row's basis is the Spanish of the words ``classify_sites(words=True)`` makes for that
parcel, and every site row's basis is a site basis in Spanish (not English), in the table and in the CSV and
GeoJSON downloads. In English the page hands the table and the downloads the very rows it had before (the same
objects: byte for byte the English table and files), and their basis is the classifier's English.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import ui.review_detail
import ui.review_words
from geo import i18n, schema
from geo.analysis.classify import CATEGORY_BASIS, CATEGORY_BASIS_DATA, classify_sites
from geo.analysis.labels import header
from geo.crs import to_analysis
from geo.messages import from_data
from tests.app.test_readable import CELLS
from tests.app.test_spanish import _page
from ui import state

ROLE = next(r for r, p in CELLS if p == "review")


class _Spy:
    """Records each call's result of a real function (it still runs; nothing is replaced)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func, self.calls = func, []  # type: list[tuple[tuple[Any, ...], Any]]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.func(*args, **kwargs)
        self.calls.append((args, out))
        return out


def _spanish(data: pd.Series) -> list[str]:
    return [i18n.localise(from_data(json.loads(d)), "es") for d in data]


def _expected(store: Any) -> tuple[dict[str, str], dict[str, str], set[str], set[str]]:
    """(parcel AIN -> Spanish basis, AIN -> English basis, the sites' Spanish bases, the sites' English bases)."""
    parcels = store.read_layer(schema.PARCELS)
    made = classify_sites(to_analysis(parcels), parks=None, words=True)
    ains = parcels[schema.AIN].astype(str)
    sites = classify_sites(to_analysis(store.read_layer(schema.SITES)),
                           parks=to_analysis(store.read_layer(schema.PARKS)))
    return (dict(zip(ains, _spanish(made[CATEGORY_BASIS_DATA]), strict=True)),
            dict(zip(ains, made[CATEGORY_BASIS], strict=True)),
            set(_spanish(sites[CATEGORY_BASIS_DATA])), set(sites[CATEGORY_BASIS]))


def _check(ids: pd.Series, basis: pd.Series, site_ids: set[str], parcel_words: dict[str, str], site_words: set[str],
           other_sites: set[str]) -> None:
    """Each row's basis is its parcel's words, or a site's words (and none of the other language's)."""
    is_site = ids.isin(site_ids)
    assert is_site.sum() > 100 and (~is_site).sum() > 1000, (is_site.sum(), len(ids))
    for rid, text in zip(ids[~is_site], basis[~is_site], strict=True):
        assert text == parcel_words[rid], (rid, text)
    for rid, text in zip(ids[is_site], basis[is_site], strict=True):
        assert text in site_words and text not in other_sites, (rid, text)


def _table(at: Any, lang: str) -> pd.DataFrame:
    """The review table as shown (human headers in ``lang``)."""
    want = header(CATEGORY_BASIS, lang)
    return next(t.value for t in at.dataframe if want in t.value.columns)


def _export(at: Any) -> None:
    at.button(key=state.REV_EXPORT).click().run()
    assert not at.exception, at.exception


@pytest.fixture
def spies(monkeypatch):
    found = {name: _Spy(getattr(ui.review_detail, name)) for name in ("to_csv_bytes", "to_geojson_bytes")}
    found["table_rows"] = _Spy(ui.review_words.table_rows)
    found["export_rows"] = _Spy(ui.review_detail.export_rows)
    for name in ("to_csv_bytes", "to_geojson_bytes", "export_rows"):
        monkeypatch.setattr(ui.review_detail, name, found[name])
    monkeypatch.setattr(ui.review_words, "table_rows", found["table_rows"])
    return found


def test_spanish_table_and_downloads_show_the_basis_in_spanish(sample_store, monkeypatch, spies):
    es, _en, site_es, site_en = _expected(sample_store)
    site_ids = set(sample_store.read_layer(schema.SITES)[schema.SITE_ID].astype(str))
    at = _page(ROLE, "review", "es", monkeypatch)
    table = _table(at, "es")
    _check(table[header("record_id", "es")].astype(str), table[header(CATEGORY_BASIS, "es")], site_ids, es, site_es,
           site_en)

    _export(at)
    rid, basis = header("record_id", "es"), header(CATEGORY_BASIS, "es")  # a Spanish CSV has Spanish headers
    csv = pd.read_csv(io.BytesIO(spies["to_csv_bytes"].calls[-1][1]), dtype={rid: str})
    assert "record_id" not in csv.columns and (csv[header("kind", "es")].isin(["Parcela", "Sitio de la Ciudad"])).all()
    _check(csv[rid], csv[basis], site_ids, es, site_es, site_en)
    features = json.loads(spies["to_geojson_bytes"].calls[-1][1])["features"]
    props = pd.DataFrame([f["properties"] for f in features])
    _check(props["record_id"].astype(str), props[CATEGORY_BASIS], site_ids, es, site_es, site_en)


def test_english_table_and_downloads_are_the_rows_as_they_were(sample_store, monkeypatch, spies):
    _es, en, site_es, site_en = _expected(sample_store)
    site_ids = set(sample_store.read_layer(schema.SITES)[schema.SITE_ID].astype(str))
    at = _page(ROLE, "review", "en", monkeypatch)
    (given, *_), shown = spies["table_rows"].calls[-1]
    assert shown is given  # the table's own rows: the English table is unchanged
    table = _table(at, "en")
    _check(table[header("record_id", "en")].astype(str), table[header(CATEGORY_BASIS, "en")], site_ids, en, site_en,
           site_es)

    _export(at)
    (given, *_), exported = spies["export_rows"].calls[-1]
    assert exported is given  # the files are made from the very rows they were made from before
    csv = pd.read_csv(io.BytesIO(spies["to_csv_bytes"].calls[-1][1]), dtype={"record_id": str})
    _check(csv["record_id"], csv[CATEGORY_BASIS], site_ids, en, site_en, site_es)
