"""Liaison field widgets: where the user is (browser location, a typed lat/lon or ?near=), and sign photos."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from geo.access.roles import Actor
from geo.analysis.nearby import parse_lat_lon
from geo.analysis.photo_note import placement_message
from geo.analysis.timefmt import local_text
from geo.errors import AccessDenied
from geo.services.photos import site_sign_photos
from ui import state
from ui.data import store_at
from ui.i18n import _, error_text
from ui.text import md_line

_geolocate = components.declare_component("stagemap_geolocate", path=str(Path(__file__).with_name("geolocate")))


def where_am_i() -> tuple[float, float] | None:
    """Return (lat, lon) of the user: the browser's location when shared, else a typed pair, else ``?near=``.

    Works offline: the typed pair and the URL need no service; the browser's location needs the
    user's permission (and HTTPS or localhost).
    """
    shared = _geolocate(key=state.LIA_GEO, default=None)
    typed = st.text_input(_("Or type where you are (lat, lon)"), key=state.LIA_NEAR_TEXT, placeholder="34.0537, -118.2427",
                          help=_("Copy it from your phone's map app. Los Angeles coordinates only."))
    if typed.strip():
        point = parse_lat_lon(typed)
        if point is None:
            st.caption(_("That is not a latitude, longitude pair in Los Angeles (e.g. 34.0537, -118.2427); "
                       "latitude comes first."))
        return point
    if isinstance(shared, dict) and "lat" in shared and "lon" in shared:
        return float(shared["lat"]), float(shared["lon"])
    return parse_lat_lon(st.query_params.get("near", ""))


def sign_photos(url: str, actor: Actor, site_id: str) -> None:
    """Show the sign photos stored with ``site_id``: thumbnails with capture date and the GPS check."""
    try:
        photos = site_sign_photos(store_at(url), actor, site_id)
    except AccessDenied:
        return
    st.markdown(_("**Sign photos** ({n})").format(n=len(photos)) if photos else _("**Sign photos:** none saved yet"))
    for col, photo in zip(st.columns(min(3, len(photos)) or 1), photos[:6], strict=False):
        taken = local_text(photo.taken_at) if photo.taken_at else _("no capture date in the photo")
        col.image(photo.thumbnail, caption=_("Taken {taken} · GPS: {gps} · saved {saved} by {who}").format(
            taken=taken, gps=md_line(error_text(placement_message(photo.placement))), saved=local_text(photo.saved_at), who=md_line(photo.saved_by or "—")))
