"""Hostile uploads through the app's path (upload limits, admin actor): each rejected, store unchanged."""
from __future__ import annotations

import re

import pytest

from geo.access.roles import Actor
from geo.config import UploadLimits
from geo.errors import AccessDenied, GeoDataError
from geo.services.imports import import_file
from tests.geo.test_malformed import CASES, real_store, snapshot  # noqa: F401  (fixture)
from ui.uploads import save_upload

ADMIN = Actor("admin", "admin")
OPTIONS = {"--crs": "crs", "--department": "department"}


@pytest.fixture(autouse=True)
def _uploads_in_tmp(tmp_path, monkeypatch):
    """Keep the upload folders save_upload creates inside the test's own tmp_path."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))


def _options(extra: list[str]) -> dict[str, str]:
    return {OPTIONS[k]: v for k, v in zip(extra[::2], extra[1::2])}


@pytest.mark.parametrize(("build", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_upload_is_rejected_and_nothing_changes(real_store, tmp_path, build, pattern):  # noqa: F811
    kind, path, extra = build(tmp_path)
    uploaded = save_upload(path.name, path.read_bytes(), max_bytes=UploadLimits().max_file_bytes)
    before = snapshot(real_store)
    with pytest.raises(GeoDataError) as info:
        import_file(real_store, ADMIN, kind, uploaded, limits=UploadLimits(), **_options(extra))
    assert re.search(pattern, str(info.value)), str(info.value)
    assert snapshot(real_store) == before


def test_feature_cap_for_uploads_is_checked_before_reading(real_store, tmp_path):  # noqa: F811
    limits = UploadLimits(max_features=100)
    rows = "\n".join(f"I{i},2025-03-01,34.05,-118.24" for i in range(101))
    path = tmp_path / "many.csv"
    path.write_text("incident_id,occurred_at,lat,lon\n" + rows + "\n")
    before = snapshot(real_store)
    with pytest.raises(GeoDataError, match=r"101|more than 100|over the .*100"):
        import_file(real_store, ADMIN, "incidents", path, limits=limits)
    assert snapshot(real_store) == before


@pytest.mark.parametrize("role", ["planner", "liaison", "council_office", "records", "public"])
def test_only_admins_import(real_store, tmp_path, role):  # noqa: F811
    path = tmp_path / "x.csv"
    path.write_text("incident_id,occurred_at,lat,lon\nI1,2025-03-01,34.05,-118.24\n")
    before = snapshot(real_store)
    with pytest.raises(AccessDenied, match="may not import data"):
        import_file(real_store, Actor("x", role, "Transportation (LADOT)"), "incidents", path)
    assert snapshot(real_store) == before
