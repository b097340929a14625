"""AppTest: switching to Spanish changes every string of every page (issue 17 item 5).

Every page is walked as every role that may open it (the cells of ``test_readable``), twice:

- in the pseudo-language ``qps`` (:data:`geo.i18n.PSEUDO`), where every string that went through ``_``
  comes back inside the marks; each text a person reads (titles, headers, markdown, captions, alerts,
  widget labels, help texts and options, metric labels and deltas, tabs, expanders, dataframe headers)
  must carry them, except the few texts that are data (listed below with their reason);
- in Spanish, with no exception, the page title Spanish, and no text left equal to an English source
  string that has a Spanish translation.

What the walk cannot reach (a save's confirmation, an edit conflict, an import's outcome) is held by a scan of
the pages' source: every string a page hands to Streamlit goes through ``_``. Maps (iframes), charts and
``st.code`` blocks are not walked. The navigation's titles are checked against the catalogue.
"""
from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo import i18n, schema
from geo.analysis.relevance import enforcement_incidents
from tests.app.test_readable import APP, CELLS, DEPT, DISTRICT, ROOT
from ui import i18n as ui_i18n

# The walk patches ui.i18n.lang; a ui module first imported while it is patched (``from ui.i18n import lang``)
# would keep the walk's language for every later test in this process: import them all before any patch.
for _module in pkgutil.iter_modules(ui.__path__):
    importlib.import_module(f"ui.{_module.name}")

SKIP_TYPES = {"iframe", "component_instance", "arrow_vega_lite_chart", "vega_lite_chart", "code", "divider"}
TEXT_TYPES = {"title", "header", "subheader", "markdown", "caption", "text", "warning", "info", "error", "success",
              "toast"}
#: Choice widgets whose options are data (names, ids, months, codes of the language picker), by key.
DATA_OPTIONS = {
    "lia_dept": "department names", "sit_dept": "department names", "inbox_department": "department names",
    "sit_site": "site id · site name", "selected_site": "site id · site name (· distance, marked)",
    "com_month": "months (YYYY-MM)", "com_pdf_month": "months (YYYY-MM)",
    "com_division_scope": "a month (data) beside a marked option",
    "lang_picker": "each language in its own name (English, Español), never translated",
    "demo_dept": "department names (the demo picker)",
}
#: Texts that are data only (no words of ours), by pattern, with the reason.
DATA_TEXTS = {
    r"[\d\s.,:/%+\-–—·()]*": "numbers, dates and punctuation",
    r"SYN-[\w-]+": "a synthetic site / incident id",
}


def _shown(node: object) -> Iterator[tuple[str, str, str]]:
    """Yield (element type, attribute, text) for every text a person reads under ``node``."""
    kind = str(getattr(node, "type", ""))
    if kind in SKIP_TYPES:
        return
    key = getattr(node, "key", None)
    if kind in TEXT_TYPES:
        yield kind, "body", str(getattr(node, "value", "") or "")
    for attr in ("label", "help", "placeholder"):
        got = getattr(node, attr, None)
        if isinstance(got, str) and got:
            yield kind, attr, got
    if kind == "metric":
        delta = getattr(getattr(node, "proto", None), "delta", "")
        if delta:
            yield kind, "delta", str(delta)
    options = getattr(node, "options", None)
    if isinstance(options, list | tuple) and key not in DATA_OPTIONS:
        yield from ((kind, "option", str(o)) for o in options)
    if kind in {"dataframe", "arrow_data_frame"}:
        yield from ((kind, "header", h) for h in _headers(node))
    for child in getattr(node, "children", {}).values():
        yield from _shown(child)


def _headers(node: object) -> list[str]:
    """Return a table's column headers as shown (an editor's configured labels)."""
    proto = getattr(node, "proto", None)
    try:
        frame = node.value  # type: ignore[attr-defined]
    except Exception:  # some elements compute their value lazily and may not have one
        return []
    if not isinstance(frame, pd.DataFrame):
        return []
    shown = [str(c) for c in frame.columns if not proto or not proto.column_order or c in proto.column_order]
    if proto is not None and proto.editing_mode:  # an editor: the headers are the configured labels
        config = json.loads(proto.columns or "{}")
        return [str(config.get(c, {}).get("label") or c) for c in shown]
    return shown


def is_data(text: str) -> bool:
    """True when ``text`` is data only (see :data:`DATA_TEXTS`)."""
    return any(re.fullmatch(pattern, text.strip()) for pattern in DATA_TEXTS)


def unmarked(at: AppTest) -> list[tuple[str, str, str]]:
    """Return every shown text that did not go through ``_`` (no pseudo-language marks) and is not data."""
    return [(k, a, t) for k, a, t in _shown(at._tree) if i18n.PSEUDO_OPEN not in t and not is_data(t)]


def _page(role: str, page: str, lang: str, monkeypatch: pytest.MonkeyPatch, **state: object) -> AppTest:
    # AppTest re-applies a keyed choice widget's format_func from the test thread, outside any script run, where
    # st.session_state is not the session's: there the session's language is this walk's language too.
    monkeypatch.setattr(ui_i18n, "lang", lambda: lang)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["demo_dept"] = DEPT
    at.session_state["demo_district"] = DISTRICT
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()  # whatever the role's landing page is
    assert not at.exception, (role, page, lang, at.exception)
    return at


def _as_pattern(template: str) -> re.Pattern[str]:
    """Return a regex matching ``template`` filled with any values."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".+".join(re.escape(p) for p in parts), re.S)


def test_the_scan_is_not_blind():
    """The walk reads titles, labels, options, metrics and headers; marks and data are told apart."""
    assert i18n.translate("Overview", i18n.PSEUDO).startswith(i18n.PSEUDO_OPEN)
    assert is_data("1,234 / 2,000") and is_data("SYN-SITE-0007") and not is_data("Parcel review")
    assert _as_pattern("Análisis de brechas: Distrito {district}").fullmatch("Análisis de brechas: Distrito 14")


@pytest.mark.parametrize(("role", "page"), CELLS)
def test_every_string_goes_through_the_translation(sample_store, monkeypatch, role, page):
    at = _page(role, page, i18n.PSEUDO, monkeypatch)
    found = unmarked(at)
    shown = sorted({f"{kind}.{attr}: {text[:120]}" for kind, attr, text in found})
    assert not found, f"{role} on {page}: {len(shown)} text(s) not translated:\n" + "\n".join(shown[:40])


@pytest.mark.parametrize(("role", "page"), CELLS)
def test_every_page_reads_in_spanish(sample_store, monkeypatch, role, page):
    spanish = i18n.catalogue("es")
    asked: set[str] = set()  # every text handed to the translation while the page ran in Spanish
    real = i18n.translate
    monkeypatch.setattr(i18n, "translate", lambda text, lang: (asked.add(text), real(text, lang))[1])
    at = _page(role, page, "es", monkeypatch)
    # a text that went through _ but is no msgid (a constant never marked with N_) would pass the pseudo walk
    # and still show in English: every text asked for in Spanish must have Spanish (or be a number/code)
    missing = sorted(t for t in asked if t not in spanish and re.search(r"[A-Za-z]{3}", t) and not is_data(t))
    assert not missing, f"{role} on {page}: translated but not in the catalogue: {missing[:20]}"
    title = at.title[0].value
    assert any(_as_pattern(es).fullmatch(title) for es in spanish.values()), f"{page}: title not Spanish: {title!r}"
    english = {en for en, es in spanish.items() if en != es and len(en) > 3}  # source strings Spanish changes
    left = sorted({t for _k, _a, t in _shown(at._tree) if t in english})
    assert not left, f"{role} on {page} still shows English: {left[:20]}"


def test_an_opened_incident_reads_translated(sample_store, monkeypatch):
    """An incident picked on the map: its detail table (field names) and the restricted contact panel."""
    incidents = enforcement_incidents(sample_store.read_layer(schema.INCIDENTS))
    picked = str(incidents[schema.INCIDENT_ID].iloc[0])
    at = _page("records", "incidents", i18n.PSEUDO, monkeypatch, inc_period="All", selected_incident=picked)
    assert any(picked in s.value for s in at.subheader), "the incident's detail is shown"
    found = unmarked(at)
    assert not found, found
    detail = next(t for t in at.dataframe if len(t.value) >= 10).value  # field / value
    assert all(i18n.PSEUDO_OPEN in str(v) for v in detail.iloc[:, 0]), list(detail.iloc[:, 0])


#: Streamlit calls whose first argument (and these keywords) a person reads.
SHOWN_CALLS = {"title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success",
               "toast", "metric", "button", "download_button", "form_submit_button", "selectbox", "multiselect",
               "radio", "checkbox", "toggle", "text_input", "text_area", "number_input", "date_input", "time_input",
               "slider", "select_slider", "file_uploader", "camera_input", "segmented_control", "pills", "expander",
               "tabs", "spinner", "status", "popover", "link_button", "page_link"}
SHOWN_KEYWORDS = {"label", "help", "placeholder", "text", "delta", "caption"}
CHOICE_CALLS = {"selectbox", "multiselect", "radio", "segmented_control", "pills", "select_slider"}


def _bare_text(node: ast.expr) -> bool:
    """True for a string a person would read that skips ``_``: a literal with words, or an f-string."""
    if isinstance(node, ast.JoinedStr):  # words of ours between the filled-in values
        return any(_bare_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2}", node.value))
    if isinstance(node, ast.BinOp):  # "**" + _("...") + "**": each side on its own
        return _bare_text(node.left) or _bare_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _bare_text(node.func.value)  # "... {n} ...".format(n=n) without _ around the template
    if isinstance(node, ast.List | ast.Tuple):  # st.tabs([...])
        return any(_bare_text(e) for e in node.elts)
    return False


def bare_texts(source: str, name: str) -> list[str]:
    """Return ``file:line call`` for each shown string in ``source`` that does not go through ``_``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SHOWN_CALLS):
            continue
        first = node.args[:1] if node.func.attr != "page_link" else []  # a page link's first argument is a path
        shown = list(first) + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        if node.func.attr in CHOICE_CALLS and len(node.args) > 1 and not any(k.arg == "format_func" for k in node.keywords):
            shown.append(node.args[1])  # options shown as they are
        found.extend(f"{name}:{node.lineno} {node.func.attr}" for arg in shown if _bare_text(arg))
    return found


def test_the_source_scan_is_not_blind():
    code = 'st.title("Plain")\nst.caption(f"{n} sites")\nst.metric(_("Ok"), 3, help="bare")\nst.tabs(["Ab c", _("C")])\n' \
           'st.markdown("**" + _("Fine") + "**")\nst.error(md_escape(exc))\nst.button(_("Fine"), key="k_1")\n' \
           'st.error(f"{title} {md_escape(exc)}")\nst.page_link("app_pages/x.py", label=_("Go"))\n' \
           'st.radio(_("Pick"), ["one", "two"])\nst.radio(_("Pick"), ["one"], format_func=lambda v: _(NAMES[v]))\n' \
           'st.info("{n} left".format(n=n))\nst.info(_("{n} left").format(n=n))\n'
    assert bare_texts(code, "x") == ["x:1 title", "x:2 caption", "x:3 metric", "x:4 tabs", "x:10 radio",
                                      "x:12 info"]


def test_no_page_shows_a_string_without_translation():
    """Every string a page or the router passes to Streamlit goes through ``_`` (a static scan of the source)."""
    files = [*sorted((ROOT / "app_pages").glob("*.py")), ROOT / "streamlit_app.py"]
    found = [hit for path in files for hit in bare_texts(path.read_text(encoding="utf-8"), path.name)]
    assert not found, found


def test_navigation_titles_are_spanish():
    """The navigation's page titles (streamlit_app.PAGES, from geo.labels.PAGE_WORDS) all have Spanish."""
    from geo.access.roles import PAGES
    from geo.labels import PAGE_WORDS

    text = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert set(re.findall(r'PAGE_WORDS\["(\w+)"\]', text)) == set(PAGES) == set(PAGE_WORDS)
    titles = list(PAGE_WORDS.values())
    untranslated = [t for t in titles if i18n.translate(t, "es") == t]
    assert not untranslated, untranslated


def test_every_map_a_page_builds_is_given_the_language():
    """A map's legend and layer names live in its iframe, where the walks cannot read: every call a page makes to
    a layers/ builder that takes ``lang`` must pass it (the Overview map once drew an English legend in Spanish)."""
    import ast
    import importlib
    import inspect

    missing = []
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        builders: dict[str, object] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("layers"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    builders[alias.asname or alias.name] = getattr(module, alias.name, None)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in builders:
                target = builders[node.func.id]
                try:
                    takes_lang = callable(target) and "lang" in inspect.signature(target).parameters
                except (TypeError, ValueError):
                    takes_lang = False
                if takes_lang and not any(k.arg == "lang" for k in node.keywords):
                    missing.append(f"{path.name}:{node.lineno} {node.func.id}(...)")
    assert not missing, "maps built without the session's language: " + ", ".join(missing)
