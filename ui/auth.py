"""Sign-in and the signed-in actor: OIDC (st.login), local accounts, or a marked demo mode.

Every authentication event (sign-in, failed sign-in, lockout, sign-out, expiry) is audited
through :mod:`geo.services.sessions`. Names are shown as plain text, never as Markdown.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping

import streamlit as st

from geo.access.accounts import Account, load_accounts, session_expired
from geo.access.roles import ROLES, Actor, require_page
from geo.config import accounts_path
from geo.errors import AccessDenied
from geo.labels import ROLE_WORDS
from geo.services import sessions
from geo.store import Store
from ui.i18n import _, error_text
from ui.text import md_escape

ACTOR = "auth_actor"  # the effective actor of this run (the public visitor when nobody signed in)
SIGNED_IN = "auth_signed_in"  # the locally signed-in actor, if any
SIGNED_IN_AT = "auth_signed_in_at"  # when the local sign-in happened (or an OIDC login without `iat` was first seen)
OIDC_SEEN = "auth_oidc_seen"  # the OIDC login (name, iat) whose sign-in this session has audited
FORM_NAME, FORM_PASSWORD, FORM_SUBMIT = "sign_in_name", "sign_in_password", "sign_in_submit"
DEMO_ROLE, DEMO_DEPT, DEMO_DISTRICT = "demo_role", "demo_dept", "demo_district"
DEFAULT_HOURS = 12.0
PUBLIC = Actor("visitor", "public")


def auth_mode() -> str:
    """Return 'oidc' (secrets configure [auth]), 'local' (an accounts file exists) or 'demo'."""
    explicit = os.environ.get("STAGEMAP_AUTH", "").strip().lower()
    if explicit in ("oidc", "local", "demo"):
        return explicit
    if _auth_section():
        return "oidc"
    return "local" if accounts_path().exists() else "demo"


def session_hours() -> float:
    """Return ``$STAGEMAP_SESSION_HOURS`` (default 12): a login older than this must sign in again."""
    raw = os.environ.get("STAGEMAP_SESSION_HOURS", "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_HOURS
    except ValueError:
        hours = -1.0
    if not 0 < hours < float("inf"):
        st.error(md_escape(_("Sign-in is misconfigured: STAGEMAP_SESSION_HOURS={raw} must be a positive number "
                             "of hours.").format(raw=repr(raw))))
        st.stop()
    return hours


def current_actor(*, departments: list[str], districts: list[int], synthetic: bool) -> Actor:
    """Return who is using the app; anyone not signed in is the public visitor."""
    mode = auth_mode()
    if mode == "demo":
        return _demo_actor(departments, districts, synthetic=synthetic)
    if mode == "oidc":
        return _oidc_actor()
    return _local_actor()


def page_actor(page: str) -> Actor:
    """Return the actor if they may open ``page``; otherwise show why and stop the page (server-side)."""
    actor = st.session_state.get(ACTOR) or PUBLIC
    try:
        require_page(actor, page)
    except AccessDenied as exc:
        st.error(md_escape(_("{reason} Sign in with a role that has access.").format(reason=error_text(exc))))
        st.stop()
    return actor


def _demo_actor(departments: list[str], districts: list[int], *, synthetic: bool) -> Actor:
    with st.sidebar:
        st.warning(_("**DEMO MODE**: no sign-in. Pick any role to try StageMap on the synthetic sample."))
        role = st.selectbox(_("Role"), ROLES, key=DEMO_ROLE, format_func=lambda r: _(ROLE_WORDS.get(str(r), str(r))))
        dept = st.selectbox(_("Department"), departments, key=DEMO_DEPT) if role == "liaison" and departments else None
        district = _demo_district(districts) if role == "council_office" else None  # the one selector: ui.district
    if not synthetic:
        st.error(_("Demo mode is only for the synthetic sample: this store holds real data. Configure sign-in "
                   "(local accounts with `stagemap user add`, or OIDC in .streamlit/secrets.toml)."))
        st.stop()
    name = st.session_state.get("user_name", "").strip() or f"demo {role}"
    return _remember(Actor(name, role, dept, district))


def _demo_district(districts: list[int]) -> int | None:
    """The demo council office's own district, without a second district widget (the view selector is the one).

    Kept in the session; seeded from ``?district=`` in the URL, else the first district.
    """
    chosen = st.session_state.get(DEMO_DISTRICT)
    if chosen not in districts:
        raw = str(st.query_params.get("district", ""))
        chosen = int(raw) if raw.isdigit() and int(raw) in districts else (districts[0] if districts else None)
        st.session_state[DEMO_DISTRICT] = chosen
    return int(chosen) if chosen is not None else None


def _local_actor() -> Actor:
    """Local accounts: the sidebar form, the session limit, sign-out; the actor is kept for the session."""
    from ui.data import session_store

    store = session_store()
    actor: Actor | None = st.session_state.get(SIGNED_IN)
    if actor is not None:
        actor = _still_valid(store, actor)
    with st.sidebar:
        if actor is None:
            _sign_in_form(store)
        else:
            st.text(_("Signed in as {name} ({role})").format(name=actor.name, role=actor.role))
            if st.button(_("Sign out"), key="sign_out"):
                sessions.sign_out(store, actor, method="password", where=_where())
                _forget()
                st.rerun()
    return _remember(actor or PUBLIC)


def _still_valid(store: Store, actor: Actor) -> Actor | None:
    """Return the signed-in actor as the accounts file has it now, or ``None`` once the session ended."""
    hours = session_hours()
    started = float(st.session_state.get(SIGNED_IN_AT) or 0.0)
    account: Account | None = load_accounts(accounts_path()).get(actor.name)
    if session_expired(started, time.time(), max_hours=hours) or account is None:
        sessions.record_expiry(store, actor, method="password", signed_in_at=started, max_hours=hours,
                               reason=None if account is not None else "account removed", where=_where())
        _forget()
        st.warning(_("Your session is older than {hours} hours; sign in again.").format(hours=f"{hours:g}")
                   if account is not None else _("Your account no longer exists; ask an admin."))
        return None
    current = account.actor()
    st.session_state[SIGNED_IN] = current  # a role or scope changed by an admin applies at once
    return current


def _sign_in_form(store: Store) -> None:
    """Draw the sign-in form; on a good sign-in keep the actor and rerun, else say why (never which part)."""
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(_("User name"), key=FORM_NAME)
        password = st.text_input(_("Password"), type="password", key=FORM_PASSWORD)
        submitted = st.form_submit_button(_("Sign in"), key=FORM_SUBMIT)
    if not submitted:
        return
    if not name.strip() or not password:
        st.error(_("Enter your user name and password."))
        return
    try:
        actor = sessions.sign_in(store, accounts_path(), name, password, where=_where())
    except ValueError as exc:  # a bad lockout setting, an unreadable accounts file, a store that cannot write
        st.error(md_escape(_("Sign-in is unavailable: {reason}").format(reason=error_text(exc))))  # fails closed: no sign-in goes unaudited
        return
    except AccessDenied as exc:  # a fixed message: unknown name, wrong password or a lock look alike
        st.error(md_escape(error_text(exc)))
        return
    st.session_state[SIGNED_IN] = actor
    st.session_state[SIGNED_IN_AT] = time.time()
    _remember(actor)
    st.rerun()


def _oidc_actor() -> Actor:
    """OIDC through st.login: the e-mail's account gives the role; expired logins are sent back to sign in."""
    from ui.data import session_store

    problem = sessions.oidc_config_problem(_auth_section())
    if problem:  # never sign anyone in with a missing or weak cookie secret (SECURITY.md R4)
        st.sidebar.error(problem)
        return _remember(PUBLIC)
    if not st.user.is_logged_in:
        with st.sidebar:
            st.button(_("Sign in with City account"), key="oidc_sign_in", on_click=st.login)
        return _remember(PUBLIC)
    store = session_store()
    claims = st.user.to_dict()
    actor = _oidc_identity(claims)
    issued, exp = _seconds(claims.get("iat")), _seconds(claims.get("exp"))
    started = issued if issued is not None else float(st.session_state.setdefault(SIGNED_IN_AT, time.time()))
    hours = session_hours()
    if session_expired(started, time.time(), max_hours=hours, token_exp=exp):
        sessions.record_expiry(store, actor, method="oidc", signed_in_at=started, max_hours=hours, token_exp=exp,
                               where=_where())
        _forget()
        st.warning(_("Your sign-in has expired; sign in again."))
        st.logout()  # clears st.user now and sends the browser through the provider's logout
        return _remember(PUBLIC)
    seen = (actor.name, issued)
    if st.session_state.get(OIDC_SEEN) != seen:
        sessions.record_sign_in(store, actor, method="oidc", issued_at=issued, where=_where())
        st.session_state[OIDC_SEEN] = seen
    with st.sidebar:
        st.text(_("Signed in as {name} ({role})").format(name=actor.name, role=actor.role))
        st.button(_("Sign out"), key="oidc_sign_out", on_click=_oidc_sign_out, args=(actor,))
    return _remember(actor)


def _oidc_identity(claims: Mapping[str, object]) -> Actor:
    """Map the ID token's verified e-mail to an account; anyone else is a signed-in member of the public."""
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is False:
        return Actor(email or f"oidc:{claims.get('sub') or 'unknown'}", "public")
    accounts = load_accounts(accounts_path())
    account = accounts.get(email)
    if account is None:  # e-mail addresses are matched without regard to case when only one account fits
        folded = [a for n, a in accounts.items() if n.casefold() == email.casefold()]
        account = folded[0] if len(folded) == 1 else None
    return account.actor() if account else Actor(email, "public")


def _oidc_sign_out(actor: Actor) -> None:
    """Audit the sign-out, then log out of Streamlit and the provider."""
    from ui.data import session_store

    sessions.sign_out(session_store(), actor, method="oidc", where=_where())
    _forget()
    st.logout()


def _auth_section() -> dict[str, object]:
    """Return the ``[auth]`` secrets, empty when there are none."""
    section: object = None
    with contextlib.suppress(FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        section = st.secrets.get("auth")
    return dict(section) if isinstance(section, Mapping) else {}


def _seconds(value: object) -> float | None:
    """Return a token time claim (``iat``, ``exp``) as seconds, ``None`` when absent or unreadable."""
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _where() -> str | None:
    """Return the client address for the audit log, when Streamlit knows it."""
    try:
        return st.context.ip_address
    except (AttributeError, RuntimeError):
        return None


def _forget() -> None:
    """End this session's sign-in."""
    for key in (SIGNED_IN, SIGNED_IN_AT, OIDC_SEEN):
        st.session_state.pop(key, None)
    _remember(PUBLIC)


def _remember(actor: Actor) -> Actor:
    st.session_state[ACTOR] = actor
    return actor
