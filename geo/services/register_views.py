"""Views over the registers: section C compliance and its public summary, section E flags, nexus consent groups.

The public summary says, per agency and requirement, whether a policy is posted, where, and
the requirement's legal status for that kind of agency. It never shows the Commission's
inquiries, challenges or notes, and gives no compliance finding where the requirement is
enjoined for that kind of agency (the masking rule for federal agents since 9 Feb 2026).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.intake.registers import DEFAULT_LEGAL_STATUS, REGISTERS, REQUIREMENTS
from geo.services.registers import entries_frame
from geo.store import Store

#: A renewal due within this many days with no disclosure on file is flagged.
RENEWAL_WINDOW_DAYS = 90
PUBLIC_COLUMNS = ("agency", "kind", "requirement", "policy_posted", "policy_url", "seen_on", "legal_status")


def _frame(store: Store, name: str) -> pd.DataFrame:
    return entries_frame(REGISTERS[name], store.register_entries(name))


def legal_status_table(store: Store) -> pd.DataFrame:
    """Return the legal status of each requirement per kind of agency: recorded entries over the directive's."""
    base = pd.DataFrame(list(DEFAULT_LEGAL_STATUS)).assign(recorded=False)
    rec = _frame(store, "legal_status").assign(recorded=True)
    both = pd.concat([base, rec[[*base.columns]]] if len(rec) else [base], ignore_index=True)
    return both.drop_duplicates(["requirement", "agency_kind"], keep="last").reset_index(drop=True)


def legal_status(store: Store, actor: Actor) -> pd.DataFrame:
    """Return the legal status table (records and admins), ``recorded`` telling a recorded row from the directive's."""
    authorize(actor, "manage_agency_policy")
    return legal_status_table(store)


def _compliance(store: Store) -> pd.DataFrame:
    agencies = _frame(store, "agency")
    grid = agencies[["agency_id", "name", "kind"]].merge(pd.DataFrame({"requirement": list(REQUIREMENTS)}), how="cross")
    policies = _frame(store, "agency_policy")[["agency_id", "requirement", "posted", "url", "seen_on", "compliance",
                                                "document_sha256"]]
    out = grid.merge(policies, on=["agency_id", "requirement"], how="left")
    out["posted"] = out["posted"].fillna("unknown")
    out["compliance"] = out["compliance"].fillna("not_assessed")
    legal = legal_status_table(store)[["requirement", "agency_kind", "status", "since", "authority"]]
    out = out.merge(legal.rename(columns={"agency_kind": "kind", "status": "legal_status", "since": "status_since"}),
                    on=["requirement", "kind"], how="left")
    actions = _frame(store, "commission_action")
    live = actions[~actions["status"].isin(["resolved", "withdrawn"])] if len(actions) else actions
    open_n = live.groupby("agency_id").size() if len(live) else pd.Series(dtype=int)
    out["open_commission_actions"] = out["agency_id"].map(open_n).fillna(0).astype(int)
    return out.sort_values(["name", "requirement"]).reset_index(drop=True)


def agency_compliance(store: Store, actor: Actor) -> pd.DataFrame:
    """Return every agency x requirement: posted policy, compliance, legal status, open Commission actions."""
    authorize(actor, "manage_agency_policy")
    return _compliance(store)


def public_agency_summary(store: Store, actor: Actor) -> pd.DataFrame:
    """Return the public summary of section C (anyone may export public data); see the module docstring."""
    authorize(actor, "export_public")
    table = _compliance(store)
    enjoined = table["legal_status"] == "enjoined"
    status = table["legal_status"].fillna("unknown").str.replace("_", " ")
    status = status.where(~enjoined, "enjoined since " + table["status_since"].fillna("").astype(str))
    return pd.DataFrame({"agency": table["name"], "kind": table["kind"], "requirement": table["requirement"],
                         "policy_posted": table["posted"], "policy_url": table["url"].where(table["posted"] == "yes"),
                         "seen_on": table["seen_on"].where(table["posted"] == "yes"), "legal_status": status},
                        columns=list(PUBLIC_COLUMNS))


def contractor_flags(store: Store, actor: Actor, *, as_of: dt.date) -> pd.DataFrame:
    """Return the disclosures with a flag and why.

    ``dhs_on_candidate_site``: the contractor discloses a DHS agreement and operates a City site
    determined a candidate (A.1). ``renewal_without_disclosure``: a renewal on or before
    ``as_of`` + 90 days with no disclosure date on file.
    """
    authorize(actor, "manage_contractor_disclosures")
    table = _frame(store, "contractor_disclosure")
    if table.empty:
        return table.assign(flag=pd.Series(dtype=object), reason=pd.Series(dtype=object))
    control = store.read_control()
    candidates = set(control.loc[control[schema.DETERMINATION] == schema.CANDIDATE, schema.SITE_ID].astype(str)) \
        if len(control) else set()
    rows = []
    horizon = (as_of + dt.timedelta(days=RENEWAL_WINDOW_DAYS)).isoformat()
    for rec in table.astype(object).where(table.notna(), None).to_dict("records"):
        sites = [s for s in str(rec.get("site_ids") or "").split(";") if s]
        on_candidates = sorted(set(sites) & candidates)
        if rec.get("dhs_agreement") and on_candidates:
            rows.append({**rec, "flag": "dhs_on_candidate_site",
                         "reason": f"DHS agreement ({rec.get('dhs_agency')}) and operates candidate site(s) "
                                   f"{', '.join(on_candidates)}"})
        renewal = rec.get("renewal_date")
        if renewal and str(renewal) <= horizon and not rec.get("disclosed_on"):
            rows.append({**rec, "flag": "renewal_without_disclosure",
                         "reason": f"renewal {renewal} with no disclosure on file"})
    return pd.DataFrame(rows, columns=[*table.columns, "flag", "reason"])


def site_consent(store: Store, actor: Actor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (private opt-in/refusal parcels, known grants of site control) for the nexus study."""
    authorize(actor, "run_nexus")
    return _frame(store, "private_parcel"), _frame(store, "site_control_grant")
