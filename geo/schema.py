"""Canonical data model: layer names, column names, types and enumerations.

Every frame that enters the store has exactly the columns listed here for its layer, in
EPSG:4326. Importers map real LA field names onto these (see ``geo.io.aliases``); analysis
functions read them by these constants. ``data/README.md`` documents the same schema.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- layer names -------------------------------------------------------------------------
PARCELS = "parcels"
SITES = "sites"
INCIDENTS = "incidents"
DISTRICTS = "districts"
PARKS = "parks"
LAPD_AREAS = "lapd_areas"
SITE_STATUS = "site_status"
PLACES = "places"  # places of concern (points with a type), for the risk model
RAMPS = "ramps"  # freeway ramps (points), for the risk model
STREETS = "streets"  # street centrelines (lines with a name and class), for street frontage in the risk model
SITE_CONTROL = "site_control"  # control basis and A.1 determination per site (versioned)
SITE_PARTS = "site_parts"  # parts of a site with their own determination, sign and gate (versioned)

NEIGHBORHOOD_COUNCILS = "neighborhood_councils"  # the current neighbourhood council boundary set
LAPD_DIVISIONS = "lapd_divisions"  # import kind of LAPD division boundaries (stored as lapd_areas)

SPATIAL_LAYERS = (PARCELS, SITES, INCIDENTS, DISTRICTS, PARKS, LAPD_AREAS, PLACES, RAMPS, NEIGHBORHOOD_COUNCILS,
                  STREETS)
IMPORT_KINDS = (PARCELS, SITES, INCIDENTS, DISTRICTS, PARKS, PLACES, RAMPS, LAPD_DIVISIONS, NEIGHBORHOOD_COUNCILS,
                STREETS)

# --- shared columns ----------------------------------------------------------------------
IS_SYNTHETIC = "is_synthetic"
SOURCE = "source"  # human-readable provenance: file name or SYNTHETIC_SOURCE
SOURCE_URL = "source_url"
FETCHED_AT = "fetched_at"  # ISO-8601 UTC time the file was imported
COUNCIL_DISTRICT = "council_district"  # int 1-15, nullable
LAPD_AREA = "lapd_area"  # int 1-21, nullable
NEIGHBORHOOD_COUNCIL = "neighborhood_council"  # neighbourhood council id, by location in the current set
AREA_NAME = "area_name"

# --- parcels -----------------------------------------------------------------------------
AIN = "ain"  # 10-digit string, zero-padded
APN = "apn"  # ####-###-###
USE_CODE = "use_code"  # 4 characters, upper case, e.g. 0100, 2700, 880V
USE_CODE_2 = "use_code_2"
USE_TYPE = "use_type"  # Residential / Commercial / Industrial / Institutional / ...
PROPERTY_TYPE = "property_type"  # SFR CND R-I C/I VAC OTH
USE_DESCRIPTION = "use_description"
USE_DETAIL = "use_detail"
SITUS_ADDRESS = "situs_address"
SITUS_ZIP = "situs_zip"
JURISDICTION_CITY = "jurisdiction_city"  # TaxRateCity; City of LA = 'LOS ANGELES'
OWNER_NAME = "owner_name"  # rarely public; nullable
AGENCY_NAME = "agency_name"
LAND_VALUE = "land_value"
IMP_VALUE = "imp_value"
LAND_BASE_YEAR = "land_base_year"
ROLL_YEAR = "roll_year"
BLDG_SQFT = "bldg_sqft"
UNITS = "units"
YEAR_BUILT = "year_built"
ZONE = "zone"
LOT_SQFT = "lot_sqft"  # recomputed in EPSG:2229, never taken from Shape_Area
CENTROID_X_FT = "centroid_x_ft"  # EPSG:2229 representative point, for KD-tree queries
CENTROID_Y_FT = "centroid_y_ft"
MERGED_COUNT = "merged_count"  # stacked condominium polygons merged into this row
AGENCY_TYPE = "agency_type"  # County Parcels AgencyType, as given
AGENCY_CLASS_NO = "agency_class_no"  # County Parcels AgencyClassNo, as given
OWNER_CLASS = "owner_class"  # city / other_public / private / unknown (geo.io.owners decides it)
OWNER_KIND = "owner_kind"  # city, county, state, school_district, federal, utility, special_district, ...

# --- sites -------------------------------------------------------------------------------
SITE_ID = "site_id"
AINS = "ains"  # ';'-separated AINs of the parcels the site spans
NAME = "name"
OWNING_DEPT = "owning_dept"  # 'unassigned' until an asset list names it
ASSET_TYPE = "asset_type"  # department's own type (LADOT lot, RAP park, ...) when given
ADDRESS = "address"
AREA_SQFT = "area_sqft"
SITE_ORIGIN = "site_origin"  # 'asset_list' or 'derived_from_parcels'
LISTED_BASIS = "listed_basis"  # control basis as the import listed it; the current one is in site_control
LISTED_START = "listed_start"  # control start date as listed (lease, permit or MOU), ISO text
LISTED_END = "listed_end"  # control end date as listed, ISO text
LISTED_DOC = "listed_doc"  # lease, permit or MOU reference as listed
UNASSIGNED = "unassigned"

# --- incidents ---------------------------------------------------------------------------
INCIDENT_ID = "incident_id"
OCCURRED_AT = "occurred_at"  # tz-aware UTC timestamp
REPORTED_AT = "reported_at"
INCIDENT_TYPE = "incident_type"
VERIFICATION = "verification_status"
SOURCE_TYPE = "source_type"
DESCRIPTION = "description"
LOCATION_TEXT = "location_text"  # hundred-block text, never a reporter's position
PREMISE_DESC = "premise_desc"
RPT_DIST_NO = "rpt_dist_no"
WARRANT_SHOWN = "warrant_shown"  # yes / no / unknown (directive: lawful warrants are not restricted)
EVIDENCE_REFS = "evidence_refs"  # ';'-separated evidence labels
RELEVANCE = "relevance"  # enforcement / suspected_unlawful_conduct / general_crime (context only)
CONDUCT = "conduct_observed"  # B.8: ';'-separated CONDUCT_TYPES, for suspected unlawful conduct only

# --- districts, parks --------------------------------------------------------------------
DISTRICT = "district"
DISTRICT_NAME = "district_name"
VINTAGE = "vintage"
PARK_ID = "park_id"
PARK_NAME = "park_name"
PARK_CLASS = "park_class"
NC_ID = "nc_id"  # neighbourhood council number
NC_NAME = "nc_name"

# --- places of concern, ramps --------------------------------------------------------------
PLACE_ID = "place_id"
PLACE_TYPE = "place_type"
PLACE_NAME = "place_name"
RAMP_ID = "ramp_id"
RAMP_TYPE = "ramp_type"
ROUTE = "route"  # freeway route, e.g. I-405
STREET_ID = "street_id"
STREET_NAME = "street_name"  # full name, e.g. "W OLYMPIC BLVD"
STREET_CLASS = "street_class"  # one of STREET_CLASSES

# --- site control, A.1 determination, parts (versioned like status) -------------------------
DETERMINATION = "determination"  # pending / candidate / not_candidate (directive A.1)
DETERMINATION_REASON = "determination_reason"
DETERMINED_BY = "determined_by"
DETERMINED_AT = "determined_at"
CONTROL_BASIS = "control_basis"  # owned, leased_in, permit, mou_joint_use, easement, other, unknown
CONTROL_START = "control_start"
CONTROL_END = "control_end"
CONTROL_DOC = "control_doc"  # lease, permit or MOU reference
BARRIER_APPROPRIATE = "barrier_appropriate"  # yes / no / unknown (A.2: 'where appropriate')
PART_ID = "part_id"
PART_TYPE = "part_type"
PART_NAME = "part_name"
GEOMETRY_WKT = "geometry_wkt"  # a part's polygon, EPSG:4326, as WKT
RETIRED = "retired"  # a part drawn in error or no longer separate; kept with its history

# --- site status -------------------------------------------------------------------------
SIGN_STATUS = "sign_status"
SIGN_POSTED_ON = "sign_posted_on"
GATE_STATUS = "gate_status"
SIGN_TEXT_VERSION = "sign_text_version"  # which printing of the directive's sign text
SIGN_LANGUAGE = "sign_language"  # en, es, en+es, ...
STATUS_NOTE = "note"
LAST_INSPECTED = "last_inspected"
VERSION = "version"
UPDATED_BY = "updated_by"
UPDATED_AT = "updated_at"

# --- enumerations ------------------------------------------------------------------------
SIGN_STATUSES = ("none", "posted", "damaged", "unknown")
GATE_STATUSES = ("open", "closed_locked", "closed_unlocked", "no_gate", "unknown")
INCIDENT_TYPES = (
    "staging_area",
    "processing_location",
    "operations_base",
    "arrest",
    "detention",
    "checkpoint",
    "surveillance",
    "other",
)
#: Incident relevance: what an incident is evidence of. General crime is context, never evidence.
ENFORCEMENT, SUSPECTED_UNLAWFUL_CONDUCT, GENERAL_CRIME = "enforcement", "suspected_unlawful_conduct", "general_crime"
RELEVANCE_CLASSES = (ENFORCEMENT, SUSPECTED_UNLAWFUL_CONDUCT, GENERAL_CRIME)
RELEVANCE_LABELS = {ENFORCEMENT: "Enforcement activity (staging, processing, operations base, arrest, ...)",
                    SUSPECTED_UNLAWFUL_CONDUCT: "Suspected unlawful conduct by an immigration agent (B.8)",
                    GENERAL_CRIME: "General crime (context only: not enforcement, never in B.8)"}
#: B.8: what was observed (several may apply); recorded as observed, never as a finding of a violation.
CONDUCT_TYPES = ("force", "no_visible_id", "masking", "entry_without_warrant", "obstruction", "other")
CONDUCT_LABELS = {"force": "Force", "no_visible_id": "No visible identification", "masking": "Masking",
                  "entry_without_warrant": "Entry without warrant", "obstruction": "Obstruction", "other": "Other"}
VERIFICATION_STATUSES = ("unverified", "corroborated", "lapd_confirmed")
SOURCE_TYPES = ("contractor", "officer", "staff", "public", "community_tracker", "lapd_import")
WARRANT_VALUES = ("yes", "no", "unknown")
REPORT_KINDS = ("contractor_report", "officer_report", "staff", "public")
BODY_CAMERA_VALUES = ("yes", "no", "unknown")
REFERRALS = ("none", "attorney_general", "district_attorney")
ASSET_LIST = "asset_list"  # a site_origin: from a department's asset list
DERIVED_FROM_PARCELS = "derived_from_parcels"  # a site_origin: derived from City-owned parcels
SITE_ORIGINS = (ASSET_LIST, DERIVED_FROM_PARCELS)
OWNER_CLASSES = ("city", "other_public", "private", "unknown")
OWNER_KINDS = ("city", "other_city", "county", "state", "school_district", "federal", "utility",
               "special_district", "other_agency", "public_unnamed", "private")
MIXED = "mixed"  # a site whose parcels have different owner classes
PENDING, CANDIDATE, NOT_CANDIDATE = "pending", "candidate", "not_candidate"
DETERMINATIONS = (PENDING, CANDIDATE, NOT_CANDIDATE)
CONTROL_BASES = ("owned", "leased_in", "permit", "mou_joint_use", "easement", "other", "unknown")
BARRIER_VALUES = ("yes", "no", "unknown")
PART_TYPES = ("parking_lot", "garage", "yard", "non_public_area", "field", "other")
PLACE_TYPES = ("home_improvement", "big_box_store", "day_labor_site", "car_wash", "swap_meet", "courthouse",
               "transit_hub", "other")
RAMP_TYPES = ("on", "off", "on_off", "unknown")
#: Street classes (LA's Mobility Plan / Street Centerline classes); freeways give no frontage access.
STREET_CLASSES = ("major_highway", "secondary_highway", "collector", "local", "alley", "freeway", "other")
#: Words of a control-basis cell (lower case, ``_``, ``-`` and ``/`` as spaces) -> canonical basis.
CONTROL_BASIS_WORDS = {
    **dict.fromkeys(("owned", "own", "fee", "fee simple", "city owned", "ownership", "owner"), "owned"),
    **dict.fromkeys(("leased", "lease", "leased in", "leasehold", "rented", "rental", "tenant"), "leased_in"),
    **dict.fromkeys(("permit", "license", "licence", "revocable permit", "right of entry", "use permit"), "permit"),
    **dict.fromkeys(("mou", "joint use", "jua", "memorandum of understanding", "mou joint use", "shared use",
                     "joint use agreement"), "mou_joint_use"),
    "easement": "easement", "other": "other", "unknown": "unknown",
}
LAPD_AREA_NAMES = {
    1: "Central", 2: "Rampart", 3: "Southwest", 4: "Hollenbeck", 5: "Harbor", 6: "Hollywood",
    7: "Wilshire", 8: "West LA", 9: "Van Nuys", 10: "West Valley", 11: "Northeast",
    12: "77th Street", 13: "Newton", 14: "Pacific", 15: "N Hollywood", 16: "Foothill",
    17: "Devonshire", 18: "Southeast", 19: "Mission", 20: "Olympic", 21: "Topanga",
}


@dataclass(frozen=True)
class Column:
    """One canonical column: name, storage type and whether it may be null."""

    name: str
    kind: str  # 'text', 'int', 'float', 'bool', 'datetime', 'date'
    nullable: bool = True


def _cols(*spec: tuple[str, str] | tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


_PROVENANCE = (
    (IS_SYNTHETIC, "bool", False),
    (SOURCE, "text", False),
    (SOURCE_URL, "text"),
    (FETCHED_AT, "text"),
)

#: Attribute columns per layer (geometry is always last and named ``geometry``).
LAYER_COLUMNS: dict[str, tuple[Column, ...]] = {
    PARCELS: _cols(
        (AIN, "text", False), (APN, "text"), (USE_CODE, "text"), (USE_CODE_2, "text"),
        (USE_TYPE, "text"), (PROPERTY_TYPE, "text"), (USE_DESCRIPTION, "text"),
        (USE_DETAIL, "text"), (SITUS_ADDRESS, "text"), (SITUS_ZIP, "text"),
        (JURISDICTION_CITY, "text"), (OWNER_NAME, "text"), (AGENCY_NAME, "text"),
        (LAND_VALUE, "float"), (IMP_VALUE, "float"), (LAND_BASE_YEAR, "int"),
        (ROLL_YEAR, "int"), (BLDG_SQFT, "float"), (UNITS, "int"), (YEAR_BUILT, "int"),
        (ZONE, "text"), (COUNCIL_DISTRICT, "int"), (LAPD_AREA, "int"),
        (LOT_SQFT, "float", False), (CENTROID_X_FT, "float", False),
        (CENTROID_Y_FT, "float", False), (MERGED_COUNT, "int", False), *_PROVENANCE,
        (AGENCY_TYPE, "text"), (AGENCY_CLASS_NO, "text"), (OWNER_CLASS, "text"), (OWNER_KIND, "text"),
        (NEIGHBORHOOD_COUNCIL, "int"),
    ),
    SITES: _cols(
        (SITE_ID, "text", False), (AINS, "text"), (NAME, "text"), (OWNING_DEPT, "text", False),
        (ASSET_TYPE, "text"), (ADDRESS, "text"), (USE_CODE, "text"), (USE_DESCRIPTION, "text"),
        (BLDG_SQFT, "float"), (YEAR_BUILT, "int"), (COUNCIL_DISTRICT, "int"),
        (LAPD_AREA, "int"), (AREA_SQFT, "float", False), (SITE_ORIGIN, "text", False),
        *_PROVENANCE, (OWNER_CLASS, "text"), (LISTED_BASIS, "text"), (LISTED_START, "text"),
        (LISTED_END, "text"), (LISTED_DOC, "text"), (NEIGHBORHOOD_COUNCIL, "int"),
    ),
    INCIDENTS: _cols(
        (INCIDENT_ID, "text", False), (OCCURRED_AT, "datetime", False),
        (REPORTED_AT, "datetime"), (INCIDENT_TYPE, "text", False), (VERIFICATION, "text", False),
        (SOURCE_TYPE, "text", False), (DESCRIPTION, "text"), (LOCATION_TEXT, "text"),
        (PREMISE_DESC, "text"), (LAPD_AREA, "int"), (AREA_NAME, "text"), (RPT_DIST_NO, "int"),
        (COUNCIL_DISTRICT, "int"), (WARRANT_SHOWN, "text", False), (EVIDENCE_REFS, "text"),
        *_PROVENANCE, (RELEVANCE, "text", False), (CONDUCT, "text"), (NEIGHBORHOOD_COUNCIL, "int"),
    ),
    DISTRICTS: _cols(
        (DISTRICT, "int", False), (DISTRICT_NAME, "text"), (VINTAGE, "text"), *_PROVENANCE,
    ),
    PARKS: _cols(
        (PARK_ID, "text", False), (PARK_NAME, "text"), (PARK_CLASS, "text"), *_PROVENANCE,
    ),
    LAPD_AREAS: _cols((LAPD_AREA, "int", False), (AREA_NAME, "text"), *_PROVENANCE),
    PLACES: _cols((PLACE_ID, "text", False), (PLACE_TYPE, "text", False), (PLACE_NAME, "text"),
                  (COUNCIL_DISTRICT, "int"), *_PROVENANCE),
    RAMPS: _cols((RAMP_ID, "text", False), (RAMP_TYPE, "text", False), (ROUTE, "text"), *_PROVENANCE),
    STREETS: _cols((STREET_ID, "text", False), (STREET_NAME, "text"), (STREET_CLASS, "text", False), *_PROVENANCE),
    NEIGHBORHOOD_COUNCILS: _cols((NC_ID, "int", False), (NC_NAME, "text"), *_PROVENANCE),
}

#: Primary key of each spatial layer; imports upsert on it.
LAYER_KEYS: dict[str, str] = {
    PARCELS: AIN, SITES: SITE_ID, INCIDENTS: INCIDENT_ID, DISTRICTS: DISTRICT,
    PARKS: PARK_ID, LAPD_AREAS: LAPD_AREA, PLACES: PLACE_ID, RAMPS: RAMP_ID, NEIGHBORHOOD_COUNCILS: NC_ID,
    STREETS: STREET_ID,
}

#: Geometry type family stored per layer.
LAYER_GEOMETRY: dict[str, str] = {
    PARCELS: "MULTIPOLYGON", SITES: "MULTIPOLYGON", INCIDENTS: "POINT",
    DISTRICTS: "MULTIPOLYGON", PARKS: "MULTIPOLYGON", LAPD_AREAS: "MULTIPOLYGON", PLACES: "POINT", RAMPS: "POINT",
    NEIGHBORHOOD_COUNCILS: "MULTIPOLYGON", STREETS: "MULTILINESTRING",
}

#: Site status columns (one row per site; versioned).
STATUS_COLUMNS = _cols(
    (SITE_ID, "text", False), (SIGN_STATUS, "text", False), (SIGN_POSTED_ON, "date"),
    (GATE_STATUS, "text", False), (LAST_INSPECTED, "date"), (SIGN_TEXT_VERSION, "text"),
    (SIGN_LANGUAGE, "text"), (STATUS_NOTE, "text"), (VERSION, "int", False),
    (UPDATED_BY, "text"), (UPDATED_AT, "text"),
)
#: Status fields a user may change (everything but the key, version and who/when).
EDITABLE_STATUS = (SIGN_STATUS, SIGN_POSTED_ON, GATE_STATUS, LAST_INSPECTED, SIGN_TEXT_VERSION,
                   SIGN_LANGUAGE, STATUS_NOTE)
#: Control and A.1 determination of a site (one row per site; versioned like status).
CONTROL_COLUMNS = _cols(
    (SITE_ID, "text", False), (DETERMINATION, "text", False), (DETERMINATION_REASON, "text"),
    (DETERMINED_BY, "text"), (DETERMINED_AT, "text"), (CONTROL_BASIS, "text", False), (CONTROL_START, "date"),
    (CONTROL_END, "date"), (CONTROL_DOC, "text"), (BARRIER_APPROPRIATE, "text", False), (STATUS_NOTE, "text"),
    (VERSION, "int", False), (UPDATED_BY, "text"), (UPDATED_AT, "text"),
)
#: Control fields a user may change.
EDITABLE_CONTROL = (DETERMINATION, DETERMINATION_REASON, CONTROL_BASIS, CONTROL_START, CONTROL_END, CONTROL_DOC,
                    BARRIER_APPROPRIATE, STATUS_NOTE)
#: Parts of a site: geometry, type, determination, sign and barrier (one row per part; versioned).
PART_COLUMNS = _cols(
    (PART_ID, "text", False), (SITE_ID, "text", False), (PART_TYPE, "text", False), (PART_NAME, "text"),
    (GEOMETRY_WKT, "text", False), (AREA_SQFT, "float"), (DETERMINATION, "text", False),
    (DETERMINATION_REASON, "text"), (DETERMINED_BY, "text"), (DETERMINED_AT, "text"),
    (BARRIER_APPROPRIATE, "text", False), (SIGN_STATUS, "text", False), (SIGN_POSTED_ON, "date"),
    (GATE_STATUS, "text", False), (LAST_INSPECTED, "date"), (STATUS_NOTE, "text"), (RETIRED, "bool", False),
    (VERSION, "int", False), (UPDATED_BY, "text"), (UPDATED_AT, "text"),
)
#: Part fields a user may change (the geometry and area are set when the part is drawn).
EDITABLE_PART = (PART_TYPE, PART_NAME, DETERMINATION, DETERMINATION_REASON, BARRIER_APPROPRIATE, SIGN_STATUS,
                 SIGN_POSTED_ON, GATE_STATUS, LAST_INSPECTED, STATUS_NOTE, RETIRED)
ROLES = ("planner", "liaison", "council_office", "records", "admin", "public")
SOURCES = ("app", "cli", "bulk_import", "system")


@dataclass(frozen=True)
class BoundaryKind:
    """A kind of boundary stored as named sets with a vintage; the current set is mirrored into ``layer``.

    Making a set current re-assigns ``target`` (by location) on every parcel, site and incident.
    """

    kind: str  # the set kind: council_districts, lapd_divisions, neighborhood_councils
    layer: str  # the layer holding the current set
    code: str  # the layer's key column (a number)
    name: str  # the layer's name column
    target: str  # the column of parcels, sites and incidents it assigns
    label: str
    lo: int = 1
    hi: int = 999


#: Boundary kinds by import kind (``stagemap import districts|lapd_divisions|neighborhood_councils``).
BOUNDARY_KINDS: dict[str, BoundaryKind] = {
    DISTRICTS: BoundaryKind("council_districts", DISTRICTS, DISTRICT, DISTRICT_NAME, COUNCIL_DISTRICT,
                            "council districts", 1, 15),
    LAPD_DIVISIONS: BoundaryKind("lapd_divisions", LAPD_AREAS, LAPD_AREA, AREA_NAME, LAPD_AREA, "LAPD divisions", 1, 21),
    NEIGHBORHOOD_COUNCILS: BoundaryKind("neighborhood_councils", NEIGHBORHOOD_COUNCILS, NC_ID, NC_NAME,
                                        NEIGHBORHOOD_COUNCIL, "neighborhood councils"),
}


def column_names(layer: str) -> list[str]:
    """Return the attribute column names of ``layer`` in canonical order."""
    return [c.name for c in LAYER_COLUMNS[layer]]


def format_apn(ain: str) -> str:
    """Format a 10-digit AIN as ``####-###-###``."""
    return f"{ain[:4]}-{ain[4:7]}-{ain[7:10]}"
