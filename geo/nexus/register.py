"""The nexus study's methodology and assumption register: data, methods, rules and every unit cost.

Every statement and every generated source is a :class:`geo.messages.Message`: it *is* the English
text (the tables, CSVs and snapshot hash are unchanged) and reads in Spanish in the Spanish workbook.
Values (dates, counts, rates) are data. An assumption's item and unit are translated only when they
are the built-in default wording; wording a planner typed, and typed sources, stay as recorded.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.labels import code_label
from geo.messages import M, Term, join
from geo.nexus.costs import unit_rates
from geo.nexus.rules import NexusRules
from geo.nexus.wording import wording

REGISTER_COLUMNS = ("ref", "kind", "statement", "value", "source", "year")
#: Generated sources named the same in every row that cites them.
UNIT_COST_TABLE, SNAP_MODULE = M("unit-cost table"), "StageMap geo.analysis.snap"


def assumption_register(costs: pd.DataFrame, *, rules: NexusRules, as_of: dt.date, synthetic: bool,
                        ledger: pd.DataFrame, inventory: pd.DataFrame) -> pd.DataFrame:
    """Return the register: one row per data fact, method, rule and unit cost (``ref`` D1.., M1.., R1.., A1..)."""
    rates = unit_rates(costs)
    rows: list[tuple[str, str, str, object, str, object]] = [
        ("D1", "data", M("Data as of (LA calendar date)"), as_of.isoformat(), M("analysis date"), None),
        ("D2", "data", M("Synthetic demo records (not City data)"), M("yes") if synthetic else M("no"),
         M("StageMap store"), None),
        ("D3", "data", M("Where the store lives and its version are in the snapshot manifest, not hashed, so "
                         "the same data gives the same hash wherever it is stored."), None, "manifest.json", None),
        ("D4", "data", M("Incidents in the ledger"), len(ledger), M("incidents layer"), None),
        ("D5", "data", M("Affected private parcels"), len(inventory), M("parcels layer"), None),
        ("M1", "method", M("Each incident is linked to the site or parcel it falls in (on-site), else the nearest "
                           "within 150 ft (adjacent); City sites win over parcels (geo.analysis.snap)."), None,
         SNAP_MODULE, None),
        ("M2", "method", M("Private means not a City site and not a public use code (80xx-88xx)."), None,
         SNAP_MODULE, None),
        ("M3", "method", M("Months are Los Angeles calendar months of the time the incident occurred."), None, "",
         None),
        ("M4", "method", M("Estimated open/parking area = lot area - building floor area / floors assumed "
                           "(never below 0)."), rules.floors_assumed, M("Assessor lot and building area"), None),
        ("M5", "method", M("Attributable cost per chargeable parcel = counted incidents x cost per incident "
                           "+ cost per site."), None, UNIT_COST_TABLE, None),
        ("M6", "method", M("Cost per incident (USD) = officer rate x hours + closure cost x hours + staff rate x "
                           "hours."), round(rates["cost_per_incident_usd"], 2), UNIT_COST_TABLE, None),
        ("M7", "method", M("Cost per site (USD) = administration hours x staff rate."),
         round(rates["cost_per_site_usd"], 2), UNIT_COST_TABLE, None),
        ("M8", "method", M("Proportionality: under each basis no parcel's fee may exceed its attributable cost, "
                           "and revenue may not exceed total attributable cost."), None,
         "Cal. Gov. Code 66001, 66016.5", None),
        ("M9", "method", M("Directive D's fee turns on an owner giving site control. Without a recorded grant (M12) "
                           "the ledger says 'not recorded' and counted incidents are candidates only."),
         None, M("ED 17 section D"), None),
        ("M10", "method", M("City sign and gate costs are City program costs, listed for the record and never "
                            "attributed to private owners."), None, "", None),
        ("M11", "method", M("Whether the fee is a mitigation or a regulatory fee is counsel's call; both need "
                            "this cost per unit."), None, M("{document}, Nexus-study support", document="FEATURES.md"),
         None),
        ("R1", "rule", M("Snap kinds counted toward a fee"), _codes(rules.fee_snap_kinds, "snap_kind"), "", None),
        ("R2", "rule", M("Verification levels counted"), _codes(rules.fee_verification, "verification_status"), "",
         None),
        ("R3", "rule", M("Incidents that make a repeat site"), rules.repeat_min_incidents, "", None),
        ("R4", "rule", M("Share of attributable cost recovered"), rules.recovery_share, "", None),
    ]
    rows += [(f"A{i + 1}", "assumption", M("{item} ({unit}) [{status}]", item=wording(str(r.item)),
                                           unit=wording(str(r.unit)), status=Term(str(r.status), str(r.status))),
              r.value, r.source, None if pd.isna(r.year) else int(r.year)) for i, r in enumerate(costs.itertuples())]
    out = pd.DataFrame(rows, columns=list(REGISTER_COLUMNS), dtype=object)  # object: keeps the messages
    out = out.astype({"ref": str, "kind": str})
    out["value"] = pd.Series(["" if v is None else v if isinstance(v, str) else str(v) for v in out["value"]],
                             dtype=object)  # not .map: pandas would infer str and drop the messages
    out["year"] = out["year"].astype("Int64")
    return out


def _codes(codes: tuple[str, ...], column: str) -> str:
    """Return codes joined by ", " (English: the codes themselves; another language: their names)."""
    return join([Term(c, code_label(c, column)) for c in codes], ", ")
