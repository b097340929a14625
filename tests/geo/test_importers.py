"""Each real LA shape imported from a small fixture file built in tmp_path, through ``ingest_file``."""
from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.errors import SchemaError, StoreError
from geo.services.imports import import_file
from geo.store import open_store
from tests.actors import ADMIN


def ingest_file(store, kind, path, **options):
    """Import as an admin through the one door."""
    return import_file(store, ADMIN, kind, path, **options)

CITY_HALL = (-118.2427, 34.0537)
D = 0.0004  # ~40 m parcels


def square(lon: float, lat: float, d: float = D) -> shapely.Polygon:
    """A small lon/lat square with its south-west corner at (lon, lat)."""
    return shapely.box(lon, lat, lon + d, lat + d)


def county_parcels() -> gpd.GeoDataFrame:
    """Five County-layer parcels near City Hall in EPSG:4326, real field names, one stacked condo pair."""
    lon, lat = CITY_HALL
    return gpd.GeoDataFrame({
        "OBJECTID": [1, 2, 3, 4, 5],
        "AIN": ["5161003900", "5161003901", "5161003902", "5161003903", "5161003903"],
        "APN": ["5161-003-900", "5161-003-901", "5161-003-902", "5161-003-903", "5161-003-903"],
        "SitusFullAddress": ["200 N SPRING ST LOS ANGELES CA 90012", "111 E 1ST ST", "150 S LOS ANGELES ST",
                             "300 W 2ND ST UNIT 1", "300 W 2ND ST UNIT 2"],
        "SitusZIP": ["90012-4801", "90012", "90012", "90012", "90012"],
        "TaxRateCity": ["LOS ANGELES", "LOS ANGELES", "LOS ANGELES", "LOS ANGELES", "LOS ANGELES"],
        "UseCode": ["8800", "2700", "880V", "010C", "010C"],
        "UseType": ["Institutional", "Commercial", "Miscellaneous", "Residential", "Residential"],
        "UseDescription": ["Government", "Parking Lot", "Vacant", "Condominium", "Condominium"],
        "AgencyName": ["CITY OF LOS ANGELES", None, None, None, None],
        "Roll_Year": [2025, 2025, 2025, 2025, 2025],
        "Roll_LandValue": [1_000_000.0, 250_000.0, 90_000.0, 50_000.0, 50_000.0],
        "Roll_ImpValue": [5_000_000.0, 0.0, 0.0, 200_000.0, 210_000.0],
        "SQFTmain1": [12_000, 0, 0, 900, 950], "SQFTmain2": [3_000, None, None, None, None],
        "Units1": [0, 0, 0, 1, 1], "YearBuilt1": ["1928", "0", "0", "2005", "2005"],
        "Shape_Area": [99.0, 99.0, 99.0, 99.0, 99.0],
    }, geometry=[square(lon, lat), square(lon + 0.001, lat), square(lon + 0.002, lat),
                 square(lon, lat + 0.001), square(lon, lat + 0.001)], crs="EPSG:4326")


def districts() -> gpd.GeoDataFrame:
    """Two council-district polygons (west CD 1, east CD 14) covering the fixtures, 2021 vintage."""
    lon, lat = CITY_HALL
    return gpd.GeoDataFrame({
        "OBJECTID": [1, 2], "NAME": ["CD 1", "CD 14"], "District": [1, 14],
        "District_Name": ["Council District 1", "Council District 14"], "vintage": ["2021", "2021"],
    }, geometry=[shapely.box(lon - 0.05, lat - 0.05, lon + 0.0015, lat + 0.05),
                 shapely.box(lon + 0.0015, lat - 0.05, lon + 0.05, lat + 0.05)], crs="EPSG:4326")


LAPD_HEADER = ("DR_NO,Date Rptd,DATE OCC,TIME OCC,AREA,AREA NAME,Rpt Dist No,Part 1-2,Crm Cd,Crm Cd Desc,"
               "Mocodes,Vict Age,Vict Sex,Vict Descent,Premis Cd,Premis Desc,Weapon Used Cd,Weapon Desc,Status,"
               "Status Desc,Crm Cd 1,Crm Cd 2,Crm Cd 3,Crm Cd 4,LOCATION,Cross Street,LAT,LON")


def lapd_row(dr: str, occ: str, time: str, lat: str, lon: str, desc: str = "VEHICLE - STOLEN") -> str:
    """One LAPD 'Crime Data from 2020 to Present' row (28 columns)."""
    return (f'{dr},03/02/2025 12:00:00 AM,{occ},{time},1,Central,0101,1,510,"{desc}",,0,,,'
            f'108.0,PARKING LOT,,,IC,Invest Cont,510,,,,"200 N  SPRING                  ST",,{lat},{lon}')


def write_lapd(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([LAPD_HEADER, *rows]) + "\n")
    return path


def write_zip_shapefile(gdf: gpd.GeoDataFrame, path: Path, *, drop: tuple[str, ...] = ()) -> Path:
    """Write ``gdf`` as a Shapefile and zip its parts (minus the ``drop`` extensions)."""
    folder = path.parent / (path.stem + "_shp")
    folder.mkdir()
    gdf.to_file(folder / "parcels.shp")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            if part.suffix not in drop:
                zf.write(part, part.name)
    return path


def truncated_shapefile_frame() -> gpd.GeoDataFrame:
    """The County layer in EPSG:2229 with the Shapefile's 10-character field names."""
    g = county_parcels().to_crs("EPSG:2229")
    return g.rename(columns={"SitusFullAddress": "SitusFullA", "Roll_LandValue": "Roll_LandV",
                             "Roll_ImpValue": "Roll_ImpVa", "UseDescription": "UseDescrip",
                             "TaxRateCity": "TaxRateCit"})


@pytest.fixture
def store(tmp_path):
    return open_store(str(tmp_path / "store.gpkg"))


@pytest.fixture
def zoned_store(store, tmp_path):
    """A store that already holds council districts."""
    path = tmp_path / "districts.geojson"
    districts().to_file(path)
    ingest_file(store, "districts", path)
    return store


def _parcels(store) -> pd.DataFrame:
    return store.read_layer(schema.PARCELS).set_index(schema.AIN)


def test_county_parcels_geojson_4326(zoned_store, tmp_path):
    path = tmp_path / "LA_County_Parcels.geojson"
    county_parcels().to_file(path)
    report = ingest_file(zoned_store, "parcels", path)
    assert (report.n_read, report.n_accepted, len(report.rejected)) == (5, 4, 0)
    p = _parcels(zoned_store)
    assert list(p.columns) == [c for c in schema.column_names(schema.PARCELS) if c != schema.AIN] + ["geometry"]
    assert p.loc["5161003903", schema.MERGED_COUNT] == 2
    assert "stacked condominium" in report.summary()
    row = p.loc["5161003900"]
    assert row[schema.USE_CODE] == "8800" and row[schema.USE_CODE_2] == "88" and row[schema.SITUS_ZIP] == "90012"
    assert row[schema.BLDG_SQFT] == 15_000 and row[schema.YEAR_BUILT] == 1928 and row[schema.LAND_VALUE] == 1_000_000
    assert pd.isna(p.loc["5161003901", schema.YEAR_BUILT])  # YearBuilt 0 = unknown
    # area recomputed in 2229 (~40 m square = ~1,600 m2 = ~17,000 sq ft), never Shape_Area
    assert 14_000 < row[schema.LOT_SQFT] < 20_000
    assert abs(row[schema.CENTROID_X_FT] - 6_488_151) < 400 and abs(row[schema.CENTROID_Y_FT] - 1_842_013) < 400
    assert row[schema.COUNCIL_DISTRICT] == 1 and p.loc["5161003902", schema.COUNCIL_DISTRICT] == 14
    assert not p[schema.IS_SYNTHETIC].any() and set(p[schema.SOURCE]) == {"LA_County_Parcels.geojson"}
    sites = zoned_store.read_layer(schema.SITES).set_index(schema.SITE_ID)
    # the City names itself on 900; 902's public use code 880V alone never makes a City site
    assert sorted(sites.index) == ["CLA-5161003900"]
    assert (p.loc["5161003900", schema.OWNER_CLASS], p.loc["5161003902", schema.OWNER_CLASS]) == ("city", "unknown")
    assert p.loc["5161003902", schema.OWNER_KIND] == "public_unnamed" and p.loc["5161003901", schema.OWNER_CLASS] == "private"
    assert sites.loc["CLA-5161003900", schema.LISTED_BASIS] == "owned"
    assert set(sites[schema.OWNING_DEPT]) == {"unassigned"} and set(sites[schema.SITE_ORIGIN]) == {"derived_from_parcels"}


def test_zipped_shapefile_2229_truncated_names(store, tmp_path):
    path = write_zip_shapefile(truncated_shapefile_frame(), tmp_path / "parcels.zip")
    report = ingest_file(store, "parcels", path)
    assert report.crs == "EPSG:2229" and report.n_accepted == 4
    p = _parcels(store)
    assert p.loc["5161003900", schema.SITUS_ADDRESS] == "200 N SPRING ST LOS ANGELES CA 90012"
    assert p.loc["5161003900", schema.LAND_VALUE] == 1_000_000 and p.loc["5161003900", schema.IMP_VALUE] == 5_000_000
    assert p.loc["5161003902", schema.USE_DESCRIPTION] == "Vacant"
    minx, miny, maxx, maxy = store.read_layer(schema.PARCELS).total_bounds
    assert -118.25 < minx < maxx < -118.23 and 34.05 < miny < maxy < 34.06


def test_geopackage_geoparquet_flatgeobuf(store, tmp_path):
    g = county_parcels()
    g.iloc[:2].to_crs("EPSG:2229").to_file(tmp_path / "a.gpkg", driver="GPKG")
    g.iloc[2:3].to_parquet(tmp_path / "b.parquet")
    g.iloc[3:].to_crs("EPSG:3857").to_file(tmp_path / "c.fgb", driver="FlatGeobuf")
    counts = [ingest_file(store, "parcels", tmp_path / n).n_accepted for n in ("a.gpkg", "b.parquet", "c.fgb")]
    assert counts == [2, 1, 1]
    assert store.counts()[schema.PARCELS] == 4
    lot = _parcels(store)[schema.LOT_SQFT]
    assert lot.max() / lot.min() < 1.01  # same-size squares, whatever the source CRS


def test_assessor_csv_refreshes_stored_parcels(store, tmp_path):
    county_parcels().to_file(tmp_path / "p.geojson")
    ingest_file(store, "parcels", tmp_path / "p.geojson")
    csv = tmp_path / "assessor.csv"
    csv.write_text(
        "AIN,RollYear,PropertyUseCode,GeneralUseType,SpecificUseType,SQFTmain,LandValue,usetype,CENTER_LAT,CENTER_LON\n"
        "5161003901,2024,2700,Commercial,Parking Lot (Commercial Use Property),\"1,250\",200000,C/I,34.0539,-118.2415\n"
        "5161003901,2025,2710,Commercial,Parking Lot (Commercial Use Property),\"1,300\",260000,C/I,34.0539,-118.2415\n"
        "8888888888,2025,0100,Residential,Single Family Residence,900,1,SFR,34.06,-118.25\n")
    report = ingest_file(store, "parcels", csv)
    assert (report.n_accepted, len(report.rejected)) == (1, 1)
    assert "row 4 (AIN 8888888888): no parcel polygon" in report.summary()
    row = _parcels(store).loc["5161003901"]
    assert row[schema.USE_CODE] == "2710" and row[schema.BLDG_SQFT] == 1300 and row[schema.LAND_VALUE] == 260_000
    assert row[schema.PROPERTY_TYPE] == "C/I" and row[schema.ROLL_YEAR] == 2025
    assert row[schema.USE_DESCRIPTION] == "Parking Lot (Commercial Use Property)"
    assert row[schema.SITUS_ADDRESS] == "111 E 1ST ST"  # kept from the polygon layer


def test_lapd_crime_csv(zoned_store, tmp_path):
    path = write_lapd(tmp_path / "Crime_Data_from_2020_to_Present.csv", [
        lapd_row("250104567", "03/01/2025 12:00:00 AM", "100", "34.0539", "-118.2425"),
        lapd_row("250104568", "03/01/2025 12:00:00 AM", "2130", "34.0539", "-118.2385", "BATTERY - SIMPLE ASSAULT"),
        lapd_row("250104569", "03/01/2025 12:00:00 AM", "1200", "0", "0"),
    ])
    report = ingest_file(zoned_store, "incidents", path)
    assert (report.n_accepted, len(report.rejected)) == (2, 1)
    assert "row 4 (DR_NO 250104569): LAT/LON is 0" in report.summary()
    inc = zoned_store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    first = inc.loc["250104567"]
    # 01:00 Pacific standard time on 1 March 2025 = 09:00 UTC
    assert first[schema.OCCURRED_AT] == pd.Timestamp("2025-03-01 09:00", tz="UTC")
    assert first[schema.REPORTED_AT] == pd.Timestamp("2025-03-02 08:00", tz="UTC")
    assert (first[schema.INCIDENT_TYPE], first[schema.VERIFICATION], first[schema.SOURCE_TYPE]) == ("other", "unverified", "lapd_import")
    assert first[schema.DESCRIPTION] == "VEHICLE - STOLEN" and first[schema.PREMISE_DESC] == "PARKING LOT"
    assert first[schema.LOCATION_TEXT] == "200 N SPRING ST" and first[schema.RPT_DIST_NO] == 101
    assert (first[schema.LAPD_AREA], first[schema.AREA_NAME], first[schema.WARRANT_SHOWN]) == (1, "Central", "unknown")
    assert first[schema.COUNCIL_DISTRICT] == 1 and inc.loc["250104568", schema.COUNCIL_DISTRICT] == 14
    assert inc.loc["250104568", schema.OCCURRED_AT].hour == 5  # 21:30 PST -> 05:30 UTC next day


def test_generic_latlon_incidents_csv(store, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("id,occurred_at,Latitude,Longitude,incident_type,verification_status,source_type,description\n"
                    "T-1,2025-07-14T09:30:00-07:00,34.0540,-118.2430,staging_area,corroborated,community_tracker,vans\n"
                    "T-2,2025-07-15 10:00,34.0541,-118.2431,Checkpoint,bogus,,\n")
    report = ingest_file(store, "incidents", path)
    assert report.n_accepted == 2
    inc = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    assert inc.loc["T-1", schema.OCCURRED_AT] == pd.Timestamp("2025-07-14 16:30", tz="UTC")
    assert tuple(inc.loc["T-1", [schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE]]) == (
        "staging_area", "corroborated", "community_tracker")
    assert tuple(inc.loc["T-2", [schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE]]) == ("checkpoint", "unverified", "staff")


def test_council_districts(store, tmp_path):
    path = tmp_path / "Council_Districts.geojson"
    districts().to_file(path)
    report = ingest_file(store, "districts", path)
    assert report.n_accepted == 2
    d = store.read_layer(schema.DISTRICTS).set_index(schema.DISTRICT)
    assert d.loc[14, schema.DISTRICT_NAME] == "Council District 14" and set(d[schema.VINTAGE]) == {"2021"}


def test_rap_parks(store, tmp_path):
    lon, lat = CITY_HALL
    parks = gpd.GeoDataFrame({"park_id": ["1001", "1002"], "name": ["Grand Park", "Pershing Square"],
                              "class": ["r", "C"]},
                             geometry=[square(lon - 0.003, lat, 0.002), square(lon - 0.01, lat - 0.006, 0.001)],
                             crs="EPSG:4326").to_crs("EPSG:2229")
    parks.to_file(tmp_path / "parks.gpkg")
    assert ingest_file(store, "parks", tmp_path / "parks.gpkg").n_accepted == 2
    p = store.read_layer(schema.PARKS).set_index(schema.PARK_ID)
    assert p.loc["1001", schema.PARK_NAME] == "Grand Park" and p.loc["1001", schema.PARK_CLASS] == "R"


def _asset_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Asset ID": ["GSD-001", "LADOT-7", "LADOT-7"], "Facility Name": ["City Hall", "Lot 7", "Lot 7"],
        "APN": ["5161-003-900", "5161003901", "5161003902"], "Asset Type": ["facility", "LADOT lot", "LADOT lot"],
    })


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_department_asset_list_replaces_derived_sites(store, tmp_path, fmt):
    county_parcels().to_file(tmp_path / "p.geojson")
    ingest_file(store, "parcels", tmp_path / "p.geojson")
    assert "CLA-5161003900" in set(store.read_layer(schema.SITES)[schema.SITE_ID])
    path = tmp_path / f"assets.{fmt}"
    frame = _asset_frame()
    frame.to_csv(path, index=False) if fmt == "csv" else frame.to_excel(path, index=False)
    report = ingest_file(store, "sites", path, department="GSD")
    assert report.n_accepted == 2
    sites = store.read_layer(schema.SITES).set_index(schema.SITE_ID)
    assert sorted(sites.index) == ["GSD-001", "LADOT-7"]  # derived CLA-... sites replaced
    lot = sites.loc["LADOT-7"]
    assert lot[schema.AINS] == "5161003901;5161003902" and lot[schema.OWNING_DEPT] == "GSD"
    assert lot[schema.USE_CODE] == "2700" and lot[schema.SITE_ORIGIN] == "asset_list"
    one = _parcels(store)[schema.LOT_SQFT].loc["5161003901"]
    assert lot[schema.AREA_SQFT] == pytest.approx(2 * one, rel=0.01)  # union of two adjacent-ish parcels
    assert shapely.get_num_geometries(lot.geometry) == 2


def test_asset_list_with_department_column_and_geometry(store, tmp_path):
    lon, lat = CITY_HALL
    gdf = gpd.GeoDataFrame({"site_id": ["RAP-9"], "department": ["RAP"], "name": ["Pocket park"]},
                           geometry=[square(lon - 0.01, lat)], crs="EPSG:4326")
    gdf.to_file(tmp_path / "rap_sites.geojson")
    report = ingest_file(store, "sites", tmp_path / "rap_sites.geojson")
    assert report.n_accepted == 1
    site = store.read_layer(schema.SITES).iloc[0]
    assert (site[schema.SITE_ID], site[schema.OWNING_DEPT], site[schema.AINS]) == ("RAP-9", "RAP", None)


def test_partial_file_rejects_rows_and_accepts_the_rest(store, tmp_path):
    g = county_parcels().iloc[:4].copy()
    g.loc[1, "AIN"] = "9912345678"
    g.loc[2, "geometry"] = None
    bowtie = shapely.Polygon([(-118.2, 34.0), (-118.19, 34.01), (-118.19, 34.0), (-118.2, 34.01)])
    g.loc[3, "geometry"] = bowtie
    g.to_file(tmp_path / "partial.geojson")
    report = ingest_file(store, "parcels", tmp_path / "partial.geojson")
    text = report.summary()
    assert (report.n_accepted, len(report.rejected), len(report.repaired)) == (2, 2, 1)
    assert "feature 2 (AIN 9912345678): AIN 9912345678 is in map book 99xx" in text
    assert "feature 3 (AIN 5161003902): geometry is null" in text
    assert "feature 4 (AIN 5161003903): Self-intersection[-118.195 34.005] -> repaired with make_valid" in text
    geom = _parcels(store).loc["5161003903"].geometry
    assert geom.is_valid and geom.geom_type == "MultiPolygon"


def test_cli_import_prints_summary(store, tmp_path, capsys):
    from stagemap_cli.main import main

    county_parcels().to_file(tmp_path / "p.geojson")
    assert main(["import", "parcels", str(tmp_path / "p.geojson"), "--store", store.url]) == 0
    out = capsys.readouterr().out
    assert "read 5, accepted 4, repaired 0, rejected 0" in out
    assert "written: parcels 4 new, 0 updated; sites 1 new" in out  # only the parcel naming the City: 880V alone is no City site


def test_shapefile_without_prj_imports_with_crs_option(store, tmp_path):
    path = write_zip_shapefile(truncated_shapefile_frame(), tmp_path / "noprj.zip", drop=(".prj",))
    report = ingest_file(store, "parcels", path, crs="2229")
    assert report.n_accepted == 4 and report.crs == "EPSG:2229"
    assert np.allclose(store.read_layer(schema.PARCELS).total_bounds[[0, 1]], [-118.2427, 34.0537], atol=1e-5)


# --- bounded imports: text length, batches, disk full, locked -----------------------------------
def _incidents_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """Incidents (id, description, location) near City Hall, one per row."""
    lon, lat = CITY_HALL
    lines = [f'{i},2025-03-0{1 + n % 9}T10:00,{lat + n * 1e-5:.5f},{lon + n * 1e-5:.5f},"{d}","{loc}"'
             for n, (i, d, loc) in enumerate(rows)]
    path.write_text("incident_id,occurred_at,lat,lon,description,location\n" + "\n".join(lines) + "\n")
    return path


def test_long_text_is_cut_like_the_forms_with_a_marker_and_counted(store, tmp_path):
    long_desc, long_loc = "d" * 20_000, "l" * 7_000
    path = _incidents_csv(tmp_path / "long.csv", [("A1", long_desc, long_loc), ("A2", "short", "here"),
                                                  ("A3", "e" * 5_000, "there")])
    report = ingest_file(store, "incidents", path)
    stored = store.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID)
    cut = stored.loc["A1", schema.DESCRIPTION]
    assert len(cut) == 5_000 and cut.startswith("d" * 4_900) and cut.endswith("[... cut: over 5,000 characters]")
    assert len(stored.loc["A1", schema.LOCATION_TEXT]) == 5_000
    assert stored.loc["A3", schema.DESCRIPTION] == "e" * 5_000 and stored.loc["A2", schema.DESCRIPTION] == "short"
    assert any(n.startswith("2 text values were longer than 5,000 characters and were cut") and
               "description 1, location_text 1" in n for n in report.notes), report.notes


def test_an_over_long_id_refuses_the_file_instead_of_cutting_it(store, tmp_path):
    path = _incidents_csv(tmp_path / "id.csv", [("X" * 6_000, "a", "b"), ("A2", "a", "b")])
    with pytest.raises(SchemaError, match=r"a incident_id of 6,000 characters .*over the 5,000-character limit"):
        ingest_file(store, "incidents", path)
    assert store.counts()[schema.INCIDENTS] == 0


def test_reading_in_small_batches_and_chunks_gives_the_same_frames(tmp_path, monkeypatch):
    lon, lat = CITY_HALL
    bowtie = shapely.Polygon([(lon, lat), (lon + D, lat + D), (lon + D, lat), (lon, lat + D)])
    parcels = county_parcels()
    extra = gpd.GeoDataFrame({"AIN": [f"51610040{i:02d}" for i in range(23)], "TaxRateCity": "LOS ANGELES"},
                             geometry=[bowtie if i % 5 == 0 else square(lon + 0.003 * i, lat + 0.002)
                                       for i in range(23)], crs="EPSG:4326")
    pd.concat([parcels, extra], ignore_index=True).to_crs("EPSG:2229").to_file(tmp_path / "p.gpkg", driver="GPKG")

    def plan(batch: int):
        from geo.config import ImportLimits
        from geo.io.ingest import StoreContext, plan_import
        zones = districts().rename(columns={"District": schema.DISTRICT})
        held = StoreContext(districts=zones, lapd_areas=None, parcels=lambda: parcels.iloc[:0], sites=None)
        return plan_import("parcels", tmp_path / "p.gpkg", held, limits=ImportLimits(batch_rows=batch))

    whole = plan(100_000)
    monkeypatch.setattr("geo.io.importers.GEOMETRY_CHUNK", 4)
    monkeypatch.setattr("geo.io.raw.GEOMETRY_CHUNK", 4)
    small = plan(3)
    for layer, frame in whole.frames.items():
        other = small.frames[layer]
        pd.testing.assert_frame_equal(pd.DataFrame(frame.drop(columns="geometry")).drop(columns=schema.FETCHED_AT),
                                      pd.DataFrame(other.drop(columns="geometry")).drop(columns=schema.FETCHED_AT))
        assert list(shapely.to_wkb(frame.geometry.values)) == list(shapely.to_wkb(other.geometry.values))
    assert [str(i) for i in whole.report.repaired] == [str(i) for i in small.report.repaired]
    assert len(whole.report.repaired) == 5


def _seeded(store, tmp_path):
    districts().to_file(tmp_path / "d.geojson")
    ingest_file(store, "districts", tmp_path / "d.geojson")
    return _incidents_csv(tmp_path / "many.csv", [(f"B{i}", "x" * 200, "y") for i in range(3_000)])


def _state(store) -> tuple[dict[str, int], int, int]:
    return store.counts(), store.data_version(), len(store.read_audit())


def test_disk_full_during_an_import_says_so_and_changes_nothing(store, tmp_path, monkeypatch):
    path = _seeded(store, tmp_path)
    before = _state(store)
    connect = type(store).connect

    def small_disk(self):
        con = connect(self)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages + 3}")  # the next few pages fail as SQLITE_FULL
        return con

    monkeypatch.setattr(type(store), "connect", small_disk)
    with pytest.raises(StoreError, match=r"many\.csv was not imported: Store .* is full \(database or disk is full\); "
                                         r"nothing was written\. Free disk space and retry\.") as info:
        ingest_file(store, "incidents", path)
    assert "cannot rollback" not in str(info.value)
    monkeypatch.undo()
    assert _state(store) == before
    assert ingest_file(store, "incidents", path).n_accepted == 3_000  # space freed: the same import goes in


def test_a_store_locked_during_an_import_says_so_and_changes_nothing(store, tmp_path, monkeypatch):
    path = _seeded(store, tmp_path)
    before = _state(store)
    monkeypatch.setattr("geo.store.sqlite.BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(store.url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the store
    try:
        with pytest.raises(StoreError, match=r"many\.csv was not imported: Store .* stayed locked by another writer "
                                             r"for 0 s .*nothing was written\. Retry in a moment\."):
            ingest_file(store, "incidents", path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _state(store) == before
