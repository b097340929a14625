"""Before/after (difference in differences): recovers a planted effect, says "too few" on sparse data."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.analysis.before_after import FEWER, TOO_FEW, UNCLEAR, EffectRules, before_after
from geo.errors import AccessDenied
from geo.services.effects import effect_csv, effect_tables
from stagemap_cli.main import main
from tests.actors import ADMIN, PLANNER
from tests.conftest import canonical_frame

FT = 1 / 302_000  # degrees per foot (about, at 34 N)
PROTECTED = dt.date(2026, 3, 1)
AS_OF = dt.date(2026, 6, 15)
RULES = EffectRules(radius_ft=300, window_days=90, min_events=20)


def world(n_treated: int, n_comparison: int, *, before: float, after_treated: float, after_comparison: float,
          seed: int = 17):
    """Sites a mile apart; events near each at Poisson rates per 90-day window (a planted effect)."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_comparison
    centres = [(-118.40 + (i % 10) * 5280 * FT, 34.00 + (i // 10) * 5280 / 364_000) for i in range(n)]
    sites = canonical_frame(schema.SITES, [shapely.box(x, y, x + 100 * FT, y + 100 / 364_000) for x, y in centres],
                            site_id=[f"S{i:02d}" for i in range(n)],
                            owning_dept=["Recreation and Parks (RAP)" if i % 2 else "Airports (LAWA)" for i in range(n)],
                            area_sqft=100.0, site_origin="asset_list")
    protected = pd.Series([PROTECTED if i < n_treated else None for i in range(n)])
    points, times = [], []
    for i, (x, y) in enumerate(centres):
        for start, rate in ((PROTECTED - dt.timedelta(days=90), before),
                            (PROTECTED, after_treated if i < n_treated else after_comparison)):
            for _ in range(rng.poisson(rate)):
                points.append(shapely.Point(x + rng.uniform(0, 150) * FT, y))
                times.append(pd.Timestamp(start, tz="America/Los_Angeles") + pd.Timedelta(hours=12)
                             + pd.Timedelta(days=int(rng.integers(0, 90))))
    events = canonical_frame(schema.INCIDENTS, points, incident_id=[f"I{k}" for k in range(len(points))],
                             occurred_at=[t.tz_convert("UTC") for t in times], incident_type="staging_area",
                             verification_status="unverified", source_type="public", warrant_shown="unknown")
    return sites, protected, events


def test_a_planted_drop_is_recovered_with_an_interval_that_holds_it():
    sites, protected, events = world(30, 30, before=6, after_treated=2, after_comparison=6)
    summary, per_site = before_after(sites, protected, events, as_of=AS_OF, rules=RULES)
    city = summary[summary["scope"] == "citywide"].iloc[0]
    assert city["verdict"] == FEWER and city["ci_low"] <= -4 <= city["ci_high"] and city["ci_high"] < 0
    assert city["treated_sites"] == 30 and city["comparison_sites"] == 30
    assert len(per_site) == 30 and set(summary["scope"]) == {"citywide", "department", "site"}
    assert (summary.loc[summary["scope"] == "site", "verdict"] == TOO_FEW).all()  # one site alone: too few


def test_no_planted_effect_gives_no_clear_change():
    sites, protected, events = world(30, 30, before=6, after_treated=6, after_comparison=6, seed=5)
    summary, _ = before_after(sites, protected, events, as_of=AS_OF, rules=RULES)
    city = summary[summary["scope"] == "citywide"].iloc[0]
    assert city["verdict"] == UNCLEAR and city["ci_low"] < 0 < city["ci_high"]


def test_sparse_data_says_too_few_events_to_say():
    sites, protected, events = world(3, 3, before=1, after_treated=0.5, after_comparison=1)
    summary, _ = before_after(sites, protected, events, as_of=AS_OF, rules=RULES)
    assert (summary["verdict"] == TOO_FEW).all() and summary["did"].isna().all() and summary["ci_low"].isna().all()
    early, _ = before_after(*world(30, 30, before=6, after_treated=2, after_comparison=6), as_of=dt.date(2026, 4, 1),
                            rules=RULES)  # the after window has not passed yet: nothing is treated
    assert early.iloc[0]["treated_sites"] == 0 and early.iloc[0]["verdict"] == TOO_FEW


@pytest.fixture
def planted(store):
    sites, protected, events = world(20, 20, before=6, after_treated=1, after_comparison=6, seed=3)
    status = pd.DataFrame({schema.SITE_ID: sites[schema.SITE_ID], schema.SIGN_STATUS: ["posted" if d else "none"
                                                                                      for d in protected],
                           schema.SIGN_POSTED_ON: protected, schema.GATE_STATUS: "unknown", schema.VERSION: 1})
    for c in schema.STATUS_COLUMNS:
        if c.name not in status:
            status[c.name] = None
    store.write_layers({schema.SITES: sites, schema.INCIDENTS: events}, status=status)
    return store


def test_the_service_is_internal_and_the_csv_is_audited(planted, tmp_path):
    summary, _ = effect_tables(planted, PLANNER, as_of=AS_OF, rules=RULES)
    assert summary.iloc[0]["verdict"] == FEWER
    with pytest.raises(AccessDenied):
        effect_tables(planted, Actor("p", "public"), as_of=AS_OF)
    data = effect_csv(planted, ADMIN, as_of=AS_OF, rules=RULES).decode()
    assert "did" in data and "fewer events after protection" in data
    assert any(e["action"] == "export.before_after" for e in planted.read_audit())
    assert main(["effects", "--as-of", AS_OF.isoformat(), "--radius-ft", "300", "--out", str(tmp_path),
                 "--store", planted.url]) == 0
    assert list(tmp_path.glob("*.csv"))
