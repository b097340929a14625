"""AppTest: reporting an incident routes it to the department's liaison and stores evidence."""
from __future__ import annotations

import io

from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def test_contractor_report_on_a_city_lot_is_routed(sample_store):
    sites = sample_store.read_layer("sites")
    site = sites[sites["owning_dept"] == "Transportation (LADOT)"].iloc[0]
    point = site.geometry.representative_point()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "liaison"
    at.session_state["demo_dept"] = "Transportation (LADOT)"
    at.session_state["rep_lat"], at.session_state["rep_lon"] = round(point.y, 6), round(point.x, 6)
    at.run()
    at.switch_page("app_pages/report.py").run()
    assert not at.exception
    next(t for t in at.text_area if t.label == "What happened").input("Vans assembling in the lot")
    at.file_uploader[0].set_value([("photo.jpg", _jpeg(), "image/jpeg")])
    next(b for b in at.button if b.label == "Submit report").click().run()
    assert not at.exception, at.exception
    ok = at.success[0].value
    assert "Routed to: Immigrant Affairs Liaison" in ok and "Transportation (LADOT)" in ok
    assert "1 evidence file" in ok or "2 evidence file" in ok
    assert len(sample_store.read_layer("incidents")) == 251


def test_invalid_report_is_refused_and_nothing_is_written(sample_store):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "records"
    at.session_state["rep_lat"], at.session_state["rep_lon"] = 40.7, -74.0  # New York
    at.run()
    at.switch_page("app_pages/report.py").run()
    next(b for b in at.button if b.label == "Submit report").click().run()
    assert at.error and "nothing was written" in at.error[0].value
    assert len(sample_store.read_layer("incidents")) == 250
