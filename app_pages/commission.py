"""The Police Commission's Section B view (records, admin): duty compliance, public reports, referrals, cadence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import duties, schema
from geo.analysis.relevance import enforcement_incidents
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import short_date
from geo.reports.commission import duty_table
from geo.services.commission import commission_pdf, commission_public_pdf, dashboard
from geo.services.scenes import referrals
from ui import auth, state
from ui.commission_forms import referral_forms, retention_panel, scene_editor
from ui.data import current_store, load_frames, store_at
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape, md_line

actor = auth.page_actor("commission")

url, version = current_store()
frames = load_frames(url, version)
as_of = state.as_of()
st.title(_("Police Commission: Section B duties"))
st.caption(_("As of {date}. Scenes are LAPD-attended enforcement incidents with a scene record; a duty's "
             "share counts the scenes where it applies (B.5 where someone was injured, B.6 where a public report was "
             "received). General crime is never counted.").format(date=short_date(as_of, lang())))
view = dashboard(store_at(url), actor, as_of=as_of)
cad = view.cadence
(st.warning if cad.weekly else st.info)(md_line(cad.sentence(lang())))
c1, c2, c3, c4 = st.columns(4)
c1.metric(_("Scenes recorded"), view.scenes)
c2.metric(_("Public reports received"), view.public_reports["received"])
c3.metric(_("Public reports taken"), view.public_reports["taken"])
c4.metric(_("Referrals overdue"), len(view.overdue))

dash, scene_tab, ref_tab, keep_tab = st.tabs([_("Compliance"), _("Scene records"), _("Referrals"), _("Retention")])
with dash:
    months = sorted(view.by_month["month"].unique(), reverse=True)
    if not months:
        st.info(_("No scene records up to the as-of date yet."))
    else:
        month = st.selectbox(_("Month"), months, key="com_month")
        st.subheader(_("City-wide, {month}").format(month=month))
        show_table(duty_table(view.by_month[view.by_month["month"] == month], lang()))
        all_months = "all months to the as-of date"  # the option's value stays English: it is compared, not read
        scope = st.radio(_("By LAPD division"), [month, all_months], horizontal=True, key="com_division_scope",
                         format_func=lambda v: _("all months to the as-of date") if v == all_months else v)
        rows = (view.by_division if scope != month
                else view.by_month_division[view.by_month_division["month"] == month])
        st.caption(_("Met / scenes where the duty applies, per division."))
        wide = rows.assign(rate=[f"{m}/{s}" if s else "-" for m, s in zip(rows["met"], rows["scenes"], strict=True)])
        show_table(wide.pivot(index="division", columns="label", values="rate").reset_index())
    if view.reports_not_taken:
        st.subheader(_("Public reports received without a report number (B.6)"))
        st.markdown(", ".join(md_line(i) for i in view.reports_not_taken))
    if months:
        pdf_month = st.selectbox(_("Monthly PDF for the Commission and the Mayor"), months, key="com_pdf_month")
        left, right = st.columns(2)
        if left.button(_("Prepare internal PDF"), key="com_pdf_internal"):
            name, data = commission_pdf(store_at(url), actor, month=pdf_month, as_of=as_of, lang=lang())
            left.download_button(_("Download internal PDF"), data, file_name=name, mime="application/pdf")
        if right.button(_("Publish / download public version (suppressed, once per closed month)"), key="com_pdf_public"):
            try:
                name, data = commission_public_pdf(store_at(url), actor, month=pdf_month, as_of=as_of, lang=lang())
            except (GeoDataError, AccessDenied) as exc:
                right.error(md_escape(error_text(exc)))
            else:
                right.download_button(_("Download public PDF"), data, file_name=name, mime="application/pdf")
    st.subheader(_("Referrals by recipient and status"))
    show_table(view.referrals.reset_index())
with scene_tab:
    ids = sorted(enforcement_incidents(frames.incidents)[schema.INCIDENT_ID].astype(str).tolist(), reverse=True)
    scene_editor(url, actor, ids)
with ref_tab:
    referral_forms(url, actor, ids, as_of=as_of)
    st.subheader(_("Overdue: sent more than {days} days ago and never acknowledged").format(days=duties.REFERRAL_OVERDUE_DAYS))
    cols = [duties.REFERRAL_ID, duties.INCIDENT_ID, duties.RECIPIENT, duties.SENT_ON, "days_waiting"]
    show_table(view.overdue[cols] if len(view.overdue) else pd.DataFrame(columns=cols))
    st.subheader(_("All referrals"))
    show_table(referrals(store_at(url), actor))
with keep_tab:
    retention_panel(url, actor, ids, as_of=as_of)
