"""A person's own settings through the one door: the language they read StageMap in, audited.

Only a signed-in person with an account keeps a choice (in the accounts file, so it survives sign-out and
sign-in); visitors and demo sessions keep theirs in the link (``?lang=es``). Every change is an audit entry
``account.language`` on the entity ``account``, keyed by the account name, written before the file changes.
"""
from __future__ import annotations

from pathlib import Path

from geo.access.accounts import load_accounts, set_language
from geo.access.roles import Actor
from geo.errors import AccessDenied, SchemaError
from geo.i18n import LANGUAGES
from geo.messages import M
from geo.store import Store

ACTION = "account.language"


def saved_language(accounts: Path, name: str) -> str | None:
    """Return the language ``name``'s account has chosen, ``None`` when no account or no choice."""
    account = load_accounts(accounts).get(name)
    return account.language if account is not None else None


def save_language(store: Store, accounts: Path, actor: Actor, language: str) -> str:
    """Remember ``actor``'s own language choice; return it.

    Parameters
    ----------
    store
        Where the audit entry goes.
    accounts
        The local accounts file.
    actor
        The signed-in person; only their own account changes.
    language
        One of :data:`geo.i18n.LANGUAGES`.

    Raises
    ------
    AccessDenied
        For the public visitor (their choice stays in the link).
    SchemaError
        For an unknown language or a name with no account; nothing is written.
    """
    if actor.role == "public":
        raise AccessDenied(M("Visitors keep their language in the link (?lang=); only accounts save a choice."))
    if language not in LANGUAGES:
        raise SchemaError(M("Language {language} is not offered; choose one of {languages}.", language=repr(language),
                            languages=", ".join(LANGUAGES)))
    current = load_accounts(accounts).get(actor.name)
    if current is None:
        raise SchemaError(M("No account {name} to save a language for; ask an admin to add one.",
                            name=repr(actor.name)))
    if current.language == language:
        return language
    store.log_event(actor=actor.name, role=actor.role, action=ACTION, entity="account", entity_id=actor.name,
                    detail={"language": language, "was": current.language}, source=actor.source,
                    os_user=actor.os_user)
    set_language(accounts, actor.name, language)
    return language
