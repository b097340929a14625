"""City sites: from a department's asset list (AINs and/or geometry), or derived from City-owned parcels."""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS
from geo.errors import SchemaError
from geo.io import aliases, validate
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
    names = (parcels[schema.OWNER_NAME].astype("string").fillna("") + " | "
             + parcels[schema.AGENCY_NAME].astype("string").fillna("")).str.upper()
    named = names.str.contains(CITY_OWNER_PATTERN, regex=True).fillna(False).to_numpy(bool)
    code = parcels[schema.USE_CODE].astype("string").fillna("")
    lead = pd.to_numeric(code.str[:2].where(code.str[:2].str.fullmatch(r"\d\d").fillna(False)), errors="coerce")
    public = ((lead >= 80) & (lead <= 88)).fillna(False).to_numpy(bool)
    in_city = (parcels[schema.JURISDICTION_CITY].astype("string").str.strip().str.upper() == "LOS ANGELES").fillna(False)
    chosen = parcels[(named | public) & in_city.to_numpy(bool)]
    if not len(chosen):
        return _empty_sites()
    out = pd.DataFrame({
        schema.SITE_ID: (DERIVED_PREFIX + chosen[schema.AIN]).to_numpy(), schema.AINS: chosen[schema.AIN].to_numpy(),
        schema.NAME: chosen[schema.SITUS_ADDRESS].fillna(chosen[schema.APN]).to_numpy(), schema.OWNING_DEPT: schema.UNASSIGNED,
        schema.ASSET_TYPE: None, schema.ADDRESS: chosen[schema.SITUS_ADDRESS].to_numpy(),
        schema.USE_CODE: chosen[schema.USE_CODE].to_numpy(), schema.USE_DESCRIPTION: chosen[schema.USE_DESCRIPTION].to_numpy(),
        schema.BLDG_SQFT: chosen[schema.BLDG_SQFT].to_numpy(), schema.YEAR_BUILT: chosen[schema.YEAR_BUILT].to_numpy(),
        schema.COUNCIL_DISTRICT: chosen[schema.COUNCIL_DISTRICT].to_numpy(), schema.LAPD_AREA: chosen[schema.LAPD_AREA].to_numpy(),
        schema.AREA_SQFT: chosen[schema.LOT_SQFT].to_numpy(), schema.SITE_ORIGIN: schema.DERIVED_FROM_PARCELS,
        schema.IS_SYNTHETIC: chosen[schema.IS_SYNTHETIC].to_numpy(), schema.SOURCE: chosen[schema.SOURCE].to_numpy(),
        schema.SOURCE_URL: chosen[schema.SOURCE_URL].to_numpy(), schema.FETCHED_AT: chosen[schema.FETCHED_AT].to_numpy(),
    })
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(chosen.geometry.to_numpy(), crs=DISPLAY_CRS))


def _empty_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in schema.column_names(schema.SITES)}, geometry=gpd.GeoSeries([], crs=DISPLAY_CRS))


def split_ains(values: pd.Series) -> pd.Series:
    """Return a list of 10-digit AINs per cell (cells may hold several, split by ``; , | /`` or spaces)."""
    text = values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    text = text.str.replace(r"(\d{4})-(\d{3})-(\d{3})", r"\1\2\3", regex=True)
    parts = text.str.split(_AIN_SPLIT, regex=True)
    return parts.map(lambda ps: [a for a in aliases.normalize_ain(pd.Series(ps, dtype=object)) if a]
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
    cols = aliases.match_columns(f.columns, schema.SITES)
    if schema.OWNING_DEPT not in cols and not ctx.department:
        raise SchemaError(f"{raw.label}: no department column (looked for {', '.join(aliases.ALIASES[schema.SITES][schema.OWNING_DEPT])}). "
                          "Add one, or pass --department NAME for a single department's list.")
    if schema.AINS not in cols and raw.geometry is None:
        raise SchemaError(f"{raw.label}: a sites list needs AINs (an AIN or APN column) or geometry; found "
                          f"{list(f.columns)[:12]}. Add the parcels' AINs.")
    ains = split_ains(f[cols[schema.AINS]]).reset_index(drop=True) if schema.AINS in cols else pd.Series([[]] * len(f))
    dept = text_col(f, cols, schema.OWNING_DEPT).fillna(ctx.department) if schema.OWNING_DEPT in cols else \
        pd.Series([ctx.department] * len(f), dtype=object)
    given_id = text_col(f, cols, schema.SITE_ID)
    rows = Rows(raw, keys=given_id.where(given_id.notna(), ains.map(lambda a: f"AIN {a[0]}" if a else None)))
    need = pd.Series([None] * len(f), dtype=object)
    need[dept.isna().to_numpy()] = "no owning department; fill the department column or pass --department"
    rows.reject(need)
    if raw.geometry is not None:
        geoms = geometry_stage(rows, raw.geometry, raw.crs or DISPLAY_CRS, family=validate.POLYGON, invalid=ctx.invalid)
    else:
        geoms = _geometry_from_parcels(rows, ains, ctx)
    ids = given_id.where(given_id.notna(), _default_ids(ains, geoms))
    attrs = pd.DataFrame({
        schema.SITE_ID: ids, schema.AINS: ains.map(lambda a: ";".join(a) if a else None), schema.NAME: text_col(f, cols, schema.NAME),
        schema.OWNING_DEPT: dept, schema.ASSET_TYPE: text_col(f, cols, schema.ASSET_TYPE), schema.ADDRESS: text_col(f, cols, schema.ADDRESS),
        schema.USE_CODE: aliases.normalize_use_code(f[cols[schema.USE_CODE]]).to_numpy() if schema.USE_CODE in cols else None,
        schema.USE_DESCRIPTION: text_col(f, cols, schema.USE_DESCRIPTION),
        schema.BLDG_SQFT: aliases.to_number(f[cols[schema.BLDG_SQFT]]).to_numpy() if schema.BLDG_SQFT in cols else np.nan,
        schema.YEAR_BUILT: int_col(f, cols, schema.YEAR_BUILT, lo=1700, hi=2100),
        schema.COUNCIL_DISTRICT: int_col(f, cols, schema.COUNCIL_DISTRICT, lo=1, hi=15),
        schema.LAPD_AREA: int_col(f, cols, schema.LAPD_AREA, lo=1, hi=21), schema.SITE_ORIGIN: schema.ASSET_LIST,
    }).assign(**provenance(raw, cols, ctx, len(f)))
    keep = rows.ok
    frame = _group_sites(attrs[keep], geoms[keep])
    frame = _fill_from_parcels(frame, ctx)
    if len(frame):
        frame = assign_zones(frame.assign(**{schema.AREA_SQFT: measure(frame)["area"]}), ctx)
    return finish(schema.SITES, rows, frame[[*schema.column_names(schema.SITES), "geometry"]] if len(frame) else _empty_sites())


def _geometry_from_parcels(rows: Rows, ains: pd.Series, ctx: ImportContext) -> np.ndarray:
    stored = ctx.parcels() if ctx.parcels is not None else None
    lookup = pd.Series(dtype=object) if stored is None or not len(stored) else \
        pd.Series(np.asarray(stored.geometry.array, dtype=object), index=stored[schema.AIN].to_numpy())
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
        out[unions.index.to_numpy()] = validate.polygonal_part(unions.to_numpy())
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
    dup = frame[schema.SITE_ID].duplicated(keep=False).to_numpy()
    if not dup.any():
        return frame
    grouped = frame[dup].groupby(schema.SITE_ID, sort=False)
    joined = grouped[schema.AINS].agg(lambda s: ";".join(dict.fromkeys(a for v in s.dropna() for a in v.split(";"))) or None)
    unions = grouped.geometry.agg(lambda g: shapely.union_all(g.to_numpy()))
    firsts = frame[dup].drop_duplicates(schema.SITE_ID).set_index(schema.SITE_ID)
    firsts[schema.AINS] = joined
    merged = gpd.GeoDataFrame(firsts.reset_index(), geometry=gpd.GeoSeries(
        validate.polygonal_part(unions.loc[firsts.index].to_numpy()), crs=DISPLAY_CRS))
    return pd.concat([frame[~dup], merged[frame.columns]], ignore_index=True)


def _fill_from_parcels(frame: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
    """Fill use code, description, building area and year from the site's first stored parcel."""
    if not len(frame) or ctx.parcels is None or frame[schema.AINS].isna().all():
        return frame
    stored = ctx.parcels()
    if stored is None or not len(stored):
        return frame
    first = frame[schema.AINS].astype("string").str.split(";").str[0]
    info = stored.drop_duplicates(schema.AIN).set_index(schema.AIN)
    out = frame.copy()
    for col in (schema.USE_CODE, schema.USE_DESCRIPTION, schema.BLDG_SQFT, schema.YEAR_BUILT, schema.ADDRESS):
        src = schema.SITUS_ADDRESS if col == schema.ADDRESS else col
        filled = first.map(info[src].to_dict())
        out[col] = out[col].where(out[col].notna(), filled.to_numpy())
    return out


def replaced_derived_ids(sites: gpd.GeoDataFrame, stored_ids: pd.Series) -> list[str]:
    """Return ids of stored derived sites whose AIN an asset-list site now covers."""
    covered = {a for v in sites[schema.AINS].dropna() for a in str(v).split(";")}
    wanted = {DERIVED_PREFIX + a for a in covered}
    return sorted(i for i in stored_ids if i in wanted and i not in set(sites[schema.SITE_ID]))
