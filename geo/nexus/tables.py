"""Nexus-study tables for Directive D: affected private parcels, incident ledger, roll-ups, costs and fees.

Planning's impact fee on owners who give site control for immigration enforcement needs the
cost per unit (incident, site, square foot of parking) attributable to those sites. Every
table here ties out to the others: the ledger is the snapping table, the inventory counts the
ledger, the owner roll-up sums the inventory, and each fee scenario is checked against the
cost attributable to each parcel (a fee never exceeds it). Unit costs are editable
assumptions with a source and a year; the defaults are PLACEHOLDERS, not City costs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.analysis.gaps import UNKNOWN_OWNER
from geo.analysis.relevance import enforcement_incidents, relevance_of
from geo.analysis.snap import ADJACENT, NONE, ON_SITE, OWNER_CLASS, PRIVATE, SNAP_DISTANCE_FT, SNAP_KIND
from geo.analysis.timefmt import local_iso
from geo.config import LOCAL_TZ
from geo.errors import SchemaError
from geo.messages import M, join

PLACEHOLDER = "PLACEHOLDER"
PLACEHOLDER_SOURCE = "PLACEHOLDER - illustrative round number, not a City cost; replace with a sourced figure"
UNIT_COST_COLUMNS = ("key", "item", "unit", "value", "applies_to", "source", "year")
APPLIES_TO = ("incident", "site", "city_program")
SITE_CONTROL_NOT_RECORDED = "not recorded"
BASES = ("per_incident", "per_site", "per_parking_sqft")

#: The default unit-cost table: PLACEHOLDER values only, to show how the scenarios work.
DEFAULT_UNIT_COSTS: tuple[tuple[str, str, str, float, str], ...] = (
    ("officer_hourly_rate", "Police officer, fully burdened hourly rate", "USD per hour", 100.0, "incident"),
    ("officer_hours_per_incident", "Officer hours per incident response", "hours per incident", 4.0, "incident"),
    ("closure_hourly_cost", "Street or lot closure and traffic control", "USD per closure hour", 100.0, "incident"),
    ("closure_hours_per_incident", "Closure hours per incident", "hours per incident", 2.0, "incident"),
    ("staff_hourly_rate", "City staff (liaison, Planning) hourly rate", "USD per hour", 80.0, "incident"),
    ("staff_hours_per_incident", "Staff follow-up hours per incident", "hours per incident", 3.0, "incident"),
    ("admin_hours_per_site", "Administration hours per chargeable parcel", "hours per parcel", 5.0, "site"),
    ("sign_cost_per_site", "Directive sign, fabrication and posting (City sites)", "USD per sign", 200.0,
     "city_program"),
    ("gate_cost_per_site", "Gate or lock on a City lot (City sites)", "USD per site", 2000.0, "city_program"),
)
REQUIRED_KEYS = tuple(row[0] for row in DEFAULT_UNIT_COSTS)


@dataclass(frozen=True)
class NexusRules:
    """Which incidents count toward a fee, and the area and recovery assumptions.

    Attributes
    ----------
    fee_snap_kinds : tuple of str
        Snap kinds attributed to a parcel for the fee (default on-site only; adjacent ones are
        listed in the inventory but not charged).
    fee_verification : tuple of str
        Verification levels that count (default corroborated and LAPD-confirmed).
    repeat_min_incidents : int
        Incidents (on-site or adjacent, any level) that make a parcel a repeat site.
    floors_assumed : float
        Floors assumed when estimating a building's footprint from its floor area.
    recovery_share : float
        Share of the attributable cost a scenario recovers (0 to 1).
    """

    fee_snap_kinds: tuple[str, ...] = (ON_SITE,)
    fee_verification: tuple[str, ...] = ("corroborated", "lapd_confirmed")
    repeat_min_incidents: int = 2
    floors_assumed: float = 1.0
    recovery_share: float = 1.0


@dataclass(frozen=True)
class NexusTables:
    """Every table of one nexus build; ``inventory`` and ``ledger`` carry EPSG:4326 geometry."""

    as_of: dt.date
    synthetic: bool
    rules: NexusRules
    inventory: gpd.GeoDataFrame
    parcel_months: pd.DataFrame
    ledger: gpd.GeoDataFrame
    owners: pd.DataFrame
    unit_costs: pd.DataFrame
    scenarios: pd.DataFrame
    parcel_fees: pd.DataFrame
    register: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)
    comparison: pd.DataFrame | None = None  # opt-in and refusal parcels (geo.nexus.consent), when any

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the tables in publication order, keyed by sheet name (``comparison`` only when it has rows)."""
        extra = {"comparison": self.comparison} if self.comparison is not None and len(self.comparison) else {}
        return {"inventory": self.inventory, "parcel_months": self.parcel_months, "ledger": self.ledger,
                "owners": self.owners, "unit_costs": self.unit_costs, "scenarios": self.scenarios,
                "parcel_fees": self.parcel_fees, "register": self.register, **extra}

    @property
    def uses_placeholders(self) -> bool:
        """Whether any unit cost is still a placeholder."""
        return bool((self.unit_costs["status"] == PLACEHOLDER).any())


def default_unit_costs() -> pd.DataFrame:
    """Return the PLACEHOLDER unit-cost table (every source says so; no year)."""
    rows = [dict(zip(UNIT_COST_COLUMNS, (k, item, unit, value, applies, PLACEHOLDER_SOURCE, None)))
            for k, item, unit, value, applies in DEFAULT_UNIT_COSTS]
    return check_unit_costs(pd.DataFrame(rows, columns=list(UNIT_COST_COLUMNS)))


def check_unit_costs(table: pd.DataFrame) -> pd.DataFrame:
    """Validate an edited unit-cost table and return it typed, with a ``status`` column.

    A row is ``sourced`` when its source names something other than a placeholder and it has
    a year, else ``PLACEHOLDER``.

    Raises
    ------
    SchemaError
        Listing every problem at once: missing columns or keys, duplicate keys, values that
        are not non-negative numbers, years outside 1900-2100, unknown ``applies_to``.
    """
    missing = [c for c in UNIT_COST_COLUMNS if c not in table.columns]
    if missing:
        raise SchemaError(M("Unit-cost table lacks columns {missing}; it needs {needed}.", missing=str(missing),
                            needed=str(list(UNIT_COST_COLUMNS))))
    t = table[list(UNIT_COST_COLUMNS)].copy()
    t["key"] = t["key"].astype(str).str.strip()
    problems = [M("missing key {key}", key=repr(k)) for k in REQUIRED_KEYS if k not in set(t["key"])]
    problems += [M("key {key} appears more than once", key=repr(k)) for k in sorted(set(t["key"][t["key"].duplicated()]))]
    value = pd.to_numeric(t["value"], errors="coerce")
    problems += [M("{key}: value '{value}' is not a non-negative number", key=k, value=v) for k, v, n in
                 zip(t["key"], t["value"], value) if pd.isna(n) or n < 0]
    year = pd.to_numeric(t["year"].map(lambda y: None if _blank(y) else y), errors="coerce")
    problems += [M("{key}: year '{year}' is not a year 1900-2100", key=k, year=y) for k, y, n in zip(t["key"], t["year"], year)
                 if not _blank(y) and (pd.isna(n) or not 1900 <= n <= 2100)]
    problems += [M("{key}: applies_to {value} is not one of {allowed}", key=k, value=repr(a), allowed=str(list(APPLIES_TO))) for k, a in
                 zip(t["key"], t["applies_to"]) if a not in APPLIES_TO]
    if problems:
        raise SchemaError(M("Unit-cost table: {problems}. Fix these cells and try again.", problems=join(problems)))
    source = t["source"].fillna("").astype(str).str.strip()
    sourced = (source != "") & ~source.str.upper().str.startswith(PLACEHOLDER) & year.notna()
    return t.assign(value=value.astype(float), year=year.astype("Int64"), source=source,
                    status=np.where(sourced, "sourced", PLACEHOLDER)).reset_index(drop=True)


def unit_rates(unit_costs: pd.DataFrame) -> dict[str, float]:
    """Return the cost per counted incident and per chargeable parcel (USD) from the unit costs."""
    v = check_unit_costs(unit_costs).set_index("key")["value"]
    per_incident = (v["officer_hourly_rate"] * v["officer_hours_per_incident"]
                    + v["closure_hourly_cost"] * v["closure_hours_per_incident"]
                    + v["staff_hourly_rate"] * v["staff_hours_per_incident"])
    return {"cost_per_incident_usd": float(per_incident),
            "cost_per_site_usd": float(v["admin_hours_per_site"] * v["staff_hourly_rate"])}


def build_nexus(
    parcels: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, snapped: pd.DataFrame, *, as_of: dt.date,
    unit_costs: pd.DataFrame | None = None, rules: NexusRules = NexusRules(), synthetic: bool = False,
    provenance: dict[str, str] | None = None,
) -> NexusTables:
    """Build every nexus table from the canonical layers and the analysis snapping table.

    Parameters
    ----------
    parcels, incidents : GeoDataFrame
        Canonical layers (any declared CRS; output geometry is EPSG:4326).
    snapped : DataFrame
        ``AnalysisResult.incidents``: one row per incident with ``incident_id``, ``snap_kind``,
        ``ain``, ``site_id``, ``owner_class``, ``owning_dept`` and ``council_district``.
    as_of : date
        Incidents after this LA calendar date are left out.
    unit_costs : DataFrame, optional
        Edited unit costs (default :func:`default_unit_costs`, all placeholders).
    provenance : dict, optional
        Where the data came from (store, data version), recorded in the register.

    Raises
    ------
    SchemaError
        When ``snapped`` does not cover the incidents or the unit costs are invalid.
    """
    costs = check_unit_costs(default_unit_costs() if unit_costs is None else unit_costs)
    incidents = enforcement_incidents(incidents)  # the ledger is enforcement activity; general crime is context
    ledger = _ledger(incidents, snapped, parcels, as_of=as_of, rules=rules)
    inventory, months = _inventory(parcels, ledger, rules=rules)
    owners = _owners(inventory)
    fees, scenarios = _scenarios(inventory, costs, rules=rules)
    register = _register(costs, rules=rules, as_of=as_of, synthetic=synthetic, ledger=ledger,
                         inventory=inventory)
    return NexusTables(as_of=as_of, synthetic=synthetic, rules=rules, inventory=inventory,
                       parcel_months=months, ledger=ledger, owners=owners, unit_costs=costs,
                       scenarios=scenarios, parcel_fees=fees, register=register,
                       notes=dict(provenance or {}))


def latest_incident_date(incidents: pd.DataFrame) -> dt.date:
    """Return the LA calendar date of the latest incident (1 Jan 1970 when there are none)."""
    if len(incidents) == 0:
        return dt.date(1970, 1, 1)
    latest: dt.date = incidents[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ).max().date()
    return latest


# --- private steps ------------------------------------------------------------------------
def _ledger(incidents: gpd.GeoDataFrame, snapped: pd.DataFrame, parcels: gpd.GeoDataFrame, *,
            as_of: dt.date, rules: NexusRules) -> gpd.GeoDataFrame:
    """One row per incident up to ``as_of`` with its snapped parcel or site and fee status."""
    if schema.INCIDENT_ID not in snapped or len(snapped) != len(incidents) or \
            set(snapped[schema.INCIDENT_ID]) != set(incidents[schema.INCIDENT_ID]):
        raise SchemaError(M("build_nexus: the snapping table does not match the incidents; pass "
                            "AnalysisResult.incidents from an analysis of the same incidents."))
    inc = incidents.to_crs("EPSG:4326").set_index(schema.INCIDENT_ID)
    snap = snapped.set_index(schema.INCIDENT_ID).reindex(inc.index)
    local = inc[schema.OCCURRED_AT].dt.tz_convert(LOCAL_TZ)
    keep = (local.dt.date <= as_of).to_numpy()
    owner_of = parcels.drop_duplicates(schema.AIN).set_index(schema.AIN)[schema.OWNER_NAME] if schema.OWNER_NAME in parcels \
        else pd.Series(dtype=object)
    owner_class = snap[OWNER_CLASS].astype(object).where(snap[OWNER_CLASS].notna(), NONE)
    private = (owner_class == PRIVATE) & snap[schema.AIN].notna()
    counts = private & snap[SNAP_KIND].isin(rules.fee_snap_kinds) & inc[schema.VERIFICATION].isin(rules.fee_verification)
    frame = pd.DataFrame({
        schema.INCIDENT_ID: inc.index.astype(str),
        schema.OCCURRED_AT: local_iso(inc[schema.OCCURRED_AT]).to_numpy(), "_at": inc[schema.OCCURRED_AT].to_numpy(),
        "month": local.dt.strftime("%Y-%m").to_numpy(),
        schema.INCIDENT_TYPE: inc[schema.INCIDENT_TYPE].to_numpy(), schema.VERIFICATION: inc[schema.VERIFICATION].to_numpy(),
        schema.SOURCE_TYPE: inc[schema.SOURCE_TYPE].to_numpy(), schema.RELEVANCE: relevance_of(inc).to_numpy(),
        SNAP_KIND: snap[SNAP_KIND].to_numpy(),
        SNAP_DISTANCE_FT: snap[SNAP_DISTANCE_FT].round(1).to_numpy(),
        schema.SITE_ID: snap[schema.SITE_ID].to_numpy(dtype=object), schema.AIN: snap[schema.AIN].to_numpy(dtype=object),
        OWNER_CLASS: owner_class.to_numpy(), schema.OWNING_DEPT: snap[schema.OWNING_DEPT].to_numpy(dtype=object),
        schema.OWNER_NAME: np.where(private, snap[schema.AIN].map(owner_of).fillna(UNKNOWN_OWNER), None),
        schema.COUNCIL_DISTRICT: snap[schema.COUNCIL_DISTRICT].to_numpy(),
        schema.WARRANT_SHOWN: inc[schema.WARRANT_SHOWN].to_numpy(), "site_control": SITE_CONTROL_NOT_RECORDED,
        schema.EVIDENCE_REFS: inc[schema.EVIDENCE_REFS].to_numpy(), schema.DESCRIPTION: inc[schema.DESCRIPTION].to_numpy(),
        schema.SOURCE: inc[schema.SOURCE].to_numpy(), "counts_toward_fee": counts.to_numpy(),
    })
    out = gpd.GeoDataFrame(frame, geometry=inc.geometry.to_numpy(), crs="EPSG:4326")[keep]
    out = out.sort_values(["_at", schema.INCIDENT_ID], kind="stable").reset_index(drop=True)
    return out.drop(columns="_at")


def _inventory(parcels: gpd.GeoDataFrame, ledger: pd.DataFrame, *,
               rules: NexusRules) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Private parcels with an on-site or adjacent incident, and their counts by month."""
    hits = ledger[(ledger[OWNER_CLASS] == PRIVATE) & ledger[SNAP_KIND].isin([ON_SITE, ADJACENT])]
    hits = hits.assign(on_site=(hits[SNAP_KIND] == ON_SITE).astype(int),
                       adjacent=(hits[SNAP_KIND] == ADJACENT).astype(int),
                       fee=hits["counts_toward_fee"].astype(int))
    months = hits.groupby([schema.AIN, "month"], as_index=False)[["on_site", "adjacent"]].sum()
    months["total"] = months["on_site"] + months["adjacent"]
    g = hits.groupby(schema.AIN)
    per = pd.DataFrame({"incidents_on_site": g["on_site"].sum(), "incidents_adjacent": g["adjacent"].sum(),
                        "fee_incidents": g["fee"].sum(), "months_with_incidents": g["month"].nunique(),
                        "first_month": g["month"].min(), "last_month": g["month"].max()})
    info = parcels.drop_duplicates(schema.AIN).set_index(schema.AIN).reindex(per.index)
    lot = pd.to_numeric(info[schema.LOT_SQFT], errors="coerce").fillna(0.0)
    bldg = pd.to_numeric(info[schema.BLDG_SQFT], errors="coerce").fillna(0.0)
    footprint = np.minimum(bldg / max(rules.floors_assumed, 1e-9), lot)
    owner = info[schema.OWNER_NAME].astype(object) if schema.OWNER_NAME in info else pd.Series(None, index=per.index)
    land_use = info[schema.USE_TYPE].astype(object) if schema.USE_TYPE in info else pd.Series(None, index=per.index)
    inv = pd.DataFrame({
        schema.AIN: per.index.astype(str), schema.APN: info[schema.APN].to_numpy(dtype=object),
        schema.OWNER_NAME: owner.fillna(UNKNOWN_OWNER).to_numpy(), "owner_known": owner.notna().to_numpy(),
        schema.USE_CODE: info[schema.USE_CODE].to_numpy(dtype=object), schema.USE_DESCRIPTION: info[schema.USE_DESCRIPTION].to_numpy(
            dtype=object), "land_use_class": land_use.fillna("unknown").to_numpy(),
        schema.ZONE: info[schema.ZONE].to_numpy(dtype=object), schema.COUNCIL_DISTRICT: info[schema.COUNCIL_DISTRICT].to_numpy(),
        schema.LAPD_AREA: info[schema.LAPD_AREA].to_numpy(), schema.LOT_SQFT: lot.round(1).to_numpy(),
        schema.BLDG_SQFT: bldg.round(1).to_numpy(), "est_footprint_sqft": footprint.round(1).to_numpy(),
        "est_open_area_sqft": (lot - footprint).round(1).to_numpy(),
        **{c: per[c].to_numpy() for c in per.columns},
    })
    inv.insert(inv.columns.get_loc("fee_incidents"), "incidents_total",
               inv["incidents_on_site"] + inv["incidents_adjacent"])
    inv["repeat_site"] = inv["incidents_total"] >= rules.repeat_min_incidents
    geoms = parcels.to_crs("EPSG:4326").drop_duplicates(schema.AIN).set_index(schema.AIN).geometry.reindex(per.index)
    out = gpd.GeoDataFrame(inv, geometry=geoms.to_numpy(), crs="EPSG:4326")
    out = out.sort_values(["incidents_total", schema.AIN], ascending=[False, True]).reset_index(drop=True)
    return out, months.sort_values([schema.AIN, "month"]).reset_index(drop=True)


SUMMED = ("lot_sqft", "bldg_sqft", "est_open_area_sqft", "incidents_on_site", "incidents_adjacent",
          "incidents_total", "fee_incidents")


def _owners(inventory: pd.DataFrame) -> pd.DataFrame:
    """Every parcel of one owner together; parcels without a public owner form one row."""
    g = inventory.groupby(schema.OWNER_NAME, sort=True)
    out = g[list(SUMMED)].sum()
    out.insert(0, "parcels", g.size())
    out.insert(1, "ains", g[schema.AIN].agg(lambda a: ";".join(sorted(a))))
    out["repeat_parcels"] = g["repeat_site"].sum().astype(int)
    out = out.reset_index().sort_values(["incidents_total", schema.OWNER_NAME], ascending=[False, True])
    return out.reset_index(drop=True)


def _scenarios(inventory: pd.DataFrame, costs: pd.DataFrame, *,
               rules: NexusRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-parcel fees under each basis and the scenario table with its proportionality check."""
    rates = unit_rates(costs)
    share = float(np.clip(rules.recovery_share, 0.0, 1.0))
    base = inventory[inventory["fee_incidents"] > 0]
    n = base["fee_incidents"].astype(float)
    attributable = n * rates["cost_per_incident_usd"] + rates["cost_per_site_usd"]
    total = float(attributable.sum())
    area = base["est_open_area_sqft"].astype(float)
    per_sqft = share * total / float(area.sum()) if area.sum() > 0 else np.nan
    fees = pd.DataFrame({
        schema.AIN: base[schema.AIN], schema.OWNER_NAME: base[schema.OWNER_NAME], "land_use_class": base["land_use_class"],
        "fee_incidents": base["fee_incidents"], "est_open_area_sqft": area,
        "attributable_cost_usd": attributable.round(2),
        "fee_per_incident_usd": _cents(share * rates["cost_per_incident_usd"] * n),
        "fee_per_site_usd": _cents(pd.Series(share * total / len(base) if len(base) else 0.0, index=base.index)),
        "fee_per_parking_sqft_usd": _cents(per_sqft * area) if area.sum() > 0 else 0.0 * area,
    }).reset_index(drop=True)
    unit = {"per_incident": ("counted incident", share * rates["cost_per_incident_usd"], fees["fee_incidents"]),
            "per_site": ("chargeable parcel", share * total / len(base) if len(base) else np.nan,
                         pd.Series(1.0, index=fees.index)),
            "per_parking_sqft": ("sq ft of estimated open/parking area", per_sqft, fees["est_open_area_sqft"])}
    rows = []
    for basis in BASES:
        what, rate, units = unit[basis]
        for cls, idx in [("all", fees.index), *fees.groupby("land_use_class").groups.items()]:
            fee, cost = fees.loc[idx, f"fee_{basis}_usd"], fees.loc[idx, "attributable_cost_usd"]
            excess = (fee - cost).clip(lower=0)
            rows.append({"basis": basis, "land_use_class": cls, "unit": what,
                         "rate_usd": round(float(rate), 4) if pd.notna(rate) else np.nan,
                         "units": float(units.loc[idx].sum()), "parcels": len(idx),
                         "revenue_usd": round(float(fee.sum()), 2), "attributable_cost_usd": round(float(cost.sum()), 2),
                         "parcels_fee_exceeds_cost": int((excess > 0.005).sum()),
                         "max_excess_usd": round(float(excess.max()) if len(excess) else 0.0, 2),
                         "proportional": bool((excess <= 0.005).all() and fee.sum() <= cost.sum() + 0.01)})
    scen = pd.DataFrame(rows)
    scen["uses_placeholders"] = bool((costs["status"] == PLACEHOLDER).any())
    return fees, scen


def _register(costs: pd.DataFrame, *, rules: NexusRules, as_of: dt.date, synthetic: bool,
              ledger: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Return the methodology and assumption register: data, methods, rules and every unit cost."""
    rates = unit_rates(costs)
    rows: list[tuple[str, str, str, object, str, object]] = [
        ("D1", "data", "Data as of (LA calendar date)", as_of.isoformat(), "analysis date", None),
        ("D2", "data", "Synthetic demo records (not City data)", "yes" if synthetic else "no", "StageMap store",
         None),
        ("D3", "data", "Where the store lives and its version are in the snapshot manifest, not hashed, so "
         "the same data gives the same hash wherever it is stored.", None, "manifest.json", None),
        ("D4", "data", "Incidents in the ledger", len(ledger), "incidents layer", None),
        ("D5", "data", "Affected private parcels", len(inventory), "parcels layer", None),
        ("M1", "method", "Each incident is linked to the site or parcel it falls in (on-site), else the nearest "
         "within 150 ft (adjacent); City sites win over parcels (geo.analysis.snap).", None, "StageMap geo.analysis.snap", None),
        ("M2", "method", "Private means not a City site and not a public use code (80xx-88xx).", None,
         "StageMap geo.analysis.snap", None),
        ("M3", "method", "Months are Los Angeles calendar months of the time the incident occurred.", None, "", None),
        ("M4", "method", "Estimated open/parking area = lot area - building floor area / floors assumed "
         "(never below 0).", rules.floors_assumed, "Assessor lot and building area", None),
        ("M5", "method", "Attributable cost per chargeable parcel = counted incidents x cost per incident "
         "+ cost per site.", None, "unit-cost table", None),
        ("M6", "method", "Cost per incident (USD) = officer rate x hours + closure cost x hours + staff rate x "
         "hours.", round(rates["cost_per_incident_usd"], 2), "unit-cost table", None),
        ("M7", "method", "Cost per site (USD) = administration hours x staff rate.",
         round(rates["cost_per_site_usd"], 2), "unit-cost table", None),
        ("M8", "method", "Proportionality: under each basis no parcel's fee may exceed its attributable cost, "
         "and revenue may not exceed total attributable cost.", None, "Cal. Gov. Code 66001, 66016.5", None),
        ("M9", "method", "Directive D's fee turns on an owner giving site control. Without a recorded grant (M12) "
         "the ledger says 'not recorded' and counted incidents are candidates only.",
         None, "ED 17 section D", None),
        ("M10", "method", "City sign and gate costs are City program costs, listed for the record and never "
         "attributed to private owners.", None, "", None),
        ("M11", "method", "Whether the fee is a mitigation or a regulatory fee is counsel's call; both need "
         "this cost per unit.", None, "FEATURES.md, Nexus-study support", None),
        ("R1", "rule", "Snap kinds counted toward a fee", ", ".join(rules.fee_snap_kinds), "", None),
        ("R2", "rule", "Verification levels counted", ", ".join(rules.fee_verification), "", None),
        ("R3", "rule", "Incidents that make a repeat site", rules.repeat_min_incidents, "", None),
        ("R4", "rule", "Share of attributable cost recovered", rules.recovery_share, "", None),
    ]
    rows += [(f"A{i + 1}", "assumption", f"{r.item} ({r.unit}) [{r.status}]", r.value, r.source,
              None if pd.isna(r.year) else int(r.year)) for i, r in enumerate(costs.itertuples())]
    out = pd.DataFrame(rows, columns=["ref", "kind", "statement", "value", "source", "year"])
    out["value"] = out["value"].map(lambda v: "" if v is None else str(v))
    out["year"] = out["year"].astype("Int64")
    return out


def _cents(usd: pd.Series) -> pd.Series:
    """Round fees down to whole cents, so rounding never lifts a fee above its cost."""
    return np.floor(usd.astype(float) * 100 + 1e-6) / 100


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or \
        (isinstance(value, str) and not value.strip())
