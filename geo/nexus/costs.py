"""Nexus-study unit costs: the editable assumption table, its checks and the rates it gives.

Unit costs are editable assumptions with a source and a year; the defaults are PLACEHOLDERS,
not City costs. The default item and unit wording is marked for translation: the workbook in
another language shows it translated, while wording a person typed stays as typed (data).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import SchemaError
from geo.i18n import N_
from geo.messages import M, join

PLACEHOLDER = "PLACEHOLDER"
PLACEHOLDER_SOURCE = "PLACEHOLDER - illustrative round number, not a City cost; replace with a sourced figure"
UNIT_COST_COLUMNS = ("key", "item", "unit", "value", "applies_to", "source", "year")
APPLIES_TO = ("incident", "site", "city_program")

#: The default unit-cost table: PLACEHOLDER values only, to show how the scenarios work.
DEFAULT_UNIT_COSTS: tuple[tuple[str, str, str, float, str], ...] = (
    ("officer_hourly_rate", N_("Police officer, fully burdened hourly rate"), N_("USD per hour"), 100.0, "incident"),
    ("officer_hours_per_incident", N_("Officer hours per incident response"), N_("hours per incident"), 4.0,
     "incident"),
    ("closure_hourly_cost", N_("Street or lot closure and traffic control"), N_("USD per closure hour"), 100.0,
     "incident"),
    ("closure_hours_per_incident", N_("Closure hours per incident"), N_("hours per incident"), 2.0, "incident"),
    ("staff_hourly_rate", N_("City staff (liaison, Planning) hourly rate"), N_("USD per hour"), 80.0, "incident"),
    ("staff_hours_per_incident", N_("Staff follow-up hours per incident"), N_("hours per incident"), 3.0, "incident"),
    ("admin_hours_per_site", N_("Administration hours per chargeable parcel"), N_("hours per parcel"), 5.0, "site"),
    ("sign_cost_per_site", N_("Directive sign, fabrication and posting (City sites)"), N_("USD per sign"), 200.0,
     "city_program"),
    ("gate_cost_per_site", N_("Gate or lock on a City lot (City sites)"), N_("USD per site"), 2000.0,
     "city_program"),
)
REQUIRED_KEYS = tuple(row[0] for row in DEFAULT_UNIT_COSTS)
#: The built-in wording of the default items and units (translated in the workbook; other wording is data).
DEFAULT_WORDING = frozenset(w for row in DEFAULT_UNIT_COSTS for w in row[1:3])


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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or \
        (isinstance(value, str) and not value.strip())
