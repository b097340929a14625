"""Site control in the nexus study: recorded grants mark affected parcels, opt-in parcels form the comparison.

Directive D's fee turns on an owner *giving* site control for immigration enforcement. A
ledger incident on a private parcel with a recorded grant covering its date is marked
``granted``; every other private incident stays a candidate (``not recorded``). The inventory
says, per parcel, whether a grant is recorded, and carries the owner's declaration (asked for a
sign, or refused site control) when there is one. Parcels whose owners asked for a sign or
refused site control form the comparison table, with the incidents on or next to them.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from geo import schema
from geo.analysis.snap import ADJACENT, ON_SITE, SNAP_KIND
from geo.messages import M
from geo.nexus.tables import SITE_CONTROL_NOT_RECORDED, NexusTables

GRANTED, CANDIDATE = "recorded grant", "candidate (no grant recorded)"
COMPARISON_COLUMNS = ("ain", "owner", "declaration", "declared_on", "incidents_on_site", "incidents_adjacent",
                      "incidents_total", "recorded_grant")


def apply_consent(tables: NexusTables, private: pd.DataFrame, grants: pd.DataFrame) -> NexusTables:
    """Return ``tables`` with site control from ``grants`` and the comparison group from ``private``.

    ``private`` has ``ain, owner, declaration, declared_on``; ``grants`` has ``grant_id, ain,
    grantee, granted_on, ended_on, source`` (dates as ISO text), as the registers hold them.
    """
    ledger = tables.ledger.copy()
    day = ledger[schema.OCCURRED_AT].astype(str).str[:10]
    control = pd.Series(SITE_CONTROL_NOT_RECORDED, index=ledger.index, dtype=object)
    granted_ains: set[str] = set()
    if len(grants):
        g = grants.assign(ain=grants["ain"].astype(str))
        granted_ains = set(g["ain"])
        pairs = ledger[[schema.AIN]].assign(_day=day, _row=ledger.index).dropna(subset=[schema.AIN]) \
            .merge(g, left_on=schema.AIN, right_on="ain", how="inner")
        covered = pairs[(pairs["_day"] >= pairs["granted_on"].astype(str))
                        & (pairs["ended_on"].isna() | (pairs["_day"] <= pairs["ended_on"].fillna("").astype(str)))]
        first = covered.drop_duplicates("_row")
        control.loc[first["_row"].to_numpy()] = pd.Series(  # messages: the Spanish workbook says "cedido"
            [M("granted: {grant} ({source})", grant=g, source=src)
             for g, src in zip(first["grant_id"].astype(str), first["source"].astype(str), strict=True)],
            index=first["_row"].to_numpy(), dtype=object)
    ledger["site_control"] = control
    inv = tables.inventory.copy()
    inv["site_control"] = inv[schema.AIN].astype(str).isin(granted_ains).map({True: GRANTED, False: CANDIDATE})
    decl = private.set_index(private["ain"].astype(str))["declaration"] if len(private) else pd.Series(dtype=object)
    inv["owner_declaration"] = inv[schema.AIN].astype(str).map(decl)
    comparison = _comparison(tables.ledger, private, granted_ains)
    notes = {**tables.notes, "site_control": f"{len(granted_ains)} parcels with a recorded grant; "
                                             f"{len(comparison)} opt-in or refusal parcels as comparison"}
    register = pd.concat([tables.register, pd.DataFrame([{
        "ref": "M12", "kind": "method", "statement": M("Site control: incidents on a parcel with a recorded grant "
        "covering their date are 'granted'; other counted incidents are candidates. Owners who asked for a sign or "
        "refused site control form the comparison table."), "value": str(len(granted_ains)),
        "source": M("StageMap registers: {tables}", tables="site_control_grant, private_parcel"), "year": pd.NA}],
        dtype=object).astype({"ref": str, "kind": str})], ignore_index=True)  # object: keeps the messages
    register["year"] = register["year"].astype("Int64")
    return dataclasses.replace(tables, ledger=ledger, inventory=inv, comparison=comparison, register=register,
                               notes=notes)


def _comparison(ledger: pd.DataFrame, private: pd.DataFrame, granted: set[str]) -> pd.DataFrame:
    """Return the opt-in and refusal parcels with their on-site and adjacent incident counts."""
    if private.empty:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    hits = ledger.dropna(subset=[schema.AIN])
    on = hits[hits[SNAP_KIND] == ON_SITE].groupby(schema.AIN).size()
    adj = hits[hits[SNAP_KIND] == ADJACENT].groupby(schema.AIN).size()
    ains = private["ain"].astype(str)
    out = pd.DataFrame({"ain": ains, "owner": private["owner"], "declaration": private["declaration"],
                        "declared_on": private["declared_on"],
                        "incidents_on_site": ains.map(on).fillna(0).astype(int),
                        "incidents_adjacent": ains.map(adj).fillna(0).astype(int)})
    out["incidents_total"] = out["incidents_on_site"] + out["incidents_adjacent"]
    out["recorded_grant"] = ains.isin(granted)
    return out.sort_values("ain").reset_index(drop=True)[list(COMPARISON_COLUMNS)]
