"""Nexus-study fee scenarios: per-parcel fees under each basis, checked against the attributable cost.

Each scenario is checked for proportionality: under each basis no parcel's fee may exceed the
cost attributable to it, and revenue may not exceed the total attributable cost.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema
from geo.nexus.costs import PLACEHOLDER, unit_rates
from geo.nexus.rules import NexusRules
from geo.nexus.wording import ALL_CLASSES, SCENARIO_UNITS

BASES = ("per_incident", "per_site", "per_parking_sqft")


def fee_scenarios(inventory: pd.DataFrame, costs: pd.DataFrame, *,
                  rules: NexusRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-parcel fees under each basis and the scenario table with its proportionality check."""
    rates = unit_rates(costs)
    share = float(np.clip(rules.recovery_share, 0.0, 1.0))
    base = inventory[inventory["fee_incidents"] > 0]
    n = base["fee_incidents"].astype(float)
    attributable = n * rates["cost_per_incident_usd"] + rates["cost_per_site_usd"]
    total = float(attributable.sum())
    area = base["est_open_area_sqft"].astype(float)
    per_sqft = share * total / float(area.sum()) if area.sum() > 0 else np.nan
    fees = pd.DataFrame({
        schema.AIN: base[schema.AIN], schema.OWNER_NAME: base[schema.OWNER_NAME], "land_use_class": base["land_use_class"],
        "fee_incidents": base["fee_incidents"], "est_open_area_sqft": area,
        "attributable_cost_usd": attributable.round(2),
        "fee_per_incident_usd": _cents(share * rates["cost_per_incident_usd"] * n),
        "fee_per_site_usd": _cents(pd.Series(share * total / len(base) if len(base) else 0.0, index=base.index)),
        "fee_per_parking_sqft_usd": _cents(per_sqft * area) if area.sum() > 0 else 0.0 * area,
    }).reset_index(drop=True)
    unit = {"per_incident": (share * rates["cost_per_incident_usd"], fees["fee_incidents"]),
            "per_site": (share * total / len(base) if len(base) else np.nan, pd.Series(1.0, index=fees.index)),
            "per_parking_sqft": (per_sqft, fees["est_open_area_sqft"])}
    rows = []
    for basis in BASES:
        rate, units = unit[basis]
        for cls, idx in [(ALL_CLASSES, fees.index), *fees.groupby("land_use_class").groups.items()]:
            fee, cost = fees.loc[idx, f"fee_{basis}_usd"], fees.loc[idx, "attributable_cost_usd"]
            excess = (fee - cost).clip(lower=0)
            rows.append({"basis": basis, "land_use_class": cls, "unit": SCENARIO_UNITS[basis],
                         "rate_usd": round(float(rate), 4) if pd.notna(rate) else np.nan,
                         "units": float(units.loc[idx].sum()), "parcels": len(idx),
                         "revenue_usd": round(float(fee.sum()), 2), "attributable_cost_usd": round(float(cost.sum()), 2),
                         "parcels_fee_exceeds_cost": int((excess > 0.005).sum()),
                         "max_excess_usd": round(float(excess.max()) if len(excess) else 0.0, 2),
                         "proportional": bool((excess <= 0.005).all() and fee.sum() <= cost.sum() + 0.01)})
    scen = pd.DataFrame(rows)
    scen["uses_placeholders"] = bool((costs["status"] == PLACEHOLDER).any())
    return fees, scen


def _cents(usd: pd.Series) -> pd.Series:
    """Round fees down to whole cents, so rounding never lifts a fee above its cost."""
    return np.floor(usd.astype(float) * 100 + 1e-6) / 100
