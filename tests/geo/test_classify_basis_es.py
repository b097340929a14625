"""The site category's basis in Spanish: one hand-made site per rule and variant.

``category_basis`` stays the English text, exactly as before (``tests/geo/data/classify_basis_en.json`` was
written by the classifier before its words became messages); ``category_basis_data`` keeps the message, and
read back and localised it is Spanish: no English sequence of the rule's words is left in it.
"""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from geo import schema
from geo.analysis import classify_words
from geo.analysis.classify import CATEGORY_LABELS, CLASS_COLUMNS, classify_sites
from geo.i18n import localise
from geo.messages import Message, from_data
from tests.geo import town
from tests.geo.classify_basis_cases import CASES, case_sites

EXPECTED: dict[str, list[str]] = json.loads((Path(__file__).parent / "data" / "classify_basis_en.json").read_text())
TEMPLATES = [v for v in vars(classify_words).values() if isinstance(v, str) and not v.startswith("geo.")]
TEMPLATES += [t for pair in classify_words.SAID.values() for t in pair] + list(CATEGORY_LABELS.values())


def _english_runs(n: int = 3) -> set[str]:
    """Every run of ``n`` consecutive words in the literal text of the English templates."""
    runs: set[str] = set()
    for template in TEMPLATES:
        for literal, *_field in string.Formatter().parse(template):
            words = re.findall(r"[a-z]+(?:-[a-z]+)*", literal.lower())
            runs.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return runs


RUNS = _english_runs()


def _classified() -> pd.DataFrame:
    cases, sites = case_sites(), town.sites()
    got = pd.concat([classify_sites(cases).set_axis(cases[schema.SITE_ID]),
                     classify_sites(sites, parks=town.parks()).set_axis("town " + sites[schema.SITE_ID])])
    return got


@pytest.fixture(scope="module")
def classified() -> pd.DataFrame:
    return _classified()


def test_every_rule_is_covered_and_english_is_unchanged(classified):
    assert set(classified.index) == set(EXPECTED) and len(CASES) + 7 == len(EXPECTED)
    assert list(classified.columns) == list(CLASS_COLUMNS)
    for key, (category, source, basis) in EXPECTED.items():
        row = classified.loc[key]
        assert (row["category"], row["category_source"], row["category_basis"]) == (category, source, basis), key
        assert type(row["category_basis"]) is str  # a plain text column, as exports and Parquet had it
    assert set(classified["category_source"]) == {"asset", "name", "description", "use_code", "overlay", "none"}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_basis_data_reads_back_and_localises_to_spanish(classified, key):
    row = classified.loc[key]
    message = from_data(json.loads(row["category_basis_data"]))
    assert isinstance(message, Message) and str(message) == row["category_basis"]
    spanish = localise(message, "es")
    assert spanish != row["category_basis"]
    left = [run for run in RUNS if run in spanish.lower()]
    assert not left, (spanish, left)
    assert localise(message, "en") == row["category_basis"]


def test_spanish_words_of_some_rules():
    got = _classified()
    es = {k: localise(from_data(json.loads(d)), "es") for k, d in got["category_basis_data"].items()}
    assert es["asset type"] == "tipo de activo del departamento 'LADOT parking lot' -> estacionamiento"
    assert es["parking code, booth"].startswith("el código de uso 2700 es 27xx (estacionamiento); superficie construida")
    assert "8.3 acres (>= 5 acres) -> terreno público abierto extenso" in es["public open land"]
    assert es["town S3"] == "100 % del área del sitio dentro de los límites de parques (>= 50%)"


def test_english_words_are_the_same_text_without_messages(classified):
    """``words="english"`` (the review frame's County of parcels) is the same English, as plain strings."""
    cases = case_sites()
    got = classify_sites(cases, words="english").set_axis(cases[schema.SITE_ID])
    assert list(got.columns) == ["category", "category_source", "category_basis"]
    assert got["category_basis"].tolist() == classified.loc[got.index, "category_basis"].tolist()
    assert not any(isinstance(b, Message) for b in got["category_basis"])
    assert classify_words.PLAIN.get() is False  # the mode ends with the call


def test_without_words_only_the_category_is_built():
    sites = case_sites()
    got = classify_sites(sites, words=False)
    assert list(got.columns) == ["category", "category_source"]
    pd.testing.assert_frame_equal(got, classify_sites(sites)[["category", "category_source"]])


def test_basis_data_survives_the_persisted_run_and_restatus(store):
    import datetime as dt

    from geo.analysis.analyze import AnalysisConfig
    from geo.services import persisted
    from geo.services.analysis import analysis_inputs, analyze_inputs
    from geo.synthetic import generate_sample

    sample = generate_sample(n_parcels=800, n_incidents=300)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    day, config = dt.date(2026, 10, 31), AnalysisConfig()
    run = analyze_inputs(analysis_inputs(store), as_of=day, config=config)
    assert persisted.save_result(store, run, version=store.data_version(), config=config,
                                 token=persisted.status_token(store)) is not None
    loaded = persisted.load_result(store, version=store.data_version(), as_of=day, config=config)
    assert loaded is not None
    back = loaded[0]
    restated = persisted.restatus(back, store.read_status(), store.read_overrides(), config=config,
                                  control=store.read_control(), parts=store.read_parts(),
                                  listed=store.read_layer(schema.SITES))
    for res in (back, restated):
        sites = res.sites.sort_index()
        pd.testing.assert_series_equal(sites["category_basis_data"], run.sites.sort_index()["category_basis_data"])
        texts = [localise(from_data(json.loads(d)), "es") for d in sites["category_basis_data"]]
        assert all(t != e for t, e in zip(texts, sites["category_basis"], strict=True))
