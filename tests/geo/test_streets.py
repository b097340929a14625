"""Street centrelines: an importable line layer, and street frontage as a risk factor in words."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.analysis import risk_factors
from geo.analysis.frontage import ARTERIAL_FRONTAGE_FT, FRONTAGE_FT, FRONTAGE_STREET, street_frontage
from geo.analysis.risk import RiskRules
from geo.errors import InvalidGeometryError
from geo.io.streets import street_class_of
from geo.services.analysis import analyze_store
from geo.services.imports import import_file
from stagemap_cli.main import main
from tests.actors import ADMIN
from tests.conftest import canonical_frame

X0, Y0 = 6_480_000.0, 1_840_000.0  # near City Hall, EPSG:2229 feet
#: A 200 x 100 ft corner lot: 200 ft on Main St (centreline 30 ft south), 100 ft on 1st St (30 ft west).
CORNER = shapely.box(X0, Y0, X0 + 200, Y0 + 100)
MAIN = shapely.LineString([(X0 - 600, Y0 - 30), (X0 + 800, Y0 - 30)])
FIRST = shapely.LineString([(X0 - 30, Y0 - 600), (X0 - 30, Y0 + 700)])
#: A 400 x 300 ft lot on Olympic Blvd (north side), with a freeway passing 150 ft inside (no access).
YARD = shapely.box(X0 + 1_000, Y0, X0 + 1_400, Y0 + 300)
OLYMPIC = shapely.LineString([(X0 + 900, Y0 + 340), (X0 + 1_500, Y0 + 340)])
FREEWAY = shapely.LineString([(X0 + 900, Y0 + 150), (X0 + 1_500, Y0 + 150)])
#: A lot set back 200 ft from every street: no frontage.
INNER = shapely.box(X0 - 400, Y0 + 300, X0 - 250, Y0 + 400)


def town(crs: int = 2229) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    sites = gpd.GeoDataFrame({schema.SITE_ID: ["CORNER", "YARD", "INNER"]}, geometry=[CORNER, YARD, INNER], crs=2229)
    streets = gpd.GeoDataFrame({schema.STREET_ID: ["S1", "S2", "S3", "S4"],
                                schema.STREET_NAME: ["MAIN ST", "1ST ST", "W OLYMPIC BLVD", "SANTA MONICA FWY"],
                                schema.STREET_CLASS: ["local", "collector", "major_highway", "freeway"]},
                               geometry=[MAIN, FIRST, OLYMPIC, FREEWAY], crs=2229)
    return sites.to_crs(crs), streets.to_crs(crs)


def la_layout(path, *, full_name: bool) -> None:
    """Write a City of LA Street Centerline-shaped shapefile in EPSG:2229 (block segments, LA field names, with Z)."""
    _, streets = town()
    cols = {"ASSETID": [1101.0, 1102.0, 1103.0, 1104.0],
            "CLASS": ["Local Street - Standard", "Collector Street", "Major Highway - Class II", "Freeway"]}
    if full_name:
        cols["FULLNAME"] = ["MAIN ST", "1ST ST", "W OLYMPIC BLVD", "SANTA MONICA FWY"]
    else:
        cols |= {"STDIR": [None, None, "W", None], "STNAME": ["MAIN", "1ST", "OLYMPIC", "SANTA MONICA"],
                 "STSFX": ["ST", "ST", "BLVD", "FWY"]}
    gpd.GeoDataFrame(cols, geometry=shapely.force_3d(streets.geometry.values, 250.0), crs=2229).to_file(path)


# --- frontage by hand ------------------------------------------------------------------------
def test_frontage_lengths_by_hand_on_a_tiny_town():
    sites, streets = town()
    got = street_frontage(sites, streets, tolerance_ft=60.0)
    # The corner lot: 200 ft on Main + 100 ft on 1st. Each side also passes 30 ft into the other
    # street's buffer, but runs across that street, so it adds nothing along it.
    assert got[FRONTAGE_FT].tolist() == pytest.approx([300.0, 400.0, 0.0])
    assert got[ARTERIAL_FRONTAGE_FT].tolist() == pytest.approx([0.0, 400.0, 0.0])  # the freeway gives no access
    assert got[FRONTAGE_STREET].tolist() == ["MAIN ST", "W OLYMPIC BLVD", None]
    # Too small a tolerance (less than the 30 ft half street) finds no frontage at all.
    assert street_frontage(sites, streets, tolerance_ft=20.0)[FRONTAGE_FT].tolist() == [0.0, 0.0, 0.0]


def test_frontage_is_the_same_measured_from_the_stored_degrees():
    sites, streets = town(4326)
    got = street_frontage(sites.to_crs(2229), streets.to_crs(2229), tolerance_ft=60.0)
    assert got[FRONTAGE_FT].tolist() == pytest.approx([300.0, 400.0, 0.0], abs=0.5)


def test_the_factor_gives_points_and_words_and_nothing_without_a_street_layer():
    sites, streets = town()
    rules = RiskRules()
    pts, words = risk_factors.frontage(street_frontage(sites, streets, tolerance_ft=60.0), rules)
    assert pts.tolist() == [rules.long_frontage_points,
                            rules.long_frontage_points + rules.arterial_frontage_points, 0.0]
    assert words[0] == "street frontage 300 ft (>= 300 ft; longest on MAIN ST, a local street): +7"
    assert words[1] == ("street frontage 400 ft (>= 300 ft; longest on W OLYMPIC BLVD, a major highway), 400 ft on a "
                        "major or secondary highway (>= 150 ft): +11")
    assert words[2] == "street frontage 0 ft (< 150 ft): +0"
    short = pd.DataFrame({FRONTAGE_FT: [160.0, 149.9], ARTERIAL_FRONTAGE_FT: [160.0, 0.0]})
    assert risk_factors.frontage(short, rules)[0].tolist() == [rules.frontage_points + rules.arterial_frontage_points,
                                                               0.0]
    absent_pts, absent_words = risk_factors.frontage(street_frontage(sites, None, tolerance_ft=60.0), rules)
    assert absent_pts.tolist() == [0.0, 0.0, 0.0]
    assert set(absent_words) == {"no street layer loaded: street frontage not scored"}


@pytest.mark.parametrize(("text", "kind"), [
    ("Major Highway - Class II", "major_highway"), ("Boulevard II", "major_highway"),
    ("Secondary Highway", "secondary_highway"), ("Avenue I", "secondary_highway"), ("Collector Street", "collector"),
    ("Local Street - Standard", "local"), ("Freeway", "freeway"), ("ALLEY", "alley"), ("local", "local"),
    ("Private road", "other"), (None, "other"),
])
def test_street_classes_from_la_words(text, kind):
    assert street_class_of(pd.Series([text], dtype=object)).iloc[0] == kind


# --- import and store -------------------------------------------------------------------------
def test_la_layout_imports_and_round_trips_on_both_backends(any_store, tmp_path):
    la_layout(tmp_path / "Street_Centerline.shp", full_name=False)
    report = import_file(any_store, ADMIN, "streets", tmp_path / "Street_Centerline.shp")
    assert (report.n_accepted, len(report.rejected)) == (4, 0)
    got = any_store.read_layer(schema.STREETS).set_index(schema.STREET_ID)
    assert got[schema.STREET_NAME].to_dict() == {"1101": "MAIN ST", "1102": "1ST ST", "1103": "W OLYMPIC BLVD",
                                                 "1104": "SANTA MONICA FWY"}
    assert got[schema.STREET_CLASS].tolist() == ["local", "collector", "major_highway", "freeway"]
    assert set(got.geometry.geom_type) == {"MultiLineString"} and got.crs.to_epsg() == 4326
    assert not got.geometry.has_z.any()  # the export's elevations are dropped
    lengths = got.geometry.to_crs(2229).length.round(1).tolist()
    assert lengths == pytest.approx([1400.0, 1300.0, 600.0, 600.0], abs=0.1)
    report = import_file(any_store, ADMIN, "streets", tmp_path / "Street_Centerline.shp")  # again: an upsert
    assert len(any_store.read_layer(schema.STREETS)) == 4
    assert any_store.verify_state().ok, any_store.verify_state().problems()


def test_points_are_refused_with_the_feature_and_the_fix(store, tmp_path):
    gpd.GeoDataFrame({"FULLNAME": ["MAIN ST", "1ST ST"]}, geometry=[shapely.Point(-118.24, 34.05)] * 2,
                     crs=4326).to_file(tmp_path / "points.geojson")
    with pytest.raises(InvalidGeometryError, match=r"holds 2 Point geometry, but this import kind needs LineString or "
                                                   r"MultiLineString \(e\.g\. features 1, 2\).*lines are streets"):
        import_file(store, ADMIN, "streets", tmp_path / "points.geojson")
    mixed = gpd.GeoDataFrame({"FULLNAME": ["MAIN ST", "LOT"]},
                             geometry=[shapely.LineString([(-118.24, 34.05), (-118.23, 34.05)]),
                                       shapely.box(-118.24, 34.05, -118.239, 34.051)], crs=4326)
    mixed.to_file(tmp_path / "mixed.geojson")
    with pytest.raises(InvalidGeometryError, match=r"mixed geometry types .*e\.g\. features 2\)"):
        import_file(store, ADMIN, "streets", tmp_path / "mixed.geojson")
    assert store.read_layer(schema.STREETS).empty


def test_the_cli_import_feeds_the_analysis_in_words(store, tmp_path, cli_accounts):
    sites, _ = town(4326)
    frame = canonical_frame(schema.SITES, list(sites.geometry), site_id=list(sites[schema.SITE_ID]),
                            owning_dept="Transportation (LADOT)", area_sqft=1.0, site_origin="asset_list",
                            is_synthetic=False)
    store.write_layers({schema.SITES: frame})
    day = dt.date(2026, 3, 10)
    before = analyze_store(store, as_of=day).sites.set_index(schema.SITE_ID)
    assert before["risk_factors"].str.contains("no street layer loaded: street frontage not scored").all()
    assert (before["pts_frontage"] == 0).all()
    la_layout(tmp_path / "streets.shp", full_name=True)
    assert main(["import", "streets", str(tmp_path / "streets.shp"), "--store", str(store.path), "--user", "admin"]) == 0
    after = analyze_store(store, as_of=day).sites.set_index(schema.SITE_ID)
    assert "street frontage 300 ft (>= 300 ft; longest on MAIN ST, a local street): +7" in after.loc["CORNER",
                                                                                                 "risk_factors"]
    assert "400 ft on a major or secondary highway" in after.loc["YARD", "risk_factors"]
    assert after["pts_frontage"].to_dict() == {"CORNER": 7.0, "YARD": 11.0, "INNER": 0.0}
    assert (after["risk_score"] - before["risk_score"]).round(1).to_dict() == {"CORNER": 7.0, "YARD": 11.0,
                                                                               "INNER": 0.0}


def test_a_store_from_revision_0009_gains_the_streets_layer(tmp_path):
    """A 0009 store (no streets table) is upgraded in place by revision 0010 and can take a street import."""
    import sqlite3

    import sqlalchemy as sa
    from alembic import command

    from geo.store import open_store
    from geo.store.migrations.runner import alembic_config

    path = tmp_path / "old.gpkg"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
    engine.dispose()
    con = sqlite3.connect(path)  # revision 0001 builds from today's schema: undo what 0010 adds
    con.execute('DROP TABLE "streets"')
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'streets'")
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'streets'")
    con.commit()
    con.close()
    store = open_store(str(path))
    assert store.schema_revision() is not None and store.schema_revision() >= "0010"
    con = sqlite3.connect(path)
    kind = con.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = 'streets'").fetchone()
    con.close()
    assert kind == ("MULTILINESTRING",)
    la_layout(tmp_path / "streets.shp", full_name=True)
    assert import_file(store, ADMIN, "streets", tmp_path / "streets.shp").n_accepted == 4
    assert store.verify_state().ok


# --- the same answer however the analysis runs -----------------------------------------------
@pytest.fixture(scope="module")
def sample_with_streets(tmp_path_factory):
    """A small synthetic sample plus a street 30 ft off the south side of every other site (synthetic too)."""
    from geo.store import open_store
    from geo.synthetic import generate_sample

    path = tmp_path_factory.mktemp("streets") / "sample.gpkg"
    sample = generate_sample(n_parcels=2_000, n_incidents=400)
    store = open_store(str(path))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    sites = sample.frames[schema.SITES].to_crs(2229).iloc[::2]
    box = sites.geometry.bounds
    lines = shapely.linestrings([[(x0 - 50, y - 30), (x1 + 50, y - 30)] for x0, y, x1 in
                                 zip(box.minx, box.miny, box.maxx, strict=True)])
    streets = gpd.GeoSeries(lines, crs=2229).to_crs(4326)
    classes = ["major_highway" if i % 3 == 0 else "local" for i in range(len(lines))]
    store.write_layers({schema.STREETS: canonical_frame(schema.STREETS, list(streets), street_id=[
        f"S{i}" for i in range(len(lines))], street_name="SYNTHETIC ST", street_class=classes)})
    return path


def test_partitioned_persisted_and_restatused_runs_keep_the_frontage(sample_with_streets, tmp_path):
    import shutil

    from geo.analysis.analyze import AnalysisConfig
    from geo.services import persisted
    from geo.services.analysis import analysis_inputs, analyze_inputs
    from geo.store import open_store
    from tests.geo.test_partitioned import assert_same, in_parts

    path = tmp_path / "copy.gpkg"
    shutil.copy(sample_with_streets, path)
    store, config, day = open_store(str(path)), AnalysisConfig(), dt.date(2026, 10, 31)
    single = analyze_inputs(analysis_inputs(store), as_of=day, config=config)
    fronting = single.sites[FRONTAGE_FT] >= 150
    assert fronting.sum() >= 10 and (single.sites.loc[fronting, "pts_frontage"] > 0).all()
    assert single.sites["risk_factors"].str.contains("street frontage").all()
    assert_same(in_parts(store, 3, 2), single)  # what each Dask worker does, then the assembly
    saved = persisted.save_result(store, single, version=store.data_version(), config=config,
                                  token=persisted.status_token(store))
    assert saved is not None
    back, _ = persisted.load_result(store, version=store.data_version(), as_of=day, config=config)
    assert_same(back, single)
    row = store.read_status().iloc[0]
    store.save_status(row[schema.SITE_ID], {"sign_status": "posted", "gate_status": "closed_locked"},
                      expect_version=int(row[schema.VERSION]), user="kim", role="admin")
    fresh = analyze_inputs(analysis_inputs(store), as_of=day, config=config)
    restated = persisted.restatus(single, store.read_status(), store.read_overrides(), config=config,
                                  control=store.read_control(), parts=store.read_parts(),
                                  listed=store.read_layer(schema.SITES))
    assert_same(restated, fresh)
