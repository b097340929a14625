"""The Events and effects page's tabs: merged reports (records) and before/after (planners), via geo.services."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.access.roles import Actor, can
from geo.analysis.before_after import EffectRules
from geo.analysis.events import EventRules
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.services import events
from geo.services.effects import effect_csv, effect_tables
from geo.store import Store
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape

#: The method in words (the module text of :mod:`geo.analysis.before_after`), marked for translation.
METHOD = N_(
    'Did signs work? Enforcement events near protected sites before and after, against unprotected sites.\n'
    '\n'
    'The method, in words (shown on the page):\n'
    '\n'
    '* A site is *treated* when it was protected (its directive sign posted) on a known date ``d`` and a\n'
    '  full window of ``window_days`` after ``d`` has passed by the as-of date. Its *before* count is\n'
    '  the enforcement events within ``radius_ft`` in the ``window_days`` before ``d``; its *after*\n'
    '  count those in the ``window_days`` from ``d``.\n'
    '* *Comparison* sites are the sites still unprotected on the as-of date. For each treated site\n'
    '  their mean counts over the **same two windows** give the change that happened anyway.\n'
    '* The difference in differences of a site is (after - before) - (comparison after - comparison\n'
    "  before); a department's or the City's estimate is the mean over its treated sites. Negative\n"
    '  means fewer events near protected sites than the comparison suggests.\n'
    "* Counts are treated as Poisson: the variance of the estimate is the treated sites' before + after\n"
    "  counts over their number squared, plus the comparison change's variance (comparison counts over\n"
    '  comparison sites squared; shared by every treated site, so it never averages away); the 95%\n'
    '  interval is the estimate +- 1.96 standard errors.\n'
    '* With fewer than ``min_events`` events (before + after, at the treated sites) the answer is\n'
    '  **"too few events to say"** and no interval is given.\n'
    '\n'
    'Internal only: this is about where enforcement happens; it never reaches a public view.\n'
)



def merge_panel(store: Store, actor: Actor) -> None:
    """Proposed events to confirm or split, and the reports of a confirmed event."""
    if not can(actor, "merge_reports"):
        st.info(_("Records users confirm or split merged reports."))
        return
    left, right = st.columns(2)
    distance = left.number_input(_("Within (ft)"), min_value=10.0, max_value=5000.0, value=EventRules.distance_ft)
    hours = right.number_input(_("And within (hours)"), min_value=0.25, max_value=72.0, value=EventRules.window_hours)
    proposed = events.proposals(store, actor, EventRules(float(distance), float(hours)))
    if proposed.empty:
        st.info(_("No open proposals: every group of nearby, close-in-time, compatible reports is decided."))
    else:
        show_table(proposed, first=["proposed_event", "incident_id"], height=260)
        group = st.selectbox(_("Proposed event"), sorted(proposed["proposed_event"].unique()), key="event_pick")
        ids = proposed.loc[proposed["proposed_event"] == group, "incident_id"].tolist()
        chosen = st.multiselect(_("Reports of one event"), ids, default=ids, key="event_ids")
        note = st.text_input(_("Note (why)"), max_chars=500, key="event_note")
        if st.button(_("Confirm as one event"), type="primary"):
            try:
                event = events.confirm(store, actor, chosen, note=note or None)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(error_text(exc)))
            else:
                st.success(md_escape(_("{event}: {n} reports confirmed as one event.").format(event=event, n=len(chosen))))
    decided = events.links(store)
    if len(decided):
        st.markdown(_("**Decisions**"))
        show_table(decided, first=["event_id", "incident_id", "decision"], height=200)
        report = st.selectbox(_("Split a report out of its event"), decided["incident_id"].tolist(), key="split_pick")
        if st.button(_("Split it out")):
            try:
                events.split(store, actor, report)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(error_text(exc)))
            else:
                st.rerun()


def effects_panel(store: Store, actor: Actor, *, as_of: dt.date) -> None:
    """The difference-in-differences summary, a chart, the CSV and the method in words."""
    if not can(actor, "view_risk"):
        st.info(_("Before/after is internal: planners and admins."))
        return
    cols = st.columns(3)
    radius = cols[0].number_input(_("Radius (ft)"), min_value=50.0, max_value=5000.0, value=EffectRules.radius_ft)
    days = cols[1].number_input(_("Window (days)"), min_value=14, max_value=365, value=EffectRules.window_days)
    fewest = cols[2].number_input(_("Fewest events for an answer"), min_value=5, max_value=500,
                                  value=EffectRules.min_events)
    rules = EffectRules(float(radius), int(days), int(fewest))
    summary, per_site = effect_tables(store, actor, as_of=as_of, rules=rules)
    top = summary[summary["scope"] != "site"]
    show_table(top, first=["scope", "name", "verdict", "did", "ci_low", "ci_high"])
    answered = top.dropna(subset=["did"]).set_index("name")
    if len(answered):
        st.bar_chart(answered[["did"]], horizontal=True, y_label="", x_label=_("difference in differences (events)"))
    with st.expander(_("Per site ({n} protected sites with a full window after)").format(n=len(per_site))):
        show_table(summary[summary["scope"] == "site"], first=["name", "verdict"])
    if can(actor, "export_internal") and st.button(_("Prepare CSV")):
        st.download_button(_("Download before/after CSV"), effect_csv(store, actor, as_of=as_of, rules=rules, lang=lang()),
                           file_name=f"before_after_{as_of}.csv", mime="text/csv")
    st.markdown(_("**Method**"))
    st.caption(md_escape(_(METHOD)))
