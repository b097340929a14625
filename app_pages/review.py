"""Parcel review (Planning): filter sites and parcels, map and table, detail, override, export."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.analysis.classify import CATEGORIES
from geo.analysis.incident_filters import counts_by_district
from geo.analysis.labels import label
from geo.analysis.lod import AGGREGATE, ALL, choose_detail, live_rows, rows_in_view, view_from_event
from geo.analysis.review import ReviewFilter, filter_review
from geo.analysis.search import place_of
from geo.analysis.snap import CITY_SITE, OTHER_PUBLIC, PRIVATE
from geo.errors import GeoDataError
from layers.review_map import review_map
from layers.search import mark_found
from ui import auth, review_detail, review_words, state
from ui.analysis import current_analysis, current_review
from ui.data import current_store, load_frames
from ui.district import chosen_district
from ui.i18n import _, error_text, lang
from ui.search import map_key, map_search, search_key
from ui.tables import show_table
from ui.text import md_escape
from ui.tiles import parcel_tiles, tile_pick
from ui.url import Binding, publish, restore

actor = auth.page_actor("review")

url, version = current_store()
frames = load_frames(url, version)
res = current_analysis(url, version)
review = current_review(url, version)
synthetic = bool(frames.info.is_synthetic)
st.title(_("Parcel review"))
linked = st.query_params.get("site")  # sign packets' QR codes open /review?site=SITE_ID
if linked and linked != st.session_state[state.REV_LINKED]:
    st.session_state[state.REV_LINKED] = linked
    st.session_state[state.SELECTED_SITE] = linked

URL = [Binding(state.REV_CATEGORIES, "category", "list", tuple(CATEGORIES)),
       Binding(state.REV_TIERS, "tier", "list", ("high", "medium", "low")), Binding(state.REV_USE_CODE, "use"),
       Binding(state.REV_OWNERS, "owner", "list", (CITY_SITE, OTHER_PUBLIC, PRIVATE)), Binding(search_key("review"), "q")]
restore(URL)  # a shared link restores these filters (ui.url)
with st.sidebar:
    st.subheader(_("Filters"))
    flt = ReviewFilter(
        categories=tuple(st.multiselect(_("Category"), CATEGORIES, key=state.REV_CATEGORIES,
                                         format_func=lambda v: _(label(v)))),
        tiers=tuple(st.multiselect(_("Risk tier (City sites)"), ["high", "medium", "low"], key=state.REV_TIERS,
                                    format_func=lambda v: _(label(v)))),
        districts=tuple(d for d in (chosen_district(),) if d is not None),  # the session's one district
        use_code=st.text_input(_("Use code starts with"), key=state.REV_USE_CODE),
        owner_classes=tuple(st.multiselect(_("Owner class"), [CITY_SITE, OTHER_PUBLIC, PRIVATE], key=state.REV_OWNERS,
                                            format_func=lambda v: _(label(v)))),
    )

mask = filter_review(review, flt)
matched = review[mask]
st.metric(_("Matching records"), f"{len(matched):,}")
tiles = parcel_tiles(url, actor, parcels=len(frames.parcels), flt=flt)  # every parcel, from the data version's archive
view = st.session_state[state.REV_VIEW]
if tiles is not None:
    detail, shown = "tiles", matched[live_rows(matched)]
    note = _("{n} records match; parcels drawn from tiles, sites and repeat-incident parcels live").format(
        n=f"{len(matched):,}")
else:  # no archive yet (or a small store): the features themselves, district counts above the cap
    in_view = rows_in_view(matched, view) if view is not None and len(matched) else None
    detail = choose_detail(len(matched), view=view, n_in_view=None if in_view is None else len(in_view))
    shown = matched if detail == ALL else (matched.iloc[in_view] if detail != AGGREGATE else matched.iloc[:0])
    note = _("{n} records match").format(n=f"{len(matched):,}") + ("" if detail == ALL else "; " + (
        _("{n} in view").format(n=f"{len(shown):,}") if detail != AGGREGATE
        else _("zoom in to street level (15+) to see them")))

place = map_search("review", actor)  # an address, AIN/APN, site id or name: the map flies there, its panel opens
picked_rows = (st.session_state.get(state.REV_TABLE) or {}).get("selection", {}).get("rows", [])
if picked_rows and picked_rows[0] < len(matched):  # a table row clicked: the map flies to that record
    place = place_of(matched, "record_id", str(matched.iloc[picked_rows[0]]["record_id"])) or place
left, right = st.container(), st.container()  # the map, then the table at full width: its columns fit
with left:
    fmap = review_map(shown, districts=frames.districts, lang=lang(), view=None if tiles else view, synthetic=synthetic,
                      note=note, parcel_tiles=tiles,
                      aggregate=counts_by_district(matched, frames.districts) if detail == AGGREGATE else None)
    mark_found(fmap, place)
    wanted = ["last_object_clicked", "last_object_clicked_tooltip"] if tiles else ["last_object_clicked", "zoom", "bounds"]
    event = st_folium(fmap, key=map_key("review_map", place), returned_objects=wanted, use_container_width=True, height=520)
    new_view = None if tiles else view_from_event(event)
    if new_view is not None and new_view != view and len(matched) > len(shown):
        st.session_state[state.REV_VIEW] = new_view
        st.rerun()
    picked = review_detail.pick(event, shown) or (tile_pick(event, review, res.sites) if tiles else None)
    if picked and picked != st.session_state[state.REV_LAST_CLICK]:
        st.session_state[state.REV_LAST_CLICK] = picked
        st.session_state[state.SELECTED_SITE] = picked
with right:
    page_rows = review_words.table_rows(matched.drop(columns="geometry").head(5_000), url=url, version=version,
                                        sites=res.sites)  # the category basis in the session's language
    table = show_table(page_rows, height=520,
                       first=[schema.NAME, "final_tier", "protection", "record_id"],
                       on_select="rerun", selection_mode="single-row", key=state.REV_TABLE)
    rows = table.selection.rows if table is not None and hasattr(table, "selection") else []
    if rows:
        st.session_state[state.SELECTED_SITE] = str(matched.iloc[rows[0]]["record_id"])
    if len(matched) > 5_000:
        st.caption(_("Table shows the first 5,000 of {n}; exports hold all of them.").format(n=f"{len(matched):,}"))

selected = st.session_state[state.SELECTED_SITE]
if selected:
    try:
        review_detail.render(selected, res=res, review=review, url=url, actor=actor)
    except GeoDataError as exc:
        st.error(md_escape(error_text(exc)))
review_detail.exports(matched, url=url, version=version, sites=res.sites, synthetic=synthetic, actor=actor)
publish(URL)  # the address bar holds this view: share it to share the filters
