"""Incident relevance: general crime is context, never evidence; each count uses only the classes it is about.

The headline properties: a store holding only a general-crime LAPD file publishes zero B.8
incidents and gives zero incident risk points, while the same rows marked as enforcement (or as
suspected unlawful conduct) by a relevance column do score (and are counted), so the tests can fail.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.roles import Actor
from geo.analysis.relevance import b8_incidents, context_incidents, enforcement_incidents, relevance_of
from geo.intake.reports import IncidentReport, IntakeRejected
from geo.reports.monthly import published_total
from geo.services.analysis import analyze_store
from geo.services.imports import import_file
from geo.services.intake import submit_incident
from geo.services.reports import monthly_from_store, public_table
from geo.store import open_store
from geo.store.audit import row_digest
from geo.store.values import legacy_incident_row, pre_0006_incident_row
from geo.store.verify import check_keyed
from tests.actors import ADMIN, RECORDS
from tests.conftest import canonical_frame
from tests.geo.test_importers import LAPD_HEADER, lapd_row

SITE = shapely.box(-118.2440, 34.0530, -118.2420, 34.0545)  # a City lot near City Hall
INCIDENT_POINTS = "PTS_NEAR_RECENT", "PTS_NEAR_WIDE", "PTS_REPEAT_SITE"


def _store(path: Path):
    store = open_store(str(path))
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(-118.30, 34.00, -118.20, 34.10)], district=14,
                                is_synthetic=False)
    sites = canonical_frame(schema.SITES, [SITE], site_id="CITY-LOT-1", owning_dept="Transportation (LADOT)",
                            asset_type="parking lot", area_sqft=20_000.0, site_origin=schema.ASSET_LIST,
                            council_district=14, is_synthetic=False)
    store.write_layers({schema.DISTRICTS: districts, schema.SITES: sites}, user=ADMIN.name)
    return store


def _lapd_file(path: Path, *, relevance: str | None = None, rows: int = 24) -> Path:
    """An LAPD crime-data extract: ``rows`` thefts in the City lot in March 2026 (optionally with a relevance column)."""
    header = LAPD_HEADER + (",relevance" if relevance else "")
    body = []
    for i in range(rows):
        row = lapd_row(f"26010{i:04d}", f"03/{1 + i % 28:02d}/2026 12:00:00 AM", "0930", "34.0537", "-118.2430")
        body.append(row + (f",{relevance}" if relevance else ""))
    path.write_text("\n".join([header, *body]) + "\n")
    return path


def _incident_points(store) -> pd.Series:
    res = analyze_store(store, as_of=dt.date(2026, 3, 31))
    return res.sites[["pts_near_recent", "pts_near_wide", "pts_repeat_site"]].iloc[0]


def test_a_store_holding_only_a_general_crime_lapd_file_gives_zero_incident_risk_points(tmp_path):
    store = _store(tmp_path / "s.gpkg")
    report = import_file(store, ADMIN, schema.INCIDENTS, _lapd_file(tmp_path / "Crime_Data_from_2020.csv"))
    assert "relevance: general crime (context only)" in report.summary()
    stored = store.read_layer(schema.INCIDENTS)
    assert len(stored) == 24 and stored[schema.RELEVANCE].eq(schema.GENERAL_CRIME).all()
    assert _incident_points(store).eq(0).all()
    res = analyze_store(store, as_of=dt.date(2026, 3, 31))
    assert res.incidents.empty and res.hot_spots.empty and res.near_unprotected.empty


def test_the_same_rows_as_enforcement_do_score_so_the_zero_is_the_relevance(tmp_path):
    store = _store(tmp_path / "s.gpkg")
    import_file(store, ADMIN, schema.INCIDENTS, _lapd_file(tmp_path / "marked.csv", relevance="enforcement"))
    assert store.read_layer(schema.INCIDENTS)[schema.RELEVANCE].eq(schema.ENFORCEMENT).all()
    points = _incident_points(store)
    assert points["pts_near_recent"] > 0 and points["pts_near_wide"] > 0


def test_a_store_holding_only_a_general_crime_lapd_file_publishes_zero_b8_incidents(tmp_path):
    store = _store(tmp_path / "s.gpkg")
    import_file(store, ADMIN, schema.INCIDENTS, _lapd_file(tmp_path / "Crime_Data_from_2020.csv"))
    report = monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 1))
    assert report.incidents == 0 and published_total(report) == "0"
    assert set(public_table(store).to_numpy().ravel()) == {"0"}


def test_a_relevance_column_says_otherwise_and_b8_counts_it(tmp_path):
    store = _store(tmp_path / "s.gpkg")
    import_file(store, ADMIN, schema.INCIDENTS, _lapd_file(tmp_path / "b8.csv", relevance="suspected unlawful conduct"))
    stored = store.read_layer(schema.INCIDENTS)
    assert stored[schema.RELEVANCE].eq(schema.SUSPECTED_UNLAWFUL_CONDUCT).all()
    assert stored[schema.CONDUCT].eq("other").all()  # no conduct column: recorded as 'other', and the import says so
    report = monthly_from_store(store, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 1))
    assert report.incidents == 24 and published_total(report) == "24"


def test_community_tracker_activity_types_map_to_relevance_type_and_conduct(tmp_path):
    store = _store(tmp_path / "s.gpkg")
    rows = [("T1", "ICE vans staging in the parking lot", "staging_area", schema.ENFORCEMENT, None),
            ("T2", "Masked agents, no badge, forced entry into a home", "other", schema.SUSPECTED_UNLAWFUL_CONDUCT,
             "no_visible_id;masking;entry_without_warrant"),
            ("T3", "Agents detained two men outside the store", "detention", schema.ENFORCEMENT, None),
            ("T4", "Sighting of unmarked SUVs circling", "surveillance", schema.ENFORCEMENT, None),
            ("T5", "Agents used pepper spray on a crowd", "other", schema.SUSPECTED_UNLAWFUL_CONDUCT, "force"),
            ("T6", "Raid", "other", schema.ENFORCEMENT, None)]
    lines = ["incident_id,occurred_at,LAT,LON,activity,source_type"]
    lines += [f'{i},2026-03-0{n + 1}T08:00,34.0537,-118.2430,"{a}",community_tracker'
              for n, (i, a, *_rest) in enumerate(rows)]
    path = tmp_path / "tracker.csv"
    path.write_text("\n".join(lines) + "\n")
    report = import_file(store, ADMIN, schema.INCIDENTS, path)
    assert "relevance from the activity types" in report.summary()
    got = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    for incident_id, _, kind, relevance, conduct in rows:
        assert got.loc[incident_id, schema.RELEVANCE] == relevance, incident_id
        assert got.loc[incident_id, schema.INCIDENT_TYPE] == kind, incident_id
        assert (got.loc[incident_id, schema.CONDUCT] if pd.notna(got.loc[incident_id, schema.CONDUCT]) else None) \
            == conduct, incident_id


def test_intake_sets_relevance_and_refuses_unclear_combinations(store):
    store.write_layers({schema.DISTRICTS: canonical_frame(schema.DISTRICTS, [shapely.box(-118.3, 34.0, -118.2, 34.1)],
                                                         district=14)})
    desk = Actor("desk", "records")
    with pytest.raises(IntakeRejected, match=r"conduct: suspected unlawful conduct needs what was observed"):
        submit_incident(store, desk, IncidentReport("arrest", 34.05, -118.25, "2026-03-01T09:00", "officer",
                                                    relevance=schema.SUSPECTED_UNLAWFUL_CONDUCT))
    with pytest.raises(IntakeRejected, match=r"observed conduct is recorded only for suspected unlawful conduct"):
        submit_incident(store, desk, IncidentReport("arrest", 34.05, -118.25, "2026-03-01T09:00", "officer",
                                                    conduct=("force",)))
    with pytest.raises(IntakeRejected, match=r"relevance: 'crime' is not one of"):
        submit_incident(store, desk, IncidentReport("arrest", 34.05, -118.25, "2026-03-01T09:00", "officer",
                                                    relevance="crime"))
    assert store.read_layer(schema.INCIDENTS).empty  # nothing was written
    done = submit_incident(store, desk, IncidentReport("arrest", 34.05, -118.25, "2026-03-01T09:00", "officer",
                                                       relevance=schema.SUSPECTED_UNLAWFUL_CONDUCT,
                                                       conduct=("masking", "force", "masking")))
    row = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID).loc[done.incident_id]
    assert (row[schema.RELEVANCE], row[schema.CONDUCT]) == (schema.SUSPECTED_UNLAWFUL_CONDUCT, "force;masking")
    assert store.verify_state().ok


def test_cli_incident_add_names_the_missing_conduct(store, cli_accounts, capsys):
    from stagemap_cli.main import main

    code = main(["incident", "add", "--type", "arrest", "--lat", "34.05", "--lon", "-118.25", "--occurred",
                 "2026-03-01T09:00", "--source", "officer", "--relevance", "suspected_unlawful_conduct",
                 "--store", store.url, "--user", "admin"])
    assert code == 2 and "suspected unlawful conduct needs what was observed" in capsys.readouterr().err


def test_the_filters_split_by_class_and_fall_back_on_the_source():
    frame = pd.DataFrame({schema.RELEVANCE: [schema.ENFORCEMENT, schema.SUSPECTED_UNLAWFUL_CONDUCT,
                                             schema.GENERAL_CRIME, None, None],
                          schema.SOURCE_TYPE: ["staff", "public", "staff", "lapd_import", "community_tracker"]})
    assert relevance_of(frame).tolist() == [schema.ENFORCEMENT, schema.SUSPECTED_UNLAWFUL_CONDUCT,
                                            schema.GENERAL_CRIME, schema.GENERAL_CRIME, schema.ENFORCEMENT]
    assert enforcement_incidents(frame).index.tolist() == [0, 1, 4]
    assert b8_incidents(frame).index.tolist() == [1]
    assert context_incidents(frame).index.tolist() == [2, 3]


def test_rows_bound_before_0006_verify_until_their_new_columns_change():
    row = {schema.INCIDENT_ID: "INC-1", schema.INCIDENT_TYPE: "arrest", schema.RELEVANCE: schema.ENFORCEMENT,
           schema.CONDUCT: None, schema.NEIGHBORHOOD_COUNCIL: None}
    old_form = {k: v for k, v in row.items() if k not in (schema.RELEVANCE, schema.CONDUCT, schema.NEIGHBORHOOD_COUNCIL)}
    entries = {"INC-1": [{"seq": 7, "action": "incident.create", "row_hash": row_digest(old_form), "new": "{}"}]}
    forms = (legacy_incident_row, pre_0006_incident_row)
    assert check_keyed("incidents", {"INC-1": row}, entries, alternative=forms) == ([], [])
    changed = {**row, schema.RELEVANCE: schema.GENERAL_CRIME}
    found, _ = check_keyed("incidents", {"INC-1": changed}, entries, alternative=forms)
    assert found and "live row differs from audit entry 7" in found[0]


def test_migration_0006_backfills_relevance_of_stored_rows(tmp_path):
    from geo.store import ddl_sqlite

    store = open_store(str(tmp_path / "old.gpkg"))
    pts = [shapely.Point(-118.25, 34.05), shapely.Point(-118.24, 34.05)]
    store.write_layers({schema.INCIDENTS: canonical_frame(
        schema.INCIDENTS, pts, incident_id=["DR1", "TR1"], occurred_at=pd.Timestamp("2026-03-01", tz="UTC"),
        incident_type="other", verification_status="unverified", source_type=["lapd_import", "community_tracker"],
        warrant_shown="unknown")})
    con = sqlite3.connect(store.path, isolation_level=None)
    for column in ("relevance", "conduct_observed", "neighborhood_council"):  # the table as revision 0005 left it
        con.execute(f'ALTER TABLE incidents DROP COLUMN "{column}"')
    ddl_sqlite.upgrade_0006(con)
    got = dict(con.execute("SELECT incident_id, relevance FROM incidents").fetchall())
    con.close()
    assert got == {"DR1": schema.GENERAL_CRIME, "TR1": schema.ENFORCEMENT}


def test_a_bulk_report_file_carries_relevance_and_conduct(store, tmp_path):
    from geo.services.intake import import_incidents

    store.write_layers({schema.DISTRICTS: canonical_frame(schema.DISTRICTS, [shapely.box(-118.3, 34.0, -118.2, 34.1)],
                                                         district=14)})
    path = tmp_path / "reports.csv"
    path.write_text("type,lat,lon,occurred,source,relevance,conduct\n"
                    "arrest,34.05,-118.25,2026-03-01T09:00,officer,suspected_unlawful_conduct,force; masking\n"
                    "checkpoint,34.05,-118.25,2026-03-01T10:00,staff,enforcement,\n"
                    "arrest,34.05,-118.25,2026-03-01T11:00,officer,suspected_unlawful_conduct,\n")
    report = import_incidents(store, Actor("desk", "records"), path)
    assert [o for _, o, _ in report.rows] == ["added", "added", "invalid"]
    assert "suspected unlawful conduct needs what was observed" in report.rows[2][2]
    stored = store.read_layer(schema.INCIDENTS).sort_values(schema.OCCURRED_AT)
    assert stored[schema.RELEVANCE].tolist() == [schema.SUSPECTED_UNLAWFUL_CONDUCT, schema.ENFORCEMENT]
    assert stored[schema.CONDUCT].iloc[0] == "force;masking"


def test_migration_0006_backfills_relevance_on_postgresql(pg_cluster, pg_database):
    import psycopg

    from geo.store import ddl_pg
    from geo.store.pg import PgConnection

    owner = open_store(pg_cluster.owner_url(pg_database))
    pts = [shapely.Point(-118.25, 34.05), shapely.Point(-118.24, 34.05)]
    owner.write_layers({schema.INCIDENTS: canonical_frame(
        schema.INCIDENTS, pts, incident_id=["DR1", "TR1"], occurred_at=pd.Timestamp("2026-03-01", tz="UTC"),
        incident_type="other", verification_status="unverified", source_type=["lapd_import", "community_tracker"],
        warrant_shown="unknown")})
    with psycopg.connect(pg_cluster.owner_url(pg_database), autocommit=True) as raw:
        for column in ("relevance", "conduct_observed", "neighborhood_council"):  # as revision 0005 left it
            raw.execute(f'ALTER TABLE incidents DROP COLUMN "{column}"')
        ddl_pg.upgrade_0006(PgConnection(raw))
        got = dict(raw.execute("SELECT incident_id, relevance FROM incidents").fetchall())
    assert got == {"DR1": schema.GENERAL_CRIME, "TR1": schema.ENFORCEMENT}
