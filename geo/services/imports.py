"""Imports through the one door: admins only; the file is validated before anything is written."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.config import ImportLimits, UploadLimits
from geo.io.ingest import IngestReport, StoreContext, plan_import
from geo.store import Store


def held_context(store: Store) -> StoreContext:
    """Return what the store holds that an import reads (parcels only when asked for)."""
    return StoreContext(districts=_layer(store, schema.DISTRICTS, [schema.DISTRICT]),
                        lapd_areas=_layer(store, schema.LAPD_AREAS, [schema.LAPD_AREA]),
                        parcels=cache(lambda: store.read_layer(schema.PARCELS)),
                        sites=_layer(store, schema.SITES, [schema.SITE_ID, schema.SITE_ORIGIN]))


def import_file(store: Store, actor: Actor, kind: str, path: str | Path, *, crs: str | None = None,
                department: str | None = None, limits: ImportLimits | None = None,
                invalid: str = "repair") -> IngestReport:
    """Validate ``path`` as ``kind`` and write its accepted rows in one transaction, as ``actor`` (admins only).

    App uploads get :class:`UploadLimits`; the CLI passes the larger :class:`ImportLimits`.

    Raises
    ------
    AccessDenied
        When the actor is not an admin; the file is never read.
    GeoDataError
        For a rejected file; the store is left exactly as it was.
    """
    authorize(actor, "import_data")
    limits = limits or (UploadLimits() if actor.source == "app" else ImportLimits())
    plan = plan_import(kind, path, held_context(store), crs=crs, department=department, user=actor.name,
                       limits=limits, invalid=invalid)
    plan.report.written = store.write_layers(plan.frames, mode="upsert", record=plan.record,
                                             delete=dict(plan.delete) or None, role=actor.role,
                                             os_user=actor.os_user)
    return plan.report


def _layer(store: Store, layer: str, columns: list[str]) -> gpd.GeoDataFrame | None:
    frame = store.read_layer(layer, columns=columns)
    return frame if len(frame) else None
