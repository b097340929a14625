"""Commission page widgets: edit a scene record (B.1-B.6), send a referral and move it through its states (B.7).

Every save goes through :mod:`geo.services.scenes` (records and admin); a stale save or an
invalid field is shown and nothing changes.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import duties
from geo.access.roles import Actor
from geo.errors import AccessDenied, GeoDataError
from geo.services import retention, scenes
from ui.data import store_at
from ui.i18n import _, error_text
from ui.scene_form import changed, scene_inputs
from ui.tables import show_table
from ui.text import md_escape, md_line


def scene_editor(url: str, actor: Actor, incident_ids: list[str]) -> None:
    """Pick an incident and edit its scene record at the version shown."""
    if not incident_ids:
        st.info(_("No enforcement incidents in the store yet."))
        return
    incident_id = st.selectbox(_("Incident"), incident_ids, key="com_scene_incident")
    current = scenes.scene_of(store_at(url), incident_id)
    st.caption(_("Scene record version {version}").format(version=current["version"]) if current["version"]
               else _("Scene record version 0 (none yet)"))
    with st.form(f"com_scene_{incident_id}"):
        answers = scene_inputs(f"com_scene_{incident_id}", current)
        saved = st.form_submit_button(_("Save scene record"), type="primary")
    if saved:
        edits = changed(answers, current)
        if not edits:
            st.info(_("Nothing changed."))
            return
        try:
            row = scenes.save_scene(store_at(url), actor, incident_id, edits, expect_version=int(str(current["version"])))
        except (GeoDataError, AccessDenied) as exc:
            st.error(md_escape(error_text(exc)))
        else:
            st.success(_("Saved scene of {incident} at version {version}.").format(incident=md_line(incident_id),
                                                                                   version=row["version"]))


def referral_forms(url: str, actor: Actor, incident_ids: list[str], *, as_of: dt.date) -> None:
    """Send a referral, and move one to its next state with the date and outcome."""
    left, right = st.columns(2)
    with left.form("com_ref_send"):
        st.markdown(_("**Send a referral (B.7)**"))
        incident_id = st.selectbox(_("Incident"), incident_ids, key="com_ref_incident")
        recipient = st.selectbox(_("To"), duties.RECIPIENTS, format_func=lambda v: _(duties.RECIPIENT_LABELS[v]))
        other = st.text_input(_("Other recipient (when 'Other')"), max_chars=200)
        sent_on = st.date_input(_("Sent on"), value=as_of, max_value=as_of)
        package = st.text_input(_("Evidence package reference"), max_chars=200)
        send = st.form_submit_button(_("Record referral"))
    if send and incident_id:
        try:
            row = scenes.send_referral(store_at(url), actor, incident_id, recipient=recipient, sent_on=sent_on,
                                       package_ref=package or None, recipient_other=other or None)
        except (GeoDataError, AccessDenied) as exc:
            left.error(md_escape(error_text(exc)))
        else:
            left.success(_("Referral {referral} recorded as sent.").format(referral=md_line(row[duties.REFERRAL_ID])))
    refs = scenes.referrals(store_at(url), actor)
    open_refs = refs[refs[duties.REFERRAL_STATUS] != "closed"]
    with right.form("com_ref_move"):
        st.markdown(_("**Move a referral**"))
        ids = open_refs[duties.REFERRAL_ID].astype(str).tolist()
        referral_id = st.selectbox(_("Referral"), ids, key="com_ref_id")
        to = st.selectbox(_("To state"), duties.REFERRAL_STATES[1:], format_func=_)
        on = st.date_input(_("On"), value=as_of, max_value=as_of, key="com_ref_on")
        outcome = st.text_input(_("Outcome (needed to close)"), max_chars=2000)
        move = st.form_submit_button(_("Move referral"))
    if move and referral_id:
        try:
            row = scenes.move_referral(store_at(url), actor, referral_id, to, on=on, outcome=outcome or None)
        except (GeoDataError, AccessDenied) as exc:
            right.error(md_escape(error_text(exc)))
        else:
            right.success(_("Referral {referral} is now {state}.").format(
                referral=md_line(referral_id), state=md_line(_(str(row[duties.REFERRAL_STATUS])))))


def retention_panel(url: str, actor: Actor, incident_ids: list[str], *, as_of: dt.date) -> None:
    """Show the reporter contacts expiring next (ids only) and place or release a legal hold."""
    st.caption(_("Reporter contacts are deleted {days} days after the report unless the incident is on legal hold. "
                 "Names, e-mails and phones are never listed here.").format(days=duties.CONTACT_RETENTION_DAYS))
    show_table(retention.retention_report(store_at(url), actor, as_of=as_of))
    left, right = st.columns(2)
    with left.form("com_hold"):
        incident_id = st.selectbox(_("Incident"), incident_ids, key="com_hold_incident")
        reason = st.text_input(_("Reason for the hold (required)"), max_chars=2000)
        place = st.form_submit_button(_("Place legal hold"))
    if place and incident_id:
        try:
            hold_id = retention.place_hold(store_at(url), actor, incident_id, reason)
        except (GeoDataError, AccessDenied) as exc:
            left.error(md_escape(error_text(exc)))
        else:
            left.success(_("Legal hold {hold} placed.").format(hold=md_line(hold_id)))
    holds = store_at(url).read_holds()
    active = holds[holds["released_at"].isna()]["hold_id"].astype(str).tolist()
    with right.form("com_release"):
        hold = st.selectbox(_("Active hold"), active, key="com_release_hold")
        why = st.text_input(_("Reason for release (required)"), max_chars=2000)
        release = st.form_submit_button(_("Release hold"))
    if release and hold:
        try:
            retention.release_hold(store_at(url), actor, hold, why)
        except (GeoDataError, AccessDenied) as exc:
            right.error(md_escape(error_text(exc)))
        else:
            right.success(_("Legal hold {hold} released.").format(hold=md_line(hold)))
