"""Local accounts sign in through the sidebar form, keep their role on every page, and every auth event is audited.

Written from README "Who sees what", independent of geo.access.roles: a signed-in planner, liaison,
council office, records or admin user opens each page of their role and is refused the others.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.access.accounts import add_account, remove_account
from geo.access.roles import PAGES, Actor
from tests.app.test_overview_page import APP

ROOT = Path(APP).parent
PASSWORD = "a long passphrase 42"
LADOT = "Transportation (LADOT)"
ACCOUNTS = {  # name -> (role, department, district)
    "pia": ("planner", None, None),
    "ana": ("liaison", LADOT, None),
    "cole": ("council_office", None, 14),
    "rex": ("records", None, None),
    "kim": ("admin", None, None),
}
ALLOWED = {
    "planner": {"overview", "review", "sites", "incidents", "gaps", "nexus", "public", "registers", "events"},
    "liaison": {"overview", "liaison", "sites", "report", "public", "inbox"},
    "council_office": {"overview", "incidents", "gaps", "public"},
    "records": {"overview", "incidents", "report", "public", "commission", "registers", "events"},
    "admin": set(PAGES),
}
TITLES = {  # what each page shows first: the page itself rendered, not the refusal
    "overview": "StageMap: City property and Executive Directive 17",
    "review": "Parcel review",
    "liaison": "Liaison: signs and gates",
    "incidents": "Incident map",
    "report": "Report an incident",
    "gaps": "Gap analysis",
    "nexus": "Nexus study",
    "data": "Import data",
    "sites": "Site list (A.1): what needs a sign",
    "public": "City property protected under Executive Directive 17",
    "commission": "Police Commission: Section B duties",
    "registers": "Registers",
    "inbox": "Inbox: A.3 alerts",
    "events": "Events and effects",
}
BAD = "Unknown user name or wrong password."


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    """Five local accounts, one per staff role; the app runs in local sign-in mode."""
    path = tmp_path / "users.json"
    for name, (role, dept, district) in ACCOUNTS.items():
        add_account(path, name, PASSWORD, role=role, department=dept, district=district)
    monkeypatch.setenv("STAGEMAP_AUTH", "local")
    monkeypatch.setenv("STAGEMAP_USERS", str(path))
    for var in ("STAGEMAP_SESSION_HOURS", "STAGEMAP_LOCKOUT_ATTEMPTS", "STAGEMAP_LOCKOUT_WINDOW_MINUTES",
                "STAGEMAP_LOCKOUT_MINUTES"):
        monkeypatch.delenv(var, raising=False)
    return path


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="sign_in_name").input(name)
    at.sidebar.text_input(key="sign_in_password").input(password)
    return at.sidebar.button(key="sign_in_submit").click().run()


def _auth_events(store) -> list[dict]:
    return [{**row, "detail": json.loads(row["new"]) if row["new"] else {}}
            for row in store.read_audit() if str(row["action"]).startswith("auth.")]


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]  # the whole tree, sidebar included


def _script(page: str) -> str:
    return str(ROOT / "app_pages" / f"{page}.py")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_signed_in_account_keeps_its_role_on_every_page(sample_store, accounts, name):
    role, dept, _ = ACCOUNTS[name]
    at = _app()
    assert not at.exception
    assert [t.value for t in at.title] == [TITLES["public"]]  # not signed in: the public view only
    at = _sign_in(at, name, PASSWORD)
    assert not at.exception, at.exception
    assert f"Signed in as {name} ({role})" in [t.value for t in at.sidebar.text]
    assert at.session_state["auth_actor"].role == role
    for page in sorted(ALLOWED[role]):
        at.switch_page(_script(page)).run()
        assert not at.exception, (name, page, at.exception)
        assert not any("cannot open" in e for e in _errors(at)), (name, page, _errors(at))
        assert any(t.value.startswith(TITLES[page]) for t in at.title), (name, page)  # "Gap analysis: District 14"
        assert f"Signed in as {name} ({role})" in [t.value for t in at.sidebar.text], (name, page)
        if page == "liaison":  # the liaison works on their own department; an admin picks one
            own = [c.value for c in at.caption if c.value == f"Department: **{dept}**"]
            assert bool(own) == (role == "liaison"), (name, own)
        if page == "overview":  # risk KPIs for roles with risk data, protected sites only for records
            labels = {m.label for m in at.metric}
            risk = {"Determined (A.1)", "Signed", "Overdue signs"}
            assert risk <= labels if role != "records" else not risk & labels, (name, labels)
            assert ("Protected City properties" in labels) == (role == "records"), (name, labels)
            assert ("Incidents this month" in labels) == (role != "liaison"), (name, labels)
    stored = at.session_state["auth_actor"]
    for page in sorted(set(PAGES) - ALLOWED[role]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(_script(page))
        direct = AppTest.from_file(_script(page), default_timeout=60)
        direct.session_state["auth_actor"] = stored  # the very actor the sign-in kept
        direct.run()
        assert direct.error and f"cannot open the {page} page" in direct.error[0].value, (name, page)
        assert not direct.metric and not direct.dataframe
    events = _auth_events(sample_store)
    assert [(e["action"], e["actor"], e["role"], e["entity_id"]) for e in events] == \
        [("auth.sign_in", name, role, name)]


def test_failed_sign_ins_look_alike_and_are_audited_without_the_password(sample_store, accounts):
    at = _app()
    at = _sign_in(at, "ana", "not her password 1")
    wrong = _errors(at)
    at = _sign_in(at, "nobody", "not her password 2")
    unknown = _errors(at)
    assert wrong == unknown == [BAD]
    assert at.session_state["auth_actor"].role == "public"
    assert [t.value for t in at.title] == [TITLES["public"]]
    events = _auth_events(sample_store)
    assert [(e["action"], e["actor"], e["role"], e["entity_id"], e["detail"]["reason"]) for e in events] == [
        ("auth.sign_in_failed", "ana", "public", "ana", "wrong password"),
        ("auth.sign_in_failed", "nobody", "public", "nobody", "unknown user name")]
    log = json.dumps(sample_store.read_audit())
    assert "not her password" not in log


def test_sign_out_ends_the_session_and_is_audited(sample_store, accounts):
    at = _sign_in(_app(), "pia", PASSWORD)
    at.switch_page(_script("gaps")).run()
    assert TITLES["gaps"] in [t.value for t in at.title]
    at.sidebar.button(key="sign_out").click().run()
    assert at.session_state["auth_actor"].role == "public"
    assert [t.value for t in at.title] == [TITLES["public"]]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(_script("gaps"))
    assert [e["action"] for e in _auth_events(sample_store)] == ["auth.sign_in", "auth.sign_out"]


def test_session_older_than_the_limit_must_sign_in_again(sample_store, accounts, monkeypatch):
    monkeypatch.setenv("STAGEMAP_SESSION_HOURS", "2")
    at = _sign_in(_app(), "rex", PASSWORD)
    assert at.session_state["auth_actor"].role == "records"
    at.session_state["auth_signed_in_at"] = time.time() - 2.01 * 3600  # the login is now just over 2 h old
    at.run()
    assert any("older than 2 hours" in w.value for w in at.warning)
    assert at.session_state["auth_actor"].role == "public"
    assert [t.value for t in at.title] == [TITLES["public"]]
    assert at.sidebar.text_input(key="sign_in_name") is not None  # back at the sign-in form
    expired = [e for e in _auth_events(sample_store) if e["action"] == "auth.session_expired"]
    assert [(e["actor"], e["role"], e["detail"]["max_hours"]) for e in expired] == [("rex", "records", 2.0)]


def test_lockout_after_repeated_failures_for_known_and_unknown_names_alike(sample_store, accounts, monkeypatch):
    monkeypatch.setenv("STAGEMAP_LOCKOUT_ATTEMPTS", "3")
    monkeypatch.setenv("STAGEMAP_LOCKOUT_MINUTES", "30")
    messages = {}
    for name in ("kim", "ghost"):
        at = _app()
        for _ in range(2):
            assert _errors(_sign_in(at, name, "wrong wrong wrong")) == [BAD]
        third = _errors(_sign_in(at, name, "wrong wrong wrong"))
        locked = _errors(_sign_in(at, name, PASSWORD))  # even the right password is refused while locked
        assert at.session_state["auth_actor"].role == "public"
        assert len(third) == 1 and "locked until" in third[0] and "Try again after then" in third[0]
        assert locked == third
        messages[name] = third[0]
    same = {re.sub(r"until \d\d\\?:\d\d .* on \d\d \w{3} \d{4}", "until T", m) for m in messages.values()}
    assert len(same) == 1, messages  # a lock reads the same whether or not the name exists
    events = _auth_events(sample_store)
    for name in ("kim", "ghost"):
        mine = [e for e in events if e["entity_id"] == name]
        assert [e["action"] for e in mine] == ["auth.sign_in_failed"] * 3 + ["auth.locked", "auth.sign_in_refused"]
        until = dt.datetime.fromisoformat(mine[3]["detail"]["until"])
        at_lock = dt.datetime.fromisoformat(mine[3]["at"])
        assert dt.timedelta(minutes=29) < until - at_lock <= dt.timedelta(minutes=30, seconds=5)
    # another name is not affected by kim's lock
    assert _sign_in(_app(), "pia", PASSWORD).session_state["auth_actor"].role == "planner"


def test_names_are_shown_as_plain_text(sample_store, tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    name = "**bold** <b>x</b> [link](http://evil.example)"
    add_account(path, name, PASSWORD, role="planner")
    monkeypatch.setenv("STAGEMAP_AUTH", "local")
    monkeypatch.setenv("STAGEMAP_USERS", str(path))
    at = _sign_in(_app(), name, PASSWORD)
    assert f"Signed in as {name} (planner)" in [t.value for t in at.sidebar.text]
    assert not any(name in m.value for m in [*at.markdown, *at.sidebar.markdown, *at.caption, *at.sidebar.caption])


GOOD_AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "Jx3YbqGkR2vP9t0cWm1ZsQeLhN7dUaFo4iKy8BXjTgV",
             "client_id": "stagemap", "client_secret": "test-client",
             "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}


def _oidc_app(claims: dict | None, *, auth: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = dict(GOOD_AUTH if auth is None else auth)
    at.user = {"is_logged_in": False} if claims is None else {"is_logged_in": True, **claims}
    return at


@pytest.fixture
def oidc(accounts, monkeypatch):
    """OIDC mode; the accounts file holds one planner named by e-mail."""
    add_account(accounts, "pat@city.example", PASSWORD, role="planner")
    monkeypatch.setenv("STAGEMAP_AUTH", "oidc")
    return accounts


def test_oidc_email_with_an_account_gets_its_role_and_one_audited_sign_in(sample_store, oidc):
    now = time.time()
    at = _oidc_app({"email": "Pat@City.example", "email_verified": True, "sub": "p1", "iat": now - 60,
                    "exp": now + 3600}).run()
    assert not at.exception, at.exception
    assert at.session_state["auth_actor"] == Actor("pat@city.example", "planner")  # the account's name, any case
    assert "Signed in as pat@city.example (planner)" in [t.value for t in at.sidebar.text]
    at.switch_page(_script("nexus")).run()
    assert TITLES["nexus"] in [t.value for t in at.title]
    events = _auth_events(sample_store)
    assert [(e["action"], e["actor"], e["role"], e["detail"]["method"]) for e in events] == \
        [("auth.sign_in", "pat@city.example", "planner", "oidc")]
    at.sidebar.button(key="oidc_sign_out").click().run()
    assert at.user["is_logged_in"] is False and at.session_state["auth_actor"].role == "public"
    assert [e["action"] for e in _auth_events(sample_store)] == ["auth.sign_in", "auth.sign_out"]


@pytest.mark.parametrize("claims", [{"email": "stranger@example.org"},
                                    {"email": "pat@city.example", "email_verified": False}],
                         ids=["unknown-email", "unverified-email"])
def test_oidc_without_a_matching_verified_email_gets_the_public_view(sample_store, oidc, claims):
    now = time.time()
    at = _oidc_app({**claims, "sub": "s1", "iat": now, "exp": now + 3600}).run()
    assert at.session_state["auth_actor"].role == "public"
    assert [t.value for t in at.title] == [TITLES["public"]]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(_script("overview"))
    assert [(e["action"], e["role"]) for e in _auth_events(sample_store)] == [("auth.sign_in", "public")]


@pytest.mark.parametrize(("age_hours", "exp_in"), [(12.5, 3600), (0.1, -5)], ids=["older-than-limit", "token-exp"])
def test_oidc_expired_login_is_sent_back_to_sign_in_and_audited(sample_store, oidc, age_hours, exp_in):
    now = time.time()
    at = _oidc_app({"email": "pat@city.example", "sub": "p1", "iat": now - age_hours * 3600,
                    "exp": now + exp_in}).run()
    assert not at.exception
    assert at.user["is_logged_in"] is False  # st.logout ran: the identity is gone from this session
    assert at.session_state["auth_actor"].role == "public"
    assert any("expired" in w.value for w in at.warning)
    assert [t.value for t in at.title] == [TITLES["public"]]
    events = _auth_events(sample_store)
    assert [(e["action"], e["actor"], e["role"]) for e in events] == \
        [("auth.session_expired", "pat@city.example", "planner")]
    assert ("token_exp" in events[0]["detail"]) and events[0]["detail"]["max_hours"] == 12.0


@pytest.mark.parametrize("secret", [None, "not-random-enough", "0123456789abcdef" * 4],
                         ids=["missing", "short", "patterned"])
def test_oidc_refuses_to_sign_in_without_a_strong_cookie_secret(sample_store, oidc, secret):
    auth = {k: v for k, v in GOOD_AUTH.items() if k != "cookie_secret"}
    if secret is not None:
        auth["cookie_secret"] = secret
    now = time.time()
    at = _oidc_app({"email": "pat@city.example", "sub": "p1", "iat": now, "exp": now + 3600}, auth=auth).run()
    assert not at.exception
    assert any("`[auth] cookie_secret`" in e.value for e in at.sidebar.error)
    assert at.session_state["auth_actor"].role == "public"  # even a valid-looking identity cookie is ignored
    assert not [b for b in at.sidebar.button if b.key == "oidc_sign_in"]
    assert _auth_events(sample_store) == []


def test_a_removed_account_loses_its_session_at_once(sample_store, accounts):
    at = _sign_in(_app(), "cole", PASSWORD)
    assert at.session_state["auth_actor"].role == "council_office"
    remove_account(accounts, "cole")
    at.run()
    assert at.session_state["auth_actor"].role == "public"
    assert any("no longer exists" in w.value for w in at.warning)
    expired = [e for e in _auth_events(sample_store) if e["action"] == "auth.session_expired"]
    assert [(e["actor"], e["detail"]["reason"]) for e in expired] == [("cole", "account removed")]
