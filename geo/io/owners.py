"""Owner class of every parcel: City of Los Angeles, other public, private, or unknown (DATA.md Wave 2).

The County Parcels layer names public owners in ``AgencyName`` (and sometimes ``OwnerName``);
``AgencyType`` says what kind of agency when no name does. The words are matched here, first
match wins, and each parcel gets an ``owner_class`` and a finer ``owner_kind``:

============================  ==================  ===========================================
owner_kind                    owner_class         decided by
============================  ==================  ===========================================
city                          city                a name naming the City of Los Angeles or one
                                                  of its proprietary departments (LADWP, LAWA,
                                                  the Harbor Department)
other_city, county, state,    other_public        a name naming that agency, else
school_district, federal,                         ``AgencyType`` words
utility, special_district
other_agency                  other_public        an ``AgencyName`` no pattern recognises
public_unnamed                unknown             a public use code (80xx-88xx, 880V) or a City
                                                  ``AgencyType`` with no name: public, but whose
                                                  is not known; never a City site on that alone
private                       private             anything else (a named private owner, or no
                                                  agency and a private use code)
============================  ==================  ===========================================

The real ``AgencyType`` and ``AgencyClassNo`` values are unverified (DATA.md section 7, item 3);
``AgencyClassNo`` is kept as given and not used.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo import schema

#: (owner_kind, pattern on the upper-cased name), first match wins: the City before other cities.
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("city", r"\bCITY OF (?:LOS ANGELES|L\.? ?A\.?)(?:\b|$)|\bL\.? ?A\.? CITY\b|\bLOS ANGELES CITY\b|"
             r"\bDEP(?:ARTMEN)?T\.? OF WATER (?:AND|&) POWER\b|\bLOS ANGELES WORLD AIRPORTS\b|"
             r"\bLOS ANGELES HARBOR DEP|\bPORT OF LOS ANGELES\b"),
    ("county", r"\bCOUNTY\b"),
    ("school_district", r"\bSCHOOL\b|\bLAUSD\b|\bCOMMUNITY COLLEGE|\bBOARD OF EDUCATION\b"),
    ("state", r"\bSTATE OF CALIF|\bSTATE OF CA\b|\bCALIFORNIA STATE\b|\bCALTRANS\b|\bREGENTS OF THE UNIVERSITY\b|"
              r"\bSTATE LANDS\b|\bPEOPLE OF THE STATE\b"),
    ("federal", r"\bUNITED STATES\b|\bU\.? ?S\.? (?:GOV|GOVT|GOVERNMENT|POSTAL|OF AMERICA)\b|\bUSA\b|\bFEDERAL\b|"
                r"\bPOSTAL SERVICE\b"),
    ("utility", r"\bEDISON\b|\bGAS CO\b|\bSOUTHERN CALIFORNIA GAS\b|\bPACIFIC BELL\b|\bRAIL(?:ROAD|WAY)\b|"
                r"\bUNION PACIFIC\b|\bMETROPOLITAN TRANSPORTATION\b|\bMTA\b|\bTRANSIT\b"),
    ("special_district", r"\bDISTRICT\b|\bAUTHORITY\b|\bREDEVELOPMENT AGENCY\b|\bFLOOD CONTROL\b|\bCONSERVANCY\b"),
    ("other_city", r"\bCITY OF\b|\bCITY\b"),
)
#: ``AgencyType`` words when no name decides (values unverified; matched loosely).
TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("county", r"COUNTY"), ("school_district", r"SCHOOL|COLLEGE"), ("state", r"STATE"),
    ("federal", r"FEDERAL|UNITED STATES"), ("utility", r"UTILIT"), ("special_district", r"DISTRICT|SPECIAL"),
    ("public_unnamed", r"CITY|MUNICIPAL"),
)
#: owner_kind -> owner_class.
CLASS_OF = {"city": "city", "public_unnamed": "unknown", "private": "private",
            **{k: "other_public" for k in ("other_city", "county", "state", "school_district", "federal", "utility",
                                           "special_district", "other_agency")}}
PUBLIC_CODES = (80, 88)


def owner_kind_of(agency: str | None, owner: str | None, agency_type: str | None, use_code: str | None) -> str:
    """Return one parcel's ``owner_kind`` (see the module table)."""
    for text in (agency, owner):
        kind = _match(text, NAME_RULES)
        if kind is not None:
            return kind
    if agency and agency.strip():
        return "other_agency"
    kind = _match(agency_type, TYPE_RULES)
    if kind is not None:
        return kind
    if owner and owner.strip():
        return "private"
    code = (use_code or "").strip().upper()
    if code[:2].isdigit() and PUBLIC_CODES[0] <= int(code[:2]) <= PUBLIC_CODES[1]:
        return "public_unnamed"
    return "private"


def owner_columns(parcels: pd.DataFrame) -> pd.DataFrame:
    """Return ``owner_class`` and ``owner_kind`` of every parcel, aligned to ``parcels.index``.

    Reads ``agency_name``, ``owner_name``, ``agency_type`` and ``use_code`` (missing columns
    count as empty). Distinct value combinations are decided once, so County-size frames stay fast.
    """
    cols = (schema.AGENCY_NAME, schema.OWNER_NAME, schema.AGENCY_TYPE, schema.USE_CODE)
    codes: list[np.ndarray] = []
    values: list[np.ndarray] = []
    combined = np.zeros(len(parcels), dtype=np.int64)
    for c in cols:  # one integer per distinct combination (mixed radix over per-column codes)
        col = parcels[c] if c in parcels else pd.Series(pd.NA, index=parcels.index, dtype="string")
        if c == schema.USE_CODE:
            col = col.astype("string").str[:2]
        code, uniques = pd.factorize(col)  # missing -> -1
        codes.append(code)
        values.append(np.asarray(uniques, dtype=object))
        combined = combined * (len(uniques) + 1) + (code + 1)
    first, inverse = np.unique(combined, return_index=True, return_inverse=True)[1:]
    decided = np.array([owner_kind_of(*(None if code[p] < 0 else str(vals[code[p]])
                                        for code, vals in zip(codes, values, strict=True))) for p in first],
                       dtype=object)
    kind = pd.Series(decided[inverse], index=parcels.index, dtype=object)
    return pd.DataFrame({schema.OWNER_CLASS: kind.map(CLASS_OF), schema.OWNER_KIND: kind}, index=parcels.index)


def with_owner_class(parcels: pd.DataFrame) -> pd.DataFrame:
    """Return ``parcels`` with ``owner_class`` and ``owner_kind`` (re)computed from its own columns."""
    if not len(parcels):
        return parcels.assign(**{schema.OWNER_CLASS: pd.Series(dtype=object), schema.OWNER_KIND: pd.Series(dtype=object)})
    found = owner_columns(parcels)
    return parcels.assign(**{c: found[c].to_numpy() for c in found.columns})


def site_owner_class(classes: pd.Series) -> str | None:
    """Return the owner class of a site from its parcels' classes: the common one, ``mixed``, or ``None``."""
    known = {c for c in classes.dropna().astype(str)}
    if not known:
        return None
    return known.pop() if len(known) == 1 else schema.MIXED


def _match(text: str | None, rules: tuple[tuple[str, str], ...]) -> str | None:
    if not text or not str(text).strip():
        return None
    upper = " ".join(str(text).upper().split())
    for kind, pattern in rules:
        if re.search(pattern, upper):
            return kind
    return None
