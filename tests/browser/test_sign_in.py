"""Sign-in in Chromium: each local account through the real form, and OIDC against a real provider on localhost.

The OIDC provider is oidc-provider-mock (tools/requirements-browser.txt), started by the ``oidc_provider``
fixture; the app gets its ``[auth]`` secrets from a temporary file (``--secrets.files``). Every request
stays on this machine: the guard aborts and reports anything else. The provider's pages link a CDN
stylesheet; the browser answers that one request itself with an empty sheet, so it never leaves.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from geo.store import open_store
from tests.browser import drive
from tests.browser.conftest import ACCOUNT_PASSWORD, LOCAL_ACCOUNTS, OIDC_ACCOUNTS, App, Provider

NAV = {  # each role's navigation, from README "Who sees what" (titles as the sidebar shows them)
    "planner": ["Overview", "Parcel review", "Site list (A.1)", "Incident map", "Gap analysis", "Nexus study", "Public view",
                "Events and effects", "Registers"],
    "liaison": ["Overview", "Liaison", "Site list (A.1)", "Report an incident", "Public view", "Inbox"],
    "council_office": ["Overview", "Incident map", "Gap analysis", "Public view"],
    "records": ["Overview", "Incident map", "Report an incident", "Public view", "Events and effects", "Registers",
                "Commission (Section B)"],
    "admin": ["Overview", "Parcel review", "Liaison", "Site list (A.1)", "Incident map", "Report an incident", "Gap analysis",
              "Data", "Nexus study", "Public view", "Inbox", "Events and effects", "Registers", "Commission (Section B)"],
    "public": [],  # one page only: Streamlit shows no navigation at all
}
OVERVIEW = "StageMap: City property and Executive Directive 17"
PUBLIC = "City property protected under Executive Directive 17"
PROVIDER_CSS = "https://cdn.jsdelivr.net/npm/@picocss/**"


def _auth_events(store: Path, name: str) -> list[str]:
    return [str(r["action"]) for r in open_store(str(store), create=False).read_audit()
            if str(r["action"]).startswith("auth.") and r["entity_id"] == name]


def _nav_titles(page: Page) -> list[str]:
    drive.open_sidebar(page)
    more = page.locator('[data-testid="stSidebarNavViewButton"]')  # Streamlit folds a long navigation
    if more.count() and more.inner_text().startswith("View") and "more" in more.inner_text():
        more.click()
        expect(more).to_contain_text("View less")
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [re.sub(r"^\S+\s+", "", t.strip()) if not t.strip()[:1].isalnum() else t.strip()
            for t in links.all_inner_texts()]


def _signed_in(page: Page, name: str, role: str) -> None:
    """Wait until the sidebar says who is signed in, and the run that said so has finished."""
    expect(page.get_by_text(f"Signed in as {name} ({role})", exact=True)).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    drive.wait_idle(page)


# --- local accounts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(LOCAL_ACCOUNTS))
def test_local_account_signs_in_through_the_form_and_opens_its_first_page(local_app: App, new_context, role) -> None:
    name = LOCAL_ACCOUNTS[role][0]
    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, local_app.url)
    expect(page.get_by_role("heading", name=PUBLIC)).to_be_visible()  # a visitor: the public view only
    drive.open_sidebar(page)
    drive.key(page, "sign_in_name").locator("input").fill(name)
    drive.key(page, "sign_in_password").locator("input").fill(ACCOUNT_PASSWORD)
    drive.key(page, "sign_in_submit").get_by_role("button").click()
    _signed_in(page, name, role)
    assert _nav_titles(page) == NAV[role]
    drive.nav(page, NAV[role][0])  # the signed-in user stays where they were; their first page is a click away
    expect(page.get_by_role("heading", name=OVERVIEW)).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    expect(page.get_by_text(f"Signed in as {name} ({role})", exact=True)).to_be_visible()
    assert not page.get_by_text("cannot open").count()
    assert _auth_events(local_app.store, name) == ["auth.sign_in"]
    guard.check()


def test_wrong_password_in_the_browser_is_refused_and_audited(local_app: App, new_context) -> None:
    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, local_app.url)
    drive.open_sidebar(page)
    drive.key(page, "sign_in_name").locator("input").fill("nobody-here")
    drive.key(page, "sign_in_password").locator("input").fill("not the password at all")
    drive.key(page, "sign_in_submit").get_by_role("button").click()
    expect(page.get_by_text("Unknown user name or wrong password.")).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    assert _nav_titles(page) == NAV["public"]
    assert _auth_events(local_app.store, "nobody-here") == ["auth.sign_in_failed"]
    guard.check()


# --- OIDC against a real provider ---------------------------------------------------------------------------------
def _oidc_context(new_context, provider: Provider) -> tuple[BrowserContext, object]:
    ctx, guard = new_context()
    ctx.route(PROVIDER_CSS, lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    ctx.route(f"{provider.url}/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    return ctx, guard


def _oidc_sign_in(page: Page, app: App, provider: Provider, sub: str) -> None:
    """Click the app's sign-in button, authorise ``sub`` on the provider's form, and come back."""
    drive.open_app(page, app.url)
    drive.open_sidebar(page)
    drive.key(page, "oidc_sign_in").get_by_role("button").click()
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/authorize"), timeout=drive.RERUN_TIMEOUT_MS)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


@pytest.mark.parametrize(("email", "role"), [("pat@city.example", "planner"), ("stranger@example.org", "public")],
                         ids=["account", "unknown-email"])
def test_oidc_sign_in_gives_the_account_role_or_the_public_view(oidc_app: App, oidc_provider: Provider, new_context,
                                                                 email, role) -> None:
    assert OIDC_ACCOUNTS.get(email, "public") == role
    oidc_provider.set_user(email, {"email": email, "email_verified": True, "name": email.split("@")[0]})
    ctx, guard = _oidc_context(new_context, oidc_provider)
    page = ctx.new_page()
    _oidc_sign_in(page, oidc_app, oidc_provider, email)
    page.wait_for_url(re.compile(re.escape(oidc_app.url) + "/"), timeout=drive.RERUN_TIMEOUT_MS)
    _signed_in(page, email, role)
    expect(page.get_by_role("heading", name=OVERVIEW if role != "public" else PUBLIC)).to_be_visible()
    assert not page.get_by_role("heading", name=OVERVIEW if role == "public" else PUBLIC).count()
    assert _nav_titles(page) == NAV[role]
    assert _auth_events(oidc_app.store, email) == ["auth.sign_in"]
    guard.check()


def test_oidc_expired_token_is_sent_back_to_sign_in_and_audited(oidc_app: App, oidc_provider: Provider,
                                                                 new_context) -> None:
    email = "late@city.example"
    # The provider issues an ID token whose `exp` is already past (within the 120 s leeway Authlib allows
    # at the callback, so Streamlit accepts the login): st.user never checks `exp`; StageMap must.
    oidc_provider.set_user(email, {"email": email, "email_verified": True, "exp": int(time.time()) - 20})
    ctx, guard = _oidc_context(new_context, oidc_provider)
    page = ctx.new_page()
    _oidc_sign_in(page, oidc_app, oidc_provider, email)
    # the app logs the expired login out: through the provider's end-session page and back to sign in
    page.wait_for_url(re.compile(re.escape(oidc_provider.url) + r"/oauth2/end_session"), timeout=drive.RERUN_TIMEOUT_MS)
    assert _auth_events(oidc_app.store, email) == ["auth.session_expired"]
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(oidc_app.url) + "/"), timeout=drive.RERUN_TIMEOUT_MS)
    drive.wait_idle(page)
    drive.open_sidebar(page)
    expect(drive.key(page, "oidc_sign_in").get_by_role("button")).to_be_visible(timeout=drive.RERUN_TIMEOUT_MS)
    expect(page.get_by_role("heading", name=PUBLIC)).to_be_visible()
    assert not page.get_by_text(f"Signed in as {email}").count()
    assert _nav_titles(page) == NAV["public"]
    assert _auth_events(oidc_app.store, email) == ["auth.session_expired"]  # never signed in as records
    guard.check()
