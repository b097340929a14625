"""The Inbox's alerts tab: counts, the table, acknowledge and action, delivery attempts (A.3)."""
from __future__ import annotations

import streamlit as st

from geo.access.roles import Actor
from geo.analysis.labels import label
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.services import alerts
from geo.store import Store
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape, md_line

#: Alert states as they read (the state codes are shown translated).
STATES = (N_("unread"), N_("acknowledged"), N_("actioned"))


def alerts_panel(store: Store, actor: Actor, department: str | None) -> None:
    """Draw the department's alerts (all departments for an admin choosing none)."""
    try:
        box = alerts.inbox(store, actor, department)
    except AccessDenied as exc:
        st.error(md_escape(error_text(exc)))
        return
    cols = st.columns(4)
    cols[0].metric(_("Unread"), f"{int((box['state'] == 'unread').sum()):,}")
    cols[1].metric(_("Acknowledged"), f"{int((box['state'] == 'acknowledged').sum()):,}")
    cols[2].metric(_("Actioned"), f"{int((box['state'] == 'actioned').sum()):,}")
    queued = box[(box["email_state"].isin(["queued", "digest"])) | (box["webhook_state"] == "queued")]
    cols[3].metric(_("Waiting to be sent"), f"{len(queued):,}", help=_("queued e-mail or webhook; failed sends stay here"))
    if actor.role == "admin" and st.button(_("Deliver queued now")):
        try:
            report = alerts.deliver_pending(store, actor)
        except GeoDataError as exc:
            st.error(md_escape(error_text(exc)))
        else:
            st.success(md_escape(error_text(report.summary())))
    if box.empty:
        st.info(_("No alerts.") if department is None else _("No alerts for {department}.").format(
            department=md_line(department)))
        return
    shown = box.assign(occurred=box["occurred_at"].map(local_text), raised=box["created_at"].map(local_text),
                       acknowledged=box["acknowledged_at"].map(local_text), actioned=box["actioned_at"].map(local_text))
    show_table(shown[["alert_id", "state", "department", "site_id", "distance_ft", "incident_type", "occurred",
                      "raised", "acknowledged_by", "acknowledged", "actioned_by", "actioned", "action_note",
                      "email_state", "webhook_state", "last_error"]], first=["alert_id", "state", "site_id"], height=320)
    alert_id = st.selectbox(_("Alert"), box["alert_id"].tolist(), key="inbox_alert")
    row = box.set_index("alert_id").loc[alert_id]
    st.markdown(_("**{alert}**: {kind} at {site}, {when}; now **{state}** (version {version}).").format(
        alert=md_line(alert_id), kind=md_line(label(row["incident_type"], "incident_type", lang())),
        site=md_line(row["site_id"]), when=md_line(local_text(row["occurred_at"]) or "-"),
        state=md_line(_(str(row["state"]))), version=int(row["version"])))
    left, right = st.columns(2)
    with left:
        if row["state"] == "unread" and st.button(_("Acknowledge"), type="primary"):
            try:
                alerts.acknowledge(store, actor, alert_id, expect_version=int(row["version"]))
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(error_text(exc)))
            else:
                st.rerun()
    with right:
        if row["state"] != "actioned":
            with st.form("inbox_action"):
                note = st.text_area(_("What was done"), max_chars=1000)
                if st.form_submit_button(_("Mark actioned")):
                    try:
                        alerts.mark_actioned(store, actor, alert_id, expect_version=int(row["version"]), note=note)
                    except (GeoDataError, AccessDenied) as exc:
                        st.error(md_escape(error_text(exc)))
                    else:
                        st.rerun()
    tried = alerts.attempts(store, actor, alert_id)
    with st.expander(_("Delivery attempts ({n})").format(n=len(tried))):
        if tried.empty:
            st.caption(_("No delivery attempt yet (no channel configured, or waiting for the digest)."))
        else:
            show_table(tried.assign(at=tried["at"].map(local_text))[["channel", "attempt", "at", "ok", "detail"]])
