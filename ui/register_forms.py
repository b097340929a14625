"""Registers page widgets: one register's table, entry form, sheet import and exports; evidence packages.

Every save, import, export and package goes through :mod:`geo.services` (role-checked, audited);
bad input is shown and nothing changes. Widget keys start with ``reg_``.
"""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo.access.roles import Actor, can
from geo.errors import AccessDenied, GeoDataError
from geo.intake.registers import REGISTERS
from geo.services.packages import RECIPIENT_NAMES, Selection, build_package, list_packages
from geo.services.registers import export_register, import_register, read_register, save_entry
from ui.data import store_at
from ui.tables import show_table
from ui.text import md_escape

NEW = "(new entry)"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def register_section(url: str, actor: Actor, name: str) -> None:
    """Show a register's live entries, a form to add or change one, a sheet import and exports."""
    reg = REGISTERS[name]
    store = store_at(url)
    table = read_register(store, actor, name)
    st.markdown(f"**{md_escape(reg.title)}** ({len(table)} entries)")
    if len(table):
        show_table(table)
    ids = [NEW, *(":".join(_text(r[k]) for k in reg.key) for r in table.to_dict("records"))]
    picked = st.selectbox("Add or change", ids, key=f"reg_pick_{name}")
    current: dict[str, Any] = {} if picked == NEW else table.iloc[ids.index(picked) - 1].to_dict()
    version = int(current.get("version") or 0)
    with st.form(f"reg_form_{name}_{picked}"):
        values: dict[str, Any] = {}
        for f in reg.fields:
            label = f"{f.name}{' *' if f.required else ''}"
            if f.kind == "enum":
                options = ["", *f.choices]
                now = _text(current.get(f.name))
                values[f.name] = st.selectbox(label, options, index=options.index(now) if now in options else 0,
                                              key=f"reg_{name}_{f.name}_{picked}")
            elif f.kind == "bool":
                values[f.name] = st.selectbox(label, ["", "yes", "no"], key=f"reg_{name}_{f.name}_{picked}",
                                              index={"True": 1, "False": 2}.get(_text(current.get(f.name)), 0))
            else:
                hint = {"date": "YYYY-MM-DD", "list": "separate with ;", "ain": "10 digits"}.get(f.kind)
                values[f.name] = st.text_input(label, _text(current.get(f.name)), help=hint,
                                               key=f"reg_{name}_{f.name}_{picked}")
        upload = st.file_uploader("Stored copy (optional)", key=f"reg_doc_{name}_{picked}") if reg.documents else None
        saved = st.form_submit_button("Save", type="primary")
    if saved:
        try:
            doc = (upload.name, upload.getvalue()) if upload is not None else None
            res = save_entry(store, actor, name, values, expect_version=version, document=doc)
        except (GeoDataError, AccessDenied) as exc:
            st.error(md_escape(exc))
        else:
            st.success(md_escape(f"{res.entry_id}: {res.outcome}, version {res.version}."))
    _import_and_export(url, actor, name)


def _import_and_export(url: str, actor: Actor, name: str) -> None:
    """A sheet import (all rows valid or nothing saved) and CSV/XLSX exports prepared on request (audited)."""
    store = store_at(url)
    sheet = st.file_uploader("Import a CSV or XLSX (headers are the field names)", type=["csv", "xlsx"],
                             key=f"reg_sheet_{name}")
    if st.button("Import", key=f"reg_import_{name}", disabled=sheet is None) and sheet is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(sheet.name).name
            path.write_bytes(sheet.getvalue())
            try:
                report = import_register(store, actor, name, path)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(exc))
                return
        (st.success if report.ok else st.error)(md_escape(report.summary()))
    left, right = st.columns(2)
    for col, fmt in ((left, "csv"), (right, "xlsx")):
        if col.button(f"Prepare {fmt.upper()} export", key=f"reg_export_{name}_{fmt}"):
            st.session_state[f"reg_file_{name}_{fmt}"] = export_register(store, actor, name, fmt)
        ready = st.session_state.get(f"reg_file_{name}_{fmt}")
        if ready:
            col.download_button(f"Download {fmt.upper()}", ready[1], ready[0], key=f"reg_dl_{name}_{fmt}")


def package_section(url: str, actor: Actor) -> None:
    """Build a signed evidence package for a recipient and offer its ZIP; list the packages built."""
    store = store_at(url)
    st.caption("A package holds the chosen enforcement incidents, their B.7 labels, every evidence original with "
               "its SHA-256 and the chain of custody, signed with the configured package key. Check one with "
               "`stagemap evidence verify PACKAGE.zip`.")
    with st.form("reg_package"):
        recipient = st.selectbox("Recipient", list(RECIPIENT_NAMES), format_func=RECIPIENT_NAMES.__getitem__,
                                 key="reg_pkg_recipient")
        district = st.number_input("Council district (15 = Harbor Area; 0 = any)", 0, 15, 15, key="reg_pkg_district")
        start = st.text_input("From (YYYY-MM-DD, optional)", key="reg_pkg_from")
        end = st.text_input("To (YYYY-MM-DD, optional)", key="reg_pkg_to")
        include = st.checkbox("Include reporter identity (recorded in the audit log)", key="reg_pkg_reporter",
                              disabled=not can(actor, "view_reporter_contact"))
        go = st.form_submit_button("Build package", type="primary")
    if go:
        try:
            sel = Selection(council_district=int(district) or None, start=_day(start, "From"), end=_day(end, "To"))
            buf = io.BytesIO()  # app downloads are bounded by the upload limits; the CLI streams to a file
            res = build_package(store, actor, sel, recipient, buf, include_reporter=bool(include))
        except (GeoDataError, AccessDenied) as exc:
            st.error(md_escape(exc))
        else:
            st.session_state["reg_pkg_file"] = (res.filename, buf.getvalue())
            st.success(md_escape(f"Package {res.package_id}: {res.incidents} incidents, {res.evidence_files} evidence "
                                 f"files, manifest SHA-256 {res.manifest_sha256}."))
    ready = st.session_state.get("reg_pkg_file")
    if ready:
        st.download_button("Download package (ZIP)", ready[1], ready[0], mime="application/zip", key="reg_pkg_dl")
    built = list_packages(store, actor)
    if built:
        show_table(pd.DataFrame(built).drop(columns=["signature", "selection"]))


def _day(text: str, what: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GeoDataError(f"{what} {text.strip()[:20]!r} is not a date; use YYYY-MM-DD.") from None
