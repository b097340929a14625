"""Imports through the one door: admins only; the file is validated before anything is written."""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import geopandas as gpd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.config import ImportLimits, UploadLimits
from geo.errors import StoreError
from geo.io import header, mapping
from geo.io.budget import CancelFlag, Progress
from geo.io.ingest import IngestReport, StoreContext, plan_from_raw, read_import
from geo.io.mapping import parse_pairs as parse_pairs  # the CLI's --map items, checked here
from geo.io.stream import ParcelStream, streams
from geo.messages import M, message_of
from geo.services.alerts import alert_imported
from geo.services.boundaries import council_placer, place_in_councils, write_boundaries
from geo.store import Store


def held_context(store: Store) -> StoreContext:
    """Return what the store holds that an import reads (parcels only when asked for)."""
    return StoreContext(districts=_layer(store, schema.DISTRICTS, [schema.DISTRICT]),
                        lapd_areas=_layer(store, schema.LAPD_AREAS, [schema.LAPD_AREA]),
                        parcels=cache(lambda: store.read_layer(schema.PARCELS)),
                        sites=_layer(store, schema.SITES, [schema.SITE_ID, schema.SITE_ORIGIN]))


def import_file(store: Store, actor: Actor, kind: str, path: str | Path, *, crs: str | None = None,
                department: str | None = None, limits: ImportLimits | None = None,
                invalid: str = "repair", progress: Progress | None = None,
                cancelled: CancelFlag | None = None, vintage: str | None = None,
                make_current: bool = False, columns: Mapping[str, str] | None = None) -> IngestReport:
    """Validate ``path`` as ``kind`` and write its accepted rows in one transaction, as ``actor`` (admins only).

    App uploads get :class:`UploadLimits`; the CLI passes the larger :class:`ImportLimits`. The
    read stops within one batch once ``cancelled()`` is true or the time budget is spent;
    ``progress(fraction, text)`` hears each stage. Cancelling is possible until the write starts;
    a parcel layer (:mod:`geo.io.stream`) is validated and written slice by slice in the one
    transaction, so it can be cancelled until its last slice (the transaction is rolled back).
    Council districts, LAPD divisions and neighbourhood councils are stored as boundary sets with
    a vintage (``vintage`` overrides the file's); ``make_current`` switches to an older-looking set.
    ``columns`` (canonical name -> the file's column; ``--map``) says which column fills what,
    over the alias table; a name the kind lacks, or a column the file lacks, is refused.

    Raises
    ------
    AccessDenied
        When the actor is not an admin; the file is never read.
    GeoDataError
        For a rejected or cancelled file; the store is left exactly as it was.
    StoreError
        When the store cannot take the write (disk full, locked by another writer), naming the
        file; the transaction is rolled back, so the store is unchanged.
    """
    authorize(actor, "import_data")
    limits = limits or (UploadLimits() if actor.source == "app" else ImportLimits())
    reading = read_import(kind, path, crs=crs, limits=limits, progress=progress, cancelled=cancelled, columns=columns)
    if streams(kind, reading, invalid=invalid):  # a parcel layer: canonicalised and written slice by slice
        stream = ParcelStream(Path(path), reading, held_context(store), limits=limits, department=department,
                              user=actor.name, invalid=invalid)
        place = council_placer(store)
        try:
            written = store.write_layer_batches((place(frames) for frames in stream.batches()), record=stream.record,
                                                user=actor.name, role=actor.role, os_user=actor.os_user)
        except StoreError as exc:
            raise StoreError(M("{file} was not imported: {why}", file=Path(path).name, why=message_of(exc))) from exc
        report = stream.report()
        report.written = written
        if progress is not None:
            progress(1.0, M("Stored {n:,} rows", n=report.n_accepted))
        return report
    plan = plan_from_raw(kind, Path(path), reading, held_context(store), department=department, user=actor.name,
                         limits=limits, invalid=invalid)
    if kind in schema.BOUNDARY_KINDS:  # a boundary set with a vintage: see geo.services.boundaries
        return write_boundaries(store, actor, kind, plan, vintage=vintage, make_current=make_current)
    plan.frames = place_in_councils(store, plan.frames)  # the neighbourhood council, by location in the current set
    try:
        plan.report.written = store.write_layers(plan.frames, mode="upsert", record=plan.record,
                                                 delete=dict(plan.delete) or None, role=actor.role,
                                                 os_user=actor.os_user)
    except StoreError as exc:
        raise StoreError(M("{file} was not imported: {why}", file=Path(path).name, why=message_of(exc))) from exc
    if schema.INCIDENTS in plan.frames and len(plan.frames[schema.INCIDENTS]):  # A.3 alerts, as the form's
        alert_imported(store, actor, plan.frames[schema.INCIDENTS])
    if progress is not None:
        progress(1.0, M("Stored {n:,} rows", n=plan.report.n_accepted))
    return plan.report


def file_columns(actor: Actor, path: str | Path, *, limits: ImportLimits | None = None) -> list[str]:
    """Return an upload's columns, header only, for the Data page's column mapping (admins).

    Raises
    ------
    AccessDenied
        When the actor is not an admin; the file is never read.
    GeoDataError
        When the file is unsafe or of no readable format.
    """
    authorize(actor, "import_data")
    return header.file_columns(path, limits=limits or UploadLimits())


def mapping_fields(kind: str) -> tuple[list[str], list[str]]:
    """Return (the key canonical columns worth a selectbox, every canonical name) an import of ``kind`` fills."""
    return [mapping.shown_name(k) for k in mapping.KEY_FIELDS.get(kind, ())], mapping.canonical_names(kind)


def _layer(store: Store, layer: str, columns: list[str]) -> gpd.GeoDataFrame | None:
    frame = store.read_layer(layer, columns=columns)
    return frame if len(frame) else None
