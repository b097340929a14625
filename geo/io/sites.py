"""City sites: from a department's asset list (AINs and/or geometry), or derived from City-owned parcels."""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema as S
from geo.config import DISPLAY_CRS
from geo.errors import SchemaError
from geo.io import aliases as A
from geo.io import validate as V
from geo.io.importers import (
    Canonical,
    ImportContext,
    Rows,
    assign_zones,
    finish,
    geometry_stage,
    int_col,
    measure,
    provenance,
    text_col,
)
from geo.io.readers import RawData

CITY_OWNER_PATTERN = r"CITY OF (?:LOS ANGELES|L\.? ?A\.?)\b|\bL\.? ?A\.? CITY\b|LOS ANGELES CITY"
DERIVED_PREFIX = "CLA-"
_AIN_SPLIT = r"[;,|/\s]+"


def derive_sites_from_parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one derived site per City-owned parcel inside the City of Los Angeles.

    City-owned means an owner or agency name naming the City of Los Angeles, or a public use
    code 8000-8899 (incl. ``880V``); inside the City means ``jurisdiction_city == 'LOS ANGELES'``.
    Sites get id ``CLA-<AIN>``, department ``unassigned`` and origin ``derived_from_parcels``.
    """
    names = (parcels[S.OWNER_NAME].astype("string").fillna("") + " | "
             + parcels[S.AGENCY_NAME].astype("string").fillna("")).str.upper()
    named = names.str.contains(CITY_OWNER_PATTERN, regex=True).fillna(False).to_numpy(bool)
    code = parcels[S.USE_CODE].astype("string").fillna("")
    lead = pd.to_numeric(code.str[:2].where(code.str[:2].str.fullmatch(r"\d\d").fillna(False)), errors="coerce")
    public = ((lead >= 80) & (lead <= 88)).fillna(False).to_numpy(bool)
    in_city = (parcels[S.JURISDICTION_CITY].astype("string").str.strip().str.upper() == "LOS ANGELES").fillna(False)
    chosen = parcels[(named | public) & in_city.to_numpy(bool)]
    if not len(chosen):
        return _empty_sites()
    out = pd.DataFrame({
        S.SITE_ID: (DERIVED_PREFIX + chosen[S.AIN]).to_numpy(), S.AINS: chosen[S.AIN].to_numpy(),
        S.NAME: chosen[S.SITUS_ADDRESS].fillna(chosen[S.APN]).to_numpy(), S.OWNING_DEPT: S.UNASSIGNED,
        S.ASSET_TYPE: None, S.ADDRESS: chosen[S.SITUS_ADDRESS].to_numpy(),
        S.USE_CODE: chosen[S.USE_CODE].to_numpy(), S.USE_DESCRIPTION: chosen[S.USE_DESCRIPTION].to_numpy(),
        S.BLDG_SQFT: chosen[S.BLDG_SQFT].to_numpy(), S.YEAR_BUILT: chosen[S.YEAR_BUILT].to_numpy(),
        S.COUNCIL_DISTRICT: chosen[S.COUNCIL_DISTRICT].to_numpy(), S.LAPD_AREA: chosen[S.LAPD_AREA].to_numpy(),
        S.AREA_SQFT: chosen[S.LOT_SQFT].to_numpy(), S.SITE_ORIGIN: "derived_from_parcels",
        S.IS_SYNTHETIC: chosen[S.IS_SYNTHETIC].to_numpy(), S.SOURCE: chosen[S.SOURCE].to_numpy(),
        S.SOURCE_URL: chosen[S.SOURCE_URL].to_numpy(), S.FETCHED_AT: chosen[S.FETCHED_AT].to_numpy(),
    })
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(chosen.geometry.to_numpy(), crs=DISPLAY_CRS))


def _empty_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in S.column_names(S.SITES)}, geometry=gpd.GeoSeries([], crs=DISPLAY_CRS))


def split_ains(values: pd.Series) -> pd.Series:
    """Return a list of 10-digit AINs per cell (cells may hold several, split by ``; , | /`` or spaces)."""
    text = values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    text = text.str.replace(r"(\d{4})-(\d{3})-(\d{3})", r"\1\2\3", regex=True)
    parts = text.str.split(_AIN_SPLIT, regex=True)
    return parts.map(lambda ps: [a for a in A.normalize_ain(pd.Series(ps, dtype=object)) if a]
                     if isinstance(ps, list) else [])


def canonical_sites(raw: RawData, ctx: ImportContext) -> Canonical:
    """Return asset-list sites: geometry from the file, or the union of the stored parcels of their AINs.

    Rows sharing a ``site_id`` form one site. Derived sites sharing an AIN are listed in the
    notes and replaced by the caller.

    Raises
    ------
    SchemaError
        Without a department (column or ``--department``), or without AINs and geometry.
    """
    f = raw.frame
    cols = A.match_columns(f.columns, S.SITES)
    if S.OWNING_DEPT not in cols and not ctx.department:
        raise SchemaError(f"{raw.label}: no department column (looked for {', '.join(A.ALIASES[S.SITES][S.OWNING_DEPT])}). "
                          "Add one, or pass --department NAME for a single department's list.")
    if S.AINS not in cols and raw.geometry is None:
        raise SchemaError(f"{raw.label}: a sites list needs AINs (an AIN or APN column) or geometry; found "
                          f"{list(f.columns)[:12]}. Add the parcels' AINs.")
    ains = split_ains(f[cols[S.AINS]]).reset_index(drop=True) if S.AINS in cols else pd.Series([[]] * len(f))
    dept = text_col(f, cols, S.OWNING_DEPT).fillna(ctx.department) if S.OWNING_DEPT in cols else \
        pd.Series([ctx.department] * len(f), dtype=object)
    given_id = text_col(f, cols, S.SITE_ID)
    rows = Rows(raw, keys=given_id.where(given_id.notna(), ains.map(lambda a: f"AIN {a[0]}" if a else None)))
    need = pd.Series([None] * len(f), dtype=object)
    need[dept.isna().to_numpy()] = "no owning department; fill the department column or pass --department"
    rows.reject(need)
    if raw.geometry is not None:
        geoms = geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=V.POLYGON, invalid=ctx.invalid)
    else:
        geoms = _geometry_from_parcels(rows, ains, ctx)
    ids = given_id.where(given_id.notna(), _default_ids(ains, geoms))
    attrs = pd.DataFrame({
        S.SITE_ID: ids, S.AINS: ains.map(lambda a: ";".join(a) if a else None), S.NAME: text_col(f, cols, S.NAME),
        S.OWNING_DEPT: dept, S.ASSET_TYPE: text_col(f, cols, S.ASSET_TYPE), S.ADDRESS: text_col(f, cols, S.ADDRESS),
        S.USE_CODE: A.normalize_use_code(f[cols[S.USE_CODE]]).to_numpy() if S.USE_CODE in cols else None,
        S.USE_DESCRIPTION: text_col(f, cols, S.USE_DESCRIPTION),
        S.BLDG_SQFT: A.to_number(f[cols[S.BLDG_SQFT]]).to_numpy() if S.BLDG_SQFT in cols else np.nan,
        S.YEAR_BUILT: int_col(f, cols, S.YEAR_BUILT, lo=1700, hi=2100),
        S.COUNCIL_DISTRICT: int_col(f, cols, S.COUNCIL_DISTRICT, lo=1, hi=15),
        S.LAPD_AREA: int_col(f, cols, S.LAPD_AREA, lo=1, hi=21), S.SITE_ORIGIN: "asset_list",
    }).assign(**provenance(raw, cols, ctx, len(f)))
    keep = rows.ok
    frame = _group_sites(attrs[keep], geoms[keep])
    frame = _fill_from_parcels(frame, ctx)
    if len(frame):
        frame = assign_zones(frame.assign(**{S.AREA_SQFT: measure(frame)["area"]}), ctx)
    return finish(S.SITES, rows, frame[[*S.column_names(S.SITES), "geometry"]] if len(frame) else _empty_sites())


def _geometry_from_parcels(rows: Rows, ains: pd.Series, ctx: ImportContext) -> np.ndarray:
    stored = ctx.parcels() if ctx.parcels is not None else None
    lookup = pd.Series(dtype=object) if stored is None or not len(stored) else \
        pd.Series(np.asarray(stored.geometry.array, dtype=object), index=stored[S.AIN].to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    flat = ains.explode()
    found = flat.isin(lookup.index) & flat.notna()
    reasons = pd.Series([None] * len(ains), dtype=object)
    counts = found.groupby(level=0).sum().reindex(range(len(ains)), fill_value=0).to_numpy()
    for pos in np.flatnonzero(counts == 0):
        listed = ", ".join(ains.iat[pos]) or "none"
        reasons.iat[pos] = (f"AIN(s) {listed} not among the store's parcels, and the row has no geometry; import "
                            "the County Parcels layer first, or check the AIN")
    rows.reject(reasons)
    hits = flat[found]
    out = np.full(len(ains), None, dtype=object)
    if len(hits):
        geoms = pd.Series(lookup.loc[hits.to_numpy()].to_numpy(), index=hits.index)
        unions = geoms.groupby(level=0).agg(lambda g: shapely.union_all(g.to_numpy()))
        out[unions.index.to_numpy()] = V.polygonal_part(unions.to_numpy())
    return out


def _default_ids(ains: pd.Series, geoms: np.ndarray) -> pd.Series:
    def one(pos: int) -> str | None:
        if ains.iat[pos]:
            return f"SITE-{ains.iat[pos][0]}"
        g = geoms[pos]
        return None if g is None else "SITE-" + hashlib.sha1(shapely.to_wkb(g)).hexdigest()[:10]
    return pd.Series([one(i) for i in range(len(ains))], dtype=object)


def _group_sites(attrs: pd.DataFrame, geoms: np.ndarray) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(attrs.reset_index(drop=True), geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))
    dup = frame[S.SITE_ID].duplicated(keep=False).to_numpy()
    if not dup.any():
        return frame
    grouped = frame[dup].groupby(S.SITE_ID, sort=False)
    joined = grouped[S.AINS].agg(lambda s: ";".join(dict.fromkeys(a for v in s.dropna() for a in v.split(";"))) or None)
    unions = grouped.geometry.agg(lambda g: shapely.union_all(g.to_numpy()))
    firsts = frame[dup].drop_duplicates(S.SITE_ID).set_index(S.SITE_ID)
    firsts[S.AINS] = joined
    merged = gpd.GeoDataFrame(firsts.reset_index(), geometry=gpd.GeoSeries(
        V.polygonal_part(unions.loc[firsts.index].to_numpy()), crs=DISPLAY_CRS))
    return pd.concat([frame[~dup], merged[frame.columns]], ignore_index=True)


def _fill_from_parcels(frame: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
    """Fill use code, description, building area and year from the site's first stored parcel."""
    if not len(frame) or ctx.parcels is None or frame[S.AINS].isna().all():
        return frame
    stored = ctx.parcels()
    if stored is None or not len(stored):
        return frame
    first = frame[S.AINS].astype("string").str.split(";").str[0]
    info = stored.drop_duplicates(S.AIN).set_index(S.AIN)
    out = frame.copy()
    for col in (S.USE_CODE, S.USE_DESCRIPTION, S.BLDG_SQFT, S.YEAR_BUILT, S.ADDRESS):
        src = S.SITUS_ADDRESS if col == S.ADDRESS else col
        filled = first.map(info[src].to_dict())
        out[col] = out[col].where(out[col].notna(), filled.to_numpy())
    return out


def replaced_derived_ids(sites: gpd.GeoDataFrame, stored_ids: pd.Series) -> list[str]:
    """Return ids of stored derived sites whose AIN an asset-list site now covers."""
    covered = {a for v in sites[S.AINS].dropna() for a in str(v).split(";")}
    wanted = {DERIVED_PREFIX + a for a in covered}
    return sorted(i for i in stored_ids if i in wanted and i not in set(sites[S.SITE_ID]))
