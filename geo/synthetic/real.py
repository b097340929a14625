"""The synthetic sample under REAL LA field names (DATA.md sections 2 and 4), for importer tests and demos."""
from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema as S
from geo.crs import feet_to_lonlat
from geo.synthetic.randomness import categorical

if TYPE_CHECKING:
    from geo.synthetic import Sample

AGENCIES = ("ICE", "CBP", "unknown")
AGENCY_WEIGHTS = (0.5, 0.2, 0.3)
LAPD_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
LAPD_TZ = "America/Los_Angeles"


def real_shaped_layers(sample: Sample) -> dict[str, pd.DataFrame | gpd.GeoDataFrame]:
    """Return the sample's parcels, sites, incidents and districts with real LA field names.

    ``parcels`` follows the County Parcels GIS layer (plus ``ZONE_CMPLT`` from zoning);
    ``incidents`` is a plain frame in the LAPD crime-data CSV layout, local Los Angeles time
    (``DATE OCC``/``Date Rptd`` at midnight, the time in ``TIME OCC``), with the extra
    columns ``incident_type``, ``source_type``, ``verification_status``, ``agency_reported``
    and ``is_synthetic``; ``DR_NO`` keeps the ``SYN-`` id so no synthetic row can collide with a
    real report number. ``districts`` follows the City's Council Districts layer. AINs stay
    in map books 99xx, which importers of real files reject by design.
    """
    f = sample.frames
    return {
        S.PARCELS: _parcels(f[S.PARCELS]), S.SITES: _sites(f[S.SITES]),
        S.INCIDENTS: _incidents(f[S.INCIDENTS]), S.DISTRICTS: _districts(f[S.DISTRICTS]),
    }


def _parcels(p: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    lon, lat = feet_to_lonlat(p[S.CENTROID_X_FT].to_numpy(), p[S.CENTROID_Y_FT].to_numpy())
    frame = pd.DataFrame({
        "OBJECTID": np.arange(1, len(p) + 1), "AIN": p[S.AIN], "APN": p[S.APN],
        "SitusFullAddress": p[S.SITUS_ADDRESS], "TaxRateCity": p[S.JURISDICTION_CITY],
        "AgencyName": p[S.AGENCY_NAME], "OwnerName": p[S.OWNER_NAME],
        "UseCode": p[S.USE_CODE], "UseCode_2": p[S.USE_CODE_2], "UseType": p[S.USE_TYPE],
        "UseDescription": p[S.USE_DESCRIPTION], "YearBuilt1": p[S.YEAR_BUILT], "Units1": p[S.UNITS],
        "SQFTmain1": p[S.BLDG_SQFT], "Roll_Year": p[S.ROLL_YEAR], "Roll_LandValue": p[S.LAND_VALUE],
        "Roll_ImpValue": p[S.IMP_VALUE], "Roll_LandBaseYear": p[S.LAND_BASE_YEAR], "ZONE_CMPLT": p[S.ZONE],
        "CENTER_X": p[S.CENTROID_X_FT], "CENTER_Y": p[S.CENTROID_Y_FT],
        "CENTER_LAT": np.round(lat, 7), "CENTER_LON": np.round(lon, 7), "is_synthetic": p[S.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=p.geometry.values, crs=p.crs)


def _sites(s: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "Site ID": s[S.SITE_ID], "AIN": s[S.AINS], "Facility Name": s[S.NAME], "Department": s[S.OWNING_DEPT],
        "Asset Type": s[S.ASSET_TYPE], "Address": s[S.ADDRESS], "CD": s[S.COUNCIL_DISTRICT],
        "is_synthetic": s[S.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=s.geometry.values, crs=s.crs)


def _incidents(i: gpd.GeoDataFrame) -> pd.DataFrame:
    occ = i[S.OCCURRED_AT].dt.tz_convert(LAPD_TZ)
    rpt = i[S.REPORTED_AT].dt.tz_convert(LAPD_TZ)
    code, desc = zip(*(p.split(" ", 1) for p in i[S.PREMISE_DESC])) if len(i) else ((), ())
    agency = np.array(AGENCIES, dtype=object)[categorical("real_incidents", "agency", len(i), AGENCY_WEIGHTS)]
    return pd.DataFrame({
        "DR_NO": i[S.INCIDENT_ID],
        "Date Rptd": rpt.dt.normalize().dt.strftime(LAPD_TIME_FORMAT),
        "DATE OCC": occ.dt.normalize().dt.strftime(LAPD_TIME_FORMAT),
        "TIME OCC": (occ.dt.hour * 100 + occ.dt.minute).astype("int64"),
        "AREA": i[S.LAPD_AREA], "AREA NAME": i[S.AREA_NAME], "Rpt Dist No": i[S.RPT_DIST_NO],
        "Crm Cd Desc": i[S.DESCRIPTION], "Premis Cd": np.array(code, dtype=float), "Premis Desc": list(desc),
        "LOCATION": i[S.LOCATION_TEXT], "Cross Street": None,
        "LAT": np.round(i.geometry.y.to_numpy(), 4), "LON": np.round(i.geometry.x.to_numpy(), 4),
        "incident_type": i[S.INCIDENT_TYPE], "source_type": i[S.SOURCE_TYPE],
        "verification_status": i[S.VERIFICATION], "agency_reported": agency, "is_synthetic": i[S.IS_SYNTHETIC],
    })


def _districts(d: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "OBJECTID": np.arange(1, len(d) + 1), "District": d[S.DISTRICT], "District_Name": d[S.DISTRICT_NAME],
        "is_synthetic": d[S.IS_SYNTHETIC],
    })
    return gpd.GeoDataFrame(frame, geometry=d.geometry.values, crs=d.crs)
