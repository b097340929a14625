"""Data: import a file with the same validation as the CLI, and read its report."""
from __future__ import annotations

import shutil

import streamlit as st

from geo import schema
from geo.config import UploadLimits
from geo.errors import AccessDenied, GeoDataError
from geo.services.imports import import_file
from ui import auth, state
from ui.data import session_store
from ui.uploads import save_upload

actor = auth.page_actor("data")


LIMITS = UploadLimits()
st.title("Import data")
st.caption("Files are validated before anything is stored; a rejected file leaves the store exactly as it was. "
           f"Uploads up to {LIMITS.max_file_bytes // 1_000_000} MB and {LIMITS.max_features:,} features; "
           "larger County files go through `stagemap import`.")

kind = st.selectbox("What the file holds", schema.IMPORT_KINDS, key=state.DATA_KIND)
upload = st.file_uploader("File", type=["geojson", "json", "gpkg", "zip", "parquet", "fgb", "csv", "xlsx"],
                          key=state.DATA_FILE)
crs = st.text_input("CRS, only for files without one (e.g. 2229)", key=state.DATA_CRS)
department = st.text_input("Department, for a sites list without a department column", key=state.DATA_DEPT)
if st.button("Validate and import", type="primary", disabled=upload is None) and upload is not None:
    bar = st.progress(0, text="Saving the upload...")
    path = None
    try:
        path = save_upload(upload.name, upload.getvalue(), max_bytes=LIMITS.max_file_bytes)
        bar.progress(25, text="Checking, reading and validating...")
        report = import_file(session_store(), actor, kind, path,
                             crs=crs.strip() or None, department=department.strip() or None, limits=LIMITS)
        bar.progress(100, text="Done.")
    except (GeoDataError, AccessDenied) as exc:
        bar.progress(100, text="Rejected.")
        st.error(f"{exc}\n\nNothing was stored.")
        st.stop()
    finally:
        if path is not None:
            shutil.rmtree(path.parent, ignore_errors=True)
    cols = st.columns(4)
    cols[0].metric("Read", f"{report.n_read:,}")
    cols[1].metric("Accepted", f"{report.n_accepted:,}")
    cols[2].metric("Repaired", f"{len(report.repaired):,}")
    cols[3].metric("Rejected", f"{len(report.rejected):,}")
    st.code(report.summary(), language=None)
