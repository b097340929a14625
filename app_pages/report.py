"""Report an incident: contractor reports (A.3) and officer reports (B.6), with evidence files."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_folium import st_folium

from geo import duties, schema
from geo.access.roles import can
from geo.analysis.selection import clicked_lonlat
from geo.config import LOCAL_TZ
from geo.errors import AccessDenied, GeoDataError
from geo.intake.evidence import EvidenceUpload
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from geo.services.scenes import check_scene, save_scene
from layers.base import base_map
from ui import auth, state
from ui.data import current_store, load_frames, store_at
from ui.scene_form import changed, scene_inputs
from ui.text import md_escape, md_line

actor = auth.page_actor("report")

url, version = current_store()
frames = load_frames(url, version)
st.title("Report an incident")
st.caption("Contractors report any attempted or actual use of City property as a staging area, processing location "
           "or operations base to the department's Immigrant Affairs Liaison (directive A.3); officers record "
           "apparent unlawful conduct (B.6). The report is routed to the owning department by location.")

st.markdown("**Where**: click the map, or type the coordinates.")
event = st_folium(base_map(bounds=tuple(frames.districts.total_bounds) if len(frames.districts) else None,
                           synthetic=bool(frames.info.is_synthetic)),
                  key="report_map", returned_objects=["last_clicked"], use_container_width=True, height=320)
where = clicked_lonlat(event)
if where and where != st.session_state[state.REP_LAST_CLICK]:
    st.session_state[state.REP_LAST_CLICK] = where
    st.session_state[state.REP_LON], st.session_state[state.REP_LAT] = round(where[0], 6), round(where[1], 6)

with st.form("incident_report", clear_on_submit=False):
    c1, c2 = st.columns(2)
    lat = c1.number_input("Latitude", format="%.6f", key=state.REP_LAT)
    lon = c2.number_input("Longitude", format="%.6f", key=state.REP_LON)
    relevance = st.radio("What is being reported", list(schema.RELEVANCE_CLASSES),
                         format_func=schema.RELEVANCE_LABELS.__getitem__, key=state.REP_RELEVANCE,
                         help="Suspected unlawful conduct is what the B.8 monthly report counts; general crime is kept "
                              "as context only and never counted as enforcement.")
    conduct = st.multiselect("Observed conduct (suspected unlawful conduct only; several may apply)",
                             list(schema.CONDUCT_TYPES), format_func=schema.CONDUCT_LABELS.__getitem__,
                             key=state.REP_CONDUCT, help="Record what was observed, not a finding that the law was broken.")
    kind = c1.selectbox("Type", schema.INCIDENT_TYPES, format_func=lambda t: t.replace("_", " "))
    source = c2.selectbox("Reported by", ["contractor", "officer", "staff", "public"])
    now_la = dt.datetime.now(ZoneInfo(LOCAL_TZ)).replace(second=0, microsecond=0, tzinfo=None)
    day = c1.date_input("Date", value=now_la.date(), max_value=now_la.date())
    clock = c2.time_input("Time (Los Angeles)", value=now_la.time())
    description = st.text_area("What happened", max_chars=4000)
    location_text = st.text_input("Location (hundred block or intersection)")
    warrant = st.radio("Judicial warrant or court order shown", list(schema.WARRANT_VALUES), index=2, horizontal=True)
    st.markdown("Officer reports (B.2): on-scene supervisory immigration officer, when recorded")
    s1, s2, s3 = st.columns(3)
    supervisor = s1.text_input("Supervisor name")
    badge = s2.text_input("Badge number")
    agency = s3.text_input("Agency")
    st.markdown("Reporter contact (optional; kept apart and visible only to LAPD records and admins)")
    r1, r2, r3 = st.columns(3)
    reporter_name = r1.text_input("Name")
    reporter_email = r2.text_input("E-mail")
    reporter_phone = r3.text_input("Phone")
    files = st.file_uploader("Evidence (photos, video, documents)", accept_multiple_files=True)
    label = st.text_input("Evidence label (B.7)")
    disposition = st.text_input("Call disposition reference")
    attended = False
    if can(actor, "record_scene"):
        attended = st.checkbox("LAPD attended this scene: record the Section B duties (B.1-B.6)",
                               key="rep_scene_attended")
        with st.expander("Scene record (B.1-B.6)", expanded=False):
            answers = scene_inputs("rep_scene")
    submitted = st.form_submit_button("Submit report", type="primary")

scene: dict[str, object] = {}
if submitted and attended:
    scene = changed(answers, {}) | {k: v for k, v in ((duties.SUPERVISOR_NAME, supervisor), (duties.SUPERVISOR_BADGE, badge))
                                    if v and not answers.get(k)}
    problems = check_scene("(new incident)", scene)
    if problems:
        st.error("Scene record not valid; nothing was saved. " + " ".join(md_escape(p) for p in problems))
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
        st.error(md_escape(exc))
    else:
        if scene:
            saved = save_scene(store_at(url), actor, result.incident_id, scene, expect_version=0)
            st.success(f"Scene record saved (version {saved['version']}).")
        routed = result.route.routed_to or "no City site at this location"
        st.success(f"Saved incident {md_line(result.incident_id)} with {len(result.evidence)} evidence file(s). "
                   f"Routed to: {md_line(routed)}.")
