"""Liaison: one department's sites by risk and deadline; mark signs and gates without losing edits."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.analysis.deadlines import sign_deadline_text
from geo.analysis.selection import feature_at
from geo.errors import AccessDenied, GeoDataError
from geo.intake.status_merge import changed_fields
from geo.services.status import SaveOutcome, save_with_merge
from layers.site_map import site_map
from ui import auth, state
from ui.analysis import current_analysis, status_of
from ui.data import current_store, store_at
from ui.text import md_escape, md_line

actor = auth.page_actor("liaison")


def confirmation(site: str, outcome: SaveOutcome) -> str:
    """Return the lasting confirmation shown after a save."""
    row = outcome.saved or {}
    merged = f" Merged on top of {len(outcome.merged_over)} newer edit(s); their other fields were kept." \
        if outcome.merged_over else ""
    return (f"Saved {site}: version {row.get(schema.VERSION)}, sign {row.get(schema.SIGN_STATUS)}, gate "
            f"{row.get(schema.GATE_STATUS)}, by {row.get(schema.UPDATED_BY)}.{merged}")

url, version = current_store()
res = current_analysis(url, version)
st.title("Liaison: signs and gates")
sites = res.sites
depts = sorted(sites[schema.OWNING_DEPT].dropna().unique())
if not depts:
    st.info("The store holds no City sites yet. Import a department asset list on the Data page.")
    st.stop()
if actor.role == "liaison":  # a liaison works on their own department only
    dept = actor.department
    st.caption(f"Department: **{md_line(dept)}**")
else:
    dept = st.selectbox("Department", depts, key=state.LIA_DEPT)
mine = sites[sites[schema.OWNING_DEPT] == dept].assign(
    sign_deadline=lambda f: sign_deadline_text(f, as_of=res.as_of))


units = res.units[res.units[schema.OWNING_DEPT] == dept]  # sites and their parts: only candidates need a sign
cand = units[units["candidate"]]
cols = st.columns(4)
cols[0].metric("Candidates: need a sign", f"{len(cand):,} / {len(units):,}", help="sites and parts (A.1)")
cols[1].metric("Signed", f"{int(cand['signed'].sum()):,}", help="candidates with the directive sign posted")
cols[2].metric("Gated where a barrier applies", f"{int((cand['gated'] & cand['barrier_applies']).sum()):,} / "
               f"{int(cand['barrier_applies'].sum()):,}")
cols[3].metric("Overdue signs", f"{int((units['sign_overdue_days'] > 0).sum()):,}")

left, right = st.columns([3, 2])
with left:
    fields = [schema.SITE_ID, schema.NAME, "category", schema.SIGN_STATUS, schema.GATE_STATUS]
    fmap = site_map(mine, color_by=st.session_state[state.LIA_COLOR], fields=fields,
                    aliases=["Site", "Name", "Category", "Sign", "Gate"], synthetic=bool(mine[schema.IS_SYNTHETIC].any()),
                    selected=st.session_state[state.SELECTED_SITE])
    event = st_folium(fmap, key=f"liaison_map_{dept}", returned_objects=["last_object_clicked"],
                      use_container_width=True, height=420)
    st.radio("Colour by", ["sign", "gate", "tier", "category", "determination"], horizontal=True, key=state.LIA_COLOR)
    clicked = feature_at(event, mine, id_column=schema.SITE_ID, tolerance_ft=150)
    if clicked and clicked != st.session_state[state.LIA_LAST_CLICK]:
        st.session_state[state.LIA_LAST_CLICK] = clicked
        st.session_state[state.SELECTED_SITE] = clicked
with right:
    st.dataframe(mine[[schema.SITE_ID, schema.NAME, "category", schema.DETERMINATION, "final_tier", schema.SIGN_STATUS,
                       schema.GATE_STATUS, "sign_deadline"]],
                 hide_index=True, width="stretch", height=420)

ids = mine[schema.SITE_ID].tolist()
if st.session_state[state.SELECTED_SITE] not in ids:
    st.session_state[state.SELECTED_SITE] = ids[0]
site_id = st.selectbox("Site to mark", ids, key=state.SELECTED_SITE,
                       format_func=lambda s: f"{s} · {mine.set_index(schema.SITE_ID).loc[s, schema.NAME]}")
# The version the user saw is remembered until they save: a save is always based on what they saw.
seen = st.session_state[state.LIA_SEEN].setdefault(site_id, status_of(url, site_id))
current = seen
st.caption(f"Version {current[schema.VERSION]}, last saved by {md_line(current.get(schema.UPDATED_BY) or 'import')} "
           f"at {md_line(current.get(schema.UPDATED_AT) or '-')}: sign {md_line(current[schema.SIGN_STATUS])}, "
           f"gate {md_line(current[schema.GATE_STATUS])}.")

with st.form(f"mark_{site_id}"):
    sign = st.radio("Sign", list(schema.SIGN_STATUSES), horizontal=True, index=schema.SIGN_STATUSES.index(current[schema.SIGN_STATUS]))
    posted = st.date_input("Date posted", value=current.get(schema.SIGN_POSTED_ON) or dt.date.today(), max_value=dt.date.today())
    text_version = st.text_input("Sign text version", value=current.get(schema.SIGN_TEXT_VERSION) or "ED17 2026-02")
    language = st.selectbox("Language", ["en+es", "en", "es", "other"], index=0)
    gate = st.radio("Gate / barrier", list(schema.GATE_STATUSES), horizontal=True,
                    index=schema.GATE_STATUSES.index(current[schema.GATE_STATUS]))
    note = st.text_area("Note", value=current.get(schema.STATUS_NOTE) or "", max_chars=2000)
    photo = st.file_uploader("Photo of the sign (optional)", type=["jpg", "jpeg", "png", "heic", "webp"])
    submitted = st.form_submit_button("Save", type="primary")

if submitted:
    form = {schema.SIGN_STATUS: sign, schema.GATE_STATUS: gate, schema.SIGN_TEXT_VERSION: text_version,
            schema.SIGN_LANGUAGE: language, schema.STATUS_NOTE: note, schema.LAST_INSPECTED: dt.date.today()}
    if sign == "posted":
        form[schema.SIGN_POSTED_ON] = posted
    # only the fields this user changed travel: a newer edit to any other field is kept
    st.session_state[state.LIA_PENDING] = {"site": site_id, "base": current, "mine": changed_fields(current, form),
                                           "photo": (photo.name, photo.getvalue()) if photo else None}
    st.session_state[state.LIA_CONFLICT] = None

pending = st.session_state[state.LIA_PENDING]
if pending and pending["site"] == site_id:
    st.session_state[state.LIA_PENDING] = None
    try:
        outcome = save_with_merge(store_at(url), actor, site_id, base=pending["base"], mine=pending["mine"],
                                  photo=pending.get("photo"))
    except (GeoDataError, AccessDenied) as exc:
        st.error(md_escape(exc))
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
    newer = "; ".join(e.describe() for e in conflict["newer"]) or "a newer edit"
    st.error(f"Site {md_line(site_id)} changed since you loaded it ({md_escape(newer)}). Nothing was saved. The fields below were "
             "changed by both of you: choose which value to keep. Your other changes are kept.")
    choices = {}
    for c in conflict["conflicts"]:
        st.markdown(f"**{c.field}**")
        left, right = st.columns(2)
        left.text(f"Yours: {c.mine}")
        right.text(f"Saved since: {c.theirs}")
        choices[c.field] = st.radio(f"Keep for {c.field}", ["the saved value", "mine"], horizontal=True,
                                    key=f"{state.LIA_CONFLICT}_{c.field}")
    if st.button("Save my choices", type="primary", key=state.LIA_REAPPLY):
        mine = {k: v for k, v in conflict["mine"].items()
                if k not in choices or choices[k] == "mine"}
        st.session_state[state.LIA_PENDING] = {"site": site_id, "base": conflict["current"], "mine": mine,
                                               "photo": None}
        st.session_state[state.LIA_CONFLICT] = None
        st.rerun()

saved = st.session_state[state.LIA_SAVED]
if saved and saved.startswith(f"Saved {site_id}"):
    st.success(md_escape(saved))
