"""Reporter privacy: seeded canary names, e-mails and phones never reach a page or artifact outside records/admin."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.access.roles import ROLES, Actor, visible_pages
from geo.analysis.analyze import analyze
from geo.analysis.review import review_frame
from geo.errors import AccessDenied
from geo.intake.reports import IncidentReport
from geo.io.export import to_csv_bytes, to_geojson_bytes, to_gpkg_bytes
from geo.services.intake import reporter_contacts, submit_incident
from stagemap_cli import main as cli
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text

CANARIES = [
    ("Zanzibar Quixote-Canary", "zq.canary7731@example.org", "+1 (213) 555-0199"),
    ("Ofelia Brightwater-Canary", "ofelia.canary4402@example.net", "213-555-0142"),
]
NEEDLES = [s for trio in CANARIES for s in (*trio, "5550199", "555-0199", "canary7731", "canary4402")]


def _found(text: str) -> list[str]:
    return [n for n in NEEDLES if n.lower() in text.lower()]


@pytest.fixture
def seeded(sample_store):
    sites = sample_store.read_layer("sites")
    records = Actor("desk", "records")
    ids = []
    for (name, email, phone), (_, site) in zip(CANARIES, sites.head(2).iterrows()):
        pt = site.geometry.representative_point()
        res = submit_incident(sample_store, records, IncidentReport(
            incident_type="staging_area", lat=pt.y, lon=pt.x, occurred_at="2026-10-30T09:00", source_type="public",
            description="Vans assembling", reporter_name=name, reporter_email=email, reporter_phone=phone))
        ids.append(res.incident_id)
    return sample_store, ids


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_canary_before_records_asks(seeded, role):
    _, ids = seeded
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.session_state["demo_dept"] = "Transportation (LADOT)"
    at.session_state["selected_incident"] = ids[0]
    at.run()
    pages = [p for p in visible_pages(Actor("x", role, "Transportation (LADOT)"))
             if p not in ("data", "report")  # forms only: they never display stored contacts
             and (Path(APP).parent / "app_pages" / f"{p}.py").exists()]
    for page in pages:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (role, page, at.exception)
        assert _found(all_text(at)) == [], (role, page)


def test_records_can_read_contacts_and_the_read_is_logged(seeded):
    store, ids = seeded
    rows = reporter_contacts(store, Actor("desk", "records"), ids[0])
    assert rows[0]["name"] == CANARIES[0][0]
    assert any(e["action"] == "reporter_contact.read" and e["entity_id"] == ids[0] for e in store.read_audit())
    for role in ("planner", "liaison", "council_office", "public"):
        with pytest.raises(AccessDenied):
            reporter_contacts(store, Actor("x", role, "Transportation (LADOT)"), ids[0])


def test_records_page_shows_the_contact_only_on_request(seeded):
    _, ids = seeded
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = "records"
    at.session_state["selected_incident"] = ids[0]
    at.run()
    at.switch_page("app_pages/incidents.py").run()
    assert _found(all_text(at)) == []
    at.button(key="inc_show_contact").click().run()
    assert CANARIES[0][0] in all_text(at)


def test_no_artifact_carries_a_canary(seeded, tmp_path):
    store, _ = seeded
    parcels, sites = store.read_layer("parcels"), store.read_layer("sites")
    res = analyze(parcels, sites, store.read_layer("incidents"), store.read_status(), store.read_overrides(),
                  as_of=dt.date(2026, 11, 1))
    frame = review_frame(res, parcels)
    blobs = [to_csv_bytes(frame, synthetic=True), to_geojson_bytes(frame, synthetic=True),
             to_gpkg_bytes(frame, layer="review", synthetic=True)]
    for layer in ("sites", "incidents", "gaps"):
        out = tmp_path / f"{layer}.html"
        assert cli(["map", "--layer", layer, "--out", str(out), "--store", store.url]) == 0
        blobs.append(out.read_bytes())
    assert cli(["analyze", "--out", str(tmp_path / "an"), "--store", store.url]) == 0
    blobs.extend(p.read_bytes() for p in (tmp_path / "an").iterdir())
    audit = "\n".join(str(e) for e in store.read_audit())
    blobs.append(audit.encode())
    for blob in blobs:
        text = blob.decode("utf-8", "ignore")
        if blob[:2] == b"PK":
            text = "".join(zipfile.ZipFile(io.BytesIO(blob)).read(n).decode("utf-8", "ignore")
                           for n in zipfile.ZipFile(io.BytesIO(blob)).namelist())
        assert _found(text) == []
