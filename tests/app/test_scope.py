"""AppTest: scope follows the user. One district selector for the session; a council office lands on its own
district on every page (counts, tables and maps cut and zoomed to it), with all districts one click away."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo import schema
from geo.access.roles import ROLES, Actor, visible_pages
from geo.analysis.relevance import enforcement_incidents
from tests.app.test_overview_page import APP

ROOT = Path(APP).parent
DISTRICT, DEPT = 14, "Transportation (LADOT)"


def _app(role: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["demo_district"] = DISTRICT
    at.session_state["demo_dept"] = DEPT
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()
    assert not at.exception, at.exception
    return at


def _district_widgets(at: AppTest) -> list[str]:
    labels = [w.label for w in [*at.selectbox, *at.multiselect]]
    return [label for label in labels if "district" in label.lower()]


def _sidebar_district_widgets(at: AppTest) -> list[str]:
    """Every sidebar widget about the district: by its label, its key or its options."""
    side = at.sidebar
    widgets = [*side.selectbox, *side.multiselect, *side.radio, *side.number_input, *side.text_input]
    return [w.label for w in widgets if "district" in f"{w.label} {getattr(w, 'key', '')}".lower()
            or any("district" in str(o).lower() for o in getattr(w, "options", []))]


def _shown(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Incidents shown").replace(",", ""))


def test_council_office_lands_on_its_district_everywhere(sample_store):
    incidents = enforcement_incidents(sample_store.read_layer(schema.INCIDENTS))
    in_district = int((incidents[schema.COUNCIL_DISTRICT] == DISTRICT).sum())
    assert 0 < in_district < len(incidents)
    at = _app("council_office")
    for page in ("incidents", "gaps", "overview"):
        _go(at, page)
        assert at.selectbox(key="district").value == DISTRICT, page
        assert _district_widgets(at) == ["Council district"], page  # one selector, named once
    _go(at, "incidents")
    assert _shown(at) == in_district
    assert at.query_params["district"] in (str(DISTRICT), [str(DISTRICT)])  # the scope is in the URL, for sharing
    _go(at, "gaps")
    assert any(t.value == f"Gap analysis: District {DISTRICT}" for t in at.title)
    table = next(d.value for d in at.dataframe if schema.SITE_ID in d.value.columns or "Site" in d.value.columns)
    assert len(table) > 0
    by_district = next(d.value for d in at.dataframe if "Council district" in d.value.columns)
    assert by_district["Council district"].astype(str).tolist() == [str(DISTRICT)]  # its district, not all 15
    # all districts, one click away
    at.button(key="district_show_all").click().run()
    assert at.selectbox(key="district").value == 0  # "All districts"
    assert any(t.value == "Gap analysis" for t in at.title)
    _go(at, "incidents")
    assert _shown(at) == len(incidents)
    assert "district" not in at.query_params


def test_scope_is_seeded_again_when_the_actor_changes(sample_store):
    at = _app("council_office")
    assert at.selectbox(key="district").value == DISTRICT
    at.session_state["demo_district"] = 3  # another council office signs in (its identity, not a widget)
    at.run()
    assert at.selectbox(key="district").value == 3
    at.selectbox(key="demo_role").set_value("planner").run()  # a planner starts citywide
    assert at.selectbox(key="district").value == 0  # a planner starts citywide (all districts)


def test_a_shared_url_restores_the_district_and_a_liaison_gets_no_district_picker(sample_store):
    at = _go(_app("planner", district="5"), "incidents")
    assert at.selectbox(key="district").value == 5
    liaison = _go(_app("liaison"), "liaison")
    assert not _district_widgets(liaison)
    assert any(DEPT in c.value for c in liaison.caption)  # a liaison lands on their own department


def test_the_sidebar_has_one_district_widget_for_every_role(sample_store):
    """One district selector for the session, named once; a liaison (scoped by department) and the public have none."""
    for role in ROLES:
        at = _app(role)
        assert not at.exception, (role, at.exception)
        pages = visible_pages(Actor("x", role, DEPT if role == "liaison" else None, DISTRICT))
        for page in [p for p in ("incidents", "gaps", "overview") if p in pages] or pages[:1]:
            _go(at, page)
            widgets = _sidebar_district_widgets(at)
            expected = [] if role in ("liaison", "public") else ["Council district"]
            assert widgets == expected, (role, page, widgets)
        if role == "council_office":
            assert at.selectbox(key="district").value == DISTRICT  # the identity's district is the default


def test_each_role_lands_on_the_page_that_answers_its_first_question(sample_store):
    liaison = _app("liaison")  # my sites still to sign and gate
    assert any(t.value.startswith("Liaison") for t in liaison.title), [t.value for t in liaison.title]
    assert any(m.value.startswith("**Still to do:**") and "without the sign" in m.value for m in liaison.markdown)
    council = _app("council_office")  # my district's incidents this month
    assert any(c.value.startswith(f"Counts for District {DISTRICT}") for c in council.caption)
    assert int(next(m.value for m in council.metric if m.label == "Incidents this month").replace(",", "")) >= 0
    planner = _app("planner")  # what awaits review, one click from Parcel review
    assert any("await their A.1 determination" in p.label for p in planner.get("page_link")), "no review link"
    public = _app("public")  # the map
    assert [t.value for t in public.title] == ["City property protected under Executive Directive 17"]
