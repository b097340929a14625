"""AppTest: the Liaison page marks a sign, updates status and KPIs, and shows conflicts."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from geo.analysis.labels import label
from tests.app.test_overview_page import APP


def _liaison(dept: str = "Transportation (LADOT)") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_name"] = "ana"
    at.session_state["demo_role"] = "liaison"
    at.session_state["demo_dept"] = dept
    at.run()
    return at.switch_page("app_pages/liaison.py").run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _unsigned_site(store, dept: str) -> str:
    """An unsigned candidate site of ``dept`` (only candidates need a sign, so only they count as signed)."""
    sites = store.read_layer("sites")
    status = store.read_status().set_index("site_id")
    control = store.read_control().set_index("site_id")
    ids = sites.loc[sites["owning_dept"] == dept, "site_id"]
    return next(s for s in ids if status.loc[s, "sign_status"] != "posted" and s in control.index
                and control.loc[s, "determination"] == "candidate")


def test_marking_a_sign_updates_status_and_kpis(sample_store):
    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    at = _liaison(dept)
    assert not at.exception
    signed_before = int(_metric(at, "Signed"))
    at.selectbox(key="selected_site").set_value(site).run()
    form_radio = next(r for r in at.radio if r.label == "Sign")
    form_radio.set_value("posted")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert any(f"Saved {site}" in s.value for s in at.success) or int(_metric(at, "Signed")) == signed_before + 1
    status = sample_store.read_status().set_index("site_id").loc[site]
    assert status["sign_status"] == "posted" and status["version"] == 2 and status["updated_by"] == "ana"
    assert int(_metric(at, "Signed")) == signed_before + 1


def test_a_stale_save_keeps_the_other_edit_and_applies_mine(sample_store):
    """The red-team case: the other session's fields are never overwritten by this form's stale values."""
    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    at = _liaison(dept)
    at.selectbox(key="selected_site").set_value(site).run()
    # someone else saves first, after this page loaded version 1
    sample_store.save_status(site, {"gate_status": "closed_locked"}, expect_version=1, user="bo")
    next(r for r in at.radio if r.label == "Sign").set_value("posted")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    final = sample_store.read_status().set_index("site_id").loc[site]
    assert final["sign_status"] == "posted" and final["gate_status"] == "closed_locked" and final["version"] == 3
    assert any("Merged on top of 1 newer edit" in s.value for s in at.success)


def test_a_field_both_changed_is_chosen_side_by_side(sample_store):
    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    at = _liaison(dept)
    at.selectbox(key="selected_site").set_value(site).run()
    was = sample_store.read_status().set_index("site_id").loc[site, "sign_status"]
    mine = next(v for v in ("damaged", "none", "unknown") if v != was)
    sample_store.save_status(site, {"sign_status": "posted", "gate_status": "open"}, expect_version=1, user="bo")
    next(r for r in at.radio if r.label == "Sign").set_value(mine)
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.error and "Nothing was saved" in at.error[0].value
    assert sample_store.read_status().set_index("site_id").loc[site, "version"] == 2  # bo's save stands
    texts = [t.value for t in at.text]
    assert f"Yours: {label(mine, 'sign_status')}" in texts and "Saved since: Posted" in texts
    # the newer edit reads with the label table and in Los Angeles time, never raw names or UTC
    message = at.error[0].value
    assert "by bo at" in message and "Sign" in message and "Gate" in message and "Open" in message
    assert "sign_status" not in message and "gate_status" not in message and "UTC" not in message
    assert re.search(r"\d{2}\\?:\d{2} P[SD]T \(-0[78]\\?:00\)", message), message  # md_escape escapes ':'
    at.radio(key="lia_conflict_sign_status").set_value("mine")
    at.button(key="lia_reapply").click().run()
    assert not at.exception, at.exception
    final = sample_store.read_status().set_index("site_id").loc[site]
    assert final["sign_status"] == mine and final["gate_status"] == "open" and final["version"] == 3


def test_a_liaison_sees_only_their_department(sample_store):
    at = _liaison("Recreation and Parks (RAP)")
    assert not at.exception
    assert any("Recreation and Parks (RAP)" in c.value for c in at.caption)
    assert not [s for s in at.selectbox if s.key == "lia_dept"]
    sites = sample_store.read_layer("sites")
    rap = set(sites.loc[sites["owning_dept"] == "Recreation and Parks (RAP)", "site_id"])
    assert {o.split(" · ")[0] for o in at.selectbox(key="selected_site").options} <= rap


def test_a_liaison_cannot_save_another_departments_site_even_directly(sample_store):
    import pytest

    from geo.access.roles import Actor
    from geo.errors import AccessDenied
    from geo.services.status import save_site_status

    sites = sample_store.read_layer("sites")
    rap_site = sites.loc[sites["owning_dept"] == "Recreation and Parks (RAP)", "site_id"].iloc[0]
    with pytest.raises(AccessDenied, match="liaison for Transportation"):
        save_site_status(sample_store, Actor("ana", "liaison", "Transportation (LADOT)"), rap_site,
                         {"sign_status": "posted"}, expect_version=1)
    assert sample_store.read_status().set_index("site_id").loc[rap_site, "version"] == 1


def test_a_sign_photo_is_stored_write_once_and_its_gps_checked(sample_store):
    import hashlib

    from tests.geo.test_intake import jpeg

    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    sites = sample_store.read_layer("sites")
    inside = sites.set_index("site_id").loc[site].geometry.representative_point()
    photo = jpeg(lat=inside.y, lon=inside.x)
    at = _liaison(dept)
    at.selectbox(key="selected_site").set_value(site).run()
    next(r for r in at.radio if r.label == "Sign").set_value("posted")
    at.file_uploader[0].set_value(("sign.jpg", photo, "image/jpeg"))
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    note = sample_store.read_status().set_index("site_id").loc[site, "note"]
    sha = hashlib.sha256(photo).hexdigest()
    assert f"sign photo sha256:{sha[:16]} (inside site)" in note
    stored = sample_store.evidence_dir() / sha[:2] / sha
    assert stored.read_bytes() == photo


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_saved(sample_store):
    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    at = _liaison(dept)
    at.selectbox(key="selected_site").set_value(site).run()
    at.file_uploader[0].set_value(("sign.jpg", b"MZ\x90\x00 not a photo", "image/jpeg"))
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.error and "not a photo" in at.error[0].value
    assert sample_store.read_status().set_index("site_id").loc[site, "version"] == 1
