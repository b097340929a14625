"""Synthetic City sites, the City parcels under them, their sign/gate status and RAP park polygons."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS, SYNTHETIC_SOURCE
from geo.io.outline import county_polygon_ft
from geo.synthetic.anchors import anchors, council_districts, nearest_anchor
from geo.synthetic.boundaries import council_of_anchor
from geo.synthetic.parcels import demo_reserved_ft, rings_to_display
from geo.synthetic.randomness import categorical, exact_quota, integers, u01, uniform
from geo.synthetic.variants import apply_variants, booth_sqft

LAYER = "sites"
SITES_PER_CD = 24
N_SITES = 15 * SITES_PER_CD
TWO_PARCEL_SITES = 36  # 10 %
MAX_ATTEMPTS = 200
SITE_GAP_FT = 100.0
CITY = "CITY OF LOS ANGELES"
DEPARTMENTS = {
    "LADOT": "Transportation (LADOT)", "RAP": "Recreation and Parks (RAP)",
    "GSD": "General Services (GSD)", "LAWA": "Airports (LAWA)",
    "PORT": "Harbor Department (Port of LA)", "LAPL": "Library (LAPL)",
    "LASAN": "Sanitation (LASAN)", "LADWP": "Water and Power (LADWP)",
}
#: category, count of 360, min / max area (sq ft), name label, ZONE_CMPLT (DATA.md 5.2)
CATEGORIES = (
    ("parking_lot", 126, 8_000, 60_000, "Lot", "C2-1VL"),
    ("parking_garage", 36, 20_000, 80_000, "Garage", "C2-1VL"),
    ("park", 90, 21_780, 871_200, "Park", "OS-1XL"),
    ("vacant_lot", 54, 2_500, 20_000, "Vacant Lot", "R1-1"),
    ("facility", 54, 10_000, 100_000, "Facility", "PF-1XL"),
)
#: (department, asset type, weight) per category away from the airport and the port
_OWNERS = {
    "parking_lot": (("LADOT", "LADOT parking lot", 1.0),),
    "parking_garage": (("LADOT", "LADOT parking garage", 1.0),),
    "park": (("RAP", "RAP park", 1.0),),
    "vacant_lot": (("GSD", "vacant lot", 0.55), ("LADWP", "LADWP vacant parcel", 0.25),
                   ("LASAN", "LASAN vacant parcel", 0.20)),
    "facility": (("GSD", "GSD facility", 0.4), ("LAPL", "branch library", 0.2),
                 ("LASAN", "LASAN maintenance yard", 0.2), ("LADWP", "LADWP distribution yard", 0.2)),
}
_SPECIAL = {  # anchor -> department, category -> asset type (taken with probability 0.8)
    "Westchester": ("LAWA", {"parking_lot": "LAWA parking lot", "parking_garage": "LAWA parking structure",
                             "facility": "LAWA facility"}),
    "San Pedro": ("PORT", {"parking_lot": "Port parking lot", "facility": "Port maintenance yard",
                           "vacant_lot": "Port vacant parcel"}),
    "Wilmington": ("PORT", {"parking_lot": "Port parking lot", "facility": "Port maintenance yard",
                            "vacant_lot": "Port vacant parcel"}),
}
_USE = {  # category -> (use codes, UseType, UseDescription, property type)
    "parking_lot": (("2700", "2710"), "Commercial", "Parking Lot", "C/I"),
    "parking_garage": (("2700", "2710"), "Commercial", "Parking Lot", "C/I"),
    "park": (("8800",), "Institutional", "Government Owned", "OTH"),
    "vacant_lot": (("880V",), "Institutional", "Government Owned, Vacant", "VAC"),
    "facility": (("8800",), "Institutional", "Government Owned", "OTH"),
}
SIGN_WEIGHTS = {"posted": 0.55, "damaged": 0.10, "none": 0.25, "unknown": 0.10}
_GATE_WEIGHTS = {  # open, closed_locked, closed_unlocked, no_gate, unknown
    "parking_lot": (0.30, 0.35, 0.20, 0.05, 0.10), "parking_garage": (0.45, 0.30, 0.15, 0.00, 0.10),
    "vacant_lot": (0.15, 0.50, 0.20, 0.05, 0.10), "park": (0.10, 0.10, 0.05, 0.65, 0.10),
    "facility": (0.15, 0.45, 0.15, 0.10, 0.15),
}
SIGN_FIRST_DAY = dt.date(2026, 2, 12)
SIGN_LAST_DAY = dt.date(2026, 4, 30)
INSPECT_FIRST_DAY = dt.date(2026, 2, 11)


def site_plan() -> pd.DataFrame:
    """Return one row per site: id, category, kind, anchor, department, asset type and 2229 rectangle."""
    return _site_plan().copy()


@lru_cache(maxsize=1)
def _site_plan() -> pd.DataFrame:
    a = anchors()
    k = np.arange(N_SITES)
    cd = k // SITES_PER_CD + 1
    anchor = np.array([np.flatnonzero(a.cd == c)[j % (a.cd == c).sum()]
                       for c, j in zip(cd, k % SITES_PER_CD)])
    cat = exact_quota(LAYER, "category", N_SITES, [c[1] for c in CATEGORIES])
    lo, hi = np.array([c[2] for c in CATEGORIES])[cat], np.array([c[3] for c in CATEGORIES])[cat]
    area = np.round(lo * (hi / lo) ** u01(LAYER, "area", k), -1)
    aspect = uniform(LAYER, "aspect", k, 0.5, 2.0)
    width = np.sqrt(area * aspect)
    plan = pd.DataFrame({
        "site_id": [f"SYN-SITE-{i + 1:04d}" for i in k], "category": [CATEGORIES[c][0] for c in cat],
        "cd": cd, "anchor": anchor, "area": area, "width": width, "height": area / width,
    })
    dept, asset = _owners(plan)
    cx, cy = _place(plan)
    return apply_variants(plan.assign(dept=dept, asset_type=asset, cx=cx, cy=cy), DEPARTMENTS)


def _owners(plan: pd.DataFrame) -> tuple[list[str], list[str]]:
    a = anchors()
    pick = u01(LAYER, "owner", len(plan))
    special = u01(LAYER, "owner_special", len(plan)) < 0.8
    dept, asset = [], []
    for i, (cat, anc) in enumerate(zip(plan["category"], plan["anchor"])):
        spec = _SPECIAL.get(a.name[anc])
        if spec and cat in spec[1] and special[i]:
            dept.append(DEPARTMENTS[spec[0]])
            asset.append(spec[1][cat])
            continue
        options = _OWNERS[cat]
        cum = np.cumsum([o[2] for o in options])
        o = options[min(int(np.searchsorted(cum / cum[-1], pick[i], side="right")), len(options) - 1)]
        dept.append(DEPARTMENTS[o[0]])
        asset.append(o[1])
    return dept, asset


def _place(plan: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Place each site 2,000-3,500 ft from its anchor at a hashed bearing, retrying collisions.

    A candidate is retried (``field:attempt<k>``) when its centroid leaves the County outline,
    it touches an anchor's demo parcel blocks, or it comes within 100 ft of an earlier site.
    """
    a = anchors()
    county, reserved = county_polygon_ft(), demo_reserved_ft()
    n = len(plan)
    cx, cy = np.full(n, np.nan), np.full(n, np.nan)
    placed: list[shapely.Geometry] = []
    pending = np.arange(n)
    for attempt in range(MAX_ATTEMPTS):
        bearing = uniform(LAYER, f"bearing:attempt{attempt}", n, 0.0, 2 * np.pi)
        dist = uniform(LAYER, f"distance:attempt{attempt}", n, 2_000.0, 3_500.0)
        still = []
        for i in pending:
            x = a.x[plan["anchor"].iat[i]] + dist[i] * np.cos(bearing[i])
            y = a.y[plan["anchor"].iat[i]] + dist[i] * np.sin(bearing[i])
            w, h = plan["width"].iat[i] / 2, plan["height"].iat[i] / 2
            rect = shapely.box(x - w, y - h, x + w, y + h)
            ok = (shapely.contains_xy(county, x, y) and not reserved.intersects(rect)
                  and not (placed and shapely.dwithin(np.array(placed), rect, SITE_GAP_FT).any()))
            if ok:
                cx[i], cy[i] = x, y
                placed.append(rect)
            else:
                still.append(i)
        pending = np.array(still, dtype=np.int64)
        if not len(pending):
            return cx, cy
    raise RuntimeError(f"could not place sites {list(plan['site_id'].iloc[pending])} in {MAX_ATTEMPTS} attempts")


def build_sites(districts: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (sites, City parcels under them, RAP park polygons), canonical and EPSG:4326."""
    plan = site_plan()
    n = len(plan)
    k = np.arange(n)
    two = exact_quota(LAYER, "two_parcels", n, [n - TWO_PARCEL_SITES, TWO_PARCEL_SITES]) == 1
    cut = uniform(LAYER, "cut", k, 0.35, 0.65)
    pieces = _parcel_pieces(plan, two, cut)
    parcels = _city_parcels(plan, pieces, districts)
    site_geom = _site_geometries(parcels, pieces)
    sites = _site_frame(plan, parcels, pieces, site_geom, districts)
    return sites, parcels, _parks(plan, sites)


def _parcel_pieces(plan: pd.DataFrame, two: np.ndarray, cut: np.ndarray) -> pd.DataFrame:
    """Return one row per City parcel: site row, and its box (x0, x1, y0, y1) in feet."""
    rows = []
    for i, r in enumerate(plan.itertuples()):
        x0, x1 = r.cx - r.width / 2, r.cx + r.width / 2
        y0, y1 = r.cy - r.height / 2, r.cy + r.height / 2
        if not two[i]:
            rows.append((i, x0, x1, y0, y1))
        elif r.width >= r.height:
            xm = x0 + cut[i] * r.width
            rows += [(i, x0, xm, y0, y1), (i, xm, x1, y0, y1)]
        else:
            ym = y0 + cut[i] * r.height
            rows += [(i, x0, x1, y0, ym), (i, x0, x1, ym, y1)]
    return pd.DataFrame(rows, columns=["site", "x0", "x1", "y0", "y1"])


def _city_parcels(plan: pd.DataFrame, pieces: pd.DataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    a = anchors()
    j = np.arange(len(pieces))
    site = pieces["site"].to_numpy()
    cat = plan["category"].to_numpy()[site]
    kind = plan["kind"].to_numpy()[site]
    x0, x1, y0, y1 = (pieces[c].to_numpy() for c in ("x0", "x1", "y0", "y1"))
    ring = np.stack([np.stack([x0, x1, x1, x0, x0], 1), np.stack([y0, y0, y1, y1, y0], 1)], -1)
    lot = np.round((x1 - x0) * (y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    from geo.crs import feet_to_lonlat

    lon, lat = feet_to_lonlat(cx, cy)
    use = [_USE[c] for c in cat]
    code = np.array([u[0][int(v * len(u[0]))] for u, v in zip(use, u01("city_parcels", "use_code", j))])
    bldg, year = _buildings(cat, kind, lot, j)
    frame = pd.DataFrame({
        schema.AIN: [f"9999{p // 1000:03d}{p % 1000:03d}" for p in j + 1],
        schema.APN: [f"9999-{p // 1000:03d}-{p % 1000:03d}" for p in j + 1],
        schema.USE_CODE: code, schema.USE_CODE_2: [c[:2] for c in code], schema.USE_TYPE: [u[1] for u in use],
        schema.PROPERTY_TYPE: [u[3] for u in use], schema.USE_DESCRIPTION: [u[2] for u in use],
        schema.USE_DETAIL: None,
        schema.SITUS_ADDRESS: [f"SYNTHETIC - near {a.name[v]}" for v in plan["anchor"].to_numpy()[site]],
        schema.SITUS_ZIP: None, schema.JURISDICTION_CITY: "LOS ANGELES", schema.OWNER_NAME: CITY, schema.AGENCY_NAME: CITY,
        schema.LAND_VALUE: np.round(lot * uniform("city_parcels", "land_rate", j, 30.0, 200.0), -2),
        schema.IMP_VALUE: np.round(bldg * uniform("city_parcels", "imp_rate", j, 80.0, 300.0), -2),
        schema.LAND_BASE_YEAR: integers("city_parcels", "land_base_year", j, 1975, 2000),
        schema.ROLL_YEAR: 2025, schema.BLDG_SQFT: bldg, schema.UNITS: 0, schema.YEAR_BUILT: year,
        schema.ZONE: [dict((c[0], c[5]) for c in CATEGORIES)[c] for c in cat],
        schema.COUNCIL_DISTRICT: council_districts(lon, lat, cx, cy, districts),
        schema.LAPD_AREA: a.lapd_area[plan["anchor"].to_numpy()[site]],
        schema.LOT_SQFT: lot, schema.CENTROID_X_FT: np.round(cx, 2), schema.CENTROID_Y_FT: np.round(cy, 2),
        schema.MERGED_COUNT: 1, schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE, schema.SOURCE_URL: None,
        schema.FETCHED_AT: None, schema.AGENCY_TYPE: "City", schema.AGENCY_CLASS_NO: None, schema.OWNER_CLASS: "city",
        schema.OWNER_KIND: "city", schema.NEIGHBORHOOD_COUNCIL: council_of_anchor(nearest_anchor(cx, cy)),
    })
    return gpd.GeoDataFrame(frame, geometry=rings_to_display(ring), crs=DISPLAY_CRS)


def _buildings(cat: np.ndarray, kind: np.ndarray, lot: np.ndarray, j: np.ndarray
               ) -> tuple[np.ndarray, pd.arrays.IntegerArray]:
    """Return building sq ft and year (garages 3-6 decks, facilities 20-60 % cover, booths on some lots)."""
    floors = integers("city_parcels", "garage_floors", j, 3, 7)
    cover = uniform("city_parcels", "cover", j, 0.2, 0.6)
    rec = u01("city_parcels", "rec_center", j) < 0.3
    bldg = np.select(
        [cat == "parking_garage", (cat == "facility") | (kind == "vacant_building"), (kind == "park") & rec],
        [np.round(lot * 0.95 * floors, -1), np.round(lot * cover, -1),
         np.round(uniform("city_parcels", "rec_sqft", j, 2_000, 15_000), -1)],
        default=booth_sqft(kind, j),
    )
    year = integers("city_parcels", "year_built", j, 1925, 2016)
    return bldg, pd.arrays.IntegerArray(np.where(bldg > 0, year, 0), bldg <= 0)


def _site_geometries(parcels: gpd.GeoDataFrame, pieces: pd.DataFrame) -> list[shapely.Geometry]:
    """Return each site's geometry: its parcel, or the union of its two adjacent parcels."""
    geoms = parcels.geometry.values
    out = []
    for _, rows in pieces.groupby("site", sort=True).groups.items():
        g = geoms[rows[0]] if len(rows) == 1 else shapely.union_all(geoms[list(rows)])
        out.append(shapely.set_precision(g, 1e-7))
    return out


def _site_frame(plan: pd.DataFrame, parcels: gpd.GeoDataFrame, pieces: pd.DataFrame,
                geoms: list[shapely.Geometry], districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    a = anchors()
    by_site = parcels.assign(site=pieces["site"].to_numpy()).groupby("site", sort=True)
    labels = dict((c[0], c[4]) for c in CATEGORIES)
    label = plan["label"].where(plan["label"].notna(), plan["category"].map(labels))
    seq = plan.groupby(label).cumcount().to_numpy() + 1
    from geo.crs import feet_to_lonlat

    lon, lat = feet_to_lonlat(plan["cx"].to_numpy(), plan["cy"].to_numpy())
    first = by_site.first()
    frame = pd.DataFrame({
        schema.SITE_ID: plan["site_id"], schema.AINS: by_site[schema.AIN].agg(";".join).to_numpy(),
        schema.NAME: [f"DEMO {c} {s:03d} (synthetic)" for c, s in zip(label, seq)],
        schema.OWNING_DEPT: plan["dept"], schema.ASSET_TYPE: plan["asset_type"],
        schema.ADDRESS: [f"SYNTHETIC - near {a.name[v]}" for v in plan["anchor"]],
        schema.USE_CODE: first[schema.USE_CODE].to_numpy(), schema.USE_DESCRIPTION: first[schema.USE_DESCRIPTION].to_numpy(),
        schema.BLDG_SQFT: by_site[schema.BLDG_SQFT].sum().to_numpy(), schema.YEAR_BUILT: first[schema.YEAR_BUILT].array,
        schema.COUNCIL_DISTRICT: council_districts(lon, lat, plan["cx"].to_numpy(), plan["cy"].to_numpy(), districts),
        schema.LAPD_AREA: a.lapd_area[plan["anchor"].to_numpy()],
        schema.AREA_SQFT: np.round(plan["width"].to_numpy() * plan["height"].to_numpy()),
        schema.SITE_ORIGIN: schema.ASSET_LIST, schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE,
        schema.SOURCE_URL: None, schema.FETCHED_AT: None, schema.OWNER_CLASS: "city", schema.LISTED_BASIS: "owned",
        schema.LISTED_START: None, schema.LISTED_END: None, schema.LISTED_DOC: None,
        schema.NEIGHBORHOOD_COUNCIL: council_of_anchor(nearest_anchor(plan["cx"].to_numpy(), plan["cy"].to_numpy())),
    })
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=DISPLAY_CRS)


def _parks(plan: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return RAP park polygons for the park sites (class N < 5 acres, C < 15 acres, else R)."""
    park = ((plan["category"] == "park") & (plan["kind"] != "open_land")).to_numpy()  # golf courses are RAP parks
    acres = plan["area"].to_numpy()[park] / 43_560
    frame = pd.DataFrame({
        schema.PARK_ID: [f"SYN-PARK-{i + 1:03d}" for i in range(int(park.sum()))],
        schema.PARK_NAME: sites[schema.NAME].to_numpy()[park],
        schema.PARK_CLASS: np.select([acres < 5, acres < 15], ["N", "C"], default="R"),
        schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE, schema.SOURCE_URL: None, schema.FETCHED_AT: None,
    })
    return gpd.GeoDataFrame(frame, geometry=sites.geometry.values[park], crs=DISPLAY_CRS)


def build_status(sites: gpd.GeoDataFrame, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the site-status table: partial sign compliance and gate states by category."""
    plan = site_plan() if plan is None else plan
    n = len(sites)
    k = np.arange(n)
    signs = np.array(list(SIGN_WEIGHTS), dtype=object)[categorical("status", "sign", k, list(SIGN_WEIGHTS.values()))]
    span = (SIGN_LAST_DAY - SIGN_FIRST_DAY).days + 1
    posted_day = np.floor(span * u01("status", "sign_day", k) ** 3).astype(int)
    has_sign = np.isin(signs, ["posted", "damaged"])
    gates = np.empty(n, dtype=object)
    gate_u = u01("status", "gate", k)
    for cat, weights in _GATE_WEIGHTS.items():
        mask = (plan["category"] == cat).to_numpy()
        cum = np.cumsum(weights)
        pick = np.searchsorted(cum / cum[-1], gate_u[mask], side="right").clip(0, 4)
        gates[mask] = np.array(schema.GATE_STATUSES, dtype=object)[pick]
    inspected = u01("status", "inspected", k) < 0.88
    inspect_day = integers("status", "inspect_day", k, 0, 121)
    posted_on = [SIGN_FIRST_DAY + dt.timedelta(days=int(d)) if s else None for d, s in zip(posted_day, has_sign)]
    last = [INSPECT_FIRST_DAY + dt.timedelta(days=int(d)) if s else None for d, s in zip(inspect_day, inspected)]
    short = [d.split("(")[-1].rstrip(")") for d in sites[schema.OWNING_DEPT]]
    updated = [max([d for d in (p, q) if d is not None], default=INSPECT_FIRST_DAY) for p, q in zip(posted_on, last)]
    return pd.DataFrame({
        schema.SITE_ID: sites[schema.SITE_ID].to_numpy(), schema.SIGN_STATUS: signs, schema.SIGN_POSTED_ON: posted_on,
        schema.GATE_STATUS: gates, schema.LAST_INSPECTED: last,
        schema.UPDATED_BY: [f"SYNTHETIC {s} liaison" for s in short],
        schema.UPDATED_AT: [f"{d.isoformat()}T17:00:00+00:00" for d in updated],
    })
