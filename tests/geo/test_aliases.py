"""Alias matching (case/space/underscore/?-insensitive, first match wins) and value transforms."""
from __future__ import annotations

import pandas as pd
import pytest

from geo import schema
from geo.io import aliases


@pytest.mark.parametrize(("real", "norm"), [("Roll_LandValue", "rolllandvalue"), ("AREA NAME", "areaname"),
                                            ("Is Vacant?", "isvacant"), (" UseCode ", "usecode")])
def test_normalize_name(real, norm):
    assert aliases.normalize_name(real) == norm


def test_match_columns_truncated_shapefile_names():
    cols = ["OBJECTID", "AIN", "SitusFullA", "Roll_LandV", "Roll_ImpVa", "UseDescrip", "TaxRateCit", "usecode"]
    found = aliases.match_columns(cols, schema.PARCELS)
    assert found[schema.SITUS_ADDRESS] == "SitusFullA" and found[schema.LAND_VALUE] == "Roll_LandV"
    assert found[schema.IMP_VALUE] == "Roll_ImpVa" and found[schema.USE_DESCRIPTION] == "UseDescrip"
    assert found[schema.JURISDICTION_CITY] == "TaxRateCit" and found[schema.USE_CODE] == "usecode"


def test_first_alias_wins():
    found = aliases.match_columns(["SitusAddress", "SitusFullAddress"], schema.PARCELS)
    assert found[schema.SITUS_ADDRESS] == "SitusFullAddress"


def test_lapd_columns():
    found = aliases.match_columns(["DR_NO", "DATE OCC", "TIME OCC", "AREA NAME", "Rpt Dist No", "Crm Cd Desc"], schema.INCIDENTS)
    assert (found[schema.INCIDENT_ID], found["time_occ"], found[schema.AREA_NAME], found[schema.RPT_DIST_NO], found[schema.DESCRIPTION]) == (
        "DR_NO", "TIME OCC", "AREA NAME", "Rpt Dist No", "Crm Cd Desc")


def test_normalize_ain():
    out = aliases.normalize_ain(pd.Series(["2004-001-003", "204001003", 2004001003.0, "", None, " 5173 012 900 "]))
    assert out.tolist() == ["2004001003", "0204001003", "2004001003", None, None, "5173012900"]


def test_normalize_use_code():
    assert aliases.normalize_use_code(pd.Series(["100", " 880v", "010C", 2700, None])).tolist() == [
        "0100", "880V", "010C", "2700", None]


def test_zip_numbers_and_sums():
    assert aliases.first5_zip(pd.Series(["90012-4801", "900", 90012.0])).tolist() == ["90012", None, "90012"]
    assert aliases.to_number(pd.Series(["1,250", "$12,000", "n/a"])).tolist()[:2] == [1250.0, 12000.0]
    frame = pd.DataFrame({"SQFTmain1": ["1,000", None], "SQFTmain2": ["500", None]})
    assert aliases.numbered_columns(list(frame.columns), "SQFTmain") == ["SQFTmain1", "SQFTmain2"]
    total = aliases.sum_numbered(frame, ["SQFTmain1", "SQFTmain2"])
    assert total.iloc[0] == 1500 and pd.isna(total.iloc[1])
    assert aliases.to_int(pd.Series(["2005", "12.5", "x"])).tolist()[0] == 2005
    assert aliases.to_bool(pd.Series(["TRUE", "no", None])).tolist() == [True, False, False]
