"""Site kinds beyond the five generated categories, so every LA category occurs in the sample.

The plan keeps its five generated categories (placement, sizes, status and determinations follow
them); a few sites are then given another *kind* by their asset type and name: golf courses and
landfill or reservoir land among the largest parks, transit terminals among facilities and vacant
buildings among vacant lots. Parking lots may carry a small booth (a surface lot with a booth is
still a lot). All picks are hashed, so the sample stays deterministic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.synthetic.randomness import u01

LAYER = "variants"
ACRE = 43_560.0
#: kind -> (generated category, how many, smallest area in sq ft, [(department key, asset type, name label)])
VARIANTS: dict[str, tuple[str, int, float, tuple[tuple[str, str, str], ...]]] = {
    "golf_course": ("park", 4, 10 * ACRE, (("RAP", "RAP golf course", "Golf Course"),)),
    "open_land": ("park", 4, 5 * ACRE, (("LASAN", "LASAN closed landfill", "Landfill"),
                                        ("LADWP", "LADWP reservoir land", "Reservoir Land"))),
    "transit_terminal": ("facility", 5, 0.0, (("LADOT", "LADOT transit terminal", "Transit Terminal"),)),
    "vacant_building": ("vacant_lot", 4, 8_000.0, (("GSD", "GSD vacant building", "Vacant Building"),)),
}
BOOTH_SHARE = 0.3  # parking lots with an attendant's booth
BOOTH_SQFT = (60.0, 250.0)


def apply_variants(plan: pd.DataFrame, departments: dict[str, str]) -> pd.DataFrame:
    """Return ``plan`` with ``kind`` and ``label`` columns, and the variants' department and asset type."""
    out = plan.assign(kind=plan["category"].to_numpy(dtype=object), label=None)
    k = np.arange(len(plan))
    taken = np.zeros(len(plan), bool)
    for kind, (category, count, min_area, owners) in VARIANTS.items():
        fits = (plan["category"].to_numpy() == category) & (plan["area"].to_numpy() >= min_area) & ~taken
        order = np.argsort(u01(LAYER, kind, k)[fits], kind="stable")
        chosen = np.flatnonzero(fits)[order[:count]]
        taken[chosen] = True
        for j, i in enumerate(chosen):
            dept, asset, label = owners[j % len(owners)]
            out.iloc[i, out.columns.get_indexer(["kind", "dept", "asset_type", "label"])] = [
                kind, departments[dept], asset, label]
    return out


def booth_sqft(kind: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Return a booth's floor area (sq ft) for some parking lots, else 0."""
    has = (kind == "parking_lot") & (u01(LAYER, "booth", index) < BOOTH_SHARE)
    return np.where(has, np.round(BOOTH_SQFT[0] + (BOOTH_SQFT[1] - BOOTH_SQFT[0]) * u01(LAYER, "booth_sqft", index)),
                    0.0)
