"""Parcel vector tiles through the one door: which archive a page may draw, building one, rebuilding in the background.

One archive per data version (``geo.tiles``). After an import the data version moves on; the app
keeps drawing the newest finished archive while a background process (``python -m
geo.services.tiles``, the same code as ``stagemap tiles build``) builds the new one, and says so.
Tiles carry the owner class, use category, use type, use code and council district of every
parcel, and its AIN where a click reads it (``TileRules.ain_zoom``); never risk, tier, status or
incident counts, which stay in the live layers. Only roles
that may view parcels get an archive's (unguessable) URL.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo import schema
from geo.access.roles import Actor, authorize, can
from geo.analysis.classify import CATEGORY, classify_sites
from geo.analysis.snap import OWNER_CLASS, owner_class_of_parcels
from geo.config import ANALYSIS_CRS
from geo.i18n import N_
from geo.messages import M, message_of
from geo.store import Store
from geo.tiles.archive import BuildStatus, TileArchive, TileLocation, store_key, tile_location
from geo.tiles.build import TileBuildError, TileRules, build_archive

Progress = Callable[[float, str], None]
BACKGROUND_ENV = "STAGEMAP_PARCEL_TILES"  # "off": never start a background build from the app
#: Below this many parcels the review map draws every parcel itself (no archive needed).
MIN_TILED_PARCELS = 5_000
_CLASSIFY_COLUMNS = (schema.USE_CODE, schema.USE_DESCRIPTION, schema.USE_DETAIL, schema.BLDG_SQFT, schema.YEAR_BUILT)


@dataclass(frozen=True)
class TileState:
    """What the map can draw now: the archive of this data version, an older one meanwhile, a build running."""

    version: int
    current: TileArchive | None
    shown: TileArchive | None
    building: BuildStatus | None
    failed: str | None = None

    @property
    def stale(self) -> bool:
        """Whether the archive shown is of an older data version than the store's."""
        return self.shown is not None and self.shown.version != self.version


def store_tile_location(store: Store) -> TileLocation:
    """Return the tile folders of ``store`` (state beside the store, archives under ./static/tiles)."""
    base = store.cache_dir() or Path(tempfile.gettempdir()) / "stagemap-cache" / store_key(store.display_url)
    return tile_location(base / "tiles", store_key(store.display_url))


def parcel_tile_frame(store: Store) -> gpd.GeoDataFrame:
    """Return every parcel with its tile attributes (EPSG:4326): AIN, owner class, category, use type and code, district.

    The owner class and category are computed by the same functions as the Parcel review set
    (City site from the sites' AINs, other public from the use code; category from the use code
    and description), so the tiles and the panel agree.
    """
    parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN, schema.USE_TYPE, schema.COUNCIL_DISTRICT,
                                                        *_CLASSIFY_COLUMNS])
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.AINS, schema.OWNING_DEPT])
    owner = owner_class_of_parcels(parcels, sites)[OWNER_CLASS]
    # classification without park outlines reads attributes only; the frame is declared in feet for its check
    attrs = gpd.GeoDataFrame(parcels[list(_CLASSIFY_COLUMNS)], geometry=gpd.GeoSeries([None] * len(parcels),
                             index=parcels.index, crs=ANALYSIS_CRS))
    category = classify_sites(attrs, parks=None, words=False)[CATEGORY]
    return gpd.GeoDataFrame({
        "ain": parcels[schema.AIN].astype(str).to_numpy(), "owner_class": owner.to_numpy(),
        "category": category.to_numpy(), "use_type": parcels[schema.USE_TYPE].fillna("").astype(str).to_numpy(),
        "use_code": parcels[schema.USE_CODE].fillna("").astype(str).to_numpy(),
        "district": parcels[schema.COUNCIL_DISTRICT].fillna(0).astype("int32").to_numpy(),
    }, geometry=parcels.geometry.values, crs=parcels.crs)


def build_parcel_tiles(store: Store, actor: Actor, *, rules: TileRules | None = None, force: bool = False,
                       progress: Progress | None = None) -> TileArchive:
    """Build (unless ready and not ``force``) and publish the archive of the store's current data version.

    Raises
    ------
    AccessDenied
        When the role may not view parcels.
    TileBuildError
        When another process is building this store's tiles, or tippecanoe fails.
    """
    authorize(actor, "view_parcels")
    location = store_tile_location(store)
    version = store.data_version()
    ready = location.ready(version)
    if ready is not None and not force:
        return ready
    started = time.time()

    def report(fraction: float, step: str) -> None:
        location.report(version, fraction, step, started=started)
        if progress is not None:
            progress(fraction, step)

    with location.lock(version) as got:
        if not got:
            raise TileBuildError(M("parcel tiles of {store} are being built by another process; "
                                   "`stagemap tiles status` shows its progress.", store=store.display_url))
        try:
            report(0.0, N_("reading parcels"))
            frame = parcel_tile_frame(store)
            archive = build_archive(frame, location, version=version, rules=rules or TileRules(),
                                    progress=lambda f, step: report(0.1 + 0.9 * f, step))
        except Exception as exc:
            location.report(version, 0.0, N_("failed"), started=started,
                            error=M("{kind}: {why}", kind=type(exc).__name__, why=message_of(exc)))
            raise
    return archive


def tile_state(store: Store) -> TileState:
    """Return the archives and the build of the store as they are now."""
    location = store_tile_location(store)
    version = store.data_version()
    status = location.status()
    failed = status.error if status is not None and status.version == version and status.error else None
    building = status if status is not None and status.running and location.locked() else None
    return TileState(version=version, current=location.ready(version), shown=location.latest_ready(),
                     building=building, failed=failed)


def ensure_tiles(store: Store, actor: Actor, *, parcels: int) -> TileState:
    """Return the tile state, first starting a background build when this data version has no archive.

    Nothing starts for a role that may not view parcels, for fewer than :data:`MIN_TILED_PARCELS`
    parcels, when a build is already running or failed for this version, or when
    ``STAGEMAP_PARCEL_TILES=off``.
    """
    state = tile_state(store)
    if (not can(actor, "view_parcels") or parcels < MIN_TILED_PARCELS or state.current is not None
            or state.building is not None or state.failed
            or os.environ.get(BACKGROUND_ENV, "").strip().lower() == "off"):
        return state
    start_background_build(store)
    return tile_state(store)


def start_background_build(store: Store) -> None:
    """Start ``python -m geo.services.tiles`` for the store, detached (its log is beside the build state).

    A shell starts it in the background and exits at once, so the builder belongs to no app
    process (no zombie, nothing to wait for) and outlives a restart of the app.
    """
    location = store_tile_location(store)
    location.state_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "STAGEMAP_STORE": store.url}  # the environment, never argv: a URL may hold a password
    subprocess.run(["/bin/sh", "-c", '"$0" -m geo.services.tiles >>"$1" 2>&1 </dev/null &', sys.executable,
                    str(location.state_dir / "build.log")], env=env, check=True, start_new_session=True,
                   cwd=str(Path(__file__).resolve().parents[2]))


def parcel_tiles_for(actor: Actor, state: TileState) -> TileArchive | None:
    """Return the archive ``actor`` may draw (the newest finished one), or ``None`` for roles without parcels."""
    return state.shown if can(actor, "view_parcels") else None


def _main() -> int:
    """Build the tiles of ``$STAGEMAP_STORE`` in the background (started by :func:`start_background_build`)."""
    from geo.store import open_store

    store = open_store(os.environ["STAGEMAP_STORE"], create=False)
    try:
        build_parcel_tiles(store, Actor("parcel tile builder (background)", "planner", source="cli"))
    except TileBuildError as exc:
        print(f"tiles: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
