"""Authentication events through the one door: sign-in with lockout, sign-out and expiry, all audited.

Every event is an audit entry on the entity ``account``, keyed (``entity_id``) by the account name
or the name tried (SECURITY.md R4, R7, E4). Passwords never reach the log.

========================== ===================================================================
``auth.sign_in``           a successful sign-in (``method``: ``password`` or ``oidc``)
``auth.sign_in_failed``    an unknown name or a wrong password: the name tried, why, never the password
``auth.locked``            too many failures in the window: the name is locked ``until`` a time
``auth.sign_in_refused``   an attempt while locked (not counted as a failure, so a lock never grows)
``auth.unlocked``          the first attempt after a lock ended records that end
``auth.sign_out``          the person signed out
``auth.session_expired``   older than ``STAGEMAP_SESSION_HOURS`` or past the ID token's ``exp``
========================== ===================================================================

Failure counts are read back from the audit log in the store, so every app process (and every
replica on PostgreSQL) sees the same count; nothing is kept in process memory.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from geo.access.accounts import load_accounts
from geo.access.accounts import sign_in as check_credentials
from geo.access.roles import Actor
from geo.config import LOCAL_TZ, LockoutPolicy, lockout_policy
from geo.errors import AccessDenied
from geo.store import Store

ENTITY = "account"
SIGN_IN, FAILED, LOCKED, REFUSED = "auth.sign_in", "auth.sign_in_failed", "auth.locked", "auth.sign_in_refused"
UNLOCKED, SIGN_OUT, EXPIRED = "auth.unlocked", "auth.sign_out", "auth.session_expired"
AUTH_ACTIONS = (SIGN_IN, FAILED, LOCKED, REFUSED, UNLOCKED, SIGN_OUT, EXPIRED)
#: Names tried are kept to this many characters in the log (a pasted essay is not a name).
MAX_NAME = 128
#: How many random bytes the OIDC cookie secret must carry (SECURITY.md R4).
MIN_SECRET_BYTES = 32
_PLACEHOLDERS = re.compile(r"secret|change ?me|example|password|cookie|replace|placeholder|xxxxx", re.IGNORECASE)
_HEX = frozenset("0123456789abcdefABCDEF")
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")


class AccountLocked(AccessDenied):
    """Sign-in refused because the name had too many recent failures; says until when.

    The message is the same whether or not the name exists, so a lock reveals no names.
    """

    def __init__(self, until: dt.datetime) -> None:
        local = until.astimezone(ZoneInfo(LOCAL_TZ))
        super().__init__(f"Too many failed sign-ins for this user name: it is locked until {local:%H:%M} "
                         f"Los Angeles time on {local:%d %b %Y}. Try again after then.")
        self.until = until


@dataclass(frozen=True)
class _Event:
    """One authentication entry of the audit log, as read back for a name."""

    seq: int
    at: dt.datetime
    action: str
    detail: dict[str, object] = field(default_factory=dict)


def sign_in(store: Store, accounts: Path, name: str, password: str, *, policy: LockoutPolicy | None = None,
            now: dt.datetime | None = None, where: str | None = None, source: str = "app") -> Actor:
    """Check a name and password against the accounts file, with lockout; audit the outcome.

    Parameters
    ----------
    store
        The store whose audit log records the attempt and holds the failure counts.
    accounts
        The local accounts file.
    name, password
        What was typed. The password is never stored or logged.
    policy
        The lockout policy; default from the environment (:func:`geo.config.lockout_policy`).
    now
        The current time (UTC); default the clock.
    where
        Where the attempt came from (the client address, when known), for the log.
    source
        The door: ``app`` or ``cli``.

    Returns
    -------
    Actor
        The signed-in account.

    Raises
    ------
    AccountLocked
        When the name is locked, or this failure locks it.
    AccessDenied
        With one message for an unknown name and a wrong password alike.
    """
    policy = policy or lockout_policy()
    now = now or dt.datetime.now(dt.UTC)
    tried = name.strip()
    key = tried[:MAX_NAME]
    history = _history(store, key)
    lock = _latest(history, LOCKED)
    until = _until(lock) if lock else None
    if lock is not None and until is not None and until > now:
        _log(store, key, "public", REFUSED, {"until": until.isoformat()}, where, source)
        raise AccountLocked(until)
    if lock is not None and until is not None and not any(e.action == UNLOCKED and e.seq > lock.seq
                                                          for e in history):
        _log(store, key, "public", UNLOCKED, {"until": until.isoformat()}, where, source)
    try:
        actor = check_credentials(accounts, tried, password)
    except AccessDenied:
        reason = "wrong password" if tried in load_accounts(accounts) else "unknown user name"
        _log(store, key, "public", FAILED, {"reason": reason}, where, source)
        failures = _recent_failures(history, lock, now, policy) + 1
        if failures >= policy.attempts:
            locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
            _log(store, key, "public", LOCKED, {"until": locked_until.isoformat(), "failures": failures,
                                                "window_minutes": policy.window_minutes}, where, source)
            raise AccountLocked(locked_until) from None
        raise
    _log(store, key, actor.role, SIGN_IN, {"method": "password"}, where, source)
    return actor


def record_sign_in(store: Store, actor: Actor, *, method: str, issued_at: float | None = None,
                   where: str | None = None) -> bool:
    """Audit a sign-in made elsewhere (OIDC), once per login; return whether an entry was written.

    A login is known by its ID token's ``iat``: a new tab or a reload reusing the identity
    cookie is the same login and is not recorded again.

    Parameters
    ----------
    store
        The store to audit in.
    actor
        Who signed in (``public`` when their e-mail has no account).
    method
        How they signed in, e.g. ``oidc``.
    issued_at
        The ID token's ``iat`` (seconds), when it has one.
    where
        The client address, when known.
    """
    issued = None if issued_at is None else _iso(issued_at)
    if issued is not None and any(e.action == SIGN_IN and e.detail.get("issued_at") == issued
                                  for e in _history(store, actor.name[:MAX_NAME])):
        return False
    _log(store, actor.name[:MAX_NAME], actor.role, SIGN_IN, {"method": method, "issued_at": issued}, where, "app")
    return True


def sign_out(store: Store, actor: Actor, *, method: str, where: str | None = None) -> None:
    """Audit that ``actor`` signed out."""
    _log(store, actor.name[:MAX_NAME], actor.role, SIGN_OUT, {"method": method}, where, "app")


def record_expiry(store: Store, actor: Actor, *, method: str, signed_in_at: float, max_hours: float,
                  token_exp: float | None = None, reason: str | None = None, where: str | None = None) -> None:
    """Audit that ``actor``'s session expired and they must sign in again.

    Parameters
    ----------
    store
        The store to audit in.
    actor
        Whose session ended.
    method
        ``password`` or ``oidc``.
    signed_in_at
        When the login began (seconds since the epoch).
    max_hours
        The session limit in force (``STAGEMAP_SESSION_HOURS``).
    token_exp
        The ID token's ``exp``, when it has one.
    reason
        Why the session ended, when it is not its age (e.g. the account was removed).
    where
        The client address, when known.
    """
    detail: dict[str, object] = {"method": method, "signed_in_at": _iso(signed_in_at), "max_hours": max_hours}
    if token_exp is not None:
        detail["token_exp"] = _iso(token_exp)
    if reason:
        detail["reason"] = reason
    _log(store, actor.name[:MAX_NAME], actor.role, EXPIRED, detail, where, "app")


def cookie_secret_problem(secret: object) -> str | None:
    """Return why ``secret`` cannot sign identity cookies, or ``None`` when it is fit.

    Fit means at least :data:`MIN_SECRET_BYTES` random bytes as typically written: 64 hex digits,
    43 base64 characters, or 40 other printable characters, and not visibly a pattern or a
    placeholder. Randomness cannot be proven; this catches the usual mistakes.
    """
    how = ('generate one with `python -c "import secrets; print(secrets.token_urlsafe(32))"` and set it as '
           "`cookie_secret` under `[auth]` in .streamlit/secrets.toml")
    if not isinstance(secret, str) or not secret.strip():
        return f"Sign-in is off: `[auth] cookie_secret` is not set; {how}."
    chars = set(secret)
    per_char = 4.0 if chars <= _HEX else 6.0 if chars <= _BASE64 | {"="} else 6.5
    bits = len(secret.rstrip("=")) * per_char
    patterned = len(zlib.compress(secret.encode(), 9)) < 0.8 * len(secret.encode()) or len(chars) < 10
    if bits < MIN_SECRET_BYTES * 8 or patterned or _PLACEHOLDERS.search(secret):
        return (f"Sign-in is off: `[auth] cookie_secret` must be at least {MIN_SECRET_BYTES} random bytes "
                f"(it signs the identity cookie, so a weak one lets anyone forge a sign-in); {how}.")
    return None


def oidc_config_problem(auth: Mapping[str, object]) -> str | None:
    """Return why the ``[auth]`` secrets cannot start an OIDC sign-in, or ``None`` when they can."""
    if not auth:
        return "Sign-in is off: STAGEMAP_AUTH is oidc but .streamlit/secrets.toml has no `[auth]` section."
    missing = [k for k in ("redirect_uri", "client_id", "client_secret", "server_metadata_url") if not auth.get(k)]
    if missing:
        return f"Sign-in is off: `[auth]` in .streamlit/secrets.toml lacks {', '.join(missing)}."
    return cookie_secret_problem(auth.get("cookie_secret"))


def _history(store: Store, key: str) -> list[_Event]:
    """Return the authentication entries for one name, oldest first."""
    out = []
    for row in store.read_audit():
        if row.get("entity") != ENTITY or row.get("entity_id") != key or row.get("action") not in AUTH_ACTIONS:
            continue
        try:
            detail = json.loads(str(row["new"])) if row.get("new") else {}
        except ValueError:
            detail = {}
        at = dt.datetime.fromisoformat(str(row["at"]))
        out.append(_Event(int(str(row["seq"])), at if at.tzinfo else at.replace(tzinfo=dt.UTC), str(row["action"]),
                          detail if isinstance(detail, dict) else {}))
    return out


def _latest(history: list[_Event], action: str) -> _Event | None:
    """Return the newest entry of ``action``, if any."""
    return next((e for e in reversed(history) if e.action == action), None)


def _until(event: _Event) -> dt.datetime | None:
    """Return a lock entry's end."""
    try:
        return dt.datetime.fromisoformat(str(event.detail.get("until")))
    except ValueError:
        return None


def _recent_failures(history: list[_Event], lock: _Event | None, now: dt.datetime, policy: LockoutPolicy) -> int:
    """Count failures in the window since the last successful sign-in and the last lock.

    Attempts during a lock are refused, not counted, so a name starts afresh when its lock ends.
    """
    start = now - dt.timedelta(minutes=policy.window_minutes)
    after = max([e.seq for e in (_latest(history, SIGN_IN), lock) if e is not None], default=0)
    return sum(1 for e in history if e.action == FAILED and e.seq > after and e.at > start)


def _iso(seconds: float) -> str:
    """Return epoch seconds as ISO-8601 UTC."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


def _log(store: Store, key: str, role: str, action: str, detail: dict[str, object], where: str | None,
         source: str) -> None:
    """Append one authentication entry to the audit log."""
    if where:
        detail = {**detail, "where": where}
    store.log_event(actor=key, role=role, action=action, entity=ENTITY, entity_id=key, detail=detail, source=source)
