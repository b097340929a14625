"""The Inbox's A.3 contractor-notice and day-15 board-measure tabs (forms call geo.services only)."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from geo import schema
from geo.access.roles import Actor
from geo.analysis.notice_clock import clock_summary
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.services import measures, notices
from geo.store import Store
from geo.store.ddl_workflows import MEASURE_STATUSES, MEASURE_TYPES, NOTICE_METHODS
from ui.i18n import _, error_text
from ui.tables import show_table
from ui.text import md_escape, md_line

#: How the codes of NOTICE_METHODS, MEASURE_TYPES and MEASURE_STATUSES read ("_" as a space), marked for translation.
CODE_WORDS = (N_("email"), N_("mail"), N_("hand delivery"), N_("portal"), N_("other"), N_("patrol"),
              N_("access control"), N_("signage"), N_("training"), N_("reporting protocol"),
              N_("coordination with lapd"), N_("planned"), N_("in place"), N_("ended"))


def _sites_of(store: Store, department: str) -> list[str]:
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
    return sorted(sites.loc[sites[schema.OWNING_DEPT] == department, schema.SITE_ID].astype(str))


def _try(action: str, func: object, *args: object, **kwargs: object) -> object | None:
    """Run a service call; show a clear error (and return ``None``) when it is refused."""
    try:
        out = func(*args, **kwargs)  # type: ignore[operator]
    except (GeoDataError, AccessDenied) as exc:
        st.error(md_escape(_("{action}: {reason}").format(action=_(action), reason=error_text(exc))))
        return None
    return out


def notices_panel(store: Store, actor: Actor, department: str | None, *, as_of: dt.date) -> None:
    """Draw the day-15 clock, the register and (for one department) its forms, letter and import."""
    try:
        clock = notices.clock(store, actor, as_of=as_of, department=department)
        register = notices.notices(store, actor, department)
    except AccessDenied as exc:
        st.error(md_escape(error_text(exc)))
        return
    st.caption(_("Directive A.3: written notice to every contractor by day 15 (25 February 2026). As of {date}.").format(
        date=as_of))
    show_table(clock_summary(clock), first=["department", "missing"])
    show_table(clock, first=["department", "contractor", "state"], height=240)
    if department is None:
        st.info(_("Pick a department to register contracts, record notices and write letters."))
        return
    if len(register):
        names = dict(zip(register["notice_id"], register["contractor"].astype(str) + " / " +
                         register["contract_number"].astype(str), strict=True))
        key = st.selectbox(_("Contract"), list(names), format_func=lambda k: names[k], key="notice_pick")
        row = register.set_index("notice_id").loc[key]
        version = int(row["version"])
        with st.form("notice_sent"):
            sent_on = st.date_input(_("Notice sent on"), value=dt.date(2026, 2, 25), max_value=dt.date.today())
            method = st.selectbox(_("Method"), list(NOTICE_METHODS), format_func=lambda k: _(k.replace("_", " ")))
            document = st.file_uploader(_("The notice as sent (its SHA-256 is recorded)"))
            sent = st.form_submit_button(_("Record notice sent"))
        sent_change = {"contract_number": row["contract_number"], "sent_on": sent_on, "sent_method": method}
        if sent and _try(N_("Notice"), notices.save_notice, store, actor, department, sent_change, expect_version=version,
                         document=document.getvalue() if document else None):
            st.rerun()
        with st.form("notice_ack"):
            ack_on = st.date_input(_("Acknowledged on"), value=dt.date.today(), max_value=dt.date.today())
            ack_by = st.text_input(_("Acknowledged by (name at the contractor)"), max_chars=300)
            acked = st.form_submit_button(_("Record acknowledgement"))
        ack_change = {"contract_number": row["contract_number"], "acknowledged_on": ack_on, "acknowledged_by": ack_by}
        if acked and _try(N_("Acknowledgement"), notices.save_notice, store, actor, department, ack_change,
                          expect_version=version):
            st.rerun()
        if st.button(_("Prepare the notice letter (PDF)")):  # each letter made is an audited export
            letter = _try(N_("Letter"), notices.letter, store, actor, key)
            if isinstance(letter, bytes):
                st.download_button(_("Download the letter"), letter, file_name=f"a3_notice_{key}.pdf",
                                   mime="application/pdf")
    with st.form("notice_register"):
        st.markdown(_("**Register a contract of {department}**").format(department=md_line(department)))
        contractor = st.text_input(_("Contractor"), max_chars=300)
        number = st.text_input(_("Contract number"), max_chars=100)
        sites = st.multiselect(_("Sites it operates"), _sites_of(store, department))
        registered = st.form_submit_button(_("Register"))
    if registered and _try(N_("Register"), notices.save_notice, store, actor, department,
                           {"contractor": contractor, "contract_number": number, "site_ids": ";".join(sites)}):
        st.rerun()
    upload = st.file_uploader(_("Import a register (CSV or XLSX: department, contractor, contract_number, sites, "
                              "sent_on, method, acknowledged_on, acknowledged_by)"), type=["csv", "xlsx"],
                              key="notice_import")
    if upload is not None and st.button(_("Import register")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            report = _try(N_("Import"), notices.import_notices, store, actor, path)
        if report is not None:
            st.code(error_text(report.summary()), language=None)  # type: ignore[attr-defined]


def measures_panel(store: Store, actor: Actor, department: str | None) -> None:
    """Draw the board measures of a board department, and the form to record one."""
    try:
        table = measures.measures(store, actor, department)
    except AccessDenied as exc:
        st.error(md_escape(error_text(exc)))
        return
    if len(table):
        show_table(table, first=["department", "measure_type", "status", "start_date"], height=240)
    if department is None or not measures.board_department(department):
        st.info(_("Board measures are recorded for the Airport (LAWA), Harbor (Port Police) and Recreation and Parks "
                "departments; pick one of them."))
        return
    with st.form("measure_add"):
        st.markdown(_("**Record a measure of {department}**").format(department=md_line(department)))
        kind = st.selectbox(_("Type"), list(MEASURE_TYPES), format_func=lambda k: _(k.replace("_", " ")))
        text = st.text_area(_("Description"), max_chars=2000)
        start = st.date_input(_("Start date"), value=dt.date(2026, 2, 25))
        sites = st.multiselect(_("Sites covered (none: all)"), _sites_of(store, department))
        status = st.selectbox(_("Status"), list(MEASURE_STATUSES), index=1, format_func=lambda k: _(k.replace("_", " ")))
        recorded = st.form_submit_button(_("Record measure"))
    change = {"measure_type": kind, "description": text, "start_date": start, "site_ids": ";".join(sites),
              "status": status}
    if recorded and _try(N_("Measure"), measures.save_measure, store, actor, department, change):
        st.rerun()
    if len(table):
        pick = st.selectbox(_("Measure"), table["measure_id"].tolist(), key="measure_pick")
        version = int(table.set_index("measure_id").loc[pick, "version"])
        new = st.selectbox(_("New status"), list(MEASURE_STATUSES), key="measure_status")
        if st.button(_("Change status")) and _try("Measure", measures.save_measure, store, actor, department,
                                               {"status": new}, measure_id=pick, expect_version=version):
            st.rerun()
