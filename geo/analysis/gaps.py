"""Gap analysis: sign and gate status against the directive's deadlines, KPIs, and hot spots."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.classify import (
    FACILITY,
    OPEN_LAND,
    PARKING_GARAGE,
    PARKING_LOT,
    TRANSIT_TERMINAL,
    VACANT_LOT,
    YARD,
)
from geo.analysis.control import CONTROL_ENDED, PART_UNIT, SITE_UNIT, UNIT_ID, UNIT_KIND
from geo.analysis.proximity import in_window, local_days
from geo.analysis.snap import ADJACENT, CITY_SITE, ON_SITE, OWNER_CLASS, PRIVATE, SNAP_DISTANCE_FT, SNAP_KIND
from geo.config import Directive

#: Directive A.2: locked gates on City parking lots, vacant lots, garages and non-public facilities (yards and
#: terminals are facilities with non-public portions; landfill and reservoir land is fenced, vacant-like land).
#: Parks and golf courses are open to the public: a gate applies to a part drawn on them (their parking lot).
BARRIER_CATEGORIES = (PARKING_LOT, VACANT_LOT, PARKING_GARAGE, FACILITY, YARD, TRANSIT_TERMINAL, OPEN_LAND)
PROTECTED, PARTIAL, UNPROTECTED, NOT_NEEDED = "protected", "partial", "unprotected", "not_needed"
PROTECTION_ORDER = (UNPROTECTED, PARTIAL, PROTECTED)
TIER_ORDER = ("high", "medium", "low")

IDENTIFIED, SIGNED, BARRIER_APPLIES, GATED = "identified", "signed", "barrier_applies", "gated"
CANDIDATE = "candidate"
PROTECTION, PROTECTION_DETAIL = "protection", "protection_detail"
IDENTIFY_OVERDUE_DAYS, SIGN_OVERDUE_DAYS, SIGNED_LATE_DAYS = (
    "identify_overdue_days", "sign_overdue_days", "signed_late_days")
UNKNOWN_OWNER = "(owner not public)"
DIRECTIVE = Directive()
#: Columns every unit (site or part) carries for KPIs, overdue lists and reports.
UNIT_COLUMNS = (UNIT_ID, UNIT_KIND, schema.SITE_ID, schema.PART_ID, schema.NAME, schema.OWNING_DEPT,
                schema.COUNCIL_DISTRICT, "category", schema.DETERMINATION, IDENTIFIED, CANDIDATE, schema.SIGN_STATUS,
                schema.SIGN_POSTED_ON, SIGNED, schema.GATE_STATUS, BARRIER_APPLIES, GATED, PROTECTION,
                PROTECTION_DETAIL, IDENTIFY_OVERDUE_DAYS, SIGN_OVERDUE_DAYS, SIGNED_LATE_DAYS, "final_tier",
                "risk_score", "residual_tier")


def site_gaps(
    sites: pd.DataFrame, status: pd.DataFrame, *, category: pd.Series, as_of: dt.date,
    directive: Directive = DIRECTIVE, control: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return each site's A.1 determination, sign and barrier status and days overdue on ``as_of``.

    ``control`` is :func:`geo.analysis.control.site_control` (aligned to ``sites``); without it
    every site is pending. Identified means the A.1 determination is made (candidate or not).
    Only a candidate needs a sign: signed means ``sign_status == 'posted'`` (a damaged sign
    needs replacing), and a candidate still unsigned after ``sign_by`` is overdue. A pending
    site after ``identify_by`` is overdue for its determination. A barrier applies to parking
    lots, vacant lots, garages and non-public facilities unless recorded as not appropriate;
    gated means 'closed_locked'. Protection of a site that is not a candidate (or whose control
    ended) is ``not_needed``.

    Returns
    -------
    DataFrame
        Aligned to ``sites.index``.
    """
    st = status.drop_duplicates(schema.SITE_ID, keep="last").set_index(schema.SITE_ID) if len(status) else \
        pd.DataFrame(columns=[schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS]).rename_axis(schema.SITE_ID)
    ids = sites[schema.SITE_ID].astype(str).to_numpy()
    if control is None:
        control = pd.DataFrame({schema.DETERMINATION: schema.PENDING, schema.BARRIER_APPROPRIATE: "unknown",
                                CONTROL_ENDED: False}, index=sites.index)
    return _unit_gaps(
        determination=control[schema.DETERMINATION].reindex(sites.index).to_numpy(dtype=object),
        ended=control[CONTROL_ENDED].reindex(sites.index).fillna(False).to_numpy(bool),
        barrier_ok=control[schema.BARRIER_APPROPRIATE].reindex(sites.index).to_numpy(dtype=object),
        sign=st[schema.SIGN_STATUS].reindex(ids).fillna("unknown").to_numpy(dtype=object),
        posted=st[schema.SIGN_POSTED_ON].reindex(ids).to_numpy(dtype=object),
        gate=st[schema.GATE_STATUS].reindex(ids).fillna("unknown").to_numpy(dtype=object),
        category=category.reindex(sites.index), as_of=as_of, directive=directive, index=sites.index)


def part_gaps(parts: pd.DataFrame, *, as_of: dt.date, directive: Directive = DIRECTIVE) -> pd.DataFrame:
    """Return the same columns as :func:`site_gaps` for parts (:func:`geo.analysis.control.active_parts`)."""
    return _unit_gaps(
        determination=parts[schema.DETERMINATION].to_numpy(dtype=object), ended=np.zeros(len(parts), bool),
        barrier_ok=parts[schema.BARRIER_APPROPRIATE].to_numpy(dtype=object),
        sign=parts[schema.SIGN_STATUS].fillna("unknown").to_numpy(dtype=object),
        posted=parts[schema.SIGN_POSTED_ON].to_numpy(dtype=object),
        gate=parts[schema.GATE_STATUS].fillna("unknown").to_numpy(dtype=object),
        category=parts["category"], as_of=as_of, directive=directive, index=parts.index)


def _unit_gaps(*, determination: np.ndarray, ended: np.ndarray, barrier_ok: np.ndarray, sign: np.ndarray,
               posted: np.ndarray, gate: np.ndarray, category: pd.Series, as_of: dt.date, directive: Directive,
               index: pd.Index) -> pd.DataFrame:
    identified = determination != schema.PENDING
    candidate = (determination == schema.CANDIDATE) & ~ended
    needed = candidate | (determination == schema.PENDING)  # a pending unit may still need protecting
    signed = sign == "posted"
    applies = category.isin(BARRIER_CATEGORIES).to_numpy(bool) & (barrier_ok != "no")
    gated = gate == "closed_locked"
    late_id = max((as_of - directive.identify_by).days, 0)
    late_sign = max((as_of - directive.sign_by).days, 0)
    posted_on = pd.to_datetime(pd.Series(posted, dtype=object), errors="coerce").to_numpy()
    signed_late = (posted_on.astype("datetime64[D]") - np.datetime64(directive.sign_by, "D")).astype(float)
    protection = np.where(signed & (gated | ~applies), PROTECTED, np.where(signed | (gated & applies),
                                                                            PARTIAL, UNPROTECTED))
    return pd.DataFrame({
        schema.DETERMINATION: determination, IDENTIFIED: identified, CANDIDATE: candidate,
        schema.SIGN_STATUS: sign, SIGNED: signed, schema.SIGN_POSTED_ON: posted,
        schema.GATE_STATUS: gate, BARRIER_APPLIES: applies, GATED: gated,
        PROTECTION: np.where(needed, protection, NOT_NEEDED),
        PROTECTION_DETAIL: np.where(needed, _detail(signed, gated, applies), _not_needed(determination, ended)),
        IDENTIFY_OVERDUE_DAYS: np.where(identified, 0, late_id),
        SIGN_OVERDUE_DAYS: np.where(candidate & ~signed, late_sign, 0),
        SIGNED_LATE_DAYS: np.where(candidate & signed, np.clip(np.nan_to_num(signed_late), 0, None), 0).astype(int),
    }, index=index)


def unit_table(sites: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """Return sites and their active parts as one table of units (:data:`UNIT_COLUMNS`).

    ``sites`` is the analysis site table; ``parts`` the part table (gaps columns, department,
    district, category). A part takes its site's risk tier and score.
    """
    s = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).assign(
        **{UNIT_ID: sites[schema.SITE_ID].astype(str), UNIT_KIND: SITE_UNIT, schema.PART_ID: None})
    risk = s.drop_duplicates(schema.SITE_ID).set_index(schema.SITE_ID)
    p = pd.DataFrame(parts.drop(columns="geometry", errors="ignore"))
    p = p.assign(**{UNIT_ID: p[schema.PART_ID].astype(str), UNIT_KIND: PART_UNIT,
                    **{c: p[schema.SITE_ID].map(risk[c]).to_numpy(dtype=object) if c in risk else None
                       for c in ("final_tier", "risk_score", "residual_tier")}})
    frames = [f.reindex(columns=list(UNIT_COLUMNS)) for f in (s, p) if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(UNIT_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    for col in (IDENTIFIED, CANDIDATE, SIGNED, BARRIER_APPLIES, GATED):
        out[col] = out[col].fillna(False).astype(bool)
    for col in (IDENTIFY_OVERDUE_DAYS, SIGN_OVERDUE_DAYS, SIGNED_LATE_DAYS):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)
    return out


def risk_protection_matrix(tier: pd.Series, protection: pd.Series) -> pd.DataFrame:
    """Return counts by tier (high first) and protection (unprotected first); units needing no sign are left out."""
    keep = protection.isin(PROTECTION_ORDER).to_numpy(bool) & tier.isin(TIER_ORDER).to_numpy(bool)
    tier, protection = tier[keep], protection[keep]
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
    """Return coverage KPIs per ``by`` (``owning_dept`` or ``council_district``) over units (sites and parts).

    Only candidates need a sign. Columns: ``sites`` and ``parts`` (units of each kind),
    ``identified`` (A.1 determination made), ``pending``, ``candidates``, ``signed_identified``
    (candidates signed), ``barrier_sites`` (candidates where a barrier applies), ``gated`` (of
    those, closed and locked), ``identify_overdue`` and ``sign_overdue`` (units past each
    deadline), ``pct_signed`` (of candidates) and ``pct_gated`` (of barrier units). A table of
    sites alone (no ``unit_kind``) counts every row as a site.
    """
    cand = table[CANDIDATE].astype(bool) if CANDIDATE in table else pd.Series(False, index=table.index)
    kind = table[UNIT_KIND] if UNIT_KIND in table else pd.Series(SITE_UNIT, index=table.index)
    t = table.assign(
        _site=kind == SITE_UNIT, _part=kind == PART_UNIT, _cand=cand, _pending=~table[IDENTIFIED].astype(bool),
        _signed=table[SIGNED].astype(bool) & cand, _barrier=table[BARRIER_APPLIES].astype(bool) & cand,
        _gated=table[GATED].astype(bool) & table[BARRIER_APPLIES].astype(bool) & cand,
        _id_late=table[IDENTIFY_OVERDUE_DAYS] > 0, _sign_late=table[SIGN_OVERDUE_DAYS] > 0,
        _key=table[by].astype(object).where(table[by].notna(), "(none)"),
    )
    g = t.groupby("_key", sort=True)
    out = pd.DataFrame({
        "sites": g["_site"].sum(), "parts": g["_part"].sum(), "identified": g[IDENTIFIED].sum(),
        "pending": g["_pending"].sum(), "candidates": g["_cand"].sum(), "signed_identified": g["_signed"].sum(),
        "barrier_sites": g["_barrier"].sum(), "gated": g["_gated"].sum(),
        "identify_overdue": g["_id_late"].sum(), "sign_overdue": g["_sign_late"].sum(),
    }).astype(int)
    out["pct_signed"] = _pct(out["signed_identified"], out["candidates"])
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
    out = out[out[PROTECTION].isin([UNPROTECTED, PARTIAL])]  # protected, or no sign needed: not a gap
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


def _not_needed(determination: np.ndarray, ended: np.ndarray) -> np.ndarray:
    return np.where(ended, "City control ended: no sign needed", "not a candidate (A.1): no sign needed").astype(object)


def _detail(signed: np.ndarray, gated: np.ndarray, applies: np.ndarray) -> np.ndarray:
    sign_words = np.where(signed, "signed", "not signed")
    gate_words = np.where(~applies, "no barrier needed", np.where(gated, "gated and locked", "not gated"))
    return np.char.add(np.char.add(sign_words.astype(str), ", "), gate_words.astype(str)).astype(object)
