"""Gap analysis: sign and gate status against the directive's deadlines, KPIs, and hot spots."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.classify import FACILITY, PARKING_GARAGE, PARKING_LOT, VACANT_LOT
from geo.analysis.proximity import in_window, local_days
from geo.analysis.snap import ADJACENT, CITY_SITE, ON_SITE, OWNER_CLASS, PRIVATE, SNAP_DISTANCE_FT, SNAP_KIND
from geo.config import Directive

#: Directive A.2: locked gates on City parking lots, vacant lots, garages and non-public facilities.
BARRIER_CATEGORIES = (PARKING_LOT, VACANT_LOT, PARKING_GARAGE, FACILITY)
PROTECTED, PARTIAL, UNPROTECTED = "protected", "partial", "unprotected"
PROTECTION_ORDER = (UNPROTECTED, PARTIAL, PROTECTED)
TIER_ORDER = ("high", "medium", "low")

IDENTIFIED, SIGNED, BARRIER_APPLIES, GATED = "identified", "signed", "barrier_applies", "gated"
PROTECTION, PROTECTION_DETAIL = "protection", "protection_detail"
IDENTIFY_OVERDUE_DAYS, SIGN_OVERDUE_DAYS, SIGNED_LATE_DAYS = (
    "identify_overdue_days", "sign_overdue_days", "signed_late_days")
UNKNOWN_OWNER = "(owner not public)"
DIRECTIVE = Directive()


def site_gaps(
    sites: pd.DataFrame, status: pd.DataFrame, *, category: pd.Series, as_of: dt.date,
    directive: Directive = DIRECTIVE,
) -> pd.DataFrame:
    """Return each site's identification, sign and barrier status and days overdue on ``as_of``.

    A site is identified when a department owns it (``owning_dept`` is not 'unassigned').
    Signed means ``sign_status == 'posted'`` (a damaged sign needs replacing). Days overdue are
    calendar days past ``identify_by`` / ``sign_by`` while the step is undone (0 on the deadline
    itself); ``signed_late_days`` records a sign posted after ``sign_by``. A barrier applies to
    parking lots, vacant lots, garages and non-public facilities; gated means 'closed_locked'.

    Returns
    -------
    DataFrame
        Aligned to ``sites.index``.
    """
    st = status.drop_duplicates(schema.SITE_ID, keep="last").set_index(schema.SITE_ID) if len(status) else \
        pd.DataFrame(columns=[schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS]).rename_axis(schema.SITE_ID)
    ids = sites[schema.SITE_ID].astype(str).to_numpy()
    sign = st[schema.SIGN_STATUS].reindex(ids).fillna("unknown").to_numpy(dtype=object)
    gate = st[schema.GATE_STATUS].reindex(ids).fillna("unknown").to_numpy(dtype=object)
    posted_on = pd.to_datetime(st[schema.SIGN_POSTED_ON].reindex(ids), errors="coerce").to_numpy()
    identified = (sites[schema.OWNING_DEPT].fillna(schema.UNASSIGNED) != schema.UNASSIGNED).to_numpy()
    signed = sign == "posted"
    applies = category.reindex(sites.index).isin(BARRIER_CATEGORIES).to_numpy()
    gated = gate == "closed_locked"
    late_id = max((as_of - directive.identify_by).days, 0)
    late_sign = max((as_of - directive.sign_by).days, 0)
    signed_late = (posted_on.astype("datetime64[D]") - np.datetime64(directive.sign_by, "D")).astype(float)
    protection = np.where(signed & (gated | ~applies), PROTECTED, np.where(signed | (gated & applies),
                                                                            PARTIAL, UNPROTECTED))
    return pd.DataFrame({
        IDENTIFIED: identified, schema.SIGN_STATUS: sign, SIGNED: signed,
        schema.SIGN_POSTED_ON: st[schema.SIGN_POSTED_ON].reindex(ids).to_numpy(dtype=object),
        schema.GATE_STATUS: gate, BARRIER_APPLIES: applies, GATED: gated,
        PROTECTION: protection, PROTECTION_DETAIL: _detail(signed, gated, applies),
        IDENTIFY_OVERDUE_DAYS: np.where(identified, 0, late_id),
        SIGN_OVERDUE_DAYS: np.where(signed, 0, late_sign),
        SIGNED_LATE_DAYS: np.where(signed, np.clip(np.nan_to_num(signed_late), 0, None), 0).astype(int),
    }, index=sites.index)


def risk_protection_matrix(tier: pd.Series, protection: pd.Series) -> pd.DataFrame:
    """Return site counts by tier (high first) and protection (unprotected first)."""
    table = pd.crosstab(pd.Categorical(tier, TIER_ORDER), pd.Categorical(protection, PROTECTION_ORDER),
                        dropna=False)
    table.index.name, table.columns.name = "tier", "protection"
    return table.reindex(index=list(TIER_ORDER), columns=list(PROTECTION_ORDER), fill_value=0)


def priority_order(tier: pd.Series, protection: pd.Series, score: pd.Series) -> pd.Index:
    """Return the index ordered high risk and unprotected first, then by score (highest first)."""
    key = pd.DataFrame({
        "t": tier.map({t: i for i, t in enumerate(TIER_ORDER)}),
        "p": protection.map({p: i for i, p in enumerate(PROTECTION_ORDER)}), "s": -score,
    })
    return key.sort_values(["t", "p", "s"], kind="stable").index


def kpis(table: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Return coverage KPIs per ``by`` (``owning_dept`` or ``council_district``).

    ``pct_signed`` is signed among identified sites; ``pct_gated`` is gated among sites where a
    barrier applies; overdue counts are sites past the identify or sign deadline.
    """
    t = table.assign(
        _signed_id=table[SIGNED] & table[IDENTIFIED], _gated=table[GATED] & table[BARRIER_APPLIES],
        _id_late=table[IDENTIFY_OVERDUE_DAYS] > 0, _sign_late=table[SIGN_OVERDUE_DAYS] > 0,
        _key=table[by].astype(object).where(table[by].notna(), "(none)"),
    )
    g = t.groupby("_key", sort=True)
    out = pd.DataFrame({
        "sites": g.size(), "identified": g[IDENTIFIED].sum(), "signed_identified": g["_signed_id"].sum(),
        "barrier_sites": g[BARRIER_APPLIES].sum(), "gated": g["_gated"].sum(),
        "identify_overdue": g["_id_late"].sum(), "sign_overdue": g["_sign_late"].sum(),
    }).astype(int)
    out["pct_signed"] = _pct(out["signed_identified"], out["identified"])
    out["pct_gated"] = _pct(out["gated"], out["barrier_sites"])
    out.index.name = by
    return out.reset_index()


def incidents_near_unprotected(snapped: pd.DataFrame, site_table: pd.DataFrame) -> pd.DataFrame:
    """Return incidents on or beside a City site that is not fully protected.

    Parameters
    ----------
    snapped : DataFrame
        :func:`geo.analysis.snap.snap_incidents` output joined with ``incident_id``, ``occurred_at`` and
        ``incident_type``.
    site_table : DataFrame
        Per site: ``site_id``, ``protection``, ``final_tier``, ``risk_score``, ``owning_dept``.
    """
    near = snapped[(snapped[OWNER_CLASS] == CITY_SITE) & snapped[SNAP_KIND].isin([ON_SITE, ADJACENT])]
    info = site_table[[schema.SITE_ID, PROTECTION, "final_tier", "risk_score"]]
    out = near.merge(info, on=schema.SITE_ID, how="inner")  # merge, not join: pandas 3 keeps site_id as index on empty joins
    out = out[out[PROTECTION] != PROTECTED]
    cols = [schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE, schema.SITE_ID, schema.OWNING_DEPT, SNAP_KIND,
            SNAP_DISTANCE_FT, PROTECTION, "final_tier", "risk_score"]
    return out[[c for c in cols if c in out.columns]].sort_values([schema.SITE_ID, schema.OCCURRED_AT], kind="stable")


def private_hot_spots(
    snapped: pd.DataFrame, parcels: pd.DataFrame, *, as_of: dt.date, recent_days: int, min_incidents: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return private parcels with repeat incidents (on-site or adjacent) and a roll-up by owner.

    A parcel is a hot spot with at least ``min_incidents`` incidents up to ``as_of``;
    ``repeat_recent`` marks those with that many in the last ``recent_days`` days. Owners are
    rolled up where known; parcels without a public owner are grouped as one row.

    Returns
    -------
    (DataFrame, DataFrame)
        Hot spots by parcel (most incidents first) and by owner.
    """
    mask = (snapped[OWNER_CLASS] == PRIVATE) & snapped[schema.AIN].notna()
    hits = snapped.loc[mask, [schema.AIN, schema.OCCURRED_AT]]
    local = local_days(hits[schema.OCCURRED_AT])
    upto = in_window(local, as_of=as_of, days=None)
    recent = in_window(local, as_of=as_of, days=recent_days)
    hits = hits.assign(_n=upto.astype(int), _recent=recent.astype(int))[upto]
    g = hits.groupby(schema.AIN)
    per = pd.DataFrame({"incidents": g["_n"].sum(), "incidents_recent": g["_recent"].sum(),
                        "first_at": g[schema.OCCURRED_AT].min(), "last_at": g[schema.OCCURRED_AT].max()})
    per = per[per["incidents"] >= min_incidents]
    per["repeat_recent"] = per["incidents_recent"] >= min_incidents
    keep = [c for c in (schema.AIN, schema.OWNER_NAME, schema.USE_CODE, schema.USE_DESCRIPTION, schema.COUNCIL_DISTRICT, schema.LAPD_AREA)
            if c in parcels.columns]
    info = parcels[keep].drop_duplicates(schema.AIN).set_index(schema.AIN)
    per = per.join(info, how="left").reset_index().sort_values(["incidents", schema.AIN], ascending=[False, True])
    owner = per[schema.OWNER_NAME].fillna(UNKNOWN_OWNER) if schema.OWNER_NAME in per else \
        pd.Series(UNKNOWN_OWNER, index=per.index)
    by_owner = per.assign(_owner=owner).groupby("_owner").agg(
        parcels=(schema.AIN, "size"), incidents=("incidents", "sum"), incidents_recent=("incidents_recent", "sum"),
        repeat_recent_parcels=("repeat_recent", "sum"), last_at=("last_at", "max"),
    ).rename_axis(schema.OWNER_NAME).reset_index().sort_values(["incidents", schema.OWNER_NAME],
                                                          ascending=[False, True])
    return per.reset_index(drop=True), by_owner.reset_index(drop=True)


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return (100.0 * num / den.where(den > 0)).round(1)


def _detail(signed: np.ndarray, gated: np.ndarray, applies: np.ndarray) -> np.ndarray:
    sign_words = np.where(signed, "signed", "not signed")
    gate_words = np.where(~applies, "no barrier needed", np.where(gated, "gated and locked", "not gated"))
    return np.char.add(np.char.add(sign_words.astype(str), ", "), gate_words.astype(str)).astype(object)
