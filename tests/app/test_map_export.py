"""`stagemap map`: sites, incidents and gaps written as HTML, filtered by district, logged."""
from __future__ import annotations

import json
import re

import pytest

from stagemap_cli import main


@pytest.mark.parametrize("layer", ["sites", "incidents", "gaps"])
def test_map_export_writes_a_labelled_map(sample_store, tmp_path, layer, capsys):
    out = tmp_path / f"{layer}.html"
    assert main(["map", "--layer", layer, "--out", str(out), "--store", sample_store.url]) == 0
    html = out.read_text()
    assert "SYNTHETIC DEMO DATA" in html and "L.map(" in html
    assert f"wrote {out}" in capsys.readouterr().out
    assert any(e["action"] == f"export.map.{layer}" for e in sample_store.read_audit())


def test_district_filter_keeps_only_that_district(sample_store, tmp_path):
    out = tmp_path / "cd14.html"
    assert main(["map", "--layer", "incidents", "--district", "14", "--out", str(out), "--tiles", "none",
                 "--store", sample_store.url]) == 0
    data = json.loads(re.search(r"var data = (\[.*?\]);", out.read_text(), flags=re.S).group(1))
    incidents = sample_store.read_layer("incidents")
    counted = incidents["relevance"] != "general_crime"  # general crime is context: drawn only with --context
    assert len(data) == int(((incidents["council_district"] == 14) & counted).sum()) > 0
    assert "tile.openstreetmap" not in out.read_text()


def test_bad_arguments_say_what_to_fix(sample_store, tmp_path, capsys):
    assert main(["map", "--layer", "sites", "--district", "99", "--out", str(tmp_path / "x.html"),
                 "--store", sample_store.url]) == 2
    assert "the store has districts" in capsys.readouterr().err
    assert main(["map", "--layer", "sites", "--out", str(tmp_path / "x.png"), "--store", sample_store.url]) == 2
    assert "ending in .html" in capsys.readouterr().err
