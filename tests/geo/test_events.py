"""One event, many reports: proposals by distance, time and type; confirm and split, audited; counts count events."""
from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import schema
from geo.analysis.events import EventRules, collapse_to_events, compatible, propose_events
from geo.errors import AccessDenied, SchemaError
from geo.services import events
from geo.services.analysis import analysis_inputs
from stagemap_cli.main import main
from tests.actors import RECORDS, liaison
from tests.conftest import canonical_frame

FT = 1 / 302_000  # degrees of longitude per foot at 34 N (about)


def reports() -> object:
    rows = [  # id, feet east, time, type, verification, relevance
        ("A", 0, "2026-03-01T09:00:00Z", "staging_area", "unverified", "enforcement"),
        ("B", 200, "2026-03-01T09:40:00Z", "operations_base", "corroborated", "enforcement"),
        ("C", 600, "2026-03-01T10:30:00Z", "other", "unverified", "enforcement"),  # 400 ft from B, 50 min later
        ("D", 0, "2026-03-01T15:00:00Z", "staging_area", "lapd_confirmed", "enforcement"),  # hours later
        ("E", 50, "2026-03-01T09:05:00Z", "arrest", "unverified", "enforcement"),  # incompatible type
        ("F", 10, "2026-03-01T09:01:00Z", "staging_area", "unverified", "general_crime"),  # context only
    ]
    return canonical_frame(schema.INCIDENTS, [shapely.Point(-118.25 + ft * FT, 34.05) for _, ft, *_ in rows],
                           incident_id=[r[0] for r in rows], occurred_at=pd.to_datetime([r[2] for r in rows]).tolist(),
                           incident_type=[r[3] for r in rows], verification_status=[r[4] for r in rows],
                           relevance=[r[5] for r in rows], source_type="public", warrant_shown="unknown")


def test_proposals_join_near_close_compatible_reports_transitively():
    assert compatible("staging_area", "operations_base") and compatible("arrest", "other")
    assert not compatible("arrest", "staging_area")
    frame = reports()
    proposed = propose_events(frame[frame["relevance"] == "enforcement"])
    groups = proposed.groupby("proposed_event")["incident_id"].agg(lambda s: "".join(sorted(s)))
    assert sorted(groups) == ["ABC"]  # D is hours later, E an incompatible type
    tight = propose_events(frame[frame["relevance"] == "enforcement"], EventRules(distance_ft=250, window_hours=1))
    assert sorted(tight.groupby("proposed_event")["incident_id"].agg(lambda s: "".join(sorted(s)))) == ["AB"]


def test_collapse_counts_events_with_the_best_tier_and_corroborating_reports():
    frame = reports()
    links = pd.DataFrame({"incident_id": ["A", "B", "C"], "event_id": "EV-1", "decision": "confirmed"})
    out = collapse_to_events(frame, links).set_index("event_id")
    assert len(out) == 4 and out.loc["EV-1", "incident_id"] == "B"  # the corroborated report stands for it
    assert out.loc["EV-1", schema.VERIFICATION] == "corroborated" and out.loc["EV-1", "n_reports"] == 3
    assert (collapse_to_events(frame, links.iloc[:0])["n_reports"] == 1).all() and len(collapse_to_events(frame, links.iloc[:0])) == 6


@pytest.fixture
def held(store):
    store.write_layers({schema.INCIDENTS: reports()})
    return store


def test_confirm_and_split_are_audited_and_change_the_counts(held):
    open_ = events.proposals(held, RECORDS)
    assert sorted(open_["incident_id"]) == ["A", "B", "C"] and "F" not in set(open_["incident_id"])
    with pytest.raises(AccessDenied):
        events.proposals(held, liaison("Transportation (LADOT)"))
    with pytest.raises(SchemaError):
        events.confirm(held, RECORDS, ["A"])
    with pytest.raises(SchemaError, match="No report"):
        events.confirm(held, RECORDS, ["A", "ZZ"])
    event = events.confirm(held, RECORDS, ["A", "B", "C"], note="same convoy")
    assert events.proposals(held, RECORDS).empty
    incidents = analysis_inputs(held).incidents
    assert len(incidents) == 4 and incidents.set_index("event_id").loc[event, "n_reports"] == 3
    assert sorted(events.event_reports(held, RECORDS, event)["incident_id"]) == ["A", "B", "C"]
    events.split(held, RECORDS, "C", note="different vehicle")
    incidents = analysis_inputs(held).incidents
    assert len(incidents) == 5 and incidents.set_index("event_id").loc[event, "n_reports"] == 2
    actions = [e["action"] for e in held.read_audit() if e["entity"] == "incident_events"]
    assert actions == ["event.create"] * 3 + ["event.update"]
    assert held.verify_state().ok, held.verify_state().problems()


def test_the_cli_proposes_and_confirms(held, capsys):
    assert main(["events", "propose", "--store", held.url]) == 0
    assert "EV-" in capsys.readouterr().out
    assert main(["events", "confirm", "A", "B", "--store", held.url]) == 0
    assert main(["events", "propose", "--distance-ft", "250", "--window-hours", "1", "--store", held.url]) == 0
    assert "no open proposals" in capsys.readouterr().out


def test_confirm_and_split_on_both_backends(any_store):
    any_store.write_layers({schema.INCIDENTS: reports()})
    event = events.confirm(any_store, RECORDS, ["A", "B"])
    events.split(any_store, RECORDS, "B")
    counted = events.events_view(any_store, any_store.read_layer(schema.INCIDENTS))
    assert len(counted) == 6 and counted.set_index("event_id").loc[event, "n_reports"] == 1  # B split out
    assert any_store.verify_state().ok, any_store.verify_state().problems()
