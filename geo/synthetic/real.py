"""The synthetic sample under REAL LA field names (DATA.md sections 2 and 4), for importer tests and demos."""
from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.config import LOCAL_TZ
from geo.crs import feet_to_lonlat
from geo.synthetic.randomness import categorical

if TYPE_CHECKING:
    from geo.synthetic import Sample

AGENCIES = ("ICE", "CBP", "unknown")
AGENCY_WEIGHTS = (0.5, 0.2, 0.3)
LAPD_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def real_shaped_layers(sample: Sample) -> dict[str, pd.DataFrame | gpd.GeoDataFrame]:
    """Return the sample's parcels, sites, incidents and districts with real LA field names.

    ``parcels`` follows the County Parcels GIS layer (plus ``ZONE_CMPLT`` from zoning);
    ``incidents`` is a plain frame in the LAPD crime-data CSV layout, local Los Angeles time
    (``DATE OCC``/``Date Rptd`` at midnight, the time in ``TIME OCC``), with the extra
    columns ``incident_type``, ``source_type``, ``verification_status``, ``agency_reported``,
    ``relevance``, ``conduct_observed`` and ``is_synthetic``; ``DR_NO`` keeps the ``SYN-`` id so no synthetic row can collide with a
    real report number. ``districts`` follows the City's Council Districts layer. AINs stay
    in map books 99xx, which importers of real files reject by design.
    """
    f = sample.frames
    return {
        schema.PARCELS: _parcels(f[schema.PARCELS]), schema.SITES: _sites(f[schema.SITES]),
        schema.INCIDENTS: _incidents(f[schema.INCIDENTS]), schema.DISTRICTS: _districts(f[schema.DISTRICTS]),
    }


def _parcels(p: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    lon, lat = feet_to_lonlat(p[schema.CENTROID_X_FT].to_numpy(), p[schema.CENTROID_Y_FT].to_numpy())
    frame = pd.DataFrame({
        "OBJECTID": np.arange(1, len(p) + 1), "AIN": p[schema.AIN], "APN": p[schema.APN],
        "SitusFullAddress": p[schema.SITUS_ADDRESS], "TaxRateCity": p[schema.JURISDICTION_CITY],
        "AgencyName": p[schema.AGENCY_NAME], "OwnerName": p[schema.OWNER_NAME],
        "UseCode": p[schema.USE_CODE], "UseCode_2": p[schema.USE_CODE_2], "UseType": p[schema.USE_TYPE],
        "UseDescription": p[schema.USE_DESCRIPTION], "YearBuilt1": p[schema.YEAR_BUILT], "Units1": p[schema.UNITS],
        "SQFTmain1": p[schema.BLDG_SQFT], "Roll_Year": p[schema.ROLL_YEAR], "Roll_LandValue": p[schema.LAND_VALUE],
        "Roll_ImpValue": p[schema.IMP_VALUE], "Roll_LandBaseYear": p[schema.LAND_BASE_YEAR], "ZONE_CMPLT": p[schema.ZONE],
        "CENTER_X": p[schema.CENTROID_X_FT], "CENTER_Y": p[schema.CENTROID_Y_FT],
        "CENTER_LAT": np.round(lat, 7), "CENTER_LON": np.round(lon, 7), "is_synthetic": p[schema.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=p.geometry.values, crs=p.crs)


def _sites(s: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "Site ID": s[schema.SITE_ID], "AIN": s[schema.AINS], "Facility Name": s[schema.NAME], "Department": s[schema.OWNING_DEPT],
        "Asset Type": s[schema.ASSET_TYPE], "Address": s[schema.ADDRESS], "CD": s[schema.COUNCIL_DISTRICT],
        "is_synthetic": s[schema.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=s.geometry.values, crs=s.crs)


def _incidents(i: gpd.GeoDataFrame) -> pd.DataFrame:
    occ = i[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ)
    rpt = i[schema.REPORTED_AT].dt.tz_convert(LOCAL_TZ)
    code, desc = zip(*(p.split(" ", 1) for p in i[schema.PREMISE_DESC])) if len(i) else ((), ())
    agency = np.array(AGENCIES, dtype=object)[categorical("real_incidents", "agency", len(i), AGENCY_WEIGHTS)]
    return pd.DataFrame({
        "DR_NO": i[schema.INCIDENT_ID],
        "Date Rptd": rpt.dt.normalize().dt.strftime(LAPD_TIME_FORMAT),
        "DATE OCC": occ.dt.normalize().dt.strftime(LAPD_TIME_FORMAT),
        "TIME OCC": (occ.dt.hour * 100 + occ.dt.minute).astype("int64"),
        "AREA": i[schema.LAPD_AREA], "AREA NAME": i[schema.AREA_NAME], "Rpt Dist No": i[schema.RPT_DIST_NO],
        "Crm Cd Desc": i[schema.DESCRIPTION], "Premis Cd": np.array(code, dtype=float), "Premis Desc": list(desc),
        "LOCATION": i[schema.LOCATION_TEXT], "Cross Street": None,
        "LAT": np.round(i.geometry.y.to_numpy(), 4), "LON": np.round(i.geometry.x.to_numpy(), 4),
        "incident_type": i[schema.INCIDENT_TYPE], "source_type": i[schema.SOURCE_TYPE],
        "verification_status": i[schema.VERIFICATION], "agency_reported": agency, "is_synthetic": i[schema.IS_SYNTHETIC],
        "relevance": i[schema.RELEVANCE], "conduct_observed": i[schema.CONDUCT],  # the file says its class
    })


def _districts(d: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "OBJECTID": np.arange(1, len(d) + 1), "District": d[schema.DISTRICT], "District_Name": d[schema.DISTRICT_NAME],
        "is_synthetic": d[schema.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=d.geometry.values, crs=d.crs)
