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
from geo.io import aliases, owners, validate
from geo.io.importers import (
    Canonical,
    ImportContext,
    Rows,
    assign_zones,
    finish,
    geometry_from,
    geometry_stage,
    int_col,
    measure,
    provenance,
    text_col,
)
from geo.io.raw import WkbArray
from geo.io.readers import RawData
from geo.io.sitepoints import points_on_parcels
from geo.messages import M

BASIS_WORDS = schema.CONTROL_BASIS_WORDS
DERIVED_PREFIX = "CLA-"
_AIN_SPLIT = r"[;,|/\s]+"


def derive_sites_from_parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one derived site per City-owned parcel.

    City-owned means owner class ``city`` (:mod:`geo.io.owners`: an agency or owner name naming
    the City of Los Angeles or one of its departments). A public use code alone (8000-8899,
    ``880V``) never makes a City site: such parcels are public but their owner is unknown. City
    property outside the City limits (airport or water land) is City property too. Sites get id
    ``CLA-<AIN>``, department ``unassigned``, origin ``derived_from_parcels`` and listed basis ``owned``.
    """
    classes = parcels[schema.OWNER_CLASS] if schema.OWNER_CLASS in parcels and parcels[schema.OWNER_CLASS].notna().all() \
        else owners.owner_columns(parcels)[schema.OWNER_CLASS]
    chosen = parcels[(classes.astype(object) == "city").to_numpy(bool)]
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
        schema.OWNER_CLASS: "city", schema.LISTED_BASIS: "owned", schema.LISTED_START: None, schema.LISTED_END: None,
        schema.LISTED_DOC: None,
    })
    for extra in schema.column_names(schema.SITES):  # columns other issues add to the layer
        if extra not in out:
            out[extra] = chosen[extra].to_numpy() if extra in chosen else None
    return gpd.GeoDataFrame(out[schema.column_names(schema.SITES)],
                            geometry=gpd.GeoSeries(chosen.geometry.to_numpy(), crs=DISPLAY_CRS))


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
    cols = aliases.match_columns(f.columns, schema.SITES, raw.mapping)
    if schema.OWNING_DEPT not in cols and not ctx.department:
        raise SchemaError(M("{label}: no department column (looked for {tried}). "
                            "Add one, or pass --department NAME for a single department's list.", label=raw.label,
                            tried=", ".join(aliases.ALIASES[schema.SITES][schema.OWNING_DEPT])))
    by_point = schema.AINS not in cols and (_point_geometry(raw) if raw.geometry is not None else
                                            "lat" in cols and "lon" in cols)
    if schema.AINS not in cols and raw.geometry is None and not by_point:
        raise SchemaError(M("{label}: a sites list needs AINs (an AIN or APN column), geometry, or point "
                            "coordinates (X/Y, lat/lon); found {columns}. Add the parcels' AINs, or name the "
                            "coordinate columns with --map lat=COLUMN --map lon=COLUMN.", label=raw.label,
                            columns=str(raw.columns[:12])))
    ains = split_ains(f[cols[schema.AINS]]).reset_index(drop=True) if schema.AINS in cols else pd.Series([[]] * len(f))
    dept = text_col(f, cols, schema.OWNING_DEPT).fillna(ctx.department) if schema.OWNING_DEPT in cols else \
        pd.Series([ctx.department] * len(f), dtype=object)
    given_id = text_col(f, cols, schema.SITE_ID)
    fallback = text_col(f, cols, schema.NAME) if by_point else ains.map(lambda a: f"AIN {a[0]}" if a else None)
    rows = Rows(raw, keys=given_id.where(given_id.notna(), fallback))
    need = pd.Series([None] * len(f), dtype=object)
    need[dept.isna().to_numpy()] = "no owning department; fill the department column or pass --department"
    rows.reject(need)
    listed = _listed_control(f, cols, rows)
    notes: list[str] = []
    if by_point:  # a point per facility: the stored parcel that holds it is the site
        points = geometry_from(rows, raw, cols, family=validate.POINT, invalid=ctx.invalid)
        geoms, ains, notes = points_on_parcels(rows, points, ctx)
    elif raw.geometry is not None:
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
        **listed,
    }).assign(**provenance(raw, cols, ctx, len(f)))
    keep = rows.ok
    frame = _group_sites(attrs[keep], geoms[keep])
    frame = _fill_from_parcels(frame.assign(**{schema.OWNER_CLASS: None}), ctx)
    frame = frame.assign(**{schema.LISTED_BASIS: frame[schema.LISTED_BASIS].where(frame[schema.LISTED_BASIS].notna(),
                                                                                  "unknown")})
    for extra in schema.column_names(schema.SITES):  # columns other steps fill later stay empty here
        if extra not in frame:
            frame[extra] = None
    if len(frame):
        frame = assign_zones(frame.assign(**{schema.AREA_SQFT: measure(frame)["area"]}), ctx)
    return finish(schema.SITES, rows, frame[[*schema.column_names(schema.SITES), "geometry"]] if len(frame) else _empty_sites(),
                  notes)


def _point_geometry(raw: RawData) -> bool:
    """Whether the file's geometry is points (a point layer of facilities), judged by its first features."""
    geoms = raw.geometry
    if geoms is None or not len(geoms):
        return False
    head = geoms.decode(0, min(len(geoms), 1000)) if isinstance(geoms, WkbArray) else np.asarray(geoms[:1000], dtype=object)
    kinds = shapely.get_type_id(head[[g is not None for g in head]])
    return bool(len(kinds)) and bool((kinds == 0).all())


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
        listed = ", ".join(ains.iat[pos]) or M("none")
        reasons.iat[pos] = M("AIN(s) {listed} not among the store's parcels, and the row has no geometry; import "
                             "the County Parcels layer first, or check the AIN", listed=listed)
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
    return _owner_and_basis(out, info)


def _owner_and_basis(frame: gpd.GeoDataFrame, info: pd.DataFrame) -> gpd.GeoDataFrame:
    """Set each site's owner class from its stored parcels, and a missing listed basis to owned for City land."""
    classes = info[schema.OWNER_CLASS] if schema.OWNER_CLASS in info and info[schema.OWNER_CLASS].notna().all() else \
        owners.owner_columns(info)[schema.OWNER_CLASS]
    per_site = [owners.site_owner_class(pd.Series([classes.get(a) for a in str(v).split(";") if a], dtype=object))
                if isinstance(v, str) else None for v in frame[schema.AINS]]
    basis = frame[schema.LISTED_BASIS].where(frame[schema.LISTED_BASIS].notna(),
                                             pd.Series(["owned" if c == "city" else "unknown" for c in per_site],
                                                       index=frame.index))
    return frame.assign(**{schema.OWNER_CLASS: per_site, schema.LISTED_BASIS: basis.to_numpy()})


def _listed_control(f: pd.DataFrame, cols: dict[str, str], rows: Rows) -> dict[str, object]:
    """Return the listed control basis, start, end and document columns; reject rows with unreadable values."""
    words = text_col(f, cols, schema.LISTED_BASIS)
    norm = words.astype("string").str.lower().str.replace(r"[_\-/]+", " ", regex=True).str.replace(
        r"\s+", " ", regex=True).str.strip()
    basis = norm.map(BASIS_WORDS)
    reasons = pd.Series([None] * len(f), dtype=object)
    for pos in np.flatnonzero((words.notna() & basis.isna()).to_numpy()):
        reasons.iat[pos] = M("{column} '{value}' is not a control basis; use owned, leased, "
                             "permit, MOU/joint use, easement or other", column=cols[schema.LISTED_BASIS],
                             value=words.iat[pos])
    dates = {}
    for key in (schema.LISTED_START, schema.LISTED_END):
        raw = text_col(f, cols, key)
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        for pos in np.flatnonzero((raw.notna() & parsed.isna()).to_numpy()):
            if reasons.iat[pos] is None:
                reasons.iat[pos] = M("{column} '{value}' is not a date; write it as YYYY-MM-DD", column=cols[key],
                                     value=raw.iat[pos])
        dates[key] = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
    backwards = (dates[schema.LISTED_END] < dates[schema.LISTED_START]).fillna(False).to_numpy(bool) \
        if schema.LISTED_START in cols and schema.LISTED_END in cols else np.zeros(len(f), bool)
    for pos in np.flatnonzero(backwards):
        if reasons.iat[pos] is None:
            reasons.iat[pos] = M("control ends {end} before it starts {start}; check the dates",
                                 end=dates[schema.LISTED_END].iat[pos], start=dates[schema.LISTED_START].iat[pos])
    rows.reject(reasons)
    return {schema.LISTED_BASIS: basis.astype(object).where(basis.notna(), None).to_numpy(),
            schema.LISTED_START: dates[schema.LISTED_START].to_numpy(), schema.LISTED_END: dates[schema.LISTED_END].to_numpy(),
            schema.LISTED_DOC: text_col(f, cols, schema.LISTED_DOC).to_numpy()}


def replaced_derived_ids(sites: gpd.GeoDataFrame, stored_ids: pd.Series) -> list[str]:
    """Return ids of stored derived sites whose AIN an asset-list site now covers."""
    covered = {a for v in sites[schema.AINS].dropna() for a in str(v).split(";")}
    wanted = {DERIVED_PREFIX + a for a in covered}
    return sorted(i for i in stored_ids if i in wanted and i not in set(sites[schema.SITE_ID]))
