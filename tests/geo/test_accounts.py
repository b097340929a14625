"""Local accounts: hashed passwords, sign-in, expiry, lockout, the audit of every auth event, and the user CLI."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
import secrets

import pytest

import geo.access.accounts as accounts_module
from geo.access.accounts import (
    add_account,
    check_password,
    hash_password,
    load_accounts,
    session_expired,
    sign_in,
)
from geo.access.roles import Actor
from geo.config import LockoutPolicy, lockout_policy
from geo.errors import AccessDenied, SchemaError
from geo.services import sessions
from geo.services.sessions import AccountLocked, cookie_secret_problem, oidc_config_problem
from geo.store import open_store
from stagemap_cli.main import main

PW = "a long passphrase"
POLICY = LockoutPolicy(attempts=3, window_minutes=15, lock_minutes=30)


def test_passwords_are_salted_scrypt_hashes():
    a, b = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert a != b and a.startswith("scrypt$") and "correct" not in a
    assert check_password("correct horse battery", a) and not check_password("wrong", a)
    assert not check_password("x", "garbage")


def test_sign_in_and_scope(tmp_path):
    path = tmp_path / "users.json"
    add_account(path, "ana", "a long passphrase", role="liaison", department="Transportation (LADOT)")
    actor = sign_in(path, "ana", "a long passphrase")
    assert (actor.role, actor.department) == ("liaison", "Transportation (LADOT)")
    for name, pw in (("ana", "wrong password!!"), ("bo", "a long passphrase")):
        with pytest.raises(AccessDenied, match="Unknown user name or wrong password"):
            sign_in(path, name, pw)
    assert "a long passphrase" not in path.read_text()
    assert oct(path.stat().st_mode)[-3:] == "600"


def test_short_passwords_and_unscoped_liaisons_are_refused(tmp_path):
    with pytest.raises(SchemaError, match="at least 12"):
        add_account(tmp_path / "u.json", "ana", "short", role="planner")
    with pytest.raises(AccessDenied, match="no department"):
        add_account(tmp_path / "u.json", "ana", "a long passphrase", role="liaison")


def test_session_expiry():
    assert not session_expired(0, 11.9 * 3600)
    assert session_expired(0, 12.1 * 3600)
    assert session_expired(0, 60, max_hours=12, token_exp=30)
    assert session_expired(0, 2 * 3600, max_hours=1)


def test_user_cli_add_list_remove(tmp_path, monkeypatch, capsys):
    path = str(tmp_path / "users.json")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    assert main(["user", "add", "bo", "--role", "planner", "--password-stdin", "--users", path]) == 0
    assert main(["user", "list", "--users", path]) == 0
    assert "bo\tplanner" in capsys.readouterr().out
    assert main(["user", "remove", "bo", "--users", path]) == 0
    assert load_accounts(tmp_path / "users.json") == {}
    assert main(["user", "remove", "bo", "--users", path]) == 2


def test_unknown_names_cost_the_same_scrypt_work_as_wrong_passwords(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_account(path, "ana", PW, role="planner")
    checked: list[str] = []
    real = accounts_module.check_password
    monkeypatch.setattr(accounts_module, "check_password", lambda pw, stored: checked.append(stored) or real(pw, stored))
    for name in ("ana", "nobody"):
        with pytest.raises(AccessDenied, match="Unknown user name or wrong password"):
            sign_in(path, name, "wrong password!!")
    assert len(checked) == 2 and all(h.startswith("scrypt$16384$8$1$") for h in checked)
    assert not check_password(PW, accounts_module.DECOY_HASH)


def _events(store, name=None):
    rows = [r for r in store.read_audit() if str(r["action"]).startswith("auth.")]
    return [(r["action"], json.loads(r["new"]) if r["new"] else {}) for r in rows
            if name is None or r["entity_id"] == name]


class Clock:
    """The time both the store (audit ``at``) and the sign-in service (``now``) see."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def advance(self, minutes: float) -> dt.datetime:
        self.now += dt.timedelta(minutes=minutes)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Move time forward without waiting: the audit log's clock and the service's ``now`` agree."""
    c = Clock()
    monkeypatch.setattr("geo.store.audit.now_utc", lambda: c.now.isoformat(timespec="microseconds"))
    return c


def _fail(store, path, name, now, policy=POLICY):
    with pytest.raises(AccessDenied) as info:
        sessions.sign_in(store, path, name, "wrong password!!", policy=policy, now=now)
    return info.value


@pytest.fixture
def accounts(tmp_path):
    path = tmp_path / "users.json"
    add_account(path, "ana", PW, role="liaison", department="Transportation (LADOT)")
    add_account(path, "bo", PW, role="planner")
    return path


def test_sign_in_is_audited_with_the_name_and_never_the_password(store, accounts):
    actor = sessions.sign_in(store, accounts, " ana ", PW, policy=POLICY, where="10.0.0.7")
    assert (actor.name, actor.role) == ("ana", "liaison")
    _fail(store, accounts, "ana", None)
    _fail(store, accounts, "zed", None)
    rows = [r for r in store.read_audit() if str(r["action"]).startswith("auth.")]
    assert [(r["action"], r["actor"], r["role"], r["entity"], r["entity_id"], r["source"]) for r in rows] == [
        ("auth.sign_in", "ana", "liaison", "account", "ana", "app"),
        ("auth.sign_in_failed", "ana", "public", "account", "ana", "app"),
        ("auth.sign_in_failed", "zed", "public", "account", "zed", "app")]
    assert [json.loads(r["new"]) for r in rows] == [
        {"method": "password", "where": "10.0.0.7"}, {"reason": "wrong password"}, {"reason": "unknown user name"}]
    assert PW not in json.dumps(store.read_audit()) and "wrong password!!" not in json.dumps(store.read_audit())
    assert store.verify_audit()[1] is None


def test_lockout_locks_says_until_when_and_ends(store, accounts, clock):
    first = [_fail(store, accounts, "ana", clock.now) for _ in range(2)]
    assert not any(isinstance(e, AccountLocked) for e in first)
    third = _fail(store, accounts, "ana", clock.now)
    assert isinstance(third, AccountLocked) and third.until == clock.now + dt.timedelta(minutes=30)
    assert "locked until" in str(third) and "Try again after then" in str(third)
    with pytest.raises(AccountLocked) as during:  # the right password does not open a locked name
        sessions.sign_in(store, accounts, "ana", PW, policy=POLICY, now=clock.advance(29))
    assert during.value.until == third.until
    assert [a for a, _ in _events(store, "ana")] == ["auth.sign_in_failed"] * 3 + ["auth.locked", "auth.sign_in_refused"]
    locked = _events(store, "ana")[3][1]
    assert locked["until"] == third.until.isoformat() and locked["failures"] == 3
    assert sessions.sign_in(store, accounts, "ana", PW, policy=POLICY, now=clock.advance(2)).role == "liaison"
    assert [a for a, _ in _events(store, "ana")][-2:] == ["auth.unlocked", "auth.sign_in"]
    assert _events(store, "ana")[-2][1]["until"] == third.until.isoformat()


def test_a_name_starts_afresh_when_its_lock_ends(store, accounts, clock):
    for _ in range(3):
        _fail(store, accounts, "bo", clock.now)
    clock.advance(31)
    assert [isinstance(_fail(store, accounts, "bo", clock.now), AccountLocked) for _ in range(3)] == \
        [False, False, True]
    assert [a for a, _ in _events(store, "bo")].count("auth.unlocked") == 1


def test_unknown_names_lock_exactly_like_known_ones(store, accounts, clock):
    known = [str(_fail(store, accounts, "ana", clock.now)) for _ in range(4)]
    unknown = [str(_fail(store, accounts, "nobody", clock.now)) for _ in range(4)]
    assert known == unknown
    assert [a for a, _ in _events(store, "ana")] == [a for a, _ in _events(store, "nobody")]


def test_failures_outside_the_window_or_before_a_success_do_not_count(store, accounts, clock):
    for _ in range(2):
        _fail(store, accounts, "bo", clock.now)
    clock.advance(16)  # the two failures are now outside the 15-minute window
    assert not isinstance(_fail(store, accounts, "bo", clock.now), AccountLocked)
    assert not isinstance(_fail(store, accounts, "bo", clock.now), AccountLocked)
    sessions.sign_in(store, accounts, "bo", PW, policy=POLICY, now=clock.now)  # a success starts the count afresh
    assert not isinstance(_fail(store, accounts, "bo", clock.now), AccountLocked)
    assert not isinstance(_fail(store, accounts, "bo", clock.now), AccountLocked)
    assert isinstance(_fail(store, accounts, "bo", clock.advance(14)), AccountLocked)  # 3 inside 15 minutes


def test_failure_counts_are_shared_by_every_process_through_the_store(tmp_path, accounts, clock):
    url = str(tmp_path / "shared.gpkg")
    one, two = open_store(url), open_store(url)  # two app processes on one store
    _fail(one, accounts, "ana", clock.now)
    _fail(two, accounts, "ana", clock.now)
    assert isinstance(_fail(one, accounts, "ana", clock.now), AccountLocked)
    with pytest.raises(AccountLocked):
        sessions.sign_in(two, accounts, "ana", PW, policy=POLICY, now=clock.now)


def test_oidc_sign_in_sign_out_and_expiry_are_audited(store):
    pat = Actor("pat@city.example", "planner")
    assert sessions.record_sign_in(store, pat, method="oidc", issued_at=1_800_000_000.0)
    assert not sessions.record_sign_in(store, pat, method="oidc", issued_at=1_800_000_000.0)  # a reload: same login
    assert sessions.record_sign_in(store, pat, method="oidc", issued_at=1_800_000_500.0)
    sessions.sign_out(store, pat, method="oidc")
    sessions.record_expiry(store, pat, method="oidc", signed_in_at=1_800_000_500.0, max_hours=12,
                           token_exp=1_800_003_000.0)
    events = _events(store)
    assert [a for a, _ in events] == ["auth.sign_in", "auth.sign_in", "auth.sign_out", "auth.session_expired"]
    assert events[0][1] == {"method": "oidc", "issued_at": "2027-01-15T08:00:00+00:00"}
    assert events[3][1] == {"method": "oidc", "signed_in_at": "2027-01-15T08:08:20+00:00", "max_hours": 12,
                            "token_exp": "2027-01-15T08:50:00+00:00"}


def test_lockout_settings_come_from_the_environment(monkeypatch):
    assert lockout_policy() == LockoutPolicy(5, 15.0, 15.0)
    monkeypatch.setenv("STAGEMAP_LOCKOUT_ATTEMPTS", "3")
    monkeypatch.setenv("STAGEMAP_LOCKOUT_WINDOW_MINUTES", "10")
    monkeypatch.setenv("STAGEMAP_LOCKOUT_MINUTES", "60")
    assert lockout_policy() == LockoutPolicy(3, 10.0, 60.0)
    for bad in ("0", "-1", "2.5", "many", "nan"):
        monkeypatch.setenv("STAGEMAP_LOCKOUT_ATTEMPTS", bad)
        with pytest.raises(ValueError, match="STAGEMAP_LOCKOUT_ATTEMPTS"):
            lockout_policy()


_SEEDED = random.Random(20260210)


@pytest.mark.parametrize("secret", [
    # fixed random values: every pytest-xdist worker must collect the same test ids
    base64.urlsafe_b64encode(_SEEDED.randbytes(32)).decode().rstrip("="), _SEEDED.randbytes(32).hex(),
    base64.b64encode(_SEEDED.randbytes(32)).decode(), base64.urlsafe_b64encode(_SEEDED.randbytes(48)).decode()],
    ids=["urlsafe-32", "hex-32", "base64-32", "urlsafe-48"])
def test_random_cookie_secrets_of_32_bytes_are_accepted(secret):
    assert cookie_secret_problem(secret) is None


@pytest.mark.parametrize("secret", [
    None, "", "   ", "xxx", _SEEDED.randbytes(16).hex(), base64.urlsafe_b64encode(_SEEDED.randbytes(24)).decode(),
    "0123456789abcdef" * 4, "a" * 64,
    "changeme-changeme-changeme-changeme-changeme", "your-cookie-secret-here-make-it-long-enough-xxxxxxx",
    "ThisIsMyVerySecretCookieSecretForStageMap2026!!"])
def test_missing_short_or_patterned_cookie_secrets_are_refused_naming_the_setting(secret):
    problem = cookie_secret_problem(secret)
    assert problem is not None and "`[auth] cookie_secret`" in problem and "secrets.token_urlsafe(32)" in problem


def test_many_generated_secrets_are_never_refused():
    assert not [s for s in (secrets.token_urlsafe(32) for _ in range(2000)) if cookie_secret_problem(s)]
    assert not [s for s in (secrets.token_hex(32) for _ in range(2000)) if cookie_secret_problem(s)]


def test_oidc_settings_are_checked_before_any_sign_in():
    good = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "stagemap", "client_secret": "s",
            "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
            "cookie_secret": secrets.token_urlsafe(32)}
    assert oidc_config_problem(good) is None
    assert "no `[auth]` section" in str(oidc_config_problem({}))
    assert "lacks client_secret" in str(oidc_config_problem({**good, "client_secret": ""}))
    assert "cookie_secret" in str(oidc_config_problem({k: v for k, v in good.items() if k != "cookie_secret"}))
