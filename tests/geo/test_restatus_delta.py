"""A status save re-statuses only the sites it touches and updates the KPIs by difference, equal to a full rebuild.

A seeded random sequence of sign and gate saves, tier overrides and A.1 determinations, on each
backend: after every step the delta chain (:func:`geo.services.restatus.restatus_delta`) equals
the full rebuild (:func:`geo.services.persisted.restatus`), every table, values and dtypes.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo import schema
from geo.analysis.analyze import AnalysisConfig
from geo.services import persisted
from geo.services.analysis import analysis_inputs, analyze_inputs
from geo.services.restatus import Restated, restatus_delta
from geo.store.migrations.runner import alembic_config, head_revision
from geo.synthetic import generate_sample
from tests.geo.test_partitioned import assert_same

AS_OF = dt.date(2026, 10, 31)
CONFIG = AnalysisConfig()
SIGNS = ("posted", "damaged", "none")
GATES = ("closed_locked", "closed_unlocked", "open")


def rows(store) -> dict[str, pd.DataFrame]:
    return {"status": store.read_status(), "overrides": store.read_overrides(), "control": store.read_control(),
            "parts": store.read_parts()}


@pytest.fixture
def held(any_store):
    sample = generate_sample(n_parcels=1_500, n_incidents=1_200)
    any_store.write_layers(sample.frames, mode="replace", status=sample.status)
    any_store.add_parts(sample.parts.to_dict("records"), user="sample")
    return any_store


def step(store, rng: np.random.Generator) -> None:
    """One random save: a sign and gate status, a tier override or an A.1 determination."""
    status = store.read_status()
    row = status.iloc[int(rng.integers(len(status)))]
    site = str(row[schema.SITE_ID])
    kind = int(rng.integers(3))
    if kind == 0:
        store.save_status(site, {schema.SIGN_STATUS: str(rng.choice(SIGNS)), schema.GATE_STATUS: str(rng.choice(GATES))},
                          expect_version=int(row[schema.VERSION]), user="kim", role="admin")
    elif kind == 1:
        store.set_override(site, str(rng.choice(["high", "medium", "low"])), reason="field visit", user="kim",
                           role="admin")
    else:
        control = store.read_control()
        mine = control[control[schema.SITE_ID] == site]
        version = int(mine[schema.VERSION].iloc[0]) if len(mine) else 0
        change = {schema.DETERMINATION: schema.CANDIDATE} if rng.integers(2) else \
            {schema.DETERMINATION: schema.NOT_CANDIDATE, schema.DETERMINATION_REASON: "a closed reservoir, no access"}
        store.save_control(site, change, expect_version=version, user="kim", role="admin")


@pytest.mark.parametrize("seed", [7, 18])
def test_a_random_sequence_of_saves_gives_the_full_rebuild_after_every_save(held, seed):
    base = analyze_inputs(analysis_inputs(held), as_of=AS_OF, config=CONFIG)
    listed = held.read_layer(schema.SITES)
    rng = np.random.default_rng(seed)
    chain: Restated | None = None
    spliced = 0
    for _ in range(8):
        step(held, rng)
        now = rows(held)
        before = chain
        chain = restatus_delta(chain, base, now["status"], now["overrides"], config=CONFIG, control=now["control"],
                               parts=now["parts"], listed=listed)
        full = persisted.restatus(base, now["status"], now["overrides"], config=CONFIG, control=now["control"],
                                  parts=now["parts"], listed=listed)
        assert_same(chain.res, full)
        spliced += before is not None and chain.res is not before.res
    assert spliced >= 6  # the saves after the first took the delta path


def test_no_change_reuses_the_run_and_a_part_change_rebuilds(held):
    base = analyze_inputs(analysis_inputs(held), as_of=AS_OF, config=CONFIG)
    now = rows(held)
    first = restatus_delta(None, base, now["status"], now["overrides"], config=CONFIG, control=now["control"],
                           parts=now["parts"])
    again = restatus_delta(first, base, now["status"], now["overrides"], config=CONFIG, control=now["control"],
                           parts=now["parts"])
    assert again.res is first.res
    fewer = now["parts"].iloc[1:]
    rebuilt = restatus_delta(first, base, now["status"], now["overrides"], config=CONFIG, control=now["control"],
                             parts=fewer)
    assert_same(rebuilt.res, persisted.restatus(base, now["status"], now["overrides"], config=CONFIG,
                                                control=now["control"], parts=fewer))


def test_the_head_revision_is_read_without_alembic_and_agrees_with_it():
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
