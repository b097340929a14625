"""Role x page walk: allowed pages render; forbidden ones are absent from navigation AND refuse when run directly."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.access.roles import PAGES, ROLES, Actor
from tests.app.test_overview_page import APP

ROOT = Path(APP).parent
ALLOWED = {  # written out from the issue, independent of geo.access.roles
    "planner": {"overview", "review", "sites", "incidents", "gaps", "nexus", "public", "registers", "events"},
    "liaison": {"overview", "liaison", "sites", "report", "public", "inbox"},
    "council_office": {"overview", "incidents", "gaps", "public"},
    "records": {"overview", "incidents", "report", "public", "registers", "commission", "events"},
    "admin": set(PAGES),
    "public": {"public"},
}
EXISTING = [p for p in PAGES if (ROOT / "app_pages" / f"{p}.py").exists()]


def _actor(role: str) -> Actor:
    return Actor(f"test {role}", role, department="Transportation (LADOT)" if role == "liaison" else None,
                 district=1 if role == "council_office" else None)


@pytest.mark.parametrize("role", ROLES)
def test_navigation_lists_exactly_the_allowed_pages(sample_store, role):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.session_state["demo_dept"] = "Transportation (LADOT)"
    at.run()
    assert not at.exception, at.exception
    for page in EXISTING:
        script = str(ROOT / "app_pages" / f"{page}.py")
        if page in ALLOWED[role]:
            at.switch_page(script).run()
            assert not at.exception, (role, page, at.exception)
            assert not any("cannot open" in e.value for e in at.error), (role, page)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(script)


FORBIDDEN = [(r, p) for r in ROLES for p in EXISTING if p not in ALLOWED[r]]


@pytest.mark.parametrize(("role", "page"), FORBIDDEN, ids=[f"{r}-{p}" for r, p in FORBIDDEN])
def test_forbidden_page_run_directly_refuses_before_showing_anything(sample_store, role, page):
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60)
    at.session_state["auth_actor"] = _actor(role)
    at.run()
    assert at.error and f"cannot open the {page} page" in at.error[0].value
    assert not at.metric and not at.dataframe and not at.button
