"""The language is chosen per person and remembered: in the account when signed in, in the link otherwise."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import i18n
from geo.access.accounts import load_accounts
from tests.app.test_overview_page import APP
from tests.app.test_sign_in import PASSWORD, _sign_in, accounts  # noqa: F401  (a fixture)

PICKER = "lang_picker"


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _spanish(at: AppTest) -> bool:
    return at.session_state["lang"] == "es" and at.sidebar.selectbox(key=PICKER).label == "Idioma"


def test_choice_survives_sign_out_and_a_new_sign_in(sample_store, accounts):  # noqa: F811
    """A liaison (no district selector: AppTest formats a selector's options outside the session, in English)."""
    at = _sign_in(_app(), "ana", PASSWORD)
    assert not at.exception and at.sidebar.selectbox(key=PICKER).label == "Language"
    at = at.sidebar.selectbox(key=PICKER).select("es").run()
    assert _spanish(at) and at.query_params["lang"] == "es"
    assert load_accounts(accounts)["ana"].language == "es"
    entries = [r for r in sample_store.read_audit() if r["action"] == "account.language"]
    assert [(r["actor"], r["entity_id"]) for r in entries] == [("ana", "ana")]
    at = at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    fresh = _sign_in(_app(), "ana", PASSWORD)  # a new browser: nothing in the URL, the account remembers
    assert not fresh.exception and _spanish(fresh)
    other = _sign_in(_app(), "kim", PASSWORD)  # someone who never chose reads English
    assert other.session_state["lang"] == "en"


def test_link_with_lang_es_opens_in_spanish_for_visitors(sample_store, accounts):  # noqa: F811
    at = _app(lang="es")
    assert not at.exception and _spanish(at)
    english = "City property protected under Executive Directive 17"  # the public view's title, in Spanish
    assert [t.value for t in at.title] == [i18n.translate(english, "es")] != [english]
    assert at.query_params["lang"] == "es"  # kept in the link, so a shared link opens in Spanish
    back = at.sidebar.selectbox(key=PICKER).select("en").run()
    assert back.session_state["lang"] == "en" and "lang" not in back.query_params


def test_demo_sessions_keep_the_choice_in_the_link_only(sample_store):
    at = _app()
    at = at.sidebar.selectbox(key=PICKER).select("es").run()
    assert not at.exception and _spanish(at) and at.query_params["lang"] == "es"
    assert not [r for r in sample_store.read_audit() if r["action"] == "account.language"]
