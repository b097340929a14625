"""Data: import a file with the same validation as the CLI, in the background, and read its report."""
from __future__ import annotations

import streamlit as st

from geo import schema
from geo.config import UploadLimits
from geo.errors import GeoDataError
from geo.i18n import N_
from ui import auth, jobs, state
from ui.data import session_store
from ui.i18n import _, error_text
from ui.import_form import boundary_inputs, column_mapping, show_warnings
from ui.text import md_escape
from ui.uploads import save_upload

actor = auth.page_actor("data")


LIMITS = UploadLimits()
KINDS = {schema.PARCELS: N_("parcels"), schema.SITES: N_("sites"), schema.INCIDENTS: N_("incidents"),
         schema.DISTRICTS: N_("districts"), schema.PARKS: N_("parks"), schema.PLACES: N_("places"),
         schema.RAMPS: N_("ramps"), schema.LAPD_DIVISIONS: N_("LAPD divisions"),
         schema.NEIGHBORHOOD_COUNCILS: N_("neighborhood councils"), schema.STREETS: N_("streets")}  # kind -> shown
st.title(_("Import data"))
st.caption(_("Files are validated before anything is stored; a rejected file leaves the store exactly as it was. "
             "Uploads up to {mb} MB, {features} features and {seconds} s of reading; larger County files go through "
             "`stagemap import`. The import runs in the background: other pages stay usable, and you can cancel it.")
           .format(mb=LIMITS.max_file_bytes // 1_000_000, features=f"{LIMITS.max_features:,}",
                   seconds=f"{LIMITS.max_read_seconds:,.0f}"))

kind = st.selectbox(_("What the file holds"), schema.IMPORT_KINDS, key=state.DATA_KIND, format_func=lambda k: _(KINDS.get(k, str(k))))
upload = st.file_uploader(_("File"), type=["geojson", "json", "gpkg", "zip", "parquet", "fgb", "csv", "txt", "xlsx"],
                          key=state.DATA_FILE)
crs = st.text_input(_("CRS, only for files without one (e.g. 2229)"), key=state.DATA_CRS)
department = st.text_input(_("Department, for a sites list without a department column"), key=state.DATA_DEPT)
vintage, make_current = boundary_inputs(kind)
columns = column_mapping(actor, kind, upload, LIMITS)
job: jobs.ImportJob | None = st.session_state.get(jobs.SESSION_KEY)
busy = job is not None and not job.done.is_set()
if st.button(_("Validate and import"), type="primary", key="data_import", disabled=upload is None or busy) \
        and upload is not None:
    if isinstance(columns, str):
        st.error(md_escape(error_text(columns)) + "\n\n" + _("Nothing was stored."))
        st.stop()
    try:
        path = save_upload(upload.name, upload.getvalue(), max_bytes=LIMITS.max_file_bytes)
    except GeoDataError as exc:
        st.error(md_escape(error_text(exc)) + "\n\n" + _("Nothing was stored."))
        st.stop()
    job = jobs.start(jobs.ImportRequest(
        store_url=session_store().url, actor=actor, kind=kind, path=str(path), limits=LIMITS,
        crs=crs.strip() or None, department=department.strip() or None, cleanup=str(path.parent),
        columns=tuple(columns.items()), vintage=vintage, make_current=make_current))
    st.session_state[jobs.SESSION_KEY] = job


@st.fragment(run_every=1.0)
def _running() -> None:
    """Progress and the cancel button, refreshed every second without rerunning the page."""
    current: jobs.ImportJob | None = st.session_state.get(jobs.SESSION_KEY)
    if current is None:
        return
    if current.done.is_set():
        st.rerun()  # show the outcome with the whole page
    st.progress(current.fraction, text=md_escape(error_text(current.text)))
    if st.button(_("Cancel import"), key="data_cancel", disabled=current.cancelling):
        current.cancel()
        st.rerun(scope="fragment")


if job is not None and not job.done.is_set():
    _running()
elif job is not None and job.outcome is not None:
    outcome = job.outcome
    if outcome.status == "stored" and outcome.report is not None:
        report = outcome.report
        cols = st.columns(4)
        cols[0].metric(_("Read"), f"{report.n_read:,}")
        cols[1].metric(_("Accepted"), f"{report.n_accepted:,}")
        cols[2].metric(_("Repaired"), f"{len(report.repaired):,}")
        cols[3].metric(_("Rejected"), f"{len(report.rejected):,}")
        show_warnings(report.notes)
        st.code(error_text(report.summary()), language=None)
    else:
        title = {"cancelled": _("Cancelled."), "failed": _("The import failed.")}.get(outcome.status, _("Rejected."))
        st.error(f"{title} {md_escape(error_text(outcome.message))}\n\n" + _("Nothing was stored."))
