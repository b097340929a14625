"""Report an incident: contractor reports (A.3) and officer reports (B.6), with evidence files."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_folium import st_folium

from geo import duties, schema
from geo.access.roles import can
from geo.analysis.pin import new_point
from geo.config import LOCAL_TZ
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.labels import RELEVANCE_WORDS
from geo.services.intake import submit_incident
from geo.services.scenes import check_scene, save_scene
from layers.report_map import report_map, report_pin
from ui import auth, state
from ui.data import current_store, load_frames, store_at
from ui.i18n import _, error_text, lang
from ui.scene_form import changed, scene_inputs
from ui.text import md_escape, md_line

actor = auth.page_actor("report")
TYPES = {"staging_area": N_("Staging area"), "processing_location": N_("Processing location"),
         "operations_base": N_("Operations base"), "arrest": N_("Arrest"), "detention": N_("Detention"),
         "checkpoint": N_("Checkpoint"), "surveillance": N_("Surveillance"), "other": N_("Other")}  # code -> shown
SOURCES = {"contractor": N_("Contractor"), "officer": N_("Officer"), "staff": N_("City staff"), "public": N_("Member of the public")}
WARRANTS = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")}  # stored codes -> shown

url, version = current_store()
frames = load_frames(url, version)
st.title(_("Report an incident"))
st.caption(_("Contractors report any attempted or actual use of City property as a staging area, processing "
             "location or operations base to the department's Immigrant Affairs Liaison (directive A.3); officers "
             "record apparent unlawful conduct (B.6). The report is routed to the owning department by location."))

st.markdown(_("**Where**: click the map, drag the pin, or type the coordinates."))
event = st_folium(report_map(frames.districts, lang=lang(), synthetic=bool(frames.info.is_synthetic)),
                  feature_group_to_add=report_pin(float(st.session_state[state.REP_LAT]),
                                                  float(st.session_state[state.REP_LON]),
                                                  lang=lang()),
                  key="report_map", returned_objects=["last_clicked", "last_object_clicked"],
                  center=st.session_state[state.REP_CENTER],  # a typed point outside the view: the map pans to it
                  use_container_width=True, height=320)
where, marks = new_point(event, st.session_state[state.REP_LAST_CLICK])
st.session_state[state.REP_LAST_CLICK] = marks
if where is not None:  # a click on the map, or the pin dropped: the typed point follows, then the pin is drawn there
    st.session_state[state.REP_LON], st.session_state[state.REP_LAT] = round(where[0], 6), round(where[1], 6)
    st.rerun()
pair = st.columns(2, wrap=False)  # one row, also on a phone: the two halves of one point stay together


def _typed() -> None:
    """A typed coordinate: the map centres on the point (a click or a drag leaves the view where it is)."""
    st.session_state[state.REP_CENTER] = (float(st.session_state[state.REP_LAT]),
                                          float(st.session_state[state.REP_LON]))


lat = pair[0].number_input(_("Latitude"), format="%.6f", step=0.0001, key=state.REP_LAT, on_change=_typed)
lon = pair[1].number_input(_("Longitude"), format="%.6f", step=0.0001, key=state.REP_LON, on_change=_typed)

with st.form("incident_report", clear_on_submit=False):
    c1, c2 = st.columns(2)
    relevance = st.radio(_("What is being reported"), list(schema.RELEVANCE_CLASSES),
                         format_func=lambda v: _(RELEVANCE_WORDS[v]), key=state.REP_RELEVANCE,
                         help=_("Suspected unlawful conduct is what the B.8 monthly report counts; general crime is "
                                "kept as context only and never counted as enforcement."))
    conduct = st.multiselect(_("Observed conduct (suspected unlawful conduct only; several may apply)"),
                             list(schema.CONDUCT_TYPES), format_func=lambda v: _(schema.CONDUCT_LABELS[v]),
                             key=state.REP_CONDUCT,
                             help=_("Record what was observed, not a finding that the law was broken."))
    kind = c1.selectbox(_("Type"), schema.INCIDENT_TYPES, format_func=lambda t: _(TYPES.get(t, str(t).replace("_", " "))))
    source = c2.selectbox(_("Reported by"), list(SOURCES), format_func=lambda v: _(SOURCES[v]))
    now_la = dt.datetime.now(ZoneInfo(LOCAL_TZ)).replace(second=0, microsecond=0, tzinfo=None)
    day = c1.date_input(_("Date"), value=now_la.date(), max_value=now_la.date())
    clock = c2.time_input(_("Time (Los Angeles)"), value=now_la.time())
    description = st.text_area(_("What happened"), max_chars=4000)
    location_text = st.text_input(_("Location (hundred block or intersection)"))
    warrant = st.radio(_("Judicial warrant or court order shown"), list(schema.WARRANT_VALUES), index=2, horizontal=True,
                       format_func=lambda v: _(WARRANTS.get(v, str(v))))
    st.markdown(_("Officer reports (B.2): on-scene supervisory immigration officer, when recorded"))
    s1, s2, s3 = st.columns(3)
    supervisor = s1.text_input(_("Supervisor name"))
    badge = s2.text_input(_("Badge number"))
    agency = s3.text_input(_("Agency"))
    st.markdown(_("Reporter contact (optional; kept apart and visible only to LAPD records and admins)"))
    r1, r2, r3 = st.columns(3)
    reporter_name = r1.text_input(_("Name"))
    reporter_email = r2.text_input(_("E-mail"))
    reporter_phone = r3.text_input(_("Phone"))
    files = st.file_uploader(_("Evidence (photos, video, documents)"), accept_multiple_files=True)
    label = st.text_input(_("Evidence label (B.7)"))
    disposition = st.text_input(_("Call disposition reference"))
    attended = False
    if can(actor, "record_scene"):
        attended = st.checkbox(_("LAPD attended this scene: record the Section B duties (B.1-B.6)"),
                               key="rep_scene_attended")
        with st.expander(_("Scene record (B.1-B.6)"), expanded=False):
            answers = scene_inputs("rep_scene")
    submitted = st.form_submit_button(_("Submit report"), type="primary")

scene: dict[str, object] = {}
if submitted and attended:
    scene = changed(answers, {}) | {k: v for k, v in ((duties.SUPERVISOR_NAME, supervisor), (duties.SUPERVISOR_BADGE, badge))
                                    if v and not answers.get(k)}
    problems = check_scene(_("(new incident)"), scene)
    if problems:
        st.error(_("Scene record not valid; nothing was saved.") + " " + " ".join(md_escape(error_text(p)) for p in problems))
        st.stop()
if submitted:
    report = IncidentReport(
        incident_type=kind, lat=lat, lon=lon, occurred_at=dt.datetime.combine(day, clock), source_type=source,
        description=description or None, location_text=location_text or None, warrant_shown=warrant,
        supervisor_name=supervisor or None, supervisor_badge=badge or None, agency=agency or None,
        reporter_name=reporter_name or None, reporter_email=reporter_email or None,
        reporter_phone=reporter_phone or None, relevance=relevance, conduct=tuple(conduct))
    evidence = [EvidenceUpload(f.name, f.getvalue(), label=label or None, disposition_ref=disposition or None)
                for f in files or []]
    try:
        result = submit_incident(store_at(url), actor, report, evidence_files=evidence)
    except (GeoDataError, AccessDenied) as exc:
        st.error(md_escape(error_text(exc)))
    else:
        if scene:
            saved = save_scene(store_at(url), actor, result.incident_id, scene, expect_version=0)
            st.success(_("Scene record saved (version {version}).").format(version=saved["version"]))
        routed = result.route.routed_to or _("no City site at this location")
        st.success(_("Saved incident {id} with {n} evidence file(s). Routed to: {routed}.").format(
            id=md_line(result.incident_id), n=len(result.evidence), routed=md_line(routed)))
