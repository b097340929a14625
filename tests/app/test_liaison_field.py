"""AppTest: the liaison in the field. Sites near me (a typed location or ?near=), the form right after the site
picker, the language kept for the session, a photo saved and shown in the site panel with its GPS check."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import schema
from geo.analysis.nearby import nearest
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text
from tests.geo.test_intake import jpeg

DEPT = "Transportation (LADOT)"


def _liaison(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_name"] = "ana"
    at.session_state["demo_role"] = "liaison"
    at.session_state["demo_dept"] = DEPT
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("app_pages/liaison.py").run()
    assert not at.exception, at.exception
    return at


def _order(at: AppTest) -> list[str]:
    """The page's elements in order, by what they are."""
    return [type(e).__name__ for e in at.main]


def test_sites_near_me_picks_the_nearest_and_orders_the_picker(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    mine = sites[sites[schema.OWNING_DEPT] == DEPT]
    target = mine.iloc[5]
    point = target.geometry.representative_point()
    expected = nearest(mine, point.y, point.x, limit=3)[schema.SITE_ID].tolist()
    at = _liaison()
    at.text_input(key="lia_near_text").input(f"{point.y:.6f}, {point.x:.6f}").run()
    assert not at.exception
    picker = at.selectbox(key="selected_site")
    assert picker.value == expected[0] == target[schema.SITE_ID]
    assert " ft away" in picker.options[0]
    assert [o.split(" · ")[0] for o in picker.options[:3]] == expected
    at.text_input(key="lia_near_text").input("-118.2, 34.0").run()  # swapped: said so, nothing picked
    assert any("latitude comes first" in c.value for c in at.caption)


def test_a_shared_near_link_works_without_typing(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    target = sites[sites[schema.OWNING_DEPT] == DEPT].iloc[2]
    point = target.geometry.representative_point()
    at = _liaison(near=f"{point.y:.6f},{point.x:.6f}")
    assert at.selectbox(key="selected_site").value == target[schema.SITE_ID]


def test_form_follows_the_picker_language_is_kept_and_the_photo_is_shown(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    site = sites[sites[schema.OWNING_DEPT] == DEPT].iloc[0]
    lon, lat = site.geometry.representative_point().x, site.geometry.representative_point().y
    at = _liaison()
    at.selectbox(key="selected_site").set_value(site[schema.SITE_ID]).run()
    labels = [getattr(e, "label", None) or getattr(e, "type", "") for e in at.main]
    assert labels.index("Site to mark") < labels.index("Sign") < labels.index("Signed")  # form before the KPIs
    at.selectbox(key="lia_language").set_value("es")
    next(r for r in at.radio if r.label == "Sign").set_value("posted")
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.selectbox(key="lia_language").value == "es"  # kept for the session
    # a photo travels as the form's upload (or camera) would: through the page's pending save
    at.session_state["lia_pending"] = {"site": site[schema.SITE_ID],
                                       "base": at.session_state["lia_seen"][site[schema.SITE_ID]],
                                       "mine": {schema.STATUS_NOTE: "sign photographed"},
                                       "photo": ("sign.jpg", jpeg(lat=lat, lon=lon))}
    at.run()
    assert not at.exception, at.exception
    assert any(s.value.startswith(f"Saved {site[schema.SITE_ID]}") for s in at.success)  # lasting confirmation
    assert any(m.value.startswith("**Sign photos** (1)") for m in at.markdown)
    captions = all_text(at)  # st.image captions live in the image list protos
    assert "GPS: inside site" in captions and "Taken 2026-03-01" in captions
    at.selectbox(key="selected_site").set_value(sites[sites[schema.OWNING_DEPT] == DEPT].iloc[1][schema.SITE_ID]).run()
    assert at.selectbox(key="lia_language").value == "es"  # still, on the next site
