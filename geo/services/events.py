"""One event, many reports, through the one door: proposals, confirm and split (records and admin), audited.

Proposals come from :func:`geo.analysis.events.propose_events` (distance and time window from
:class:`EventRules`, ``--distance-ft`` and ``--window-hours`` on the CLI). A decision is stored per
report in ``incident_events`` (versioned and audited): *confirmed* into an event id, or *split*
out as its own event. Only confirmed merges change counts (:func:`events_view`).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.events import (
    EVENT_ID,
    N_REPORTS,
    PROPOSED,
    EventRules,
    collapse_to_events,
    event_key,
    propose_events,
)
from geo.analysis.relevance import enforcement_incidents
from geo.errors import SchemaError
from geo.messages import M
from geo.store import Store

TABLE = "incident_events"


def links(store: Store) -> pd.DataFrame:
    """Return the stored decisions (no role check: counts read them)."""
    return store.read_workflow_rows(TABLE)


def events_view(store: Store, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``incidents`` collapsed to events (confirmed merges), with ``event_id`` and ``n_reports``."""
    return collapse_to_events(incidents, links(store))


def proposals(store: Store, actor: Actor, rules: EventRules | None = None) -> pd.DataFrame:
    """Return the reports proposed as one event and not yet decided, with their proposed event id.

    Only enforcement-related reports are compared (general crime is context).
    """
    authorize(actor, "merge_reports")
    cols = [schema.INCIDENT_ID, schema.OCCURRED_AT, schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE,
            schema.RELEVANCE]
    incidents = enforcement_incidents(store.read_layer(schema.INCIDENTS, columns=cols))
    proposed = propose_events(incidents, rules or EventRules())
    decided = set(links(store)[schema.INCIDENT_ID].astype(str))
    groups = proposed.groupby(PROPOSED)[schema.INCIDENT_ID].agg(set)
    open_groups = groups[groups.map(lambda ids: not ids <= decided)]
    rows = proposed[proposed[PROPOSED].isin(open_groups.index)]
    info = pd.DataFrame(incidents.drop(columns="geometry")).set_index(schema.INCIDENT_ID)
    out = rows.join(info[[schema.OCCURRED_AT, schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE]],
                    on=schema.INCIDENT_ID)
    return out.sort_values([PROPOSED, schema.OCCURRED_AT]).reset_index(drop=True)


def _current(store: Store) -> dict[str, dict[str, object]]:
    frame = links(store)
    return {str(r[schema.INCIDENT_ID]): r for r in frame.to_dict("records")}


def confirm(store: Store, actor: Actor, incident_ids: list[str], *, note: str | None = None) -> str:
    """Confirm that ``incident_ids`` (two or more stored reports) are one event; return its id.

    Raises
    ------
    AccessDenied
        Unless records or admin.
    SchemaError
        For fewer than two reports, or an id not in the store; nothing is written.
    """
    authorize(actor, "merge_reports")
    ids = sorted(dict.fromkeys(str(i).strip() for i in incident_ids if str(i).strip()))
    if len(ids) < 2:
        raise SchemaError(M("Confirm needs two or more report ids (one event, many reports)."))
    known = set(store.read_layer(schema.INCIDENTS, columns=[schema.INCIDENT_ID])[schema.INCIDENT_ID].astype(str))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SchemaError(M("No report {ids} in the store; check the ids (`stagemap events propose`).",
                            ids=str(unknown)))
    current = _current(store)
    event = event_key(ids)
    for incident in ids:
        row = current.get(incident)
        store.save_workflow_row(TABLE, incident, {"event_id": event, "decision": "confirmed", "note": note},
                                expect_version=int(row["version"]) if row else 0,  # type: ignore[call-overload]
                                user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)
    return event


def split(store: Store, actor: Actor, incident_id: str, *, note: str | None = None) -> dict[str, object]:
    """Split one report out of its (proposed or confirmed) event: it counts as its own event again."""
    authorize(actor, "merge_reports")
    known = set(store.read_layer(schema.INCIDENTS, columns=[schema.INCIDENT_ID])[schema.INCIDENT_ID].astype(str))
    if incident_id not in known:
        raise SchemaError(M("No report {incident} in the store; check the id.", incident=repr(incident_id)))
    row = _current(store).get(incident_id)
    return store.save_workflow_row(TABLE, incident_id, {"event_id": incident_id, "decision": "split", "note": note},
                                   expect_version=int(row["version"]) if row else 0,  # type: ignore[call-overload]
                                   user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)


def event_reports(store: Store, actor: Actor, event_id: str) -> pd.DataFrame:
    """Return the reports of one confirmed event (what the map shows on click)."""
    authorize(actor, "view_incident_points")
    frame = links(store)
    ids = set(frame.loc[(frame["event_id"] == event_id) & (frame["decision"] == "confirmed"), schema.INCIDENT_ID])
    incidents = store.read_layer(schema.INCIDENTS)
    return pd.DataFrame(incidents[incidents[schema.INCIDENT_ID].isin(ids)].drop(columns="geometry"))


__all__ = ["EVENT_ID", "N_REPORTS", "confirm", "event_reports", "events_view", "proposals", "split"]
