"""Nexus-study tables for Directive D: affected private parcels, incident ledger, roll-ups, costs and fees.

Planning's impact fee on owners who give site control for immigration enforcement needs the
cost per unit (incident, site, square foot of parking) attributable to those sites. Every
table here ties out to the others: the ledger is the snapping table, the inventory counts the
ledger, the owner roll-up sums the inventory, and each fee scenario is checked against the
cost attributable to each parcel (a fee never exceeds it). The unit costs live in
:mod:`geo.nexus.costs`, the rules in :mod:`geo.nexus.rules`, the fee scenarios in
:mod:`geo.nexus.fees` and the assumption register in :mod:`geo.nexus.register`; their public
names are importable from here too.
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
from geo.messages import M
from geo.nexus.costs import APPLIES_TO as APPLIES_TO
from geo.nexus.costs import DEFAULT_UNIT_COSTS as DEFAULT_UNIT_COSTS
from geo.nexus.costs import PLACEHOLDER as PLACEHOLDER
from geo.nexus.costs import PLACEHOLDER_SOURCE as PLACEHOLDER_SOURCE
from geo.nexus.costs import REQUIRED_KEYS as REQUIRED_KEYS
from geo.nexus.costs import UNIT_COST_COLUMNS as UNIT_COST_COLUMNS
from geo.nexus.costs import check_unit_costs as check_unit_costs
from geo.nexus.costs import default_unit_costs as default_unit_costs
from geo.nexus.costs import unit_rates as unit_rates
from geo.nexus.fees import BASES as BASES
from geo.nexus.fees import fee_scenarios
from geo.nexus.register import assumption_register
from geo.nexus.rules import DEFAULT_RULES
from geo.nexus.rules import NexusRules as NexusRules
from geo.nexus.wording import UNKNOWN_CLASS

SITE_CONTROL_NOT_RECORDED = "not recorded"


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


def build_nexus(
    parcels: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, snapped: pd.DataFrame, *, as_of: dt.date,
    unit_costs: pd.DataFrame | None = None, rules: NexusRules = DEFAULT_RULES, synthetic: bool = False,
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
    fees, scenarios = fee_scenarios(inventory, costs, rules=rules)
    register = assumption_register(costs, rules=rules, as_of=as_of, synthetic=synthetic, ledger=ledger,
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
            dtype=object), "land_use_class": land_use.fillna(UNKNOWN_CLASS).to_numpy(),
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
