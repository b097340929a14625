"""A person's language choice: kept in their account, audited on both backends, refused for visitors."""
from __future__ import annotations

import json

import pytest

from geo.access.accounts import add_account, load_accounts, set_language
from geo.access.roles import Actor
from geo.errors import AccessDenied, SchemaError
from geo.services.preferences import ACTION, save_language, saved_language

PASSWORD = "a long passphrase 42"


@pytest.fixture
def users(tmp_path):
    path = tmp_path / "users.json"
    add_account(path, "pia", PASSWORD, role="planner")
    return path


def test_choice_is_saved_audited_and_survives_a_password_reset(any_store, users):
    pia = Actor("pia", "planner")
    assert saved_language(users, "pia") is None
    assert save_language(any_store, users, pia, "es") == "es"
    assert saved_language(users, "pia") == "es"
    save_language(any_store, users, pia, "es")  # no change: no second entry
    entries = [r for r in any_store.read_audit() if r["action"] == ACTION]
    assert len(entries) == 1 and entries[0]["entity"] == "account" and entries[0]["entity_id"] == "pia"
    assert json.loads(str(entries[0]["new"])) == {"language": "es", "was": None}
    add_account(users, "pia", PASSWORD + "!", role="planner")  # an admin resets the password
    assert load_accounts(users)["pia"].language == "es"
    count, broken = any_store.verify_audit()
    assert count >= 1 and broken is None


def test_bad_choices_change_nothing(store, users):
    before = users.read_bytes()
    with pytest.raises(SchemaError, match="not offered; choose one of en, es"):
        save_language(store, users, Actor("pia", "planner"), "fr")
    with pytest.raises(SchemaError, match="No account 'ghost'"):
        save_language(store, users, Actor("ghost", "planner"), "es")
    with pytest.raises(AccessDenied, match="Visitors keep their language in the link"):
        save_language(store, users, Actor("visitor", "public"), "es")
    with pytest.raises(SchemaError, match="No account 'nobody'"):
        set_language(users, "nobody", "es")
    assert users.read_bytes() == before
    assert not [r for r in store.read_audit() if r["action"] == ACTION]


def test_accounts_files_without_a_language_still_load(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps([{"name": "kim", "role": "admin", "department": None, "district": None,
                                 "password_hash": "scrypt$1$1$1$AA==$AA=="}]))
    assert load_accounts(path)["kim"].language is None
