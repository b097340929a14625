"""Inbox: the directive's workflows for a department - A.3 alerts, A.3 contractor notices, day-15 board measures.

Delivery: an alert is e-mailed (and posted to the webhook) in the background right after the report
is stored; failed sends stay queued here with their last error. ``stagemap alerts deliver`` (cron)
and the admin's button send what is queued.
"""
from __future__ import annotations

import streamlit as st

from geo import schema
from ui import auth, state
from ui.alert_panel import alerts_panel
from ui.data import session_store
from ui.i18n import _
from ui.notice_panel import measures_panel, notices_panel
from ui.text import md_line

actor = auth.page_actor("inbox")
store = session_store()
st.title(_("Inbox: A.3 alerts"))
st.caption(_("Each enforcement-related report on or within 150 ft of a department's site. Reporter identities "
             "are never shown here or sent by e-mail."))

if actor.role == "liaison":
    department: str | None = actor.department
    st.caption(_("Department: **{department}**").format(department=md_line(department)))
else:
    departments = sorted(store.read_layer(schema.SITES, columns=[schema.OWNING_DEPT])[schema.OWNING_DEPT]
                         .dropna().unique())
    picked = st.selectbox(_("Department"), ["All departments", *departments], key="inbox_department",  # value stays English
                          format_func=lambda d: _("All departments") if d == "All departments" else d)
    department = None if picked == "All departments" else picked

tab_alerts, tab_notices, tab_measures = st.tabs([_("Alerts"), _("Contractor notices (A.3)"), _("Board measures (day 15)")])
with tab_alerts:
    alerts_panel(store, actor, department)
with tab_notices:
    notices_panel(store, actor, department, as_of=state.as_of())
with tab_measures:
    measures_panel(store, actor, department)
