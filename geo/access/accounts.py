"""Local accounts for the embedded deployment: scrypt-hashed passwords in a JSON file."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from geo.access.roles import Actor
from geo.errors import AccessDenied, SchemaError
from geo.i18n import LANGUAGES, N_
from geo.messages import M, Message

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD = 12
#: The one message for an unknown name and a wrong password, so a sign-in never tells which names exist.
BAD_CREDENTIALS = N_("Unknown user name or wrong password.")
#: Checked for unknown names so they cost the same scrypt work (the password behind it was thrown away).
DECOY_HASH = "scrypt$16384$8$1$VheFiWfMuqR5u1Gw5v118A==$tLzwdKwE9bc28pKk1bMzaf9jXUZC6XE0iGmXS7AsAOY="


@dataclass(frozen=True)
class Account:
    """One stored account; the password is kept only as a salted scrypt hash."""

    name: str
    role: str
    department: str | None
    district: int | None
    password_hash: str
    #: The person's chosen language for the app and the PDFs they make ("en" or "es"); ``None``: not chosen.
    language: str | None = None

    def actor(self) -> Actor:
        """Return the signed-in actor for this account."""
        return Actor(self.name, self.role, self.department, self.district)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` (base64) for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    enc = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${enc(salt).decode()}${enc(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def load_accounts(path: Path) -> dict[str, Account]:
    """Return the accounts in ``path`` by name (none when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        rows = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SchemaError(M("Accounts file {path} is not valid JSON ({why}); restore it from backup.", path=path,
                              why=str(exc))) from None
    return {r["name"]: Account(**r) for r in rows}


def save_accounts(path: Path, accounts: dict[str, Account]) -> None:
    """Write ``accounts`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(fd, "w") as fh:
        json.dump([asdict(a) for a in sorted(accounts.values(), key=lambda a: a.name)], fh, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_account(path: Path, name: str, password: str, *, role: str, department: str | None = None,
                district: int | None = None) -> Account:
    """Create or replace an account; the role and scope are validated first."""
    if not name.strip():
        raise SchemaError(M("An account needs a name."))
    if len(password) < MIN_PASSWORD:
        raise SchemaError(M("Password for {name} is too short: use at least {n} characters.", name=name,
                             n=MIN_PASSWORD))
    Actor(name, role, department, district)  # validates role and liaison department
    accounts = load_accounts(path)
    kept = accounts[name].language if name in accounts else None  # a password reset keeps the choice
    accounts[name] = Account(name, role, department, district, hash_password(password), kept)
    save_accounts(path, accounts)
    return accounts[name]


def set_language(path: Path, name: str, language: str | None) -> Account:
    """Remember ``name``'s chosen language (a code from :data:`geo.i18n.LANGUAGES`, or ``None`` to forget it).

    Raises
    ------
    SchemaError
        When the account does not exist or the language is not one StageMap speaks; nothing changes.
    """
    accounts = load_accounts(path)
    if name not in accounts:
        raise SchemaError(M("No account {name}; `stagemap user list` shows them.", name=repr(name)))
    if language is not None and language not in LANGUAGES:
        raise SchemaError(M("Language {language} is not offered; choose one of {languages}.",
                            language=repr(language), languages=", ".join(LANGUAGES)))
    accounts[name] = replace(accounts[name], language=language)
    save_accounts(path, accounts)
    return accounts[name]


def remove_account(path: Path, name: str) -> None:
    """Delete an account by name."""
    accounts = load_accounts(path)
    if name not in accounts:
        raise SchemaError(M("No account {name}; `stagemap user list` shows them.", name=repr(name)))
    del accounts[name]
    save_accounts(path, accounts)


def sign_in(path: Path, name: str, password: str) -> Actor:
    """Return the actor for valid credentials; raise :class:`AccessDenied` otherwise (same message).

    An unknown name costs the same scrypt work as a wrong password, so neither the message nor
    the time taken tells which names exist.

    Raises
    ------
    AccessDenied
        With :data:`BAD_CREDENTIALS`, for an unknown name or a wrong password alike.
    """
    account = load_accounts(path).get(name)
    if account is None:
        check_password(password, DECOY_HASH)
        raise AccessDenied(Message(BAD_CREDENTIALS))
    if not check_password(password, account.password_hash):
        raise AccessDenied(Message(BAD_CREDENTIALS))
    return account.actor()


def session_expired(signed_in_at: float, now: float, *, max_hours: float = 12.0,
                    token_exp: float | None = None) -> bool:
    """Return whether a login must be renewed: older than ``max_hours`` or past the token's ``exp``."""
    return now - signed_in_at > max_hours * 3600 or (token_exp is not None and now >= token_exp)
