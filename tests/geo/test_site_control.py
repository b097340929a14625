"""Site control, the A.1 determination and site parts: versioned, audited and bound to the chain, on both backends."""
from __future__ import annotations

import pytest
import shapely

from geo import schema
from geo.errors import AccessDenied, InvalidGeometryError, SchemaError, StatusConflict
from geo.services import sites as site_service
from tests.actors import ADMIN, COUNCIL, PLANNER, liaison
from tests.conftest import canonical_frame

RAP = "Recreation and Parks (RAP)"
LADOT = "Transportation (LADOT)"
PARK = shapely.box(-118.250, 34.050, -118.248, 34.052)  # ~600 x 730 ft
LOT = "POLYGON ((-118.2500 34.0500, -118.2494 34.0500, -118.2494 34.0505, -118.2500 34.0505, -118.2500 34.0500))"


@pytest.fixture
def held(any_store):
    """A store with a RAP park (listed as owned) and a LADOT lot (listed as leased to 2030)."""
    sites = canonical_frame(schema.SITES, [PARK, shapely.box(-118.245, 34.05, -118.2445, 34.0505)],
                            site_id=["PARK-1", "LOT-7"], owning_dept=[RAP, LADOT], area_sqft=1.0,
                            site_origin="asset_list", listed_basis=["owned", "leased_in"],
                            listed_start=[None, "2020-01-01"], listed_end=[None, "2030-12-31"],
                            listed_doc=[None, "LEASE-77"])
    any_store.write_layers({schema.SITES: sites})
    return any_store


def test_first_determination_creates_version_1_with_who_and_when(held):
    before = held.control_defaults("LOT-7")
    assert (before[schema.VERSION], before[schema.DETERMINATION], before[schema.CONTROL_BASIS],
            before[schema.CONTROL_DOC]) == (0, "pending", "leased_in", "LEASE-77")
    row = site_service.save_control(held, liaison(LADOT), "LOT-7", {schema.DETERMINATION: "candidate"},
                                    expect_version=0)
    assert (row[schema.VERSION], row[schema.DETERMINATION], row[schema.DETERMINED_BY]) == (1, "candidate", "ana")
    assert row[schema.CONTROL_END] == "2030-12-31" and row[schema.DETERMINED_AT]
    [edit] = held.control_history("LOT-7")
    assert edit.changes[schema.DETERMINATION] == (None, "candidate")


def test_a_stale_determination_is_refused_and_nothing_changes(held):
    held.save_control("PARK-1", {schema.DETERMINATION: "candidate"}, expect_version=0, user="ana")
    with pytest.raises(StatusConflict, match="PARK-1 changed since you loaded version 0"):
        held.save_control("PARK-1", {schema.DETERMINATION: "not_candidate", schema.DETERMINATION_REASON: "open land"},
                          expect_version=0, user="bo")
    assert held.read_control().set_index(schema.SITE_ID).loc["PARK-1", schema.DETERMINATION] == "candidate"
    assert len(held.control_history("PARK-1")) == 1


def test_not_a_candidate_needs_a_reason_and_control_dates_in_order(held):
    with pytest.raises(SchemaError, match="'not a candidate' needs a reason"):
        held.save_control("PARK-1", {schema.DETERMINATION: "not_candidate"}, expect_version=0, user="ana")
    with pytest.raises(SchemaError, match="control ends 2019-01-01 before it starts 2020-01-01"):
        held.save_control("LOT-7", {schema.CONTROL_END: "2019-01-01"}, expect_version=0, user="ana")
    with pytest.raises(SchemaError, match="control_basis 'borrowed' is not one of"):
        held.save_control("LOT-7", {schema.CONTROL_BASIS: "borrowed"}, expect_version=0, user="ana")
    assert held.read_control().empty


def test_merge_keeps_a_newer_edit_to_another_field(held):
    base = site_service.control_of(held, "LOT-7")
    site_service.save_control(held, PLANNER, "LOT-7", {schema.CONTROL_DOC: "LEASE-77 amendment 2"}, expect_version=0)
    out = site_service.save_control_with_merge(held, liaison(LADOT), "LOT-7", base=base,
                                               mine={**base, schema.DETERMINATION: "candidate"})
    assert out.saved is not None and out.saved[schema.VERSION] == 2 and len(out.merged_over) == 1
    assert (out.saved[schema.DETERMINATION], out.saved[schema.CONTROL_DOC]) == ("candidate", "LEASE-77 amendment 2")


def test_a_park_lot_is_a_part_with_its_own_sign_and_gate(held):
    part = site_service.add_part(held, liaison(RAP), "PARK-1", part_type="parking_lot", geometry=LOT, name="Lot A",
                                 fields={schema.DETERMINATION: "candidate"})
    assert part[schema.PART_ID] == "PARK-1-P01" and part[schema.VERSION] == 1 and 30_000 < part[schema.AREA_SQFT] < 50_000
    saved = site_service.save_part(held, liaison(RAP), "PARK-1-P01", {schema.SIGN_STATUS: "posted",
                                                                      schema.GATE_STATUS: "closed_locked"},
                                   expect_version=1)
    assert (saved[schema.VERSION], saved[schema.SIGN_STATUS], saved[schema.GATE_STATUS]) == (2, "posted", "closed_locked")
    with pytest.raises(StatusConflict, match="Part PARK-1-P01 changed since you loaded version 1"):
        held.save_part("PARK-1-P01", {schema.GATE_STATUS: "open"}, expect_version=1, user="bo")
    assert [e.version for e in held.part_history("PARK-1-P01")] == [1, 2]


def test_a_part_outside_its_site_is_refused_naming_the_share(held):
    far = "POLYGON ((-118.2485 34.0500, -118.2470 34.0500, -118.2470 34.0510, -118.2485 34.0510, -118.2485 34.0500))"
    with pytest.raises(InvalidGeometryError, match=r"of the part lies outside its site \(at most 5%\)"):
        site_service.add_part(held, ADMIN, "PARK-1", part_type="parking_lot", geometry=far)
    with pytest.raises(SchemaError, match="neither WKT"):
        site_service.add_part(held, ADMIN, "PARK-1", part_type="parking_lot", geometry="lot by the pool")
    assert held.read_parts().empty


def test_roles_and_departments_are_checked_before_anything_is_written(held):
    with pytest.raises(AccessDenied, match="liaison for Transportation"):
        site_service.save_control(held, liaison(LADOT), "PARK-1", {schema.DETERMINATION: "candidate"}, expect_version=0)
    with pytest.raises(AccessDenied, match="council_office role may not determine site"):
        site_service.save_control(held, COUNCIL, "PARK-1", {schema.DETERMINATION: "candidate"}, expect_version=0)
    with pytest.raises(AccessDenied):
        site_service.add_part(held, liaison(LADOT), "PARK-1", part_type="parking_lot", geometry=LOT)
    assert held.read_control().empty and held.read_parts().empty


def test_verify_state_checks_control_and_parts_and_finds_tampering(held):
    held.save_control("LOT-7", {schema.DETERMINATION: "candidate"}, expect_version=0, user="ana")
    site_service.add_part(held, ADMIN, "PARK-1", part_type="parking_lot", geometry=LOT)
    report = held.verify_state()
    assert report.ok, report.problems()
    assert report.checked["site_control"] == 1 and report.checked["part_history"] == 1
    with held.write() as con:  # an edit outside StageMap
        con.execute("UPDATE site_control SET determination = 'not_candidate' WHERE site_id = 'LOT-7'")
        con.execute("UPDATE site_parts SET gate_status = 'closed_locked' WHERE part_id = 'PARK-1-P01'")
    problems = "\n".join(held.verify_state().problems())
    assert "site_control LOT-7: live row differs from its history version 1" in problems
    assert "site_parts PARK-1-P01: live row differs from its history version 1" in problems


def test_history_tables_are_append_only(held):
    held.save_control("LOT-7", {schema.DETERMINATION: "candidate"}, expect_version=0, user="ana")
    with pytest.raises(Exception, match=r"append-only|permission denied"), held.write() as con:  # trigger; PG: grants
        con.execute("DELETE FROM control_history")
    assert len(held.control_history("LOT-7")) == 1


def test_a_store_from_before_revision_0005_is_upgraded_in_place(tmp_path):
    """A 0004 store (no owner class, listed basis, places, ramps or control tables) gains them; its rows stay."""
    import sqlite3

    import sqlalchemy as sa
    from alembic import command

    from geo.store import open_store
    from geo.store.ddl_sqlite import NEW_LAYER_COLUMNS_0005
    from geo.store.migrations.runner import alembic_config

    path = tmp_path / "old.gpkg"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    con = sqlite3.connect(path)
    for layer, names in NEW_LAYER_COLUMNS_0005.items():  # revision 0001 builds from today's schema: undo 0005's part
        for name in names:
            con.execute(f'ALTER TABLE "{layer}" DROP COLUMN "{name}"')
    for table in ("places", "ramps"):
        con.execute(f'DROP TABLE "{table}"')
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
        con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (table,))
    con.execute("INSERT INTO sites (site_id, owning_dept, area_sqft, site_origin, is_synthetic, source, geom) "
                "VALUES ('OLD-1', 'GSD', 1.0, 'asset_list', 1, 'test', X'00')")
    con.commit()
    con.close()
    store = open_store(str(path))
    assert store.schema_revision() is not None and store.schema_revision() >= "0005"
    con = sqlite3.connect(path)
    columns = {r[1] for r in con.execute('PRAGMA table_info("sites")')}
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    old = con.execute("SELECT site_id, owner_class, listed_basis FROM sites").fetchall()
    con.close()
    assert set(NEW_LAYER_COLUMNS_0005[schema.SITES]) <= columns
    assert {"places", "ramps", "site_control", "control_history", "site_parts", "part_history"} <= tables
    assert old == [("OLD-1", None, None)]
    assert store.control_defaults("OLD-1")[schema.CONTROL_BASIS] == "unknown"


def test_an_asset_list_replacing_a_derived_site_keeps_its_determination(any_store):
    box = shapely.box(-118.25, 34.05, -118.249, 34.051)
    derived = canonical_frame(schema.SITES, [box], site_id="CLA-5173012900", ains="5173012900", owning_dept="unassigned",
                              area_sqft=1.0, site_origin="derived_from_parcels", listed_basis="owned")
    any_store.write_layers({schema.SITES: derived})
    any_store.save_control("CLA-5173012900", {schema.DETERMINATION: "not_candidate",
                                              schema.DETERMINATION_REASON: "fenced pump station"},
                           expect_version=0, user="pat")
    listed = canonical_frame(schema.SITES, [box], site_id="LADWP-7", ains="5173012900",
                             owning_dept="Water and Power (LADWP)", area_sqft=1.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: listed}, delete={schema.SITES: ["CLA-5173012900"]})
    row = any_store.read_control().set_index(schema.SITE_ID).loc["LADWP-7"]
    assert (row[schema.DETERMINATION], row[schema.DETERMINATION_REASON], row[schema.DETERMINED_BY],
            row[schema.VERSION]) == ("not_candidate", "fenced pump station", "pat", 1)
    assert row[schema.STATUS_NOTE] == "determination carried over from CLA-5173012900"
    assert any_store.verify_state().ok, any_store.verify_state().problems()
