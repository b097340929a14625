"""Before/after (difference in differences) through the one door: internal only, the CSV export audited.

See :mod:`geo.analysis.before_after` for the method. Protection dates are the sign-posted dates
of the sites' status; events are the enforcement-related reports collapsed to events (confirmed
merges count once, :mod:`geo.services.events`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.before_after import EffectRules, before_after
from geo.analysis.relevance import enforcement_incidents
from geo.io.export import to_csv_bytes
from geo.services.events import events_view
from geo.store import Store


def effect_tables(store: Store, actor: Actor, *, as_of: dt.date,
                  rules: EffectRules | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (summary per site, department and citywide; per-site detail) as of ``as_of``.

    Raises
    ------
    AccessDenied
        For roles that may not see risk (the public never sees this).
    """
    authorize(actor, "view_risk")
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
    status = store.read_status()
    posted = status.set_index(schema.SITE_ID)[schema.SIGN_POSTED_ON] if len(status) else pd.Series(dtype=object)
    signed = status.set_index(schema.SITE_ID)[schema.SIGN_STATUS] if len(status) else pd.Series(dtype=object)
    ids = sites[schema.SITE_ID]
    protected_on = ids.map(posted).where(ids.map(signed).eq("posted"))
    events = enforcement_incidents(events_view(store, store.read_layer(schema.INCIDENTS)))
    return before_after(sites, protected_on.reset_index(drop=True), events, as_of=as_of, rules=rules or EffectRules())


def effect_csv(store: Store, actor: Actor, *, as_of: dt.date, rules: EffectRules | None = None,
               lang: str | None = None) -> bytes:
    """Return the summary as CSV (internal; headers in ``lang`` when given, for a person); the export is audited."""
    authorize(actor, "export_internal")
    summary, _per_site = effect_tables(store, actor, as_of=as_of, rules=rules)
    data = to_csv_bytes(summary.round(3), synthetic=bool(store.is_synthetic()), lang=lang)  # neutralised, labelled
    store.log_event(actor=actor.name, role=actor.role, action="export.before_after", entity="incidents",
                    detail={"as_of": as_of.isoformat(), "rows": len(summary)}, source=actor.source,
                    os_user=actor.os_user)
    return data
