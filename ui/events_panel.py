"""The Events and effects page's tabs: merged reports (records) and before/after (planners), via geo.services."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.access.roles import Actor, can
from geo.analysis.before_after import EffectRules
from geo.analysis.before_after import __doc__ as METHOD
from geo.analysis.events import EventRules
from geo.errors import AccessDenied, GeoDataError
from geo.services import events
from geo.services.effects import effect_csv, effect_tables
from geo.store import Store
from ui.tables import show_table
from ui.text import md_escape


def merge_panel(store: Store, actor: Actor) -> None:
    """Proposed events to confirm or split, and the reports of a confirmed event."""
    if not can(actor, "merge_reports"):
        st.info("Records users confirm or split merged reports.")
        return
    left, right = st.columns(2)
    distance = left.number_input("Within (ft)", min_value=10.0, max_value=5000.0, value=EventRules.distance_ft)
    hours = right.number_input("And within (hours)", min_value=0.25, max_value=72.0, value=EventRules.window_hours)
    proposed = events.proposals(store, actor, EventRules(float(distance), float(hours)))
    if proposed.empty:
        st.info("No open proposals: every group of nearby, close-in-time, compatible reports is decided.")
    else:
        show_table(proposed, first=["proposed_event", "incident_id"], height=260)
        group = st.selectbox("Proposed event", sorted(proposed["proposed_event"].unique()), key="event_pick")
        ids = proposed.loc[proposed["proposed_event"] == group, "incident_id"].tolist()
        chosen = st.multiselect("Reports of one event", ids, default=ids, key="event_ids")
        note = st.text_input("Note (why)", max_chars=500, key="event_note")
        if st.button("Confirm as one event", type="primary"):
            try:
                event = events.confirm(store, actor, chosen, note=note or None)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(exc))
            else:
                st.success(md_escape(f"{event}: {len(chosen)} reports confirmed as one event."))
    decided = events.links(store)
    if len(decided):
        st.markdown("**Decisions**")
        show_table(decided, first=["event_id", "incident_id", "decision"], height=200)
        report = st.selectbox("Split a report out of its event", decided["incident_id"].tolist(), key="split_pick")
        if st.button("Split it out"):
            try:
                events.split(store, actor, report)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(exc))
            else:
                st.rerun()


def effects_panel(store: Store, actor: Actor, *, as_of: dt.date) -> None:
    """The difference-in-differences summary, a chart, the CSV and the method in words."""
    if not can(actor, "view_risk"):
        st.info("Before/after is internal: planners and admins.")
        return
    cols = st.columns(3)
    radius = cols[0].number_input("Radius (ft)", min_value=50.0, max_value=5000.0, value=EffectRules.radius_ft)
    days = cols[1].number_input("Window (days)", min_value=14, max_value=365, value=EffectRules.window_days)
    fewest = cols[2].number_input("Fewest events for an answer", min_value=5, max_value=500,
                                  value=EffectRules.min_events)
    rules = EffectRules(float(radius), int(days), int(fewest))
    summary, per_site = effect_tables(store, actor, as_of=as_of, rules=rules)
    top = summary[summary["scope"] != "site"]
    show_table(top, first=["scope", "name", "verdict", "did", "ci_low", "ci_high"])
    answered = top.dropna(subset=["did"]).set_index("name")
    if len(answered):
        st.bar_chart(answered[["did"]], horizontal=True, y_label="", x_label="difference in differences (events)")
    with st.expander(f"Per site ({len(per_site)} protected sites with a full window after)"):
        show_table(summary[summary["scope"] == "site"], first=["name", "verdict"])
    if can(actor, "export_internal") and st.button("Prepare CSV"):
        st.download_button("Download before/after CSV", effect_csv(store, actor, as_of=as_of, rules=rules),
                           file_name=f"before_after_{as_of}.csv", mime="text/csv")
    st.markdown("**Method**")
    st.caption(md_escape(METHOD or ""))
