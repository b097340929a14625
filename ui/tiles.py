"""Parcel tiles in the app: the archive a page may draw, a background rebuild after an import, and saying so."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo.access.roles import Actor
from geo.analysis.lod import record_for_ain, tile_click_ain, tile_filter
from geo.analysis.review import ReviewFilter
from geo.services.tiles import TileState, ensure_tiles, parcel_tiles_for, tile_state
from layers.parcel_tiles import ParcelTiles
from ui.data import store_at
from ui.i18n import _, error_text
from ui.text import md_escape

POLL_S = 2.0  # how often the notice looks at a running build


def parcel_tiles(url: str, actor: Actor, *, parcels: int, flt: ReviewFilter) -> ParcelTiles | None:
    """Return the archive the review map draws its parcels from (``None``: draw them the old way).

    Starts a background build when this data version has none, and shows what is happening.
    """
    state = ensure_tiles(store_at(url), actor, parcels=parcels)
    archive = parcel_tiles_for(actor, state)
    if state.building is not None or state.failed:
        _notice(url, state.version)
    if archive is None:
        return None
    return ParcelTiles(url=archive.url, max_data_zoom=archive.max_zoom, level_diff=archive.level_diff,
                       every_parcel_from=archive.full_zoom + archive.level_diff, filter_rules=tile_filter(flt))


def tile_pick(event: Mapping[str, object] | None, review: pd.DataFrame, sites: pd.DataFrame) -> str | None:
    """Return the review record of a parcel clicked on the tiles, checked on the server by its AIN."""
    ain = tile_click_ain(event)
    return record_for_ain(ain, review, sites) if ain else None


def _notice(url: str, version: int) -> None:
    @st.fragment(run_every=POLL_S)
    def poll() -> None:
        state = tile_state(store_at(url))
        if state.current is not None and state.version == version:
            st.rerun(scope="app")  # the new archive is ready: draw it
        _show(state)

    poll()


def _show(state: TileState) -> None:
    if state.failed:
        st.warning(_("Parcel tiles could not be built for this data version ({why}). The map draws parcels the old "
                     "way; an admin can run `stagemap tiles build`.").format(why=md_escape(error_text(state.failed), limit=300)))
        return
    if state.building is None:
        return
    pct = round(100 * state.building.fraction)
    if state.stale and state.shown is not None:
        text = _("Parcel tiles for the latest import are being built in the background ({pct} %: {step}); the map "
                 "shows the tiles of data version {version} until then.").format(
            pct=pct, step=md_escape(error_text(state.building.step)), version=state.shown.version)
    else:
        text = _("Parcel tiles are being built in the background ({pct} %: {step}). Until they are ready, zoom to "
                 "street level (15+) to see the parcels in view.").format(pct=pct, step=md_escape(error_text(state.building.step)))
    st.progress(min(max(state.building.fraction, 0.0), 1.0), text=text)
