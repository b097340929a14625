"""Alias table from real LA field names to canonical columns, and the value transforms (DATA.md §4)."""
from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from geo import schema

#: Canonical column -> real field names, per import kind; compared with :func:`normalize_name`,
#: first match wins.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    schema.PARCELS: {
        schema.AIN: ("AIN", "AssessorID", "APN", "BPP", "AIN_1"),
        schema.APN: ("APN",),
        schema.USE_CODE: ("UseCode", "PropertyUseCode", "use_cde", "use_code"),
        schema.USE_CODE_2: ("UseCode_2",),
        schema.USE_TYPE: ("UseType", "GeneralUseType", "UseCodeDescChar1", "use_type"),
        schema.PROPERTY_TYPE: ("PropertyType", "property_type"),  # Socrata `usetype`: see PROPERTY_TYPE_CODES
        schema.USE_DESCRIPTION: ("UseDescription", "UseDescrip", "SpecificUseType", "UseCodeDescChar2",
                            "use_code_2nd_digit", "use_description"),
        schema.USE_DETAIL: ("SpecificUseDetail1", "UseCodeDescChar3", "use_code_3rd_digit", "use_detail"),
        schema.SITUS_ADDRESS: ("SitusFullAddress", "SitusFullA", "SitusAddress", "SitusAddre",
                          "PropertyLocation", "situs_address"),
        schema.SITUS_ZIP: ("SitusZIP", "ZIPcode5", "situszip5", "ZIPcode", "situszip", "situs_zip"),
        schema.JURISDICTION_CITY: ("TaxRateCity", "TaxRateArea_CITY", "TaxRateCit", "jurisdiction_city"),
        schema.OWNER_NAME: ("OwnerName", "owner_name", "Owner"),
        schema.AGENCY_NAME: ("AgencyName", "agency_name"),
        schema.AGENCY_TYPE: ("AgencyType", "agency_type"),
        schema.AGENCY_CLASS_NO: ("AgencyClassNo", "AgencyClas", "agency_class_no"),
        schema.LAND_VALUE: ("Roll_LandValue", "Roll_LandV", "LandValue", "land_value"),
        schema.IMP_VALUE: ("Roll_ImpValue", "Roll_ImpVa", "ImprovementValue", "imp_value"),
        schema.LAND_BASE_YEAR: ("Roll_LandBaseYear", "LandBaseYear", "land_base_year"),
        schema.ROLL_YEAR: ("Roll_Year", "RollYear", "roll_year"),
        schema.BLDG_SQFT: ("SQFTmain", "bldg_sqft"),
        schema.UNITS: ("Units", "units"),
        schema.YEAR_BUILT: ("YearBuilt1", "YearBuilt", "EffectiveYear1", "EffectiveYearBuilt", "EffectiveY",
                       "year_built"),
        schema.ZONE: ("ZONE_CMPLT", "Zoning", "ZONE_CLASS", "zone"),
        schema.COUNCIL_DISTRICT: ("council_district", "CNCL_DIST", "CD"),
        schema.LAPD_AREA: ("lapd_area", "AREA", "prec"),
        "lat": ("CENTER_LAT", "LAT", "Latitude"),
        "lon": ("CENTER_LON", "LON", "Longitude"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.SITES: {
        schema.SITE_ID: ("site_id", "SiteID", "asset_id", "AssetID", "facility_id", "FacilityID"),
        schema.AINS: ("ains", "AIN", "AINs", "APN", "APNs", "AssessorID", "BPP", "AIN_1"),
        schema.NAME: ("name", "site_name", "SiteName", "facility_name", "FacilityName", "asset_name",
                 "AssetName", "Facility", "DIVISION", "station_name"),
        schema.OWNING_DEPT: ("owning_dept", "department", "dept", "owner_dept", "OwningDepartment",
                        "managing_dept", "agency"),
        schema.ASSET_TYPE: ("asset_type", "AssetType", "facility_type", "FacilityType", "type"),
        schema.ADDRESS: ("address", "SitusFullAddress", "SitusFullA", "SitusAddress", "site_address",
                    "location"),
        schema.USE_CODE: ("UseCode", "PropertyUseCode", "use_code"),
        schema.USE_DESCRIPTION: ("UseDescription", "UseDescrip", "use_description"),
        schema.BLDG_SQFT: ("bldg_sqft", "SQFTmain"),
        schema.YEAR_BUILT: ("year_built", "YearBuilt1", "YearBuilt"),
        schema.COUNCIL_DISTRICT: ("council_district", "District", "CNCL_DIST", "CD"),
        schema.LAPD_AREA: ("lapd_area", "AREA", "prec"),
        schema.LISTED_BASIS: ("control_basis", "listed_basis", "control", "basis", "tenure", "property_interest",
                              "interest", "ownership"),
        schema.LISTED_START: ("control_start", "listed_start", "lease_start", "start_date", "permit_start"),
        schema.LISTED_END: ("control_end", "listed_end", "lease_end", "end_date", "permit_end", "expires",
                            "expiration", "expiration_date"),
        schema.LISTED_DOC: ("control_doc", "listed_doc", "lease_no", "lease_number", "permit_no", "permit_number",
                            "agreement", "agreement_no", "document", "doc_ref", "mou"),
        "lat": ("LAT", "Latitude", "y_lat", "CENTER_LAT", "point_y", "y"),
        "lon": ("LON", "Longitude", "LNG", "long", "x_lon", "CENTER_LON", "point_x", "x"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.INCIDENTS: {
        schema.INCIDENT_ID: ("DR_NO", "incident_id", "id"),
        "date_occ": ("DATE OCC", "occurred_at", "date_occ", "occurred", "date", "timestamp", "datetime", "date_time",
                     "created_at", "created"),
        "time_occ": ("TIME OCC", "time_occ"),
        "date_rptd": ("Date Rptd", "reported_at", "date_rptd", "reported"),
        schema.INCIDENT_TYPE: ("incident_type", "type"),
        schema.VERIFICATION: ("verification_status", "verification"),
        schema.SOURCE_TYPE: ("source_type",),
        schema.DESCRIPTION: ("description", "Crm Cd Desc", "desc", "narrative", "notes"),
        schema.LOCATION_TEXT: ("LOCATION", "location_text", "location", "block"),
        "cross_street": ("Cross Street",),
        schema.PREMISE_DESC: ("Premis Desc", "premise_desc", "premise"),
        schema.LAPD_AREA: ("AREA", "lapd_area", "prec"),
        schema.AREA_NAME: ("AREA NAME", "area_name", "aprec"),
        schema.RPT_DIST_NO: ("Rpt Dist No", "rpt_dist_no", "repdist", "RD"),
        schema.COUNCIL_DISTRICT: ("council_district", "CNCL_DIST", "CD"),
        schema.WARRANT_SHOWN: ("warrant_shown", "warrant"),
        schema.EVIDENCE_REFS: ("evidence_refs", "evidence"),
        schema.RELEVANCE: ("relevance", "relevance_class"),
        schema.CONDUCT: ("conduct_observed", "conduct", "observed_conduct"),
        "activity": ("activity", "activity_type", "category", "event_type", "report_type"),
        "agency_reported": ("agency_reported", "agency"),
        "lat": ("LAT", "Latitude", "y_lat", "CENTER_LAT", "point_y", "y"),
        "lon": ("LON", "Longitude", "LNG", "long", "x_lon", "CENTER_LON", "point_x", "x"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.DISTRICTS: {
        schema.DISTRICT: ("District", "CNCL_DIST", "CD", "DISTRICT", "district"),
        schema.DISTRICT_NAME: ("District_Name", "NAME", "CDMEMBER", "district_name"),
        schema.VINTAGE: ("vintage", "plan_year", "redistricting"),
        "effective": ("Effective", "effective_date", "EffectiveDate", "EFF_DATE"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.PARKS: {
        schema.PARK_ID: ("park_id", "ParkID", "park_no", "ParkNumber", "OBJECTID"),
        schema.PARK_NAME: ("name", "park_name", "ParkName", "Park"),
        schema.PARK_CLASS: ("park_class", "class", "ParkClass", "classification", "category"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.LAPD_DIVISIONS: {  # LAPD_Division: prec 1-21, aprec the name (DATA.md 2.4)
        schema.LAPD_AREA: ("prec", "AREA", "lapd_area", "division_number", "DIV_NUM"),
        schema.AREA_NAME: ("aprec", "AREA_NAME", "area_name", "division", "NAME"),
        schema.VINTAGE: ("vintage",), "effective": ("Effective", "effective_date", "EffectiveDate", "EFF_DATE"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.NEIGHBORHOOD_COUNCILS: {
        schema.NC_ID: ("NC_ID", "nc_id", "NCID", "council_id"),
        schema.NC_NAME: ("NAME", "NC_NAME", "nc_name", "council_name"),
        schema.VINTAGE: ("vintage",), "effective": ("Effective", "effective_date", "EffectiveDate", "EFF_DATE"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.PLACES: {
        schema.PLACE_ID: ("place_id", "id", "OBJECTID", "store_id", "site_no"),
        schema.PLACE_TYPE: ("place_type", "type", "category", "kind", "class"),
        schema.PLACE_NAME: ("place_name", "name", "store_name", "business", "title"),
        "lat": ("LAT", "Latitude", "y_lat", "CENTER_LAT", "point_y", "y"),
        "lon": ("LON", "Longitude", "LNG", "long", "x_lon", "CENTER_LON", "point_x", "x"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.STREETS: {  # City of LA "Street Centerline" export (one feature per block segment)
        schema.STREET_ID: ("street_id", "ASSETID", "ASSET_ID", "SECT_ID", "SECTID", "CL_ID", "TLID", "LINEARID",
                           "OBJECTID", "id"),
        schema.STREET_NAME: ("street_name", "FULLNAME", "FULL_NAME", "FULLNAM", "STREET_FULL", "FULL_STREET"),
        "name_dir": ("STDIR", "ST_DIR", "PRE_DIR", "PREDIR", "DIR", "DIRPRE"),
        "name_base": ("STNAME", "ST_NAME", "STREET_NAME_", "STREET", "NAME"),
        "name_suffix": ("STSFX", "ST_SFX", "SFX", "SUFFIX", "STSUFFIX", "ST_TYPE_SFX"),
        schema.STREET_CLASS: ("street_class", "CLASS", "ST_CLASS", "STREET_TYPE", "STREET_CLASS", "ROAD_CLASS",
                              "FUNC_CLASS", "STREET_DESIG", "STREET_DESIGNATION", "DESIGNATION", "MTFCC"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
    schema.RAMPS: {
        schema.RAMP_ID: ("ramp_id", "id", "OBJECTID", "ramp_no"),
        schema.RAMP_TYPE: ("ramp_type", "type", "direction", "kind", "on_off"),
        schema.ROUTE: ("route", "freeway", "highway", "rte", "ROUTE_NAME"),
        "lat": ("LAT", "Latitude", "y_lat", "CENTER_LAT", "point_y", "y"),
        "lon": ("LON", "Longitude", "LNG", "long", "x_lon", "CENTER_LON", "point_x", "x"),
        schema.IS_SYNTHETIC: ("is_synthetic",),
        schema.SOURCE_URL: ("source_url",),
    },
}

#: Repeated building fields summed across buildings 1..5 (DATA.md §2.1).
SUMMED = {schema.BLDG_SQFT: "SQFTmain", schema.UNITS: "Units"}
#: Socrata ``usetype`` holds PropertyType codes; these values move to ``property_type``.
PROPERTY_TYPE_CODES = frozenset({"SFR", "CND", "R-I", "C/I", "VAC", "OTH"})

_NAME_JUNK = re.compile(r"[\s_?]+")


def normalize_name(name: str) -> str:
    """Return ``name`` lower-cased without spaces, underscores or ``?`` (``Roll_LandValue`` -> ``rolllandvalue``)."""
    return _NAME_JUNK.sub("", str(name)).lower()


def match_columns(columns: Iterable[str], kind: str, mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map canonical names to the first matching real column of ``kind``'s alias table.

    ``mapping`` (canonical key -> real column, from ``--map``, checked by :mod:`geo.io.mapping`)
    wins over the aliases. Of several columns with the same name the first is used (readers
    name the others ``NAME.1``, ``NAME.2``).
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalize_name(col), col)
    found: dict[str, str] = dict(mapping or {})
    for canonical, aliases in ALIASES[kind].items():
        if canonical in found:
            continue
        for alias in aliases:
            hit = by_norm.get(normalize_name(alias))
            if hit is not None:
                found[canonical] = hit
                break
    return found


def numbered_columns(columns: Sequence[str], base: str, *, n: int = 5) -> list[str]:
    """Return the real columns named ``base1``..``base{n}`` (case/space-insensitive), in order."""
    by_norm = {normalize_name(c): c for c in columns}
    wanted = [normalize_name(f"{base}{i}") for i in range(1, n + 1)]
    return [by_norm[w] for w in wanted if w in by_norm]


def clean_text(values: pd.Series) -> pd.Series:
    """Return stripped strings as object dtype; empty strings and NA become ``None``."""
    return _as_object(clean_string(values))


def clean_string(values: pd.Series) -> pd.Series:
    """Return :func:`clean_text`'s values as Arrow-backed ``string`` (NA for missing): no Python string per row."""
    s = values.astype("string").str.strip()
    return s.mask(s.isna() | (s == "") | s.str.lower().isin(["nan", "none", "null"]))


def _as_object(s: pd.Series) -> pd.Series:
    """Return ``string`` values as an object Series (``None`` for missing), keeping the index."""
    return pd.Series(s.astype(object).where(s.notna(), None), index=s.index, dtype=object)


def normalize_ain(values: pd.Series) -> pd.Series:
    """Return 10-digit AIN strings: digits only, zero-padded; ``None`` when nothing is left."""
    return _as_object(ain_string(values))


def ain_string(values: pd.Series) -> pd.Series:
    """Return :func:`normalize_ain`'s values as Arrow-backed ``string`` (NA for missing)."""
    text = values.astype("string").str.strip()
    wide = text.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)
    if wide.any():  # other scripts' digits ("５１６１..." full width) read as the ASCII digits they are
        text = text.copy()
        text[wide] = text[wide].str.translate(_ascii_digits())
    # floats read from spreadsheets ("2004001003.0") lose their decimal tail first
    text = text.str.replace(r"\.0+$", "", regex=True)
    digits = text.str.replace(r"[^0-9]", "", regex=True)
    return digits.str.zfill(10).mask(digits.isna() | (digits == ""))


@functools.cache
def _ascii_digits() -> dict[int, int]:
    """Return a translation of every non-ASCII Unicode decimal digit to its ASCII digit."""
    return {cp: ord("0") + unicodedata.decimal(chr(cp)) for cp in range(128, sys.maxunicode + 1)
            if unicodedata.category(chr(cp)) == "Nd"}


def normalize_use_code(values: pd.Series) -> pd.Series:
    """Return use codes stripped and upper-cased; all-digit codes zero-padded to 4 (``100`` -> ``0100``)."""
    return _as_object(use_code_string(values))


def use_code_string(values: pd.Series) -> pd.Series:
    """Return :func:`normalize_use_code`'s values as Arrow-backed ``string`` (NA for missing)."""
    s = clean_string(values).str.upper().str.replace(r"\.0+$", "", regex=True)
    digits = s.str.fullmatch(r"\d{1,4}").fillna(False).astype(bool)
    return s.where(~digits, s.str.zfill(4))


def first5_zip(values: pd.Series) -> pd.Series:
    """Return the first five digits of a ZIP or ZIP+4; ``None`` when fewer than five digits."""
    return _as_object(zip5_string(values))


def zip5_string(values: pd.Series) -> pd.Series:
    """Return :func:`first5_zip`'s values as Arrow-backed ``string`` (NA for missing)."""
    digits = clean_string(values).str.replace(r"\.0+$", "", regex=True).str.replace(r"\D", "", regex=True)
    return digits.str[:5].where(digits.str.len() >= 5)


def to_number(values: pd.Series) -> pd.Series:
    """Return floats from text such as ``1,250`` or ``$12,000``; unreadable values become NaN."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return pd.Series(values, index=values.index, dtype="float64")
    s = values.astype("string").str.replace(r"[,$\s]", "", regex=True)
    return pd.to_numeric(s, errors="coerce").astype("float64")


def to_int(values: pd.Series) -> pd.Series:
    """Return nullable integers (``Int64``) from numbers or numeric text; fractions and junk become NA."""
    num = to_number(values)
    whole = num.where(np.isfinite(num) & (num == np.round(num)))
    return whole.astype("Int64")


def sum_numbered(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Return the row sum of ``columns`` read as numbers; NaN where all are missing."""
    nums = pd.concat([to_number(frame[c]) for c in columns], axis=1)
    return nums.sum(axis=1, min_count=1)


def to_bool(values: pd.Series) -> pd.Series:
    """Return booleans from ``true/false/1/0/yes/no`` text; anything else is ``False``."""
    s = values.astype("string").str.strip().str.lower()
    return s.isin(["true", "1", "yes", "y", "t"]).fillna(False).astype(bool)
