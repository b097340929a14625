"""``stagemap import KIND PATH --map canonical=column``: every kind takes it; bad mappings are refused unchanged."""
from __future__ import annotations

import json

import pytest
import shapely

from geo import schema
from geo.store import open_store
from stagemap_cli.main import main
from tests.cli.test_named_accounts import fingerprint

EXIT_REJECTED = 2
TRACKER = ("timestamp,latitude,longitude,activity_type,notes\n"
           "2025-06-01T14:30:00-07:00,34.0522,-118.2437,ICE arrest,two agents\n")


def run(argv: list[str], store, user: str = "admin") -> int:
    return main([*argv, "--store", store.url, "--user", user])


@pytest.fixture
def real(tmp_path, cli_accounts):
    return open_store(str(tmp_path / "real.gpkg"))


def test_community_csv_with_map_and_without(real, tmp_path, capsys):
    (tmp_path / "tracker.csv").write_text(TRACKER)
    assert run(["import", "incidents", str(tmp_path / "tracker.csv"), "--map", "occurred_at=timestamp"], real) == 0
    out = capsys.readouterr().out
    assert "accepted 1" in out and "column mapping (--map): occurred_at <- 'timestamp'" in out
    (tmp_path / "tracker2.csv").write_text(TRACKER.replace("T14:30", "T16:30"))
    assert run(["import", "incidents", str(tmp_path / "tracker2.csv")], real) == 0
    assert open_store(real.url).counts()[schema.INCIDENTS] == 2


def test_map_with_spaces_and_several_maps(real, tmp_path, capsys):
    (tmp_path / "odd.csv").write_text("Case Number,When It Happened,North,East\nK-1,2025-02-01 08:00,34.05,-118.24\n")
    code = run(["import", "incidents", str(tmp_path / "odd.csv"), "--map", "incident_id=Case Number",
                "--map", "occurred_at=When It Happened", "--map", "lat=North", "--map", "lon=East"], real)
    assert code == 0, capsys.readouterr().err
    assert list(open_store(real.url).read_layer(schema.INCIDENTS)[schema.INCIDENT_ID]) == ["K-1"]


@pytest.mark.parametrize(("kind", "body", "name"), [
    ("incidents", TRACKER, "tracker.csv"),
    ("sites", "X,Y,DIVISION\n-118.24,34.05,CENTRAL\n", "stations.csv"),
    ("places", "name,lat,lon\nHome Depot,34.05,-118.24\n", "places.csv"),
    ("ramps", "route,lat,lon\nI-5,34.05,-118.24\n", "ramps.csv"),
    ("parcels", "AIN,UseCode\n5151001001,0100\n", "parcels.csv"),
])
def test_every_kind_refuses_a_column_the_file_lacks_and_changes_nothing(real, tmp_path, capsys, kind, body, name):
    (tmp_path / name).write_text(body)
    before = fingerprint(real)
    canonical = {"incidents": "occurred_at", "sites": "name", "places": "place_name", "ramps": "route",
                 "parcels": "ain"}[kind]
    assert run(["import", kind, str(tmp_path / name), "--map", f"{canonical}=nope"], real) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert f"error: {name}: --map {canonical}=nope: the file has no column 'nope'. Its columns are: " in err
    assert fingerprint(real) == before


@pytest.mark.parametrize("kind", ["districts", "parks", "lapd_divisions", "neighborhood_councils"])
def test_polygon_kinds_take_map_too(real, tmp_path, capsys, kind):
    field = {"districts": "Bezirk", "parks": "Parque", "lapd_divisions": "Div", "neighborhood_councils": "Rat"}[kind]
    canonical = {"districts": "district", "parks": "park_name", "lapd_divisions": "lapd_area",
                 "neighborhood_councils": "nc_id"}[kind]
    feats = [{"type": "Feature", "properties": {field: 5, "District_Name": "CD 5", "NAME": "Five"},
              "geometry": shapely.geometry.mapping(shapely.box(-118.30, 34.0, -118.29, 34.01))}]
    path = tmp_path / f"{kind}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    assert run(["import", kind, str(path), "--map", f"{canonical}={field}"], real) == 0, capsys.readouterr().err
    assert f"{canonical} <- '{field}'" in capsys.readouterr().out


def test_unknown_canonical_and_malformed_map_are_refused(real, tmp_path, capsys):
    (tmp_path / "tracker.csv").write_text(TRACKER)
    assert run(["import", "incidents", str(tmp_path / "tracker.csv"), "--map", "colour=timestamp"], real) == 2
    assert "'colour' is not a column an import of incidents fills. Use one of: " in capsys.readouterr().err
    assert run(["import", "incidents", str(tmp_path / "tracker.csv"), "--map", "occurred_at"], real) == 2
    assert "error: tracker.csv: --map 'occurred_at': write canonical=column" in capsys.readouterr().err


def test_stations_layout_imports_as_sites_from_the_cli(real, tmp_path, capsys):
    lot = shapely.box(-118.2440, 34.0500, -118.2430, 34.0510)
    parcels = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"AIN": "5151001001"}, "geometry": shapely.geometry.mapping(lot)}]}
    (tmp_path / "parcels.geojson").write_text(json.dumps(parcels))
    assert run(["import", "parcels", str(tmp_path / "parcels.geojson")], real) == 0
    (tmp_path / "LAPD_Police_Stations.csv").write_text(
        "X,Y,OBJECTID,DIVISION,LOCATION,PREC\n-118.2435,34.0505,1,CENTRAL,251 E. 6th St.,1\n")
    assert run(["import", "sites", str(tmp_path / "LAPD_Police_Stations.csv"), "--department", "LAPD"], real) == 0
    assert "accepted 1" in capsys.readouterr().out
    sites = open_store(real.url).read_layer(schema.SITES)
    assert sites[schema.AINS].tolist() == ["5151001001"] and sites[schema.NAME].tolist() == ["CENTRAL"]
