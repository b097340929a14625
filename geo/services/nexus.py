"""The nexus study (Directive D) through the one door: tables, exports and frozen snapshots (planners, admins)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from geo.access.roles import Actor, authorize
from geo.analysis.timefmt import today_local
from geo.i18n import normalise
from geo.io.export import export_name
from geo.nexus.consent import apply_consent
from geo.nexus.snapshot import (
    freeze,
    snapshot_hash,
    snapshot_root,
    to_csv_zip_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from geo.nexus.tables import NexusRules, NexusTables, build_nexus
from geo.services.analysis import analysis_inputs, analyze_inputs
from geo.services.register_views import site_consent
from geo.store import Store


def nexus_tables(store: Store, actor: Actor, *, as_of: dt.date | None = None,
                 unit_costs: pd.DataFrame | None = None, rules: NexusRules | None = None) -> NexusTables:
    """Read the store, snap incidents through the analysis and build the nexus tables.

    ``as_of`` defaults to today in Los Angeles, like every window; a rebuild of an unchanged store
    for the same as-of date gives identical tables (and the same snapshot hash).

    Raises
    ------
    AccessDenied
        When the role may not run the nexus study.
    """
    authorize(actor, "run_nexus")
    inputs = analysis_inputs(store, parcel_columns=None)
    if as_of is None:
        as_of = today_local()
    res = analyze_inputs(inputs, as_of=as_of)
    tables = build_nexus(inputs.parcels, inputs.incidents, res.incidents, as_of=as_of, unit_costs=unit_costs,
                         rules=rules or NexusRules(), synthetic=bool(store.is_synthetic()),
                         provenance={"store": store.display_url, "data_version": str(store.data_version())})
    private, grants = site_consent(store, actor)  # issue 17: recorded grants and the opt-in comparison group
    return apply_consent(tables, private, grants)


def nexus_files(tables: NexusTables, *, snapshot: str | None = None, lang: str = "en") -> dict[str, bytes]:
    """Return the study's export files by name: XLSX (one sheet per table), CSV zip and GeoPackage.

    The XLSX is for a person and is written in ``lang``; the CSV zip and GeoPackage are for machines and keep the
    column names as stored (``--unit-costs`` reads the CSV's ``unit_costs`` headers).
    """
    syn, lang = tables.synthetic, normalise(lang)
    book = "nexus" if lang == "en" else f"nexus_{lang}"
    return {export_name(book, "xlsx", synthetic=syn): to_xlsx_bytes(tables, snapshot=snapshot, lang=lang),
            export_name("nexus_csv", "zip", synthetic=syn): to_csv_zip_bytes(tables),
            export_name("nexus", "gpkg", synthetic=syn): to_gpkg_bytes(tables)}


def export_nexus(store: Store, actor: Actor, tables: NexusTables, *, snapshot: bool = False,
                 snapshot_dir: str | Path | None = None, lang: str = "en") -> tuple[dict[str, bytes], str, Path | None]:
    """Return (files, content hash, snapshot folder or None), freezing a snapshot when asked; audited (XLSX in ``lang``).

    Raises
    ------
    AccessDenied
        When the role may not export the study.
    StoreError
        When the snapshot folder cannot be written.
    """
    authorize(actor, "run_nexus")
    authorize(actor, "export_internal")
    digest = snapshot_hash(tables)
    folder = None
    if snapshot:
        digest, folder = freeze(tables, root=snapshot_dir or snapshot_root(store.url), created_by=actor.name)
    detail = {"as_of": tables.as_of.isoformat(), "hash": digest, "snapshot": snapshot,
              "placeholders": tables.uses_placeholders, "lang": normalise(lang)}
    for action in ("nexus.snapshot", "export.nexus") if snapshot else ("export.nexus",):
        store.log_event(actor=actor.name, role=actor.role, action=action, entity="nexus", detail=detail,
                        source=actor.source, os_user=actor.os_user)
    return nexus_files(tables, snapshot=digest if snapshot else None, lang=lang), digest, folder
