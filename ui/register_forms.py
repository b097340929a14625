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
from geo.analysis.labels import header
from geo.analysis.labels import label as code_word
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.intake.registers import REGISTERS
from geo.services.packages import RECIPIENT_NAMES, Selection, build_package, list_packages
from geo.services.registers import export_register, import_register, read_register, save_entry
from ui.data import store_at
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape

#: How a saved entry's outcome reads (marked for translation).
OUTCOMES = (N_("created"), N_("updated"), N_("unchanged"))

NEW = N_("(new entry)")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def register_section(url: str, actor: Actor, name: str) -> None:
    """Show a register's live entries, a form to add or change one, a sheet import and exports."""
    reg = REGISTERS[name]
    store = store_at(url)
    table = read_register(store, actor, name)
    st.markdown(_("**{title}** ({n} entries)").format(title=md_escape(_(reg.title)), n=len(table)))
    if len(table):
        show_table(table)
    ids = [NEW, *(":".join(_text(r[k]) for k in reg.key) for r in table.to_dict("records"))]
    picked = st.selectbox(_("Add or change"), ids, key=f"reg_pick_{name}", format_func=lambda v: _(v) if v == NEW else v)
    current: dict[str, Any] = {} if picked == NEW else table.iloc[ids.index(picked) - 1].to_dict()
    version = int(current.get("version") or 0)
    with st.form(f"reg_form_{name}_{picked}"):
        values: dict[str, Any] = {}
        for f in reg.fields:
            label = _("{field} ({name})").format(field=header(f.name, lang()), name=f.name) + (" *" if f.required else "")
            if f.kind == "enum":
                options = ["", *f.choices]
                now = _text(current.get(f.name))
                values[f.name] = st.selectbox(label, options, index=options.index(now) if now in options else 0,
                                              format_func=lambda v: code_word(v, lang=lang()) if v else "",
                                              key=f"reg_{name}_{f.name}_{picked}")
            elif f.kind == "bool":
                values[f.name] = st.selectbox(label, ["", "yes", "no"], format_func=_, key=f"reg_{name}_{f.name}_{picked}",
                                              index={"True": 1, "False": 2}.get(_text(current.get(f.name)), 0))
            else:
                hint = {"date": _("YYYY-MM-DD"), "list": _("separate with ;"), "ain": _("10 digits")}.get(f.kind)
                values[f.name] = st.text_input(label, _text(current.get(f.name)), help=hint,
                                               key=f"reg_{name}_{f.name}_{picked}")
        upload = st.file_uploader(_("Stored copy (optional)"), key=f"reg_doc_{name}_{picked}") if reg.documents else None
        saved = st.form_submit_button(_("Save"), type="primary")
    if saved:
        try:
            doc = (upload.name, upload.getvalue()) if upload is not None else None
            res = save_entry(store, actor, name, values, expect_version=version, document=doc)
        except (GeoDataError, AccessDenied) as exc:
            st.error(md_escape(error_text(exc)))
        else:
            st.success(md_escape(_("{entry}: {outcome}, version {version}.").format(
                entry=res.entry_id, outcome=_(str(res.outcome)), version=res.version)))
    _import_and_export(url, actor, name)


def _import_and_export(url: str, actor: Actor, name: str) -> None:
    """A sheet import (all rows valid or nothing saved) and CSV/XLSX exports prepared on request (audited)."""
    store = store_at(url)
    sheet = st.file_uploader(_("Import a CSV or XLSX (headers are the field names)"), type=["csv", "xlsx"],
                             key=f"reg_sheet_{name}")
    if st.button(_("Import"), key=f"reg_import_{name}", disabled=sheet is None) and sheet is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(sheet.name).name
            path.write_bytes(sheet.getvalue())
            try:
                report = import_register(store, actor, name, path)
            except (GeoDataError, AccessDenied) as exc:
                st.error(md_escape(error_text(exc)))
                return
        (st.success if report.ok else st.error)(md_escape(error_text(report.summary())))
    left, right = st.columns(2)
    for col, fmt in ((left, "csv"), (right, "xlsx")):
        if col.button(_("Prepare {format} export").format(format=fmt.upper()), key=f"reg_export_{name}_{fmt}"):
            st.session_state[f"reg_file_{name}_{fmt}"] = export_register(store, actor, name, fmt)
        ready = st.session_state.get(f"reg_file_{name}_{fmt}")
        if ready:
            col.download_button(_("Download {format}").format(format=fmt.upper()), ready[1], ready[0],
                                key=f"reg_dl_{name}_{fmt}")


def package_section(url: str, actor: Actor) -> None:
    """Build a signed evidence package for a recipient and offer its ZIP; list the packages built."""
    store = store_at(url)
    st.caption(_("A package holds the chosen enforcement incidents, their B.7 labels, every evidence original with "
               "its SHA-256 and the chain of custody, signed with the configured package key. Check one with "
               "`stagemap evidence verify PACKAGE.zip`."))
    with st.form("reg_package"):
        recipient = st.selectbox(_("Recipient"), list(RECIPIENT_NAMES), format_func=lambda v: _(RECIPIENT_NAMES[v]),
                                 key="reg_pkg_recipient")
        district = st.number_input(_("Council district (15 = Harbor Area; 0 = any)"), 0, 15, 15, key="reg_pkg_district")
        start = st.text_input(_("From (YYYY-MM-DD, optional)"), key="reg_pkg_from")
        end = st.text_input(_("To (YYYY-MM-DD, optional)"), key="reg_pkg_to")
        include = st.checkbox(_("Include reporter identity (recorded in the audit log)"), key="reg_pkg_reporter",
                              disabled=not can(actor, "view_reporter_contact"))
        go = st.form_submit_button(_("Build package"), type="primary")
    if go:
        try:
            sel = Selection(council_district=int(district) or None, start=_day(start, "From"), end=_day(end, "To"))
            buf = io.BytesIO()  # app downloads are bounded by the upload limits; the CLI streams to a file
            res = build_package(store, actor, sel, recipient, buf, include_reporter=bool(include))
        except (GeoDataError, AccessDenied) as exc:
            st.error(md_escape(error_text(exc)))
        else:
            st.session_state["reg_pkg_file"] = (res.filename, buf.getvalue())
            st.success(md_escape(_("Package {package}: {incidents} incidents, {files} evidence files, manifest "
                                   "SHA-256 {sha}.").format(package=res.package_id, incidents=res.incidents,
                                                            files=res.evidence_files, sha=res.manifest_sha256)))
    ready = st.session_state.get("reg_pkg_file")
    if ready:
        st.download_button(_("Download package (ZIP)"), ready[1], ready[0], mime="application/zip", key="reg_pkg_dl")
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
