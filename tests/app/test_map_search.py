"""AppTest: search on the maps finds an address, AIN/APN, site id or name, flies the map and opens the panel."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo import schema
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text

ROOT = Path(APP).parent
DISTRICT = 14


def _at(role: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["demo_district"] = DISTRICT
    at.session_state["demo_dept"] = "Transportation (LADOT)"
    at.run()
    at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()
    assert not at.exception, at.exception
    return at


def test_planner_finds_a_site_by_name_and_its_panel_opens(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    site = sites.iloc[7]
    at = _at("planner", "review")
    at.text_input(key="review_search").input(str(site[schema.SITE_ID]).lower()).run()
    assert not at.exception
    assert at.session_state["selected_site"] == site[schema.SITE_ID]
    assert any(s.value.startswith(f"City site {site[schema.SITE_ID]}") for s in at.subheader)
    html = all_text(at)
    assert "stagemap-found" in html and "fitBounds" in html  # the map flies there and rings the place


def test_planner_finds_a_parcel_by_apn_with_dashes(sample_store):
    parcel = sample_store.read_layer(schema.PARCELS).iloc[3]
    at = _at("planner", "review")
    at.text_input(key="review_search").input(str(parcel[schema.APN])).run()
    assert at.session_state["selected_site"] == parcel[schema.AIN]  # the parcel's panel


def test_council_office_finds_an_address_without_parcel_numbers(sample_store):
    parcels = sample_store.read_layer(schema.PARCELS)
    address = str(parcels[schema.SITUS_ADDRESS].dropna().iloc[0])
    at = _at("council_office", "incidents")
    at.text_input(key="incidents_search").input(address.split(" - ")[-1]).run()
    assert not at.exception
    options = at.selectbox(key="incidents_search_pick").options  # the address is shared by several parcels
    assert "stagemap-found" in all_text(at)
    assert all("AIN" not in o for o in options)  # a council office may not receive parcel numbers
    at.text_input(key="incidents_search").input("no such place anywhere").run()
    assert any(c.value.startswith("Nothing matches") for c in at.caption)
    assert "stagemap-found" not in all_text(at)


def test_a_clicked_table_row_flies_the_review_map_there(sample_store):
    at = _at("planner", "review")
    first = at.dataframe[0].value.iloc[0]
    at.session_state["rev_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    html = all_text(at)
    assert "stagemap-found" in html and str(first["Record"]) in html  # ringed, and the map keyed to it
