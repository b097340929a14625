"""App fixtures: one synthetic sample store per test session, copied per test."""
from __future__ import annotations

import shutil

import pytest

from geo.access.roles import Actor
from geo.services.reports import publish_closed_months
from geo.store import open_store
from geo.synthetic import generate_sample


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch, tmp_path):
    """App tests run in demo mode (a role picker), never against a developer's accounts file."""
    monkeypatch.setenv("STAGEMAP_AUTH", "demo")
    monkeypatch.setenv("STAGEMAP_USERS", str(tmp_path / "no-users.json"))


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory):
    """Build the default synthetic sample once."""
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    sample = generate_sample()
    store = open_store(str(path))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    store.seed_control(sample.control.to_dict("records"), user="sample")  # A.1 determinations, as `stagemap sample`
    store.add_parts(sample.parts.to_dict("records"), user="sample")  # parks' parking lots
    publish_closed_months(store, Actor("records desk", "records"))  # as `stagemap sample` does
    return path


@pytest.fixture
def sample_store(sample_master, tmp_path, monkeypatch):
    """A private copy of the sample store, selected through STAGEMAP_STORE."""
    path = tmp_path / "sample.gpkg"
    shutil.copy(sample_master, path)
    monkeypatch.setenv("STAGEMAP_STORE", str(path))
    return open_store(str(path))
