"""Liaison: map first, then the site, then the marking form (one scroll on a phone); signs and gates without
losing edits. Sites near me, search, camera photos and the stored photos in the site panel."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.analysis.deadlines import sign_deadline_text
from geo.analysis.labels import describe_edits, header, label, value_text
from geo.analysis.nearby import DISTANCE_FT, nearest
from geo.analysis.selection import feature_at
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.intake.status_merge import changed_fields
from geo.services.status import SaveOutcome, save_with_merge
from layers.search import mark_found
from layers.site_map import site_map
from ui import auth, state
from ui.analysis import current_analysis, status_of
from ui.data import current_store, store_at
from ui.field import sign_photos, where_am_i
from ui.i18n import _, error_text, lang
from ui.search import map_key, map_search
from ui.tables import show_table
from ui.text import md_escape, md_line

actor = auth.page_actor("liaison")
LANGUAGES = ["en+es", "en", "es", "other"]
LANGUAGE_NAMES = {"en+es": N_("en+es"), "en": N_("en"), "es": N_("es"), "other": N_("other")}  # code -> shown
COLOURS = {"sign": N_("sign"), "gate": N_("gate"), "tier": N_("tier"), "category": N_("category"),
           "determination": N_("determination")}  # colour-by code -> shown
SAVED = N_("Saved {site}: version {version}, sign {sign}, gate {gate}, by {user} at {when}.")
KEEP = {"the saved value": N_("the saved value"), "mine": N_("mine")}  # a conflict choice (compared) -> shown


def confirmation(site: str, outcome: SaveOutcome) -> str:
    """Return the lasting confirmation shown after a save."""
    row = outcome.saved or {}
    merged = " " + _("Merged on top of {n} newer edit(s); their other fields were kept.").format(
        n=len(outcome.merged_over)) if outcome.merged_over else ""
    return _(SAVED).format(
        site=site, version=row.get(schema.VERSION), sign=_(str(value_text(row.get(schema.SIGN_STATUS), schema.SIGN_STATUS))),
        gate=_(str(value_text(row.get(schema.GATE_STATUS)))), user=row.get(schema.UPDATED_BY),
        when=local_text(row.get(schema.UPDATED_AT)) or _("now")) + merged


url, version = current_store()
res = current_analysis(url, version)
st.title(_("Liaison: signs and gates"))
sites = res.sites
depts = sorted(sites[schema.OWNING_DEPT].dropna().unique())
if not depts:
    st.info(_("The store holds no City sites yet. Import a department asset list on the Data page."))
    st.stop()
if actor.role == "liaison":  # a liaison works on their own department only
    dept = actor.department
    st.caption(_("Department: **{department}**").format(department=md_line(dept)))
else:
    dept = st.selectbox(_("Department"), depts, key=state.LIA_DEPT)
mine = sites[sites[schema.OWNING_DEPT] == dept].assign(
    sign_deadline=lambda f: sign_deadline_text(f, as_of=res.as_of, lang=lang()))
ids = mine[schema.SITE_ID].tolist()
if not ids:
    st.info(_("{department} has no City sites in the store.").format(department=md_line(dept)))
    st.stop()
todo = res.units[(res.units[schema.OWNING_DEPT] == dept) & res.units["candidate"].astype(bool)]  # the first question
st.markdown(_("**Still to do:** {signs} of {candidates} candidates without the sign; {gates} of {barriers} barrier "
              "sites not closed and locked.").format(
    signs=f"{int((~todo['signed'].astype(bool)).sum()):,}", candidates=f"{len(todo):,}",
    gates=f"{int((todo['barrier_applies'].astype(bool) & ~todo['gated'].astype(bool)).sum()):,}",
    barriers=f"{int(todo['barrier_applies'].astype(bool).sum()):,}"))

# --- find: search, or sites near me ------------------------------------------------------------------------------
place = map_search("liaison", actor)  # an address, AIN/APN, site id or name: the map flies there
with st.expander(_("Sites near me"), expanded=bool(st.session_state.get(state.LIA_NEAR_TEXT))):
    here = where_am_i()
point = here or ((float(str(place["lat"])), float(str(place["lon"]))) if place else None)
near = nearest(mine, *point, limit=len(mine)) if point else None
if near is not None and st.session_state.get(state.LIA_NEAR_APPLIED) != point:
    st.session_state[state.LIA_NEAR_APPLIED] = point
    st.session_state[state.SELECTED_SITE] = str(near[schema.SITE_ID].iloc[0])  # the nearest site, once per point
    ids = near[schema.SITE_ID].tolist()  # nearest first
elif near is not None:
    ids = near[schema.SITE_ID].tolist()
distance = near.set_index(schema.SITE_ID)[DISTANCE_FT] if near is not None else None

fields = [schema.SITE_ID, schema.NAME, "category", schema.SIGN_STATUS, schema.GATE_STATUS]
fmap = site_map(mine, color_by=st.session_state[state.LIA_COLOR], lang=lang(), fields=fields,
                aliases=[_("Site"), _("Name"), _("Category"), _("Sign"), _("Gate")], synthetic=bool(mine[schema.IS_SYNTHETIC].any()),
                selected=st.session_state[state.SELECTED_SITE])
mark_found(fmap, place or ({"lat": point[0], "lon": point[1], "minx": point[1], "maxx": point[1], "miny": point[0],
                            "maxy": point[0], "label": _("You are here")} if point else None))
event = st_folium(fmap, key=map_key(f"liaison_map_{dept}", place, point), returned_objects=["last_object_clicked"],
                  use_container_width=True, height=380)
st.radio(_("Colour by"), list(COLOURS), horizontal=True, key=state.LIA_COLOR, format_func=lambda v: _(COLOURS[v]))
clicked = feature_at(event, mine, id_column=schema.SITE_ID, tolerance_ft=150)
if clicked and clicked != st.session_state[state.LIA_LAST_CLICK]:
    st.session_state[state.LIA_LAST_CLICK] = clicked
    st.session_state[state.SELECTED_SITE] = clicked

# --- the site, then the form right after it ----------------------------------------------------------------------
if st.session_state[state.SELECTED_SITE] not in ids:
    st.session_state[state.SELECTED_SITE] = ids[0]
names = mine.set_index(schema.SITE_ID)[schema.NAME]
site_id = st.selectbox(_("Site to mark"), ids, key=state.SELECTED_SITE,
                       format_func=lambda s: f"{s} · {names.loc[s]}" + (
                           " · " + _("{feet} ft away").format(feet=f"{distance.loc[s]:,.0f}") if distance is not None else ""))
saved = st.session_state[state.LIA_SAVED]
if saved and saved.startswith(_(SAVED).split("{site}")[0] + f"{site_id}:"):  # this site's confirmation
    st.success(md_escape(saved), icon="✅")  # lasting: stays until another save
# The version the user saw is remembered until they save: a save is always based on what they saw.
seen = st.session_state[state.LIA_SEEN].setdefault(site_id, status_of(url, site_id))
current = seen
st.caption(_("Version {version}, last saved by {user} at {when}: sign {sign}, gate {gate}. Sign deadline: {deadline}.")
           .format(version=current[schema.VERSION], user=md_line(current.get(schema.UPDATED_BY) or _("import")),
                   when=md_line(local_text(current.get(schema.UPDATED_AT)) or "-"),
                   sign=md_line(_(str(value_text(current[schema.SIGN_STATUS], schema.SIGN_STATUS)))),
                   gate=md_line(_(str(value_text(current[schema.GATE_STATUS])))),
                   deadline=md_line(mine.set_index(schema.SITE_ID).loc[site_id, "sign_deadline"])))
camera = st.toggle(_("Take the sign photo with the camera"), key=state.LIA_CAMERA)
if st.session_state.get(state.LIA_LANGUAGE) not in LANGUAGES:
    st.session_state[state.LIA_LANGUAGE] = LANGUAGES[0]

with st.form(f"mark_{site_id}"):
    sign = st.radio(_("Sign"), list(schema.SIGN_STATUSES), horizontal=True,
                    format_func=lambda v: _(label(v, schema.SIGN_STATUS)),
                    index=schema.SIGN_STATUSES.index(current[schema.SIGN_STATUS]))
    posted = st.date_input(_("Date posted"), value=current.get(schema.SIGN_POSTED_ON) or dt.date.today(), max_value=dt.date.today())
    text_version = st.text_input(_("Sign text version"), value=current.get(schema.SIGN_TEXT_VERSION) or "ED17 2026-02")
    language = st.selectbox(_("Language"), LANGUAGES, key=state.LIA_LANGUAGE,
                            format_func=lambda v: _(LANGUAGE_NAMES[v]))  # kept for the session
    gate = st.radio(_("Gate / barrier"), list(schema.GATE_STATUSES), horizontal=True, format_func=lambda v: _(label(v)),
                    index=schema.GATE_STATUSES.index(current[schema.GATE_STATUS]))
    note = st.text_area(_("Note"), value=current.get(schema.STATUS_NOTE) or "", max_chars=2000)
    photo = st.camera_input(_("Photo of the sign")) if camera else st.file_uploader(
        _("Photo of the sign (optional): on a phone this opens the camera or the gallery"),
        type=["jpg", "jpeg", "png", "heic", "webp"], key=f"lia_photo_{site_id}")
    submitted = st.form_submit_button(_("Save"), type="primary", use_container_width=True)

if submitted:
    form = {schema.SIGN_STATUS: sign, schema.GATE_STATUS: gate, schema.SIGN_TEXT_VERSION: text_version,
            schema.SIGN_LANGUAGE: language, schema.STATUS_NOTE: note, schema.LAST_INSPECTED: dt.date.today()}
    if sign == "posted":
        form[schema.SIGN_POSTED_ON] = posted
    # only the fields this user changed travel: a newer edit to any other field is kept
    st.session_state[state.LIA_PENDING] = {"site": site_id, "base": current, "mine": changed_fields(current, form),
                                           "photo": (photo.name or "camera.jpg", photo.getvalue()) if photo else None}
    st.session_state[state.LIA_CONFLICT] = None

pending = st.session_state[state.LIA_PENDING]
if pending and pending["site"] == site_id:
    st.session_state[state.LIA_PENDING] = None
    try:
        outcome = save_with_merge(store_at(url), actor, site_id, base=pending["base"], mine=pending["mine"],
                                  photo=pending.get("photo"))
    except (GeoDataError, AccessDenied) as exc:
        st.error(md_escape(error_text(exc)))
    else:
        if outcome.saved is not None:
            st.session_state[state.LIA_SEEN][site_id] = outcome.saved
            st.session_state[state.LIA_SAVED] = confirmation(site_id, outcome)
            st.rerun()
        st.session_state[state.LIA_CONFLICT] = {"site": site_id, "current": outcome.current,
                                                "mine": pending["mine"], "conflicts": outcome.conflicts,
                                                "newer": outcome.merged_over}

conflict = st.session_state[state.LIA_CONFLICT]
if conflict and conflict["site"] == site_id:
    newer = describe_edits(conflict["newer"]) or _("a newer edit")
    st.error(_("Site {site} changed since you loaded it ({newer}). Nothing was saved. The fields below were changed by "
               "both of you: choose which value to keep. Your other changes are kept.").format(
        site=md_line(site_id), newer=md_escape(error_text(newer))))
    choices = {}
    for c in conflict["conflicts"]:
        st.markdown(f"**{md_line(_(header(c.field)))}**")
        left, right = st.columns(2)
        left.text(_("Yours: {value}").format(value=label(c.mine, c.field, lang())))
        right.text(_("Saved since: {value}").format(value=label(c.theirs, c.field, lang())))
        choices[c.field] = st.radio(_("Keep for {field}").format(field=_(header(c.field))), list(KEEP),
                                    horizontal=True, format_func=_,
                                    key=f"{state.LIA_CONFLICT}_{c.field}")
    if st.button(_("Save my choices"), type="primary", key=state.LIA_REAPPLY):
        mine_fields = {k: v for k, v in conflict["mine"].items()
                       if k not in choices or choices[k] == "mine"}
        st.session_state[state.LIA_PENDING] = {"site": site_id, "base": conflict["current"], "mine": mine_fields,
                                               "photo": None}
        st.session_state[state.LIA_CONFLICT] = None
        st.rerun()

sign_photos(url, actor, site_id)  # the site panel: stored photos, capture date, GPS check

# --- the department at a glance -----------------------------------------------------------------------------------
units = res.units[res.units[schema.OWNING_DEPT] == dept]  # sites and their parts: only candidates need a sign
cand = units[units["candidate"]]
cols = st.columns(4)
cols[0].metric(_("Candidates: need a sign"), f"{len(cand):,} / {len(units):,}", help=_("sites and parts (A.1)"))
cols[1].metric(_("Signed"), f"{int(cand['signed'].sum()):,}", help=_("candidates with the directive sign posted"))
cols[2].metric(_("Gated where a barrier applies"), f"{int((cand['gated'] & cand['barrier_applies']).sum()):,} / "
               f"{int(cand['barrier_applies'].sum()):,}")
cols[3].metric(_("Overdue signs"), f"{int((units['sign_overdue_days'] > 0).sum()):,}")
table = mine[[schema.SITE_ID, schema.NAME, "category", schema.DETERMINATION, "final_tier", schema.SIGN_STATUS,
              schema.GATE_STATUS, "sign_deadline"]]
if distance is not None:
    table = table.assign(distance_ft=table[schema.SITE_ID].map(distance)).sort_values("distance_ft")
show_table(table, first=[schema.NAME, schema.SIGN_STATUS, schema.GATE_STATUS, "sign_deadline", "distance_ft"],
           digits=0, height=360, short=[schema.GATE_STATUS], widths={schema.NAME: 170})  # name, sign, gate fit a phone
