"""The synthetic LA sample: determinism, canonical schema, labelling, self-consistency and shares."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.config import COUNTY_LAT, COUNTY_LON, SYNTHETIC_SOURCE, Directive
from geo.io.outline import county_polygon_deg
from geo.synthetic import GEN_VERSION, Sample, generate_parcels, generate_sample, real_shaped_layers
from geo.synthetic.anchors import anchors, build_districts
from geo.synthetic.parcels import lattice_shape
from geo.synthetic.randomness import hash64, u01

#: SHA-256 of the default sample (sorted CSV + WKT); bump together with GEN_VERSION.
GOLDEN_GEN_VERSION = 2
GOLDEN_SAMPLE_SHA256 = "e1dd3e1cd84eebd19d850a86f619ccf4d17b7b3102f758cd483b75119d0aff1e"  # issue 13: LA categories
#: SHA-256 of the first 10,000 lattice parcels of the 50k tier.
GOLDEN_LATTICE_10K_SHA256 = "34f845537bf072733a324bad49844b59c2d8267cdf41659a5a51d9d6337172a4"


def frame_digest(frame: pd.DataFrame, key: str) -> str:
    """Return SHA-256 of ``frame`` sorted by ``key`` as CSV, geometry as WKT (7 decimals)."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).sort_values(key, kind="stable")
    if "geometry" in frame:
        out["geometry"] = shapely.to_wkt(frame.geometry.values[out.index.to_numpy()], rounding_precision=7)
    return hashlib.sha256(out.to_csv(index=False, lineterminator="\n").encode()).hexdigest()


def sample_digest(sample: Sample) -> str:
    """Return one SHA-256 over every layer and the status table."""
    parts = [f"{layer}:{frame_digest(frame, schema.LAYER_KEYS[layer])}" for layer, frame in sorted(sample.frames.items())]
    parts.append(f"status:{frame_digest(sample.status, schema.SITE_ID)}")
    if sample.control is not None:  # the sample's A.1 determinations and site parts are pinned too
        parts.append(f"control:{frame_digest(sample.control, schema.SITE_ID)}")
    if sample.parts is not None:
        parts.append(f"parts:{frame_digest(sample.parts, schema.PART_ID)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@pytest.fixture(scope="module")
def sample() -> Sample:
    return generate_sample()


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return build_districts()


# --- determinism ------------------------------------------------------------------------
def test_two_runs_are_identical(sample):
    assert sample_digest(generate_sample()) == sample_digest(sample)


def test_golden_hash_is_pinned(sample):
    assert GEN_VERSION == GOLDEN_GEN_VERSION, "bump GOLDEN_SAMPLE_SHA256 together with GEN_VERSION"
    assert sample_digest(sample) == GOLDEN_SAMPLE_SHA256


def test_hash_randomness_is_index_addressable():
    whole = u01("parcels", "x", 1000)
    idx = np.array([999, 3, 500])
    assert np.array_equal(u01("parcels", "x", idx), whole[idx])
    assert not np.array_equal(hash64("parcels", "x", 10), hash64("parcels", "y", 10))


def test_lattice_chunks_match_one_pass(districts):
    one = generate_parcels(50_000, 0, 10_000, districts=districts)
    parts = pd.concat([generate_parcels(50_000, a, b, districts=districts)
                       for a, b in ((0, 3_333), (3_333, 7_001), (7_001, 10_000))], ignore_index=True)
    assert frame_digest(parts, schema.AIN) == frame_digest(one, schema.AIN)
    assert frame_digest(one, schema.AIN) == GOLDEN_LATTICE_10K_SHA256


def test_demo_rows_do_not_depend_on_chunking(districts):
    one = generate_parcels(3_000, 0, 3_000, districts=districts)
    tail = generate_parcels(3_000, 1_234, 3_000, districts=districts)
    assert frame_digest(tail, schema.AIN) == frame_digest(one.iloc[1_234:].reset_index(drop=True), schema.AIN)


# --- schema and labelling ---------------------------------------------------------------
def test_frames_have_exactly_the_canonical_columns_in_4326(sample):
    assert set(sample.frames) == {schema.PARCELS, schema.SITES, schema.INCIDENTS, schema.DISTRICTS, schema.PARKS,
                                  schema.LAPD_AREAS, schema.NEIGHBORHOOD_COUNCILS, schema.PLACES, schema.RAMPS}
    for layer, frame in sample.frames.items():
        assert list(frame.columns) == [*schema.column_names(layer), "geometry"], layer
        assert frame.crs.to_epsg() == 4326, layer
        assert frame[schema.IS_SYNTHETIC].all() and (frame[schema.SOURCE] == SYNTHETIC_SOURCE).all(), layer
        assert frame[schema.LAYER_KEYS[layer]].is_unique, layer
        geoms = frame.geometry.values
        assert shapely.is_valid(geoms).all(), layer
        assert shapely.equals_exact(shapely.set_precision(geoms, 1e-7, mode="pointwise"), geoms).all(), layer


def test_status_columns_and_enums(sample):
    st = sample.status
    assert list(st.columns) == [schema.SITE_ID, schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS, schema.LAST_INSPECTED,
                                schema.UPDATED_BY, schema.UPDATED_AT]
    assert list(st[schema.SITE_ID]) == list(sample.frames[schema.SITES][schema.SITE_ID])
    assert st[schema.SIGN_STATUS].isin(schema.SIGN_STATUSES).all() and st[schema.GATE_STATUS].isin(schema.GATE_STATUSES).all()


def test_enum_columns_use_schema_values(sample):
    inc = sample.frames[schema.INCIDENTS]
    assert inc[schema.INCIDENT_TYPE].isin(schema.INCIDENT_TYPES).all()
    assert inc[schema.VERIFICATION].isin(schema.VERIFICATION_STATUSES).all()
    assert set(inc[schema.SOURCE_TYPE]) == set(schema.SOURCE_TYPES)
    assert inc[schema.WARRANT_SHOWN].isin(schema.WARRANT_VALUES).all()
    assert sample.frames[schema.SITES][schema.SITE_ORIGIN].eq("asset_list").all()


def test_every_relevance_class_and_b8_observation_is_exercised(sample):
    inc = sample.frames[schema.INCIDENTS]
    counts = inc[schema.RELEVANCE].value_counts()
    assert set(counts.index) == set(schema.RELEVANCE_CLASSES) and counts.min() >= 20, counts.to_dict()
    lapd = inc[schema.SOURCE_TYPE] == "lapd_import"
    assert (inc.loc[lapd, schema.RELEVANCE] == schema.GENERAL_CRIME).all()  # an LAPD crime row is context
    assert (inc.loc[~lapd, schema.RELEVANCE] != schema.GENERAL_CRIME).all()
    suspected = inc[schema.RELEVANCE] == schema.SUSPECTED_UNLAWFUL_CONDUCT
    assert inc.loc[~suspected, schema.CONDUCT].isna().all()
    seen = {c for v in inc.loc[suspected, schema.CONDUCT] for c in v.split(";")}
    assert seen == set(schema.CONDUCT_TYPES)  # every kind of observed conduct appears
    assert (inc.loc[suspected, schema.CONDUCT].str.contains(";")).any()  # several may apply to one incident


def test_boundary_sets_agree_with_the_rows_they_describe(sample):
    from geo.synthetic.boundaries import earlier_council_plan

    councils = sample.frames[schema.NEIGHBORHOOD_COUNCILS].to_crs(2229)
    divisions = sample.frames[schema.LAPD_AREAS].to_crs(2229)
    assert councils[schema.NC_ID].is_unique and sorted(divisions[schema.LAPD_AREA]) == list(range(1, 22))
    for layer in (schema.SITES, schema.INCIDENTS):
        frame = sample.frames[layer].to_crs(2229)
        points = shapely.point_on_surface(frame.geometry.values)
        for zones, key, column in ((councils, schema.NC_ID, schema.NEIGHBORHOOD_COUNCIL),
                                   (divisions, schema.LAPD_AREA, schema.LAPD_AREA)):
            src, hit = shapely.STRtree(zones.geometry.values).query(points, predicate="within")
            assert (frame[column].to_numpy()[src] == zones[key].to_numpy()[hit]).all(), (layer, column)
    spec, features = earlier_council_plan()
    assert spec.is_synthetic and spec.vintage == "2012-07-01" and sorted(features["code"]) == list(range(1, 16))
    assert [s.set_id for s, _ in sample.boundaries] == [spec.set_id]


def test_determinations_and_parts_are_plausible_and_labelled(sample):
    sites = sample.frames[schema.SITES].set_index(schema.SITE_ID)
    control = sample.control.set_index(schema.SITE_ID)
    assert control.index.isin(sites.index).all() and 0.85 <= len(control) / len(sites) < 1.0  # a few stay pending
    assert set(control[schema.DETERMINATION]) == {schema.CANDIDATE, schema.NOT_CANDIDATE}
    not_cand = control[schema.DETERMINATION] == schema.NOT_CANDIDATE
    assert control.loc[not_cand, schema.DETERMINATION_REASON].str.startswith("DEMO:").all()
    assert set(control[schema.CONTROL_BASIS]) <= set(schema.CONTROL_BASES) and (control[schema.CONTROL_BASIS] != "owned").any()
    leased = control[schema.CONTROL_BASIS] != "owned"
    assert (control.loc[leased, schema.CONTROL_END] > control.loc[leased, schema.CONTROL_START]).all()
    parts = sample.parts
    assert len(parts) and parts[schema.PART_ID].is_unique and parts[schema.PART_NAME].str.contains("synthetic").all()
    assert (sites.loc[parts[schema.SITE_ID], schema.NAME].str.contains("Park")).all()  # parks' parking lots
    for site_id, wkt in zip(parts[schema.SITE_ID], parts[schema.GEOMETRY_WKT], strict=True):
        part, site = shapely.from_wkt(wkt), sites.loc[site_id, "geometry"]
        assert shapely.area(shapely.difference(part, site)) <= 1e-3 * shapely.area(part), site_id  # 1e-7 degree rounding
    for layer, key in ((schema.PLACES, schema.PLACE_ID), (schema.RAMPS, schema.RAMP_ID)):
        frame = sample.frames[layer]
        assert frame[key].str.startswith("SYN-").all() and frame[schema.IS_SYNTHETIC].all()
    assert set(sample.frames[schema.PLACES][schema.PLACE_TYPE]) <= set(schema.PLACE_TYPES)


def test_ains_are_synthetic_books(sample):
    parcels, sites = sample.frames[schema.PARCELS], sample.frames[schema.SITES]
    assert parcels[schema.AIN].str.fullmatch(r"99\d{8}").all()
    assert (parcels[schema.APN] == parcels[schema.AIN].map(schema.format_apn)).all()
    site_ains = [a for ains in sites[schema.AINS] for a in ains.split(";")]
    assert all(re.fullmatch(r"9999\d{6}", a) for a in site_ains)
    assert sites[schema.SITE_ID].str.fullmatch(r"SYN-SITE-\d{4}").all()
    assert sites[schema.NAME].str.fullmatch(r"DEMO [A-Za-z ]+ \d{3} \(synthetic\)").all()


def test_private_ain_books_follow_the_recipe(districts):
    tail = generate_parcels(2_400_000, 2_399_998, 2_400_000, districts=districts)
    assert list(tail[schema.AIN]) == ["9923099998", "9923099999"]  # page (i // 1000) % 100
    assert lattice_shape(800_000) == (1000, 800) and lattice_shape(2_400_000) == (2000, 1200)
    assert np.prod(lattice_shape(123_457)) >= 123_457
    assert (shapely.get_num_coordinates(tail.geometry.values) == 9).all()


# --- geography --------------------------------------------------------------------------
def test_everything_inside_the_county(sample):
    county = county_polygon_deg()
    for layer, frame in sample.frames.items():
        minx, miny, maxx, maxy = frame.total_bounds
        assert COUNTY_LON[0] <= minx and maxx <= COUNTY_LON[1], layer
        assert COUNTY_LAT[0] <= miny and maxy <= COUNTY_LAT[1], layer
        if layer != schema.DISTRICTS:
            pts = shapely.point_on_surface(frame.geometry.values)
            assert shapely.contains_xy(county, shapely.get_x(pts), shapely.get_y(pts)).all(), layer
    a = anchors()
    assert shapely.contains_xy(county, a.lon, a.lat).all()


@pytest.mark.parametrize("layer", [schema.PARCELS, schema.SITES, schema.INCIDENTS])
def test_council_district_matches_the_containing_zone(sample, layer):
    frame, zones = sample.frames[layer], sample.frames[schema.DISTRICTS]
    pts = gpd.GeoDataFrame(geometry=shapely.point_on_surface(frame.geometry.values), crs=frame.crs)
    joined = gpd.sjoin(pts, zones[[schema.DISTRICT, "geometry"]], predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    inside = joined[schema.DISTRICT].notna()
    assert inside.mean() > 0.99
    assert (frame[schema.COUNCIL_DISTRICT][inside] == joined[schema.DISTRICT][inside].astype(int)).all()


def test_districts_are_fifteen_demo_zones(sample):
    d = sample.frames[schema.DISTRICTS]
    assert list(d[schema.DISTRICT]) == list(range(1, 16))
    assert d[schema.DISTRICT_NAME].str.endswith("NOT council district boundaries").all()
    assert (d[schema.VINTAGE] == "synthetic").all()
    a = anchors()
    hit = [d.geometry.values[cd - 1].contains(shapely.Point(x, y)) for cd, x, y in zip(a.cd, a.lon, a.lat)]
    assert all(hit)


def test_parcels_do_not_overlap(sample):
    geoms = sample.frames[schema.PARCELS].geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left != right
    assert shapely.touches(geoms[left[pairs]], geoms[right[pairs]]).all()  # only two-parcel sites touch
    assert pairs.sum() == 2 * 36


# --- shares and realism -----------------------------------------------------------------
def test_private_use_code_mix(sample):
    parcels = sample.frames[schema.PARCELS]
    private = parcels[parcels[schema.OWNER_NAME].isna()]
    assert len(private) == 3_000 and len(parcels) == 3_000 + len(sample.frames[schema.SITES]) + 36
    code = private[schema.USE_CODE]
    share = {
        "sfr": code.eq("0100").mean(),
        "multi": code.isin(["0200", "0300", "0400", "0500"]).mean(),
        "commercial": code.isin(["1100", "1200", "1700", "2100", "2700"]).mean(),
        "industrial": code.isin(["3100", "3300", "3900"]).mean(),
    }
    assert 0.51 < share["sfr"] < 0.59 and 0.17 < share["multi"] < 0.23
    assert 0.12 < share["commercial"] < 0.18 and 0.05 < share["industrial"] < 0.09
    assert (private[schema.USE_CODE].str.len() == 4).all()
    assert (private[schema.USE_CODE_2] == private[schema.USE_CODE].str[:2]).all()
    assert private.loc[code == "0100", schema.ZONE].eq("R1-1").all()
    assert (private[schema.JURISDICTION_CITY] == "LOS ANGELES").all()
    assert private[schema.SITUS_ADDRESS].str.startswith("SYNTHETIC - near ").all()
    assert (private[schema.MERGED_COUNT] == 1).all()


def test_sites_categories_departments_and_parcels(sample):
    sites, parcels = sample.frames[schema.SITES], sample.frames[schema.PARCELS]
    assert len(sites) == 360
    assert sites[schema.ASSET_TYPE].value_counts()[["LADOT parking lot", "RAP park", "LADOT parking garage"]].min() >= 30
    assert {"Airports (LAWA)", "Harbor Department (Port of LA)", "Library (LAPL)", "Sanitation (LASAN)",
            "Water and Power (LADWP)", "General Services (GSD)"} <= set(sites[schema.OWNING_DEPT])
    built = sites[schema.ASSET_TYPE].str.contains("garage|facility|structure|library|yard")
    assert (sites.loc[built, schema.BLDG_SQFT] > 0).all()
    two = sites[schema.AINS].str.contains(";")
    assert two.sum() == 36
    by_ain = parcels.set_index(schema.AIN)
    for _, site in sites.iterrows():
        ains = site[schema.AINS].split(";")
        members = by_ain.loc[ains]
        assert (members[schema.OWNER_NAME] == "CITY OF LOS ANGELES").all()
        assert abs(members[schema.LOT_SQFT].sum() - site[schema.AREA_SQFT]) <= 2
    assert by_ain.loc[sites.loc[two, schema.AINS].str.split(";").explode(), schema.USE_CODE].notna().all()
    codes = by_ain.loc[[a for x in sites[schema.AINS] for a in x.split(";")], schema.USE_CODE]
    assert set(codes) <= {"2700", "2710", "8800", "880V"}


def test_site_status_is_partly_compliant(sample):
    st = sample.status
    posted = st[schema.SIGN_STATUS].eq("posted").mean()
    assert 0.45 < posted < 0.65 and 0.05 < st[schema.SIGN_STATUS].eq("damaged").mean() < 0.16
    dates = st[schema.SIGN_POSTED_ON].dropna()
    assert dates.between(dt.date(2026, 2, 12), dt.date(2026, 4, 30)).all()
    assert (dates > Directive().sign_by).any() and (dates <= Directive().sign_by).any()
    assert st.loc[st[schema.SIGN_STATUS].isin(["none", "unknown"]), schema.SIGN_POSTED_ON].isna().all()
    inspected = st[schema.LAST_INSPECTED].dropna()
    assert all(d.year == 2026 for d in inspected)
    parks = sample.frames[schema.SITES][schema.ASSET_TYPE].eq("RAP park").to_numpy()
    assert st.loc[parks, schema.GATE_STATUS].eq("no_gate").mean() > 0.5


def test_incidents_times_ids_and_hot_spots(sample):
    inc = sample.frames[schema.INCIDENTS]
    assert len(inc) == 250
    assert str(inc[schema.OCCURRED_AT].dt.tz) == "UTC" and (inc[schema.REPORTED_AT] >= inc[schema.OCCURRED_AT]).all()
    assert inc[schema.OCCURRED_AT].min() >= pd.Timestamp("2025-06-01", tz="America/Los_Angeles")
    assert inc[schema.OCCURRED_AT].max() < pd.Timestamp("2026-11-01", tz="America/Los_Angeles")
    assert (inc[schema.OCCURRED_AT] > pd.Timestamp("2026-02-10", tz="UTC")).mean() > 0.3
    years = inc[schema.OCCURRED_AT].dt.year.astype(str)
    assert (inc[schema.INCIDENT_ID].str[4:8] == years).all() and inc[schema.INCIDENT_ID].str.fullmatch(r"SYN-\d{4}-\d{6}").all()
    assert inc[schema.LOCATION_TEXT].str.fullmatch(r"\d+00 BLOCK - SYNTHETIC").all()
    assert ((inc[schema.RPT_DIST_NO] // 100) == inc[schema.LAPD_AREA]).all()
    assert inc[schema.WARRANT_SHOWN].isin(["unknown", "no"]).mean() > 0.8
    # Repeat staging at big private retail parcels, and on or next to City lots.
    parcels = sample.frames[schema.PARCELS]
    retail = parcels[parcels[schema.OWNER_NAME].isna() & parcels[schema.USE_CODE].isin(["1100", "1200", "2700"])]
    hits = gpd.sjoin(inc, retail[[schema.AIN, schema.LOT_SQFT, "geometry"]], predicate="within")
    per_parcel = hits.groupby(schema.AIN).size()
    assert len(per_parcel[per_parcel >= 5]) >= 4 and hits[schema.LOT_SQFT].min() >= 40_000
    assert 0.3 < len(hits) / len(inc) < 0.5
    lots = sample.frames[schema.SITES]
    near_lot = gpd.sjoin(inc.to_crs(2229), lots.to_crs(2229)[["geometry"]], predicate="dwithin", distance=160)
    assert near_lot.index.nunique() / len(inc) >= 0.25


def test_real_shaped_layers_use_real_field_names(sample):
    real = real_shaped_layers(sample)
    parcels, inc, dist = real[schema.PARCELS], real[schema.INCIDENTS], real[schema.DISTRICTS]
    for col in ("AIN", "APN", "UseCode", "UseCode_2", "UseType", "UseDescription", "SitusFullAddress",
                "TaxRateCity", "Roll_LandValue", "Roll_ImpValue", "Roll_LandBaseYear", "SQFTmain1",
                "YearBuilt1", "Units1", "ZONE_CMPLT", "CENTER_LAT", "CENTER_LON"):
        assert col in parcels.columns, col
    for col in ("DR_NO", "Date Rptd", "DATE OCC", "TIME OCC", "AREA", "AREA NAME", "Rpt Dist No", "Premis Desc",
                "LOCATION", "LAT", "LON", "source_type", "verification_status", "agency_reported", "is_synthetic"):
        assert col in inc.columns, col
    assert inc["DATE OCC"].str.fullmatch(r"\d\d/\d\d/\d{4} 12:00:00 AM").all()
    assert inc["TIME OCC"].between(0, 2359).all() and inc["TIME OCC"].dtype == np.int64
    local = sample.frames[schema.INCIDENTS][schema.OCCURRED_AT].dt.tz_convert("America/Los_Angeles")
    assert (inc["TIME OCC"] == local.dt.hour * 100 + local.dt.minute).all()
    assert {"District", "District_Name"} <= set(dist.columns) and len(dist) == 15
    assert len(parcels) == len(sample.frames[schema.PARCELS])


def test_sample_writes_to_the_store(sample, tmp_path):
    from geo.store import open_store

    store = open_store(str(tmp_path / "s.gpkg"))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    counts = store.counts()
    assert counts[schema.PARCELS] == len(sample.frames[schema.PARCELS]) and counts[schema.SITE_STATUS] == 360
    back = store.read_status().set_index(schema.SITE_ID)
    assert back.loc["SYN-SITE-0001", schema.SIGN_STATUS] == sample.status.iloc[0][schema.SIGN_STATUS]
    assert store.is_synthetic()
