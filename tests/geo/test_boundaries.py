"""Boundary sets with vintages: the 2021 council districts after the 2012 ones move every layer, and the
older set warns and needs --make-current.

The fixtures are built here in the City's real GeoHub field layout (``OBJECTID, NAME, District,
District_Name, TOOLTIP, NLA_URL``, and ``Effective`` as ArcGIS epoch milliseconds on the older
plan). Between the plans the line between CD 13 and CD 14 moves east by 0.005 degrees, so every
parcel, site and incident in that strip belongs to CD 14 under 2012 and to CD 13 under 2021.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.crs import lonlat_to_feet
from geo.intake.reports import IncidentReport
from geo.services.boundaries import make_current
from geo.services.imports import import_file
from geo.services.intake import submit_incident
from tests.actors import ADMIN
from tests.conftest import canonical_frame

WEST, LINE_2012, LINE_2021, EAST = -118.26, -118.245, -118.240, -118.23
SOUTH, NORTH = 34.04, 34.06
EFFECTIVE_2012 = 1341100800000  # 2012-07-01 in ArcGIS JSON (ms since 1970)
#: x of each test row; rows in (LINE_2012, LINE_2021) change district between the plans
XS = np.round(np.linspace(-118.2585, -118.2315, 28), 5)
MOVED = int(((XS > LINE_2012) & (XS < LINE_2021)).sum())


def council_file(path: Path, line: float, *, older: bool) -> Path:
    """Write the two districts in the real GeoHub layout as GeoJSON (``Effective`` only on the older plan)."""
    rows = {"OBJECTID": [1, 2], "NAME": ["Council District 13", "Council District 14"], "District": [13, 14],
            "District_Name": ["CD 13", "CD 14"], "TOOLTIP": ["Council District 13", "Council District 14"],
            "NLA_URL": ["navigatela/reports/cd13", "navigatela/reports/cd14"]}
    if older:
        rows["Effective"] = [EFFECTIVE_2012, EFFECTIVE_2012]
    geoms = [shapely.box(WEST, SOUTH, line, NORTH), shapely.box(line, SOUTH, EAST, NORTH)]
    gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def layers(*, synthetic: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """Parcels, sites and incidents along a west-east line, placed by the 2012 plan (as an import would)."""
    n = len(XS)
    cd2012 = np.where(XS < LINE_2012, 13, 14).tolist()
    boxes = [shapely.box(x - 0.0002, 34.0498, x + 0.0002, 34.0502) for x in XS]
    fx, fy = lonlat_to_feet(XS, np.full(n, 34.05))
    common = {schema.IS_SYNTHETIC: synthetic, schema.COUNCIL_DISTRICT: cd2012}
    parcels = canonical_frame(schema.PARCELS, boxes, ain=[f"51730{i:05d}" for i in range(n)], lot_sqft=1_000.0,
                              centroid_x_ft=list(fx), centroid_y_ft=list(fy), merged_count=1, **common)
    sites = canonical_frame(schema.SITES, boxes, site_id=[f"S{i:03d}" for i in range(n)], owning_dept="General Services",
                            area_sqft=1_000.0, site_origin=schema.ASSET_LIST, **common)
    when = pd.Timestamp("2026-03-02 10:00", tz="America/Los_Angeles").tz_convert("UTC")
    incidents = canonical_frame(schema.INCIDENTS, [shapely.Point(x, 34.051) for x in XS],
                                incident_id=[f"240100{i:03d}" for i in range(n)], occurred_at=when,
                                incident_type="arrest", verification_status="unverified", source_type="community_tracker",
                                warrant_shown="unknown", **common)
    return {schema.PARCELS: parcels, schema.SITES: sites, schema.INCIDENTS: incidents}


def held(store) -> dict[str, pd.Series]:
    """Return the stored council district of every parcel, site and incident, by key."""
    return {layer: store.read_layer(layer).set_index(schema.LAYER_KEYS[layer])[schema.COUNCIL_DISTRICT]
            for layer in (schema.PARCELS, schema.SITES, schema.INCIDENTS)}


@pytest.fixture
def files(tmp_path):
    return (council_file(tmp_path / "Council_Districts_2012.geojson", LINE_2012, older=True),
            council_file(tmp_path / "Council_Districts_2021.geojson", LINE_2021, older=False))


def test_the_2021_plan_after_the_2012_plan_moves_every_layer_in_one_audited_switch(any_store, files, tmp_path,
                                                                                    monkeypatch):
    monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))  # intake on PostgreSQL needs one
    old, new = files
    first = import_file(any_store, ADMIN, schema.DISTRICTS, old)
    assert "stored and made current" in first.summary() and "vintage 2012" not in first.summary()
    assert any_store.read_layer(schema.DISTRICTS)[schema.VINTAGE].eq("2012-07-01").all()  # read from Effective
    any_store.write_layers(layers(), user=ADMIN.name)
    intake = submit_incident(any_store, Actor("desk", "records"), IncidentReport(
        "checkpoint", 34.052, -118.2425, "2026-03-03T08:00", "officer", relevance="suspected_unlawful_conduct",
        conduct=("masking",)))
    assert held(any_store)[schema.INCIDENTS][intake.incident_id] == 14  # placed at intake by the 2012 plan
    report = import_file(any_store, ADMIN, schema.DISTRICTS, new, vintage="2021")
    text = report.summary()
    n = len(XS)
    assert (f"re-assigned by location: parcels {MOVED:,} of {n:,} moved, sites {MOVED:,} of {n:,} moved, "
            f"incidents {MOVED + 1:,} of {n + 1:,} moved") in text, text
    assert "WARNING" not in text
    after = held(any_store)
    for layer, values in after.items():
        keys = values.index
        x = {schema.PARCELS: XS, schema.SITES: XS, schema.INCIDENTS: XS}[layer]
        expect = pd.Series(np.where(x < LINE_2021, 13, 14), index=keys[:len(x)])
        assert (values.loc[expect.index] == expect).all(), layer
    assert after[schema.INCIDENTS][intake.incident_id] == 13
    sets = any_store.read_boundary_sets("council_districts").set_index("set_id")
    assert sets["is_current"].to_dict() == {"council_districts 2012-07-01": False, "council_districts 2021": True}
    assert any_store.verify_state().ok, any_store.verify_state().problems()  # the moved intake row is re-bound


def test_an_older_set_warns_stays_aside_and_switches_only_with_make_current(any_store, files):
    old, new = files
    import_file(any_store, ADMIN, schema.DISTRICTS, new, vintage="2021")
    any_store.write_layers(layers(), user=ADMIN.name)  # rows placed by 2012: re-placed on the next switch
    before = held(any_store)
    report = import_file(any_store, ADMIN, schema.DISTRICTS, old)
    text = report.summary()
    assert "WARNING: this council districts set (vintage 2012-07-01) looks OLDER than the current set " \
           "'council_districts 2021' (vintage 2021)" in text and "NOT made current" in text
    assert "--make-current" in text
    assert all(before[k].equals(v) for k, v in held(any_store).items()), "an older set moved rows without asking"
    assert any_store.read_layer(schema.DISTRICTS)[schema.VINTAGE].eq("2021").all()
    switched = import_file(any_store, ADMIN, schema.DISTRICTS, old, make_current=True)
    assert "made current as asked" in switched.summary() and "is now current" in switched.summary()
    assert held(any_store)[schema.INCIDENTS].eq(np.where(XS < LINE_2012, 13, 14)).all()
    back = make_current(any_store, ADMIN, "council_districts 2021")
    assert back.moved == {schema.PARCELS: MOVED, schema.SITES: MOVED, schema.INCIDENTS: MOVED}
    assert any_store.verify_state().ok, any_store.verify_state().problems()


def test_cli_import_reports_moves_and_the_district_map_counts_the_new_boundary(store, files, tmp_path, cli_accounts,
                                                                                capsys):
    from stagemap_cli.main import main

    old, new = files
    args = ["--store", store.url, "--user", "admin"]
    assert main(["import", "districts", str(old), *args]) == 0
    store.write_layers({k: v for k, v in layers().items()}, user="admin")
    capsys.readouterr()
    assert main(["import", "districts", str(new), "--vintage", "2021", *args]) == 0
    out = capsys.readouterr().out
    assert f"incidents {MOVED:,} of {len(XS):,} moved" in out and "stored and made current" in out
    assert main(["map", "--layer", "incidents", "--district", "14", "--out", str(tmp_path / "cd14.html"),
                 "--as-of", "2026-03-31", *args]) == 0
    inside = int((XS >= LINE_2021).sum())
    assert f"(incidents, {inside:,} features, district 14" in capsys.readouterr().out
    capsys.readouterr()
    assert main(["import", "districts", str(old), *args]) == 0
    assert "looks OLDER" in capsys.readouterr().out
    assert main(["boundaries", "list", "--store", store.url]) == 0
    listing = capsys.readouterr().out
    assert "* council_districts 2021" in listing and "  council_districts 2012-07-01" in listing


def test_lapd_divisions_and_neighborhood_councils_are_sets_too(store, tmp_path):
    store.write_layers(layers(synthetic=False), user=ADMIN.name)
    divisions = tmp_path / "LAPD_Divisions.geojson"
    gpd.GeoDataFrame({"prec": [1, 2], "APREC": ["CENTRAL", "RAMPART"], "OBJECTID": [1, 2]},
                     geometry=[shapely.box(WEST, SOUTH, -118.25, NORTH), shapely.box(-118.25, SOUTH, EAST, NORTH)],
                     crs="EPSG:4326").to_file(divisions, driver="GeoJSON")
    councils = tmp_path / "Neighborhood_Councils.geojson"
    gpd.GeoDataFrame({"NC_ID": [42, 52], "NAME": ["DOWNTOWN LOS ANGELES", "HISTORIC CULTURAL"]},
                     geometry=[shapely.box(WEST, SOUTH, -118.235, NORTH), shapely.box(-118.235, SOUTH, EAST, NORTH)],
                     crs="EPSG:4326").to_file(councils, driver="GeoJSON")
    import_file(store, ADMIN, schema.LAPD_DIVISIONS, divisions, vintage="2019")
    import_file(store, ADMIN, schema.NEIGHBORHOOD_COUNCILS, councils)
    inc = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    assert (inc[schema.LAPD_AREA].to_numpy() == np.where(XS < -118.25, 1, 2)).all()
    assert set(inc.loc[inc[schema.LAPD_AREA] == 1, schema.AREA_NAME]) == {"CENTRAL"}
    assert (inc[schema.NEIGHBORHOOD_COUNCIL].to_numpy() == np.where(XS < -118.235, 42, 52)).all()
    sites = store.read_layer(schema.SITES)
    assert (sites[schema.NEIGHBORHOOD_COUNCIL].to_numpy() == np.where(XS < -118.235, 42, 52)).all()
    assert sorted(store.read_layer(schema.NEIGHBORHOOD_COUNCILS)[schema.NC_ID]) == [42, 52]
    kinds = store.read_boundary_sets().set_index("kind")["is_current"].to_dict()
    assert kinds == {"lapd_divisions": True, "neighborhood_councils": True}
    reply = submit_incident(store, Actor("desk", "records"), IncidentReport("arrest", 34.05, -118.255, "2026-03-04T09:00",
                                                                             "staff"))
    placed = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID).loc[reply.incident_id]
    assert placed[schema.LAPD_AREA] == 1 and placed[schema.NEIGHBORHOOD_COUNCIL] == 42  # at intake, by location
    later = tmp_path / "tracker.csv"
    later.write_text("incident_id,occurred_at,LAT,LON,activity\nT-1,2026-03-05T08:00,34.05,-118.232,Raid\n")
    import_file(store, ADMIN, schema.INCIDENTS, later)
    imported = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID).loc["T-1"]
    assert (imported[schema.LAPD_AREA], imported[schema.NEIGHBORHOOD_COUNCIL]) == (2, 52)  # at import, by location
    assert store.verify_state().ok, store.verify_state().problems()


def test_tampering_with_a_stored_boundary_is_found(store, files):
    import sqlite3

    import_file(store, ADMIN, schema.DISTRICTS, files[0])
    con = sqlite3.connect(store.path)
    con.execute("DROP TRIGGER boundaries_no_update")
    con.execute("UPDATE boundaries SET code = 15 WHERE code = 14")
    con.commit()
    con.close()
    problems = store.verify_state().problems()
    assert any("council_districts 2012-07-01" in p and "outside StageMap" in p for p in problems), problems


def test_a_vintage_that_is_no_date_is_refused_before_anything_is_stored(store, files):
    from geo.errors import SchemaError

    with pytest.raises(SchemaError, match=r"--vintage 'the new one' is neither a plan year nor a date; write 2021"):
        import_file(store, ADMIN, schema.DISTRICTS, files[1], vintage="the new one")
    assert store.read_boundary_sets().empty and store.read_layer(schema.DISTRICTS).empty


def test_geojson_fixture_is_in_the_real_layout(files):
    props = json.loads(files[0].read_text())["features"][0]["properties"]
    assert list(props) == ["OBJECTID", "NAME", "District", "District_Name", "TOOLTIP", "NLA_URL", "Effective"]


def test_readers_keep_working_during_a_switch_and_never_see_half_of_it(store, files, monkeypatch):
    import threading

    from geo.store.boundaries import BoundaryStore

    old, new = files
    import_file(store, ADMIN, schema.DISTRICTS, new, vintage="2021")
    store.write_layers(layers(), user=ADMIN.name)
    import_file(store, ADMIN, schema.DISTRICTS, old, make_current=True)  # rows now placed by 2012
    before = held(store)
    entered, release = threading.Event(), threading.Event()
    reassign = BoundaryStore._reassign

    def held_open(self, con, kind, features):  # the switch has re-assigned every row but not committed yet
        out = reassign(self, con, kind, features)
        entered.set()
        release.wait(30)
        return out

    monkeypatch.setattr(BoundaryStore, "_reassign", held_open)
    switch = threading.Thread(target=make_current, args=(store, ADMIN, "council_districts 2021"))
    switch.start()
    try:
        assert entered.wait(30)
        during = held(store)  # another connection reads while the switch's transaction is open
        assert all(before[k].equals(v) for k, v in during.items()), "a reader saw part of an open switch"
        assert store.read_layer(schema.DISTRICTS)[schema.VINTAGE].eq("2012-07-01").all()
    finally:
        release.set()
        switch.join(30)
    after = held(store)[schema.INCIDENTS]
    assert (after.to_numpy() == np.where(XS < LINE_2021, 13, 14)).all()


def test_the_sample_holds_current_sets_of_every_kind_and_an_earlier_plan_to_switch_to(tmp_path, capsys):
    from stagemap_cli.main import main

    url = str(tmp_path / "sample.gpkg")
    assert main(["sample", "--parcels", "300", "--incidents", "60", "--store", url]) == 0
    store = open_store_at(url)
    sets = store.read_boundary_sets().set_index("set_id")
    assert sets.loc[sets["is_current"], "kind"].sort_values().tolist() == [
        "council_districts", "lapd_divisions", "neighborhood_councils"]
    earlier = sets[~sets["is_current"]].index.tolist()
    assert earlier == ["council_districts 2012-07-01 (synthetic earlier plan)"]
    capsys.readouterr()
    assert main(["boundaries", "use", earlier[0], "--store", url]) == 0
    out = capsys.readouterr().out
    moved = [int(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*) of [\d,]+ moved", out)]
    assert len(moved) == 3 and all(m > 0 for m in moved), out
    assert store.verify_state().ok, store.verify_state().problems()


def open_store_at(url: str):
    from geo.store import open_store

    return open_store(url)
