"""Data: import a file with the same validation as the CLI, in the background, and read its report."""
from __future__ import annotations

import streamlit as st

from geo import schema
from geo.config import UploadLimits
from geo.errors import GeoDataError
from ui import auth, jobs, state
from ui.data import session_store
from ui.import_form import boundary_inputs, column_mapping, show_warnings
from ui.text import md_escape
from ui.uploads import save_upload

actor = auth.page_actor("data")


LIMITS = UploadLimits()
st.title("Import data")
st.caption("Files are validated before anything is stored; a rejected file leaves the store exactly as it was. "
           f"Uploads up to {LIMITS.max_file_bytes // 1_000_000} MB, {LIMITS.max_features:,} features and "
           f"{LIMITS.max_read_seconds:,.0f} s of reading; larger County files go through `stagemap import`. "
           "The import runs in the background: other pages stay usable, and you can cancel it.")

kind = st.selectbox("What the file holds", schema.IMPORT_KINDS, key=state.DATA_KIND)
upload = st.file_uploader("File", type=["geojson", "json", "gpkg", "zip", "parquet", "fgb", "csv", "txt", "xlsx"],
                          key=state.DATA_FILE)
crs = st.text_input("CRS, only for files without one (e.g. 2229)", key=state.DATA_CRS)
department = st.text_input("Department, for a sites list without a department column", key=state.DATA_DEPT)
vintage, make_current = boundary_inputs(kind)
columns = column_mapping(actor, kind, upload, LIMITS)
job: jobs.ImportJob | None = st.session_state.get(jobs.SESSION_KEY)
busy = job is not None and not job.done.is_set()
if st.button("Validate and import", type="primary", key="data_import", disabled=upload is None or busy) \
        and upload is not None:
    if isinstance(columns, str):
        st.error(f"{md_escape(columns)}\n\nNothing was stored.")
        st.stop()
    try:
        path = save_upload(upload.name, upload.getvalue(), max_bytes=LIMITS.max_file_bytes)
    except GeoDataError as exc:
        st.error(f"{md_escape(exc)}\n\nNothing was stored.")
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
    st.progress(current.fraction, text=md_escape(current.text))
    if st.button("Cancel import", key="data_cancel", disabled=current.cancelling):
        current.cancel()
        st.rerun(scope="fragment")


if job is not None and not job.done.is_set():
    _running()
elif job is not None and job.outcome is not None:
    outcome = job.outcome
    if outcome.status == "stored" and outcome.report is not None:
        report = outcome.report
        cols = st.columns(4)
        cols[0].metric("Read", f"{report.n_read:,}")
        cols[1].metric("Accepted", f"{report.n_accepted:,}")
        cols[2].metric("Repaired", f"{len(report.repaired):,}")
        cols[3].metric("Rejected", f"{len(report.rejected):,}")
        show_warnings(report.notes)
        st.code(report.summary(), language=None)
    else:
        title = {"cancelled": "Cancelled.", "failed": "The import failed."}.get(outcome.status, "Rejected.")
        st.error(f"{title} {md_escape(outcome.message)}\n\nNothing was stored.")
