"""data/README.md documents every canonical column with its type."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo import duties, schema

DOC = (Path(__file__).resolve().parents[2] / "data" / "README.md").read_text()


TABLES = {"site_status": schema.STATUS_COLUMNS, "site_control": schema.CONTROL_COLUMNS,
          "site_parts": schema.PART_COLUMNS, "scene_records": duties.SCENE_COLUMNS,
          "referrals": duties.REFERRAL_COLUMNS}


@pytest.mark.parametrize("layer", [*schema.LAYER_COLUMNS, *TABLES])
def test_every_column_is_documented(layer):
    section = DOC.split(f"## `{layer}`")[1].split("\n## ")[0]
    cols = TABLES[layer] if layer in TABLES else schema.LAYER_COLUMNS[layer]
    for col in cols:
        assert f"| `{col.name}` | {col.kind} |" in section, f"{layer}.{col.name} missing from data/README.md"
