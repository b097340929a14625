"""The Spanish catalogue is complete and sound: the arbiter for every marked string in the code.

Fails the build when a string marked with ``_()``/``N_()`` anywhere (geo/, ui/, layers/, stagemap_cli/,
app_pages/, streamlit_app.py) has no Spanish, when a translation changes a ``{placeholder}``, when a .po
file does not parse, or when a marked call translates something other than one literal template.
"""
from __future__ import annotations

import ast
import re

import pytest
from babel.messages.pofile import read_po

from geo import i18n
from tools import i18n_catalog as cat


@pytest.mark.parametrize("area", sorted(cat.AREAS))
def test_every_marked_string_has_spanish(area):
    gaps = cat.missing(area)
    assert not gaps, (f"{len(gaps)} marked string(s) in {area} have no Spanish; run `python -m tools.i18n_catalog "
                      f"update --area {area}` and translate them:\n" + "\n".join(
                          f"{m.path}:{m.line} {m.msgid!r}" for m in gaps[:40]))


def test_placeholders_survive_translation():
    assert cat.placeholder_mismatches() == []


def test_po_files_parse_and_entries_are_usable():
    paths = sorted(cat.LOCALE.glob("*.po"))
    assert {p.stem for p in paths} >= {"core"}
    for path in paths:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="es", abort_invalid=True)
        assert str(catalog.locale) == "es"
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        assert not fuzzy, f"{path.name}: fuzzy entries are ignored at run time: {fuzzy[:5]}"
        for message in catalog:
            if message.id and message.string:
                assert message.string.strip(), f"{path.name}: blank Spanish for {message.id!r}"


def test_a_msgid_in_two_po_files_reads_the_same_in_both():
    """The .po files are merged in name order: two different Spanish texts for one msgid would depend on it."""
    seen: dict[str, dict[str, str]] = {}
    for path in sorted(cat.LOCALE.glob("*.po")):
        for message in cat.read_catalog(path):
            if message.id and isinstance(message.id, str) and message.string:
                seen.setdefault(message.id, {})[path.name] = str(message.string)
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not clashes, f"{len(clashes)} msgid(s) translated differently in two .po files: {list(clashes.items())[:5]}"


def test_machine_translations_are_flagged_for_review():
    for path in sorted(cat.LOCALE.glob("*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="es")
        unflagged = [m.id for m in catalog if m.id and m.string and cat.REVIEW not in m.auto_comments
                     and cat.REVIEW not in m.user_comments]
        assert not unflagged, f"{path.name} entries without '#. {cat.REVIEW}': {unflagged[:5]}"


def _marked_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in ("_", "N_")]


@pytest.mark.parametrize("area", sorted(cat.AREAS))
def test_marked_calls_translate_one_template(area):
    """``_(f"...")``, ``_("a" + b)`` or ``_("...".format())`` would never match a catalogue entry."""
    bad = []
    for path in cat.python_files(area):
        for call in _marked_calls(ast.parse(path.read_text(), filename=str(path))):
            arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
            if not isinstance(arg, ast.Constant | ast.Name | ast.Attribute | ast.Subscript | ast.Call) or \
                    (isinstance(arg, ast.Constant) and not isinstance(arg.value, str)) or \
                    (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"):
                bad.append(f"{path.relative_to(cat.ROOT)}:{call.lineno}")
    assert not bad, "translate the template, then fill it: " + ", ".join(bad)


def test_extraction_finds_both_keywords(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text('from geo.i18n import N_\nA = N_("Gate")\n\n\ndef f(_):\n'
                                   '    return _("{n} sites signed").format(n=2), _(A)\n')
    monkeypatch.setattr(cat, "ROOT", tmp_path)
    monkeypatch.setitem(cat.AREAS, "core", ("m.py",))
    assert [m.msgid for m in cat.extract("core")] == ["Gate", "{n} sites signed"]


def test_update_keeps_translations_and_drops_none_silently(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text('_("Sign")\n_("Gate")\n')
    monkeypatch.setattr(cat, "ROOT", tmp_path)
    monkeypatch.setattr(cat, "LOCALE", tmp_path / "LC_MESSAGES")
    monkeypatch.setitem(cat.AREAS, "core", ("m.py",))
    cat.LOCALE.mkdir()
    cat.po_path("core").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                                   '#. machine translation: review\nmsgid "Sign"\nmsgstr "Letrero"\n\n'
                                   'msgid "Old"\nmsgstr "Viejo"\n')
    added, unused = cat.update("core")
    assert (added, unused) == (["Gate"], ["Old"])
    catalog = cat.read_catalog(cat.po_path("core"))
    assert catalog.get("Sign").string == "Letrero" and cat.REVIEW in catalog.get("Sign").auto_comments
    assert catalog.get("Old").string == "Viejo"  # kept (and listed) unless --prune
    assert catalog.get("Gate").string == ""
    assert [m.msgid for m in cat.missing("core")] == ["Gate"]
    cat.update("core", prune=True)
    assert cat.read_catalog(cat.po_path("core")).get("Old") is None


def test_translate_normalise_pseudo():
    assert i18n.normalise("es-MX") == "es" and i18n.normalise("ES_us") == "es"
    assert i18n.normalise(None) == "en" and i18n.normalise("fr") == "en" and i18n.normalise("") == "en"
    assert i18n.normalise("qps") == i18n.PSEUDO
    some_id, some_es = next(iter(i18n.catalogue("es").items()))
    assert i18n.translate(some_id, "es") == some_es and i18n.translate(some_id, "en") == some_id
    assert i18n.translator("es-419")(some_id) == some_es
    assert i18n.translate("never marked anywhere 123", "es") == "never marked anywhere 123"  # falls back
    wrapped = i18n.translate(some_id, i18n.PSEUDO)
    assert wrapped == i18n.PSEUDO_OPEN + some_es + i18n.PSEUDO_CLOSE
    assert i18n.N_("Gate") == "Gate" and i18n.catalogue("en") == {}


def test_the_city_terms_are_used_consistently():
    """Council district: "Distrito del Concejo Municipal"; sign: "letrero"; gate: "portón" (i18n_api.md)."""
    spanish = cat.merged()
    district = [k for k, v in spanish.items() if "council district" in k.lower()
                and "concejo municipal" not in v.lower()]
    sign = [k for k, v in spanish.items() if re.search(r"\bsign(s|ed)?\b", k, re.I) and not re.search(
        r"sign[ -](in|out|ed in)|signage", k, re.I) and re.search(r"\b(cartel|señal)\w*", v, re.I)]
    gate = [k for k, v in spanish.items() if re.search(r"\bgates?\b", k, re.I) and re.search(r"\b(puerta|reja)", v, re.I)]
    assert (district, sign, gate) == ([], [], [])


def test_marked_copies_of_ground_labels_stay_equal():
    """The ground (geo.schema) imports no translations: its labels are marked again elsewhere, word for word."""
    from geo import schema
    from geo.labels import RELEVANCE_WORDS
    from geo.reports.monthly import CONDUCT_WORDS

    assert RELEVANCE_WORDS == schema.RELEVANCE_LABELS
    assert list(CONDUCT_WORDS) == list(schema.CONDUCT_LABELS.values())
