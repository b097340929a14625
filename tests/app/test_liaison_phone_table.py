"""AppTest: the Liaison's site list fits a phone: the gate reads in the label table's short words, the name is capped.

On a 390 px phone the list showed the name, the sign and a cut-off gate ("Closed and locked", "Cerrado con llave"):
reading the gate took a sideways scroll. The gate column now reads in :data:`geo.labels.SHORT` (``Locked``,
``Unlocked``; the other codes as everywhere) and the name column is capped at 170 px (a wide screen shares out the
rest), in English and in Spanish; each site's gate still reads as its own status.
"""
from __future__ import annotations

import json

import pytest

from geo import i18n, schema
from geo.analysis.labels import header, label
from geo.labels import SHORT
from tests.app.test_spanish import _page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_gate_reads_short_and_the_name_is_capped(sample_store, monkeypatch, lang):
    at = _page("liaison", "liaison", lang, monkeypatch)
    gate, name = header(schema.GATE_STATUS, lang), header(schema.NAME, lang)
    table = next(t for t in at.dataframe if gate in t.value.columns and name in t.value.columns)
    assert json.loads(table.proto.columns)[name]["width"] == 170, table.proto.columns

    status = sample_store.read_status().set_index(schema.SITE_ID)[schema.GATE_STATUS]
    words = SHORT[schema.GATE_STATUS]
    rows = table.value[[header(schema.SITE_ID, lang), gate]].itertuples(index=False)
    want = {site: i18n.translate(words[status[site]], lang) if status[site] in words
            else label(status[site], schema.GATE_STATUS, lang) for site in table.value[header(schema.SITE_ID, lang)]}
    assert len(want) >= 5 and {site: shown for site, shown in rows} == want  # each site's own gate status, in its short words
    assert {"closed_locked", "closed_unlocked"} & set(status.loc[list(want)])  # the short words are used here
    longest = max(len(i18n.translate(w, lang)) for w in words.values())
    assert longest < min(len(label(c, schema.GATE_STATUS, lang)) for c in words)  # and shorter than the long ones
