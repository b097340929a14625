"""User-facing errors raised in geo/ can be shown in Spanish: their text is built with ``geo.messages.M``.

A page shows an error through ``geo.i18n.localise`` (``ui.i18n.error_text``), which translates the template and
fills in the values; an error raised with an f-string could only ever be shown in English.
"""
from __future__ import annotations

import ast
import importlib
import pickle
from pathlib import Path

import pytest

from geo import i18n
from geo.errors import AccessDenied, GeoDataError, SchemaError
from geo.messages import M, Message, join, message_of

GEO = Path(__file__).resolve().parents[2] / "geo"
#: Builders whose result is a translatable message.
BUILDERS = {"M", "join", "message_of", "Message"}
PACKAGES = sorted({p.relative_to(GEO).parts[0] for p in GEO.rglob("*.py")
                   if "locale" not in p.parts and "migrations" not in p.parts})


def _module_name(path: Path) -> str:
    rel = path.relative_to(GEO.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _user_facing(module: object, name: str) -> bool:
    cls = getattr(module, name, None)
    return isinstance(cls, type) and issubclass(cls, GeoDataError | AccessDenied)


def _plain_text(node: ast.AST | None) -> bool:
    """True for an f-string, a string literal or a concatenation/format of them."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left) or _plain_text(node.right)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join")


def _assigned(func: ast.AST, name: str) -> list[ast.AST]:
    return [n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]


def offenders(package: str) -> list[str]:
    """``path:line`` of every user-facing raise in ``geo/<package>`` whose message is plain English text."""
    bad = []
    paths = [GEO / package] if (GEO / package).is_file() else sorted((GEO / package).rglob("*.py"))
    for path in paths:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        module = importlib.import_module(_module_name(path))
        scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)] + [tree]
        for scope in scopes:
            for node in ast.walk(scope):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if not _user_facing(module, name) or not node.exc.args:
                    continue
                arg = node.exc.args[0]
                if isinstance(arg, ast.Name):
                    plain = any(_plain_text(v) for v in _assigned(scope, arg.id))
                else:
                    plain = _plain_text(arg)
                if plain:
                    bad.append(f"{path.relative_to(GEO.parent)}:{node.lineno}")
    return sorted(set(bad))


@pytest.mark.parametrize("package", PACKAGES)
def test_user_facing_errors_are_built_with_M(package):
    bad = offenders(package)
    assert not bad, (f"{len(bad)} user-facing error(s) raised with plain English text; build the message with "
                     "geo.messages.M(template, **values) and give the template Spanish:\n" + "\n".join(bad))


def test_a_message_is_its_english_text_and_translates_template_first():
    msg = M("Sign {status} for site {site}.", status="Posted", site="S-1")
    assert msg == "Sign Posted for site S-1." and isinstance(msg, str)
    assert (msg.template, dict(msg.values)) == ("Sign {status} for site {site}.", {"status": "Posted", "site": "S-1"})
    # values are data: never translated, even when a value happens to be a catalogue entry
    assert i18n.localise(M("{x}", x="Gate"), "es") == "Gate"
    assert i18n.localise("plain text", "es") == "plain text"


def test_localise_translates_nested_messages_and_exceptions(monkeypatch):
    table = {"Row {row}: {problem}": "Fila {row}: {problem}", "the AIN is empty": "el AIN está vacío",
             "{n:,} rows": "{n:,} filas"}
    monkeypatch.setattr(i18n, "catalogue", lambda lang: table if lang == "es" else {})
    exc = SchemaError(M("Row {row}: {problem}", row=7, problem=M("the AIN is empty")))
    assert str(exc) == "Row 7: the AIN is empty"
    assert i18n.localise(exc, "es") == "Fila 7: el AIN está vacío"
    assert i18n.localise(exc, "en") == "Row 7: the AIN is empty"
    assert i18n.localise(M("{n:,} rows", n=12000), "es") == "12,000 filas"
    both = join([M("the AIN is empty"), "plain"], sep=" | ")
    assert both == "the AIN is empty | plain" and i18n.localise(both, "es") == "el AIN está vacío | plain"
    assert i18n.localise(ValueError("third-party detail"), "es") == "third-party detail"
    # pseudo-language: the template went through the catalogue
    assert i18n.localise(M("the AIN is empty"), i18n.PSEUDO).startswith(i18n.PSEUDO_OPEN)


def test_a_translation_that_lost_a_field_falls_back_to_english(monkeypatch):
    monkeypatch.setattr(i18n, "catalogue", lambda lang: {"Row {row}.": "Fila {fila}."})
    assert i18n.localise(M("Row {row}.", row=3), "es") == "Row 3."


def test_messages_survive_pickling_and_message_of_finds_them():
    exc = SchemaError(M("Row {row}: {problem}", row=7, problem=M("the {{AIN}} is empty")))
    back = pickle.loads(pickle.dumps(exc))
    inner = message_of(back)
    assert isinstance(inner, Message) and inner == "Row 7: the {AIN} is empty"
    assert isinstance(inner.values["problem"], Message)
    assert message_of(ValueError("x")) == "x" and not isinstance(message_of(ValueError("x")), Message)


def test_an_edit_description_reads_field_names_and_codes_in_the_language():
    """The stale-save message names the newer edit; its fields and coded values are translated with it."""
    from geo.analysis.labels import describe_edits
    from geo.records import Edit

    edits = [Edit("SYN-1", 2, "bo", "2026-11-30T16:35:00Z",
                  {"sign_status": ("unknown", "posted"), "gate_status": ("closed_locked", "{odd} text")})]
    text = describe_edits(edits)
    assert text == ("version 2 by bo at 2026-11-30 08:35 PST (-08:00): Sign Not known -> Posted; "
                    "Gate Closed and locked -> {odd} text")
    spanish = i18n.localise(text, "es")
    assert spanish.startswith("versión 2 por bo") and "Letrero No se sabe -> Colocado" in spanish
    assert "{odd} text" in spanish  # data stays as typed, braces and all
    assert describe_edits([]) == ""


def test_scene_record_problems_read_in_spanish():
    from geo import duties

    problems = duties.scene_problems({"incident_id": "I-7", duties.VIDEO_PRESERVED: "yes"})
    assert problems[0] == ("Scene of I-7: video_preserved is yes but video_ref is empty; give the repository "
                           "reference (B.1).")
    assert i18n.localise(problems[0], "es").startswith("Escena de I-7: video_preserved es sí")


def test_messages_kept_as_data_come_back_as_messages(tmp_path, monkeypatch):
    """The tile build's progress file (JSON) keeps a step's template: the app shows it in Spanish."""
    from geo.messages import from_data, to_data
    from geo.tiles.archive import tile_location

    step = M("Row {row}: {problem}", row=7, problem=M("the {{AIN}} is empty"))
    back = from_data(to_data(step))
    assert isinstance(back, Message) and back == step and isinstance(back.values["problem"], Message)
    assert from_data(to_data("plain")) == "plain"
    monkeypatch.setenv("STAGEMAP_PARCEL_TILES_DIR", str(tmp_path / "static" / "tiles"))
    monkeypatch.setenv("STAGEMAP_PARCEL_TILES_URL", "http://127.0.0.1/tiles")
    location = tile_location(tmp_path, "k")
    location.report(3, 0.5, M("writing the parcels for tippecanoe"), started=0.0,
                    error=M("{kind}: {why}", kind="OSError", why=M("failed")))
    status = location.status()
    assert status is not None and status.step == "writing the parcels for tippecanoe"
    assert isinstance(status.step, Message) and isinstance(status.error, Message)
    assert i18n.localise(status.step, "es") != status.step and i18n.localise(status.error, "es") == "OSError: falló"


def test_a_role_reads_as_its_code_in_english_and_its_name_in_spanish():
    from geo.access.roles import Actor, authorize

    with pytest.raises(AccessDenied) as denied:
        authorize(Actor("pat", "planner"), "edit_status")
    assert str(denied.value).startswith("The planner role may not ")  # English unchanged: the code
    spanish = i18n.localise(denied.value, "es")
    assert "Personal de Planificación" in spanish and "planner" not in spanish
    assert pickle.loads(pickle.dumps(message_of(denied.value))) == str(denied.value)
