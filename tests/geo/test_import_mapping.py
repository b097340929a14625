"""Import you can steer: --map, the wider alias table, duplicate columns, point asset lists, JSON records."""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo import schema
from geo.errors import SchemaError
from geo.io import mapping
from geo.services.imports import import_file
from tests.actors import ADMIN

COMMUNITY = ("timestamp,latitude,longitude,activity_type,description\n"
             "2025-06-01T14:30:00-07:00,34.0522,-118.2437,ICE arrest,two agents detained a man\n"
             "2025-06-02 09:15,34.0610,-118.2500,checkpoint,vehicle checkpoint\n")
#: Lots near City Hall: A|B share an edge at lon -118.2430, B|D at -118.2420; C is far away.
LOT_A = shapely.box(-118.2440, 34.0500, -118.2430, 34.0510)
LOT_B = shapely.box(-118.2430, 34.0500, -118.2420, 34.0510)
LOT_C = shapely.box(-118.3000, 34.1000, -118.2990, 34.1010)
LOT_D = shapely.box(-118.2420, 34.0500, -118.2410, 34.0510)


def _parcels(store, tmp_path):
    feats = [{"type": "Feature", "properties": {"AIN": ain, "SitusFullAddress": addr},
              "geometry": shapely.geometry.mapping(lot)}
             for ain, addr, lot in (("5151001001", "251 E 6TH ST", LOT_A), ("5151001002", "253 E 6TH ST", LOT_B),
                                    ("5555002003", "1 MAIN ST", LOT_C), ("5151001004", "255 E 6TH ST", LOT_D))]
    (tmp_path / "parcels.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    assert import_file(store, ADMIN, "parcels", tmp_path / "parcels.geojson").n_accepted == 4


def _stations_csv(tmp_path, rows):
    path = tmp_path / "LAPD_Police_Stations.csv"
    path.write_text("X,Y,OBJECTID,DIVISION,LOCATION,PREC\n" + "".join(rows))
    return path


# --- --map and the alias table ------------------------------------------------------------
def test_community_csv_imports_with_map_and_by_alias(store, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(COMMUNITY)
    mapped = import_file(store, ADMIN, "incidents", path, columns={"occurred_at": "timestamp"})
    assert mapped.n_accepted == 2 and not mapped.rejected
    assert "column mapping (--map): occurred_at <- 'timestamp'" in mapped.summary()
    got = store.read_layer(schema.INCIDENTS).sort_values(schema.OCCURRED_AT)
    assert str(got[schema.OCCURRED_AT].iloc[0]) == "2025-06-01 21:30:00+00:00"  # -07:00 kept, stored in UTC
    assert set(got[schema.RELEVANCE]) == {schema.ENFORCEMENT}  # activity types mapped, not general crime
    path2 = tmp_path / "tracker2.csv"
    path2.write_text(COMMUNITY.replace("T14:30", "T15:30"))
    by_alias = import_file(store, ADMIN, "incidents", path2)  # timestamp/latitude/longitude are aliases
    assert by_alias.n_accepted == 2 and not by_alias.rejected


def test_map_wins_over_an_alias(store, tmp_path):
    path = tmp_path / "two_dates.csv"
    path.write_text("id,date,reported_on,lat,lon\nA,2025-01-01,2025-02-03,34.05,-118.24\n")
    import_file(store, ADMIN, "incidents", path, columns={"occurred_at": "reported_on"})
    assert str(store.read_layer(schema.INCIDENTS)[schema.OCCURRED_AT].iloc[0]).startswith("2025-02-03")


def test_map_to_a_missing_column_is_refused_with_the_files_columns(store, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(COMMUNITY)
    with pytest.raises(SchemaError) as err:
        import_file(store, ADMIN, "incidents", path, columns={"occurred_at": "when"})
    text = str(err.value)
    assert text.startswith("tracker.csv: --map occurred_at=when") and "no column 'when'" in text
    assert "'timestamp', 'latitude', 'longitude', 'activity_type', 'description'" in text
    assert store.counts()[schema.INCIDENTS] == 0


def test_unknown_canonical_name_is_refused_before_reading(store, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(COMMUNITY)
    with pytest.raises(SchemaError, match=r"tracker.csv: --map color=timestamp: 'color' is not a column an import of "
                                          r"incidents fills. Use one of: incident_id, occurred_at"):
        import_file(store, ADMIN, "incidents", path, columns={"color": "timestamp"})


def test_missing_required_column_says_how_to_map_it(store, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("when,latitude,longitude\n2025-01-01,34.05,-118.24\n")
    with pytest.raises(SchemaError, match=r"tracker.csv: no occurred_at column .*--map occurred_at=COLUMN"):
        import_file(store, ADMIN, "incidents", path)


@pytest.mark.parametrize(("given", "key"), [("occurred_at", "date_occ"), ("latitude", "lat"), ("x", "lon"),
                                            ("Y", "lat"), ("lng", "lon"), ("incident_id", schema.INCIDENT_ID)])
def test_canonical_names_people_write(given, key):
    assert mapping.canonical_key(schema.INCIDENTS, given) == key


def test_parse_pairs_refuses_malformed_items():
    assert mapping.parse_pairs(["occurred_at=DATE OCC", "lat = Y"]) == {"occurred_at": "DATE OCC", "lat": "Y"}
    with pytest.raises(SchemaError, match="write canonical=column"):
        mapping.parse_pairs(["occurred_at"])


@pytest.mark.parametrize("header", ["lat,lng", "Latitude,Long", "y,x", "POINT_Y,POINT_X"])
def test_coordinate_aliases(store, tmp_path, header):
    lat, lon = header.split(",")
    path = tmp_path / "p.csv"
    path.write_text(f"created_at,{lat},{lon}\n2025-01-01 10:00,34.05,-118.24\n")
    assert import_file(store, ADMIN, "incidents", path).n_accepted == 1


# --- duplicate column names -----------------------------------------------------------------
def test_duplicate_column_names_in_csv_are_reported_and_the_first_used(store, tmp_path):
    path = tmp_path / "lapd_resaved.csv"
    path.write_text("DR_NO,DATE OCC,TIME OCC,DATE OCC,LAT,LON\n"
                    "250100001,01/02/2025 12:00:00 AM,1300,12/31/2024 12:00:00 AM,34.05,-118.24\n")
    report = import_file(store, ADMIN, "incidents", path)
    assert ("duplicate column name 'DATE OCC' appears 2 times: used the first as occurred_at (column 2); ignored "
            "column 4 (read as 'DATE OCC.1'). To use another one, map it, e.g. --map \"occurred_at=DATE OCC.1\"") \
        in report.summary()
    assert str(store.read_layer(schema.INCIDENTS)[schema.OCCURRED_AT].iloc[0]).startswith("2025-01-02")


def test_duplicate_column_names_in_xlsx_are_reported(store, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DR_NO", "DATE OCC", "TIME OCC", "DATE OCC", "LAT", "LON"])
    sheet.append(["250100001", "01/02/2025 12:00:00 AM", "1300", "12/31/2024 12:00:00 AM", 34.05, -118.24])
    book.save(tmp_path / "lapd.xlsx")
    report = import_file(store, ADMIN, "incidents", tmp_path / "lapd.xlsx")
    assert "duplicate column name 'DATE OCC' appears 2 times: used the first as occurred_at (column 2)" in report.summary()
    assert report.n_accepted == 1


def test_a_duplicate_column_can_be_chosen_with_map(store, tmp_path):
    path = tmp_path / "lapd_resaved.csv"
    path.write_text("DR_NO,DATE OCC,DATE OCC,LAT,LON\n250100001,01/02/2025,12/31/2024,34.05,-118.24\n")
    import_file(store, ADMIN, "incidents", path, columns={"occurred_at": "DATE OCC.1"})
    assert str(store.read_layer(schema.INCIDENTS)[schema.OCCURRED_AT].iloc[0]).startswith("2024-12-31")


# --- asset lists with point coordinates -----------------------------------------------------
def test_stations_layout_imports_as_sites_on_the_parcels_holding_them(store, tmp_path):
    _parcels(store, tmp_path)
    path = _stations_csv(tmp_path, [
        "-118.2435,34.0505,1,CENTRAL,251 E. 6th St.,1\n",     # inside lot A
        "-118.2420,34.0505,2,EDGE,on the shared edge,2\n",    # on the edge of lots B and D
        "-118.4000,34.2000,3,NOWHERE,no parcel here,3\n",     # on no stored parcel
    ])
    report = import_file(store, ADMIN, "sites", path, department="LAPD")
    text = report.summary()
    assert report.n_accepted == 2 and len(report.rejected) == 1
    assert "row 4 (NOWHERE): point (lat 34.200000, lon -118.400000) lies on no stored parcel" in text
    assert "1 points lie on several parcels" in text and "row 3 (5151001002, 5151001004)" in text
    sites = store.read_layer(schema.SITES).set_index(schema.NAME)
    assert sites.loc["CENTRAL", schema.AINS] == "5151001001"
    assert sites.loc["CENTRAL", schema.OWNING_DEPT] == "LAPD"
    assert sites.loc["CENTRAL", schema.LAPD_AREA] == 1
    assert sites.loc["CENTRAL"].geometry.equals(shapely.MultiPolygon([LOT_A]))
    assert sites.loc["EDGE", schema.AINS] == "5151001002;5151001004"


def test_stations_in_state_plane_feet_with_crs(store, tmp_path):
    _parcels(store, tmp_path)
    feet = Transformer.from_crs("EPSG:4326", "EPSG:2229", always_xy=True)
    x, y = feet.transform(-118.2435, 34.0505)
    path = _stations_csv(tmp_path, [f"{x:.2f},{y:.2f},1,CENTRAL,251 E. 6th St.,1\n"])
    report = import_file(store, ADMIN, "sites", path, department="LAPD", crs="2229")
    assert report.n_accepted == 1
    assert store.read_layer(schema.SITES)[schema.AINS].iloc[0] == "5151001001"


def test_stations_without_parcels_in_the_store_are_refused_with_the_fix(store, tmp_path):
    path = _stations_csv(tmp_path, ["-118.2435,34.0505,1,CENTRAL,251 E. 6th St.,1\n"])
    with pytest.raises(SchemaError, match=r"LAPD_Police_Stations.csv: .*row 2 \(CENTRAL\): the row gives a point and no "
                                          r"AIN, and the store holds no parcels .*import the County Parcels layer"):
        import_file(store, ADMIN, "sites", path, department="LAPD")
    assert store.counts()[schema.SITES] == 0


def test_point_geojson_asset_list_is_matched_to_parcels(store, tmp_path):
    _parcels(store, tmp_path)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Yard", "department": "GSD"},
         "geometry": {"type": "Point", "coordinates": [-118.2995, 34.1005]}}]}
    (tmp_path / "yards.geojson").write_text(json.dumps(fc))
    report = import_file(store, ADMIN, "sites", tmp_path / "yards.geojson")
    assert report.n_accepted == 1
    assert store.read_layer(schema.SITES)[schema.AINS].iloc[0] == "5555002003"


# --- JSON record arrays -----------------------------------------------------------------------
def test_json_records_with_a_location_object_read_as_points(store, tmp_path):
    records = [
        {"case_id": "C1", "date": "2025-03-01T10:00:00", "activity_type": "arrest",
         "location": {"latitude": "34.0522", "longitude": "-118.2437", "human_address": "{}"}},
        {"case_id": "C2", "date": "2025-03-02T10:00:00", "activity_type": "checkpoint",
         "location": {"type": "Point", "coordinates": [-118.25, 34.06]}},
        {"case_id": "C3", "date": "2025-03-03T10:00:00", "location": {"latitude": "north", "longitude": "-118.2"}},
        {"case_id": "C4", "date": "2025-03-04T10:00:00"},
    ]
    (tmp_path / "county.json").write_text(json.dumps(records))
    report = import_file(store, ADMIN, "incidents", tmp_path / "county.json", columns={"incident_id": "case_id"})
    text = report.summary()
    assert report.fmt == "JSON records" and report.n_accepted == 2
    assert "record 3 (id C3): latitude 'north' is not a number" in text
    assert "record 4 (id C4): no location" in text
    got = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    assert np.allclose([got.loc["C2"].geometry.x, got.loc["C2"].geometry.y], [-118.25, 34.06])


def test_json_that_is_not_an_array_of_objects_is_refused(store, tmp_path):
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(SchemaError.__mro__[1], match=r"bad.json: record 1 is int '1', not an object"):
        import_file(store, ADMIN, "incidents", tmp_path / "bad.json")
    (tmp_path / "cut.json").write_text('[{"a": 1}, {"a": ')
    with pytest.raises(SchemaError.__mro__[1], match=r"cut.json: record 2 is not valid JSON"):
        import_file(store, ADMIN, "incidents", tmp_path / "cut.json")


def test_duplicate_column_names_in_parquet_and_json_records(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = ["DR_NO", "DATE OCC", "DATE OCC", "LAT", "LON"]
    pq.write_table(pa.table([pa.array(["250100001"]), pa.array(["01/02/2025"]), pa.array(["12/31/2024"]),
                             pa.array([34.05]), pa.array([-118.24])], names=names), tmp_path / "lapd.parquet")
    report = import_file(store, ADMIN, "incidents", tmp_path / "lapd.parquet")
    assert "duplicate column name 'DATE OCC' appears 2 times: used the first as occurred_at" in report.summary()
    assert str(store.read_layer(schema.INCIDENTS)[schema.OCCURRED_AT].iloc[0]).startswith("2025-01-02")
    (tmp_path / "dup.json").write_text('[{"id": "J1", "date": "2025-01-05", "date": "2024-01-01", "lat": 34.05, '
                                       '"lon": -118.24}]')
    report = import_file(store, ADMIN, "incidents", tmp_path / "dup.json")
    assert "duplicate member name 'date' in 1 records: used the first value" in report.summary()
    got = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    assert str(got.loc["J1", schema.OCCURRED_AT]).startswith("2025-01-05")


def test_file_columns_lists_the_header_only(tmp_path):
    import openpyxl

    from geo.config import UploadLimits
    from geo.io.header import file_columns

    limits = UploadLimits()
    (tmp_path / "a.csv").write_text("DR_NO,DATE OCC,DATE OCC,LAT\n1,2,3,4\n")
    assert file_columns(tmp_path / "a.csv", limits=limits) == ["DR_NO", "DATE OCC", "DATE OCC.1", "LAT"]
    (tmp_path / "r.json").write_text(json.dumps([{"id": 1, "location": {"latitude": "34", "longitude": "-118"}},
                                                 {"id": 2, "extra": "x"}]))
    assert file_columns(tmp_path / "r.json", limits=limits) == ["id", "latitude", "longitude", "extra"]
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"District": 1, "NAME": "a"},
                                                     "geometry": None}]}
    (tmp_path / "d.geojson").write_text(json.dumps(fc))
    assert file_columns(tmp_path / "d.geojson", limits=limits) == ["District", "NAME"]
    book = openpyxl.Workbook()
    book.active.append(["X", "Y", "DIVISION"])
    book.save(tmp_path / "s.xlsx")
    assert file_columns(tmp_path / "s.xlsx", limits=limits) == ["X", "Y", "DIVISION"]


def test_json_records_obey_the_row_and_nesting_limits(store, tmp_path):
    from geo.config import ImportLimits
    from geo.errors import UnsafeFileError

    rows = [{"id": f"R{i}", "date": "2025-01-01", "lat": 34.05, "lon": -118.24} for i in range(5)]
    (tmp_path / "many.json").write_text(json.dumps(rows))
    with pytest.raises(UnsafeFileError, match=r"many.json: more than 3 records, over the limit"):
        import_file(store, ADMIN, "incidents", tmp_path / "many.json", limits=ImportLimits(max_features=3, batch_rows=2))
    (tmp_path / "deep.json").write_text("[" + '{"a": ' * 40 + "1" + "}" * 40 + "]")
    with pytest.raises(UnsafeFileError, match=r"deep\.json: .*nest"):
        import_file(store, ADMIN, "incidents", tmp_path / "deep.json")
    assert store.counts()[schema.INCIDENTS] == 0


def test_duplicate_property_names_in_geojson_are_reported(store, tmp_path):
    feature = ('{{"type": "Feature", "properties": {{"incident_id": "G{0}", "DATE OCC": "2025-01-0{0}", '
               '"DATE OCC": "2024-12-3{0}"}}, "geometry": {{"type": "Point", "coordinates": [-118.24, 34.05]}}}}')
    clean = ('{"type": "Feature", "properties": {"incident_id": "G9", "DATE OCC": "2025-02-01"}, '
             '"geometry": {"type": "Point", "coordinates": [-118.24, 34.05]}}')
    text = '{"type": "FeatureCollection", "features": [' + clean + ", " + feature.format(1) + ", " + feature.format(2) + "]}"
    (tmp_path / "dup.geojson").write_text(text)
    report = import_file(store, ADMIN, "incidents", tmp_path / "dup.geojson")
    summary = report.summary()
    assert "duplicate property name 'DATE OCC' (first in feature 2)" in summary and "the last was used" in summary
    got = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    assert str(got.loc["G1", schema.OCCURRED_AT]).startswith("2024-12-31")  # what the report says: the last


def test_distinct_features_sharing_names_are_not_duplicates(store, tmp_path):
    feats = [{"type": "Feature", "properties": {"incident_id": f"F{i}", "date": "2025-01-01"},
              "geometry": {"type": "Point", "coordinates": [-118.24, 34.05]}} for i in range(3)]
    (tmp_path / "ok.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    assert "duplicate" not in import_file(store, ADMIN, "incidents", tmp_path / "ok.geojson").summary()
