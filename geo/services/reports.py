"""The directive's reports through the one door: B.8 monthly, board measures, sign packets."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.relevance import b8_incidents
from geo.analysis.snap import district_of_points
from geo.analysis.timefmt import today_local
from geo.config import ANALYSIS_CRS, LOCAL_TZ
from geo.errors import GeoDataError, SchemaError
from geo.i18n import normalise, translator
from geo.io.export import export_name
from geo.messages import M
from geo.reports.monthly import (
    MonthlyReport,
    monthly_csv_bytes,
    monthly_pdf_bytes,
    monthly_report,
    parse_month,
)
from geo.reports.publication import (
    KIND_MONTHLY,
    monthly_content,
    monthly_from_publication,
    public_months_table,
)
from geo.services.analysis import analysis_inputs, analyze_inputs
from geo.services.commission import cadence_now
from geo.services.events import events_view
from geo.store import Store

if TYPE_CHECKING:  # the PDF modules (reportlab) are imported by the functions that write PDFs
    from geo.reports.board import BoardReport
    from geo.reports.sign_packet import SiteSheet


def monthly_from_store(store: Store, actor: Actor, *, month: str, as_of: dt.date | None = None) -> MonthlyReport:
    """Return the month's B.8 report: as published when it was published, else published now.

    A month is published once, after it closes (``as_of``, default today, is after its last
    day); later runs return the frozen publication, so late reports or new incidents never move
    a published number. Incidents without a district get it by location.

    Raises
    ------
    AccessDenied
        When the role may not publish the monthly report.
    SchemaError
        When ``month`` is not YYYY-MM, or the month has not closed yet.
    """
    authorize(actor, "publish_report")
    first, last = parse_month(month)
    month = f"{first:%Y-%m}"
    done = [p for p in store.read_publications(KIND_MONTHLY) if p.period == month]
    if done:
        return monthly_from_publication(done[0])
    as_of = as_of or today_local()
    if as_of <= last:
        raise SchemaError(M("{month} is still open (it ends {end:%d %b %Y}; as of {as_of:%d %b %Y}). B.8 tables "
                            "are published once, after the month closes: run this on or after {day:%d %b %Y}.",
                            month=month, end=last, as_of=as_of, day=last + dt.timedelta(days=1)))
    report = _monthly_now(store, month)
    content, public = monthly_content(report)
    store.publish_once(KIND_MONTHLY, month, content, digest_of=public, user=actor.name, role=actor.role,
                       source=actor.source, os_user=actor.os_user)
    return report


def publish_closed_months(store: Store, actor: Actor, *, as_of: dt.date | None = None,
                          last: int = 12) -> list[str]:
    """Publish each of the ``last`` closed months (those ending before ``as_of``) not yet published.

    Returns the months published now. Months before the first incident are skipped.
    """
    authorize(actor, "publish_report")
    as_of = as_of or today_local()
    incidents = store.read_layer(schema.INCIDENTS, columns=[schema.OCCURRED_AT])
    if not len(incidents):
        return []
    first = pd.Period(incidents[schema.OCCURRED_AT].min().tz_convert(LOCAL_TZ).strftime("%Y-%m"), "M")
    closed = pd.period_range(first, pd.Period(as_of, "M") - 1, freq="M")[-last:]
    done = {p.period for p in store.read_publications(KIND_MONTHLY)}
    todo = [str(m) for m in closed if str(m) not in done]
    for month in todo:
        monthly_from_store(store, actor, month=month, as_of=as_of)
    return todo


def public_table(store: Store) -> pd.DataFrame:
    """Return the public district x month table, copied from the frozen monthly publications only."""
    return public_months_table(store.read_publications(KIND_MONTHLY))


def _monthly_now(store: Store, month: str) -> MonthlyReport:
    incidents = store.read_layer(schema.INCIDENTS, columns=[schema.OCCURRED_AT, schema.VERIFICATION, schema.COUNCIL_DISTRICT,
                                                       schema.RELEVANCE, schema.CONDUCT, schema.SOURCE_TYPE,
                                                       schema.INCIDENT_ID])
    incidents = b8_incidents(events_view(store, incidents))  # events (confirmed merges); suspected unlawful conduct only
    districts = store.read_layer(schema.DISTRICTS, columns=[schema.DISTRICT])
    missing = incidents[schema.COUNCIL_DISTRICT].isna().to_numpy()
    if missing.any() and len(districts):
        pts = np.asarray(incidents.to_crs(ANALYSIS_CRS).geometry.values[missing], dtype=object)
        found = district_of_points(pts, districts.to_crs(ANALYSIS_CRS))
        filled = np.array(incidents[schema.COUNCIL_DISTRICT].astype(object).tolist(), dtype=object)
        filled[missing] = found
        incidents = incidents.assign(**{schema.COUNCIL_DISTRICT: pd.array(pd.to_numeric(pd.Series(filled, dtype=object)),
                                                                     dtype="Int64")})
    return monthly_report(incidents, month=month, districts=districts[schema.DISTRICT].astype(int).tolist(),
                          synthetic=bool(store.is_synthetic()))


def write_monthly(store: Store, actor: Actor, *, month: str, out: Path, as_of: dt.date | None = None,
                  lang: str = "en") -> list[Path]:
    """Write the month's report (published once, after the month closes) as PDF and CSV into ``out``; audited.

    ``lang`` is the PDF's language (``en`` or ``es``); the counts are the same in both.
    """
    lang = normalise(lang)
    report = monthly_from_store(store, actor, month=month, as_of=as_of)
    stem = f"monthly_report_{report.month}"
    paths = []
    cadence = cadence_now(store, as_of=as_of or today_local()).sentence(lang)  # B.8: weekly when activity rises
    suffix = "" if lang == "en" else f"_{lang}"
    for ext, data in (("pdf", monthly_pdf_bytes(report, cadence=cadence, lang=lang)), ("csv", monthly_csv_bytes(report))):
        path = out / export_name(stem + (suffix if ext == "pdf" else ""), ext, synthetic=report.synthetic)
        path.write_bytes(data)
        paths.append(path)
    _log(store, actor, "export.report.monthly", {"month": report.month, "lang": lang})
    return paths


def board_from_store(store: Store, actor: Actor, *, department: str, as_of: dt.date | None = None) -> BoardReport:
    """Run the analysis and build a department's board report (``as_of`` default today).

    Raises
    ------
    AccessDenied
        When the role may not make board reports, or a liaison asks for another department.
    GeoDataError
        When the department matches none, or several.
    """
    from geo.reports.board import board_report, resolve_department  # the PDF modules load when used

    authorize(actor, "board_report")
    as_of = as_of or today_local()
    inputs = analysis_inputs(store)
    dept = resolve_department(department, inputs.sites[schema.OWNING_DEPT].dropna().unique())
    authorize(actor, "board_report", department=dept)
    res = analyze_inputs(inputs, as_of=as_of)
    ids = inputs.sites.loc[inputs.sites[schema.OWNING_DEPT] == dept, schema.SITE_ID]
    have_status = set(inputs.status[schema.SITE_ID])
    history = {s: store.status_history(s) for s in ids if s in have_status}
    return board_report(res.sites, history, department=dept, as_of=as_of, synthetic=bool(store.is_synthetic()),
                        units=res.units, board_measures=store.read_workflow_rows("board_measures", department=dept))


def write_board(store: Store, actor: Actor, *, department: str, as_of: dt.date | None, out: Path,
                lang: str = "en") -> Path:
    """Write a department's board report PDF (in ``lang``: ``en`` or ``es``) into ``out``; the export is audited."""
    from geo.reports.board import board_pdf_bytes

    lang = normalise(lang)
    report = board_from_store(store, actor, department=department, as_of=as_of)
    suffix = "" if lang == "en" else f"_{lang}"
    path = out / export_name(f"board_report_{_slug(report.department)}_{report.as_of}{suffix}", "pdf",
                             synthetic=report.synthetic)
    path.write_bytes(board_pdf_bytes(report, lang=lang))
    _log(store, actor, "export.report.board", {"department": report.department, "as_of": report.as_of.isoformat(),
                                               "lang": lang})
    return path


def sheets_from_store(store: Store, actor: Actor, *, site_id: str | None = None,
                      department: str | None = None) -> list[SiteSheet]:
    """Return the sign-packet sheets of one site, or of every site of a department, ordered by site id.

    Raises
    ------
    AccessDenied
        When the role may not print sign packets, or a liaison asks for another department's sites.
    GeoDataError
        When the site id is unknown, or the department matches none (the message lists them).
    """
    from geo.reports.board import resolve_department
    from geo.reports.sign_packet import site_sheets

    authorize(actor, "sign_packet")
    sites = store.read_layer(schema.SITES)
    if site_id is not None:
        chosen = sites[sites[schema.SITE_ID] == site_id]
        if chosen.empty:
            raise GeoDataError(M("--site {site} is not in the store ({n:,} sites, e.g. {examples}). Check the id on "
                                 "the Liaison page.", site=repr(site_id), n=len(sites),
                                 examples=", ".join(sites[schema.SITE_ID].head(3))))
    elif department is not None:
        dept = resolve_department(department, sites[schema.OWNING_DEPT].dropna().unique())
        chosen = sites[sites[schema.OWNING_DEPT] == dept]
    else:
        raise GeoDataError(M("Give --site SITE_ID or --department NAME."))
    for dept in chosen[schema.OWNING_DEPT].dropna().unique():
        authorize(actor, "sign_packet", department=str(dept))
    status = store.read_status().drop_duplicates(schema.SITE_ID).set_index(schema.SITE_ID)
    parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN]).to_crs(ANALYSIS_CRS)
    return site_sheets(chosen.sort_values(schema.SITE_ID), parcels, status)


def write_sign_packets(store: Store, actor: Actor, *, site_id: str | None, department: str | None, out: Path,
                       base_url: str | None = None, lang: str = "en") -> list[Path]:
    """Write one sign-packet PDF per site into ``out``, and a combined print file per department.

    The sign is always bilingual; ``lang`` (``en`` or ``es``) is the language of everything else.

    For ``department``, each department it matches also gets ``sign_packets_<department>.pdf``: every
    site's packet in site-id order, so a reprint is the same file. The export is audited. Returns
    the per-site files first, then the combined files in department order.
    """
    from geo.reports.sign_packet import combined_sign_packet_pdf, sign_packet_pdf

    sheets = sheets_from_store(store, actor, site_id=site_id, department=department)
    syn = bool(store.is_synthetic())
    lang = normalise(lang)
    _ = translator(lang)
    suffix = "" if lang == "en" else f"_{lang}"
    paths = []
    for sheet in sheets:
        path = out / export_name(f"sign_packet_{_slug(str(sheet.record[schema.SITE_ID]))}{suffix}", "pdf",
                                 synthetic=syn)
        path.write_bytes(sign_packet_pdf(sheet, synthetic=syn, base_url=base_url, lang=lang))
        paths.append(path)
    depts = sorted({str(s.record.get(schema.OWNING_DEPT)) for s in sheets}) if department is not None else []
    for dept in depts:
        path = out / export_name(f"sign_packets_{_slug(dept)}{suffix}", "pdf", synthetic=syn)
        path.write_bytes(combined_sign_packet_pdf([s for s in sheets if str(s.record.get(schema.OWNING_DEPT)) == dept],
                                                  title=_("Sign packets: {department}").format(department=dept),
                                                  synthetic=syn, base_url=base_url, lang=lang))
        paths.append(path)
    _log(store, actor, "export.report.sign_packet", {"site": site_id, "department": department, "sites": len(sheets),
                                                     "lang": lang})
    return paths


def _log(store: Store, actor: Actor, action: str, detail: dict[str, object]) -> None:
    store.log_event(actor=actor.name, role=actor.role, action=action, entity="report", detail=detail,
                    source=actor.source, os_user=actor.os_user)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
