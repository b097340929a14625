"""Sign-in and the signed-in actor: OIDC (st.login), local accounts, or a marked demo mode."""
from __future__ import annotations

import os
import time

import streamlit as st

from geo.access.accounts import load_accounts, session_expired, sign_in
from geo.access.roles import ROLES, Actor, require_page
from geo.config import accounts_path
from geo.errors import AccessDenied

ACTOR = "auth_actor"  # the effective actor of this run (the public visitor when nobody signed in)
SIGNED_IN = "auth_signed_in"  # the locally signed-in actor, if any
SIGNED_IN_AT = "auth_signed_in_at"
DEMO_ROLE, DEMO_DEPT, DEMO_DISTRICT = "demo_role", "demo_dept", "demo_district"
MAX_HOURS = float(os.environ.get("STAGEMAP_SESSION_HOURS", "12"))
PUBLIC = Actor("visitor", "public")


def auth_mode() -> str:
    """Return 'oidc' (secrets configure [auth]), 'local' (an accounts file exists) or 'demo'."""
    explicit = os.environ.get("STAGEMAP_AUTH", "").strip().lower()
    if explicit in ("oidc", "local", "demo"):
        return explicit
    try:
        if "auth" in st.secrets:
            return "oidc"
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        pass
    return "local" if accounts_path().exists() else "demo"


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
        st.error(f"{exc} Sign in with a role that has access.")
        st.stop()
    return actor


def _demo_actor(departments: list[str], districts: list[int], *, synthetic: bool) -> Actor:
    with st.sidebar:
        st.warning("**DEMO MODE**: no sign-in. Pick any role to try StageMap on the synthetic sample.")
        role = st.selectbox("Role", ROLES, key=DEMO_ROLE)
        dept = st.selectbox("Department", departments, key=DEMO_DEPT) if role == "liaison" and departments else None
        district = st.selectbox("Council district", districts, key=DEMO_DISTRICT) \
            if role == "council_office" and districts else None
    if not synthetic:
        st.error("Demo mode is only for the synthetic sample: this store holds real data. Configure sign-in "
                 "(local accounts with `stagemap user add`, or OIDC in .streamlit/secrets.toml).")
        st.stop()
    name = st.session_state.get("user_name", "").strip() or f"demo {role}"
    return _remember(Actor(name, role, dept, district))


def _local_actor() -> Actor:
    actor = st.session_state.get(SIGNED_IN)
    if actor is not None and session_expired(st.session_state[SIGNED_IN_AT], time.time(), max_hours=MAX_HOURS):
        st.session_state[SIGNED_IN] = None
        st.warning(f"Your session is older than {MAX_HOURS:g} hours; sign in again.")
        actor = None
    with st.sidebar:
        if actor is None:
            with st.form("sign_in"):
                name = st.text_input("User name")
                password = st.text_input("Password", type="password")
                if st.form_submit_button("Sign in"):
                    try:
                        actor = sign_in(accounts_path(), name, password)
                        st.session_state[SIGNED_IN_AT] = time.time()
                        st.session_state[SIGNED_IN] = actor
                    except AccessDenied as exc:
                        st.error(str(exc))
        else:
            st.caption(f"Signed in as **{actor.name}** ({actor.role})")
            if st.button("Sign out"):
                st.session_state[SIGNED_IN] = None
                st.rerun()
    return actor or _remember(PUBLIC)


def _oidc_actor() -> Actor:
    if not st.user.is_logged_in:
        with st.sidebar:
            st.button("Sign in with City account", on_click=st.login)
        return _remember(PUBLIC)
    claims = st.user.to_dict()
    st.session_state.setdefault(SIGNED_IN_AT, time.time())
    if session_expired(st.session_state[SIGNED_IN_AT], time.time(), max_hours=MAX_HOURS, token_exp=_exp(claims.get("exp"))):
        st.session_state.pop(SIGNED_IN_AT, None)
        st.logout()
    email = str(claims.get("email") or "")
    account = load_accounts(accounts_path()).get(email)
    actor = account.actor() if account else Actor(email or "unknown", "public")
    with st.sidebar:
        st.caption(f"Signed in as **{actor.name}** ({actor.role})")
        st.button("Sign out", on_click=st.logout)
    return _remember(actor)


def _exp(value: object) -> float | None:
    """Return the ID token's ``exp`` claim as seconds, ``None`` when absent or unreadable."""
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _remember(actor: Actor) -> Actor:
    st.session_state[ACTOR] = actor
    return actor
