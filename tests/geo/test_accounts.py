"""Local accounts: hashed passwords, sign-in, expiry, and the user CLI."""
from __future__ import annotations

import io

import pytest

from geo.access.accounts import (
    add_account,
    check_password,
    hash_password,
    load_accounts,
    session_expired,
    sign_in,
)
from geo.errors import AccessDenied, SchemaError
from stagemap_cli.main import main


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
