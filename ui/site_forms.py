"""Site list (A.1) widgets: the determination and control form, and a site's parts (draw, determine, mark).

Each save goes through :mod:`geo.services.sites` (role and department checked there) and merges over
newer edits field by field; a field both sides changed is shown side by side and nothing is saved.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from geo import schema
from geo.access.roles import Actor
from geo.analysis.labels import header, label, value_text
from geo.analysis.selection import latest_drawing
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.services import sites as site_service
from geo.services.status import SaveOutcome
from ui import state
from ui.data import store_at
from ui.i18n import _, error_text, lang
from ui.tables import show_table
from ui.text import md_escape, md_line

DETERMINATION_LABELS = {schema.PENDING: N_("pending"), schema.CANDIDATE: N_("candidate: needs a sign"),
                        schema.NOT_CANDIDATE: N_("not a candidate (give the reason)")}
PART_LABELS = {t: t.replace("_", " ") for t in schema.PART_TYPES}


def control_form(url: str, actor: Actor, site_id: str) -> None:
    """Show and save one site's A.1 determination and control (control basis, dates, document, barrier)."""
    store = store_at(url)
    current = site_service.control_of(store, site_id)
    who = current.get(schema.DETERMINED_BY)
    said = _(DETERMINATION_LABELS.get(str(current[schema.DETERMINATION]), str(current[schema.DETERMINATION])))
    st.caption(_("Version {version}; determined {what} by {who} at {when}").format(
        version=current[schema.VERSION], what=md_line(said), who=md_line(who),
        when=md_line(local_text(current.get(schema.DETERMINED_AT)))) if who else
        _("Version {version}; never determined (pending)").format(version=current[schema.VERSION]))
    with st.form(f"control_{site_id}"):
        det = st.radio(_("A.1 determination"), list(DETERMINATION_LABELS), format_func=lambda v: _(DETERMINATION_LABELS[v]),
                       index=list(DETERMINATION_LABELS).index(str(current[schema.DETERMINATION])), horizontal=True)
        reason = st.text_input(_("Reason"), value=str(current.get(schema.DETERMINATION_REASON) or ""), max_chars=500)
        left, mid, right = st.columns(3)
        basis = left.selectbox(_("Control basis"), list(schema.CONTROL_BASES), format_func=lambda v: label(v, schema.CONTROL_BASIS, lang()),
                               index=list(schema.CONTROL_BASES).index(str(current[schema.CONTROL_BASIS])))
        start = mid.text_input(_("Control start (YYYY-MM-DD)"), value=_day(current.get(schema.CONTROL_START)))
        end = right.text_input(_("Control end (YYYY-MM-DD)"), value=_day(current.get(schema.CONTROL_END)))
        doc = st.text_input(_("Lease, permit or MOU reference"), value=str(current.get(schema.CONTROL_DOC) or ""))
        barrier = st.radio(_("Is a locked gate appropriate here (A.2)?"), list(schema.BARRIER_VALUES), horizontal=True,
                           format_func=lambda v: label(v, schema.BARRIER_APPROPRIATE, lang()),
                           index=list(schema.BARRIER_VALUES).index(str(current[schema.BARRIER_APPROPRIATE])))
        note = st.text_area(_("Note"), value=str(current.get(schema.STATUS_NOTE) or ""), max_chars=2000)
        submitted = st.form_submit_button(_("Save determination"), type="primary")
    if submitted:
        mine = {schema.DETERMINATION: det, schema.DETERMINATION_REASON: reason, schema.CONTROL_BASIS: basis,
                schema.CONTROL_START: start, schema.CONTROL_END: end, schema.CONTROL_DOC: doc,
                schema.BARRIER_APPROPRIATE: barrier, schema.STATUS_NOTE: note}
        _save(_("Site {site}").format(site=site_id), lambda: site_service.save_control_with_merge(store, actor, site_id, base=current,
                                                                             mine=mine))


def parts_section(url: str, actor: Actor, site_id: str, parts: pd.DataFrame) -> None:
    """List a site's parts, draw a new one, and determine or mark one of them."""
    mine = parts[parts[schema.SITE_ID] == site_id]
    if len(mine):
        show_table(mine[[schema.PART_ID, schema.PART_TYPE, schema.PART_NAME, schema.DETERMINATION, "protection_detail",
                         schema.AREA_SQFT]], digits=0)
        part_id = st.selectbox(_("Part"), mine[schema.PART_ID].tolist(), key=state.SIT_PART)
        _part_form(url, actor, str(part_id))
    else:
        st.caption(_("No parts: the whole site is one unit. Draw a part when only a piece of it (a park's parking lot, "
                   "a yard) needs a sign or a gate."))
    drawn = st.session_state[state.SIT_DRAWING]
    ready = str(drawn["geojson"]) if drawn and drawn.get("site") == site_id else None
    with st.expander(_("Draw a part"), expanded=ready is not None), st.form(f"new_part_{site_id}"):
        if ready:
            st.info(_("A shape drawn on the map is ready: it becomes the part unless you paste an outline below."))
        else:
            st.caption(_("Draw the part on the map with the polygon or rectangle tool (top left of the map), or paste "
                       "its outline below."))
        kind = st.selectbox(_("Part type"), list(PART_LABELS), format_func=lambda v: label(v, lang=lang()))
        name = st.text_input(_("Name"), max_chars=200)
        outline = st.text_area(_("Outline: WKT or GeoJSON in longitude/latitude (EPSG:4326)"), max_chars=200_000,
                               placeholder=_("POLYGON ((-118.2500 34.0500, -118.2494 34.0500, ...))"))
        if st.form_submit_button(_("Add part")):
            _save(_("A part of {site}").format(site=site_id), lambda: _add_part(url, actor, site_id, kind=kind, name=name or None,
                                                            outline=outline, drawing=ready))


def remember_drawing(event: Mapping[str, object] | None, site_id: str) -> None:
    """Keep the latest shape drawn on the site map for the part form, unless it is the one just saved."""
    drawing = latest_drawing(event)
    if drawing and drawing != st.session_state[state.SIT_DRAWING_USED]:
        st.session_state[state.SIT_DRAWING] = {"site": site_id, "geojson": drawing}


def _add_part(url: str, actor: Actor, site_id: str, *, kind: str, name: str | None, outline: str,
              drawing: str | None) -> SaveOutcome:
    """Add a part from the pasted outline, else from the shape drawn on the map (then forget that shape)."""
    store = store_at(url)
    if outline.strip():
        return SaveOutcome(saved=site_service.add_part(store, actor, site_id, part_type=kind, geometry=outline,
                                                       name=name))
    saved = site_service.add_drawn_part(store, actor, site_id, part_type=kind, drawing=drawing, name=name)
    st.session_state[state.SIT_DRAWING_USED], st.session_state[state.SIT_DRAWING] = drawing, None
    return SaveOutcome(saved=saved)


def show_saved(prefix: str) -> None:
    """Show the lasting confirmation of the last save on this page, if it concerns ``prefix``."""
    saved = st.session_state[state.SIT_SAVED]
    if saved and saved.startswith(prefix):
        st.success(md_escape(saved))


def _part_form(url: str, actor: Actor, part_id: str) -> None:
    store = store_at(url)
    current = site_service.part_of(store, part_id)
    st.caption(_("Part {part}, version {version}, last saved by {who}.").format(
        part=md_line(part_id), version=current[schema.VERSION], who=md_line(current.get(schema.UPDATED_BY) or "-")))
    with st.form(f"part_{part_id}"):
        left, right = st.columns(2)
        det = left.radio(_("A.1 determination"), list(DETERMINATION_LABELS), format_func=lambda v: _(DETERMINATION_LABELS[v]),
                         index=list(DETERMINATION_LABELS).index(str(current[schema.DETERMINATION])))
        reason = left.text_input(_("Reason"), value=str(current.get(schema.DETERMINATION_REASON) or ""), max_chars=500)
        barrier = left.radio(_("Locked gate appropriate?"), list(schema.BARRIER_VALUES), horizontal=True,
                             format_func=lambda v: label(v, schema.BARRIER_APPROPRIATE, lang()),
                             index=list(schema.BARRIER_VALUES).index(str(current[schema.BARRIER_APPROPRIATE])))
        sign = right.radio(_("Sign"), list(schema.SIGN_STATUSES), horizontal=True,
                           format_func=lambda v: label(v, schema.SIGN_STATUS, lang()),
                           index=list(schema.SIGN_STATUSES).index(str(current[schema.SIGN_STATUS])))
        was = pd.to_datetime(pd.Series([current.get(schema.SIGN_POSTED_ON)], dtype=object), errors="coerce").iloc[0]
        posted = right.date_input(_("Date posted"), value=dt.date.today() if pd.isna(was) else was.date(),
                                  max_value=dt.date.today())
        gate = right.radio(_("Gate / barrier"), list(schema.GATE_STATUSES), horizontal=True,
                           format_func=lambda v: label(v, schema.GATE_STATUS, lang()),
                           index=list(schema.GATE_STATUSES).index(str(current[schema.GATE_STATUS])))
        retired = st.checkbox(_("Retire this part (drawn in error, or no longer separate)"),
                              value=bool(current.get(schema.RETIRED)))
        submitted = st.form_submit_button(_("Save part"), type="primary")
    if submitted:
        mine: dict[str, object] = {schema.DETERMINATION: det, schema.DETERMINATION_REASON: reason,
                                   schema.BARRIER_APPROPRIATE: barrier, schema.SIGN_STATUS: sign,
                                   schema.GATE_STATUS: gate, schema.RETIRED: retired}
        if sign == "posted":
            mine[schema.SIGN_POSTED_ON] = posted
        _save(_("Part {part}").format(part=part_id), lambda: site_service.save_part_with_merge(store, actor, part_id, base=current,
                                                                           mine=mine))


def _save(label: str, save: Callable[[], SaveOutcome]) -> None:
    """Run a save; on success remember the confirmation and rerun, else show why (nothing was saved)."""
    try:
        outcome = save()
    except (GeoDataError, AccessDenied) as exc:
        st.error(md_escape(error_text(exc)))
        return
    if outcome.saved is None:
        changed = "; ".join(_("{field} (yours {mine}, saved since {theirs})").format(
            field=md_line(header(c.field)), mine=md_line(value_text(c.mine, c.field)),
            theirs=md_line(value_text(c.theirs, c.field))) for c in outcome.conflicts)  # the label table's words
        st.error(_("{what} changed since you loaded it. Nothing was saved. Both of you changed: {changed}. "
                   "Reload and choose.").format(what=md_line(label), changed=changed))
        return
    saved = _("{what}: saved as version {version}.").format(what=label, version=outcome.saved.get(schema.VERSION))
    merged = _("Merged on top of {n} newer edit(s).").format(n=len(outcome.merged_over)) if outcome.merged_over else ""
    st.session_state[state.SIT_SAVED] = f"{saved} {merged}".strip()
    st.rerun()


def _day(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    return str(value)[:10]
