"""The typed store interface: every method pages, services and the CLI may call, on either backend."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo.records import (
    BoundaryResult,
    BoundarySet,
    Edit,
    ImportRecord,
    IncidentRecord,
    Publication,
    StoreInfo,
    WriteResult,
)
from geo.store.audit import ChainBreak
from geo.store.registers import EntrySaved, EntryWrite
from geo.store.verify import StateReport


@runtime_checkable
class Store(Protocol):
    """A StageMap store (SQLite/GeoPackage or PostgreSQL/PostGIS); see :class:`geo.store.base.BaseStore`."""

    backend: str
    url: str

    @property
    def display_url(self) -> str:
        """The store location as shown to people (no password)."""

    # metadata
    def data_version(self) -> int:
        """Return a counter that grows with every committed data change."""

    def is_synthetic(self) -> bool | None:
        """Return whether the store holds the synthetic sample (``None`` when empty)."""

    def counts(self) -> dict[str, int]:
        """Return the row count of every layer and of ``site_status``."""

    def info(self) -> StoreInfo:
        """Summarise what the store holds."""

    def schema_revision(self) -> str | None:
        """Return the schema revision (``None`` for a new store)."""

    def migrate(self) -> str:
        """Upgrade the schema to the newest revision and return it."""

    def evidence_dir(self) -> Path:
        """Return the directory of evidence originals."""

    def cache_dir(self) -> Path | None:
        """Return the folder of read snapshots, if any."""

    # layers
    def read_layer(self, layer: str, *, columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """Return one canonical layer in EPSG:4326."""

    def write_layers(self, frames: dict[str, gpd.GeoDataFrame], *, mode: str = "upsert",
                     record: ImportRecord | None = None, status: pd.DataFrame | None = None,
                     delete: dict[str, Sequence[str]] | None = None, user: str | None = None,
                     role: str = "admin", os_user: str | None = None) -> dict[str, WriteResult]:
        """Write canonical frames in one audited transaction."""

    def write_layer_batches(self, batches: Iterable[dict[str, gpd.GeoDataFrame]], *,
                            record: Callable[[], ImportRecord], user: str | None = None,
                            role: str = "admin", os_user: str | None = None) -> dict[str, WriteResult]:
        """Upsert canonical frames batch by batch as they are made, in one audited transaction."""

    # status and overrides
    def read_status(self) -> pd.DataFrame:
        """Return the current status of every site."""

    def status_site_ids(self) -> set[str]:
        """Return the ids of every site with a status row."""

    def save_status(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                    role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a status change based on ``expect_version`` (raises ``StatusConflict`` when stale)."""

    def status_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's status."""

    def read_status_history(self) -> pd.DataFrame:
        """Return every saved version of every site's sign and gate (site_id, version, statuses, updated_at)."""

    def set_override(self, site_id: str, tier: str, *, reason: str, user: str, role: str = "planner",
                     source: str = "app", os_user: str | None = None) -> None:
        """Record a reviewer's tier override."""

    def read_overrides(self, *, latest_only: bool = True) -> pd.DataFrame:
        """Return tier overrides, the latest per site by default."""

    # site control, A.1 determination and parts
    def read_control(self) -> pd.DataFrame:
        """Return every saved control row (sites never saved are pending)."""

    def control_defaults(self, site_id: str) -> dict[str, object]:
        """Return a site's control row before its first save (version 0)."""

    def save_control(self, site_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                     role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a control or determination change (raises ``StatusConflict`` when stale)."""

    def seed_control(self, rows: Sequence[Mapping[str, object]], *, user: str, role: str = "admin",
                     source: str = "system", os_user: str | None = None) -> int:
        """Create control rows at version 1 for sites without one."""

    def control_history(self, site_id: str) -> list[Edit]:
        """Return every saved version of a site's control row."""

    def read_parts(self) -> pd.DataFrame:
        """Return every site part."""

    def add_parts(self, parts: Sequence[Mapping[str, object]], *, user: str, role: str = "liaison",
                  source: str = "app", os_user: str | None = None) -> list[dict[str, object]]:
        """Create site parts at version 1."""

    def save_part(self, part_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                  role: str = "liaison", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save a change to a part (raises ``StatusConflict`` when stale)."""

    def part_history(self, part_id: str) -> list[Edit]:
        """Return every saved version of a part."""

    # audit
    def read_audit(self) -> list[dict[str, object]]:
        """Return the audit log in stored order."""

    def verify_audit(self, *, head: tuple[int, str] | None = None) -> tuple[int, ChainBreak | None]:
        """Walk the audit chain."""

    def verify_state(self, *, head: tuple[int, str] | None = None) -> StateReport:
        """Walk the chain and check every bound table's live rows against their history and entries."""

    def log_event(self, *, actor: str, role: str, action: str, entity: str, entity_id: str | None = None,
                  detail: object = None, source: str = "app", os_user: str | None = None) -> None:
        """Record a non-data event in the audit log."""

    # intake
    def add_incident(self, rec: IncidentRecord, *, user: str, role: str, source: str,
                     os_user: str | None = None, seed_liaison: tuple[str, str] | None = None,
                     alerts: Sequence[Mapping[str, object]] = ()) -> tuple[int, ...]:
        """Write one incident report with its contact, evidence and A.3 alert rows."""

    def liaison_for(self, department: str) -> tuple[str, str | None] | None:
        """Return a department's liaison (name, email), if on file."""

    def set_liaisons(self, rows: Sequence[tuple[str, str, str | None]], *, source: str, user: str,
                     role: str = "admin", os_user: str | None = None) -> int:
        """Replace department liaisons."""

    def evidence_files(self) -> list[tuple[str, str, str]]:
        """Return (evidence_id, sha256, stored_path) of every evidence row."""

    def reporter_contacts(self, incident_id: str) -> list[dict[str, object]]:
        """Return one incident's reporter contacts."""

    # boundary sets (council districts, LAPD divisions, neighbourhood councils)
    def read_boundary_sets(self, kind: str | None = None) -> pd.DataFrame:
        """Return the stored boundary sets, of one kind or all."""

    def read_boundaries(self, set_id: str) -> gpd.GeoDataFrame:
        """Return one boundary set's features (code, name, geometry)."""

    def add_boundary_set(self, spec: BoundarySet, features: gpd.GeoDataFrame, *, make_current: bool, user: str,
                         role: str = "admin", source: str = "cli", os_user: str | None = None,
                         record: ImportRecord | None = None) -> BoundaryResult:
        """Store a boundary set (write-once); make it current (re-assigning every layer) when asked."""

    def adopt_boundary_layers(self, *, user: str, role: str = "admin", source: str = "system",
                              os_user: str | None = None, label: str | None = None) -> list[str]:
        """Keep layers filled before any boundary set existed as their kind's current sets."""

    def make_boundary_current(self, set_id: str, *, user: str, role: str = "admin", source: str = "cli",
                              os_user: str | None = None) -> BoundaryResult:
        """Make a stored set current and re-assign every parcel, site and incident in one transaction."""

    # liaison alerts (geo/store/alerts.py)
    def add_alerts(self, rows: Sequence[Mapping[str, object]], *, user: str, role: str, source: str,
                   os_user: str | None = None) -> list[str]:
        """Insert new alerts at version 1 (already alerted incidents skipped); return their ids."""

    def read_alerts(self, *, department: str | None = None) -> pd.DataFrame:
        """Return alerts (of one department when given), newest first."""

    def update_alert(self, alert_id: str, changes: Mapping[str, object], *, expect_version: int, action: str,
                     user: str, role: str, source: str, os_user: str | None = None) -> dict[str, object]:
        """Change an alert based on ``expect_version`` (raises ``StatusConflict`` when stale), audited."""

    def record_attempt(self, alert_id: str, channel: str, *, ok: bool, detail: str, changes: Mapping[str, object],
                       expect_version: int, user: str, role: str, source: str,
                       os_user: str | None = None) -> dict[str, object]:
        """Log one delivery attempt and apply its outcome to the alert, audited."""

    def read_alert_attempts(self, alert_id: str | None = None) -> pd.DataFrame:
        """Return logged delivery attempts, oldest first."""

    # A.3 contractor notices and day-15 board measures (geo/store/workflow_rows.py)
    def save_workflow_row(self, table: str, key_value: str, changes: Mapping[str, object], *, expect_version: int,
                          user: str, role: str, source: str, os_user: str | None = None) -> dict[str, object]:
        """Create (``expect_version=0``) or change a notice or measure row, audited."""

    def read_workflow_rows(self, table: str, *, department: str | None = None) -> pd.DataFrame:
        """Return the rows of ``contractor_notices`` or ``board_measures``."""

    # Section B: scene records and referrals (geo/store/scenes.py), holds and retention (geo/store/retention.py)
    def read_scenes(self) -> pd.DataFrame:
        """Return every scene record (B.1-B.6)."""

    def save_scene(self, incident_id: str, changes: dict[str, object], *, expect_version: int, user: str,
                   role: str = "records", source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Save an incident's scene record (raises ``StatusConflict`` when stale)."""

    def scene_history(self, incident_id: str) -> list[Edit]:
        """Return every saved version of a scene record."""

    def read_referrals(self) -> pd.DataFrame:
        """Return every referral (B.7)."""

    def send_referral(self, incident_id: str, fields: dict[str, object], *, user: str, role: str = "records",
                      source: str = "app", os_user: str | None = None) -> dict[str, object]:
        """Record a referral as sent."""

    def move_referral(self, referral_id: str, to: str, *, on: dt.date | str, outcome: str | None = None,
                      expect_version: int, user: str, role: str = "records", source: str = "app",
                      os_user: str | None = None) -> dict[str, object]:
        """Move a referral along its lifecycle (raises ``SchemaError`` for a move not allowed)."""

    def referral_history(self, referral_id: str) -> list[Edit]:
        """Return every saved version of a referral."""

    def read_holds(self) -> pd.DataFrame:
        """Return every legal hold (released ones too)."""

    def place_hold(self, incident_id: str, reason: str, *, user: str, role: str, source: str = "app",
                   os_user: str | None = None) -> str:
        """Place a legal hold on an incident's reporter contacts and evidence; return its id."""

    def release_hold(self, hold_id: str, reason: str, *, user: str, role: str, source: str = "app",
                     os_user: str | None = None) -> None:
        """Release an active hold (the row stays on record)."""

    def contact_ages(self) -> pd.DataFrame:
        """Return every reporter contact's id, incident, creation time and active hold (no contact values)."""

    def expire_contacts(self, cutoff: str, *, user: str, role: str, source: str = "system",
                        os_user: str | None = None) -> list[str]:
        """Delete unheld reporter contacts created before ``cutoff``; return their ids."""

    def held_evidence(self, incident_ids: Sequence[str]) -> list[str]:
        """Return the evidence ids of the given incidents."""

    # publications
    def publish_once(self, kind: str, period: str, content: str, *, digest_of: str, user: str, role: str,
                     source: str = "app", os_user: str | None = None) -> tuple[Publication, bool]:
        """Publish a table once per (kind, period); return it and whether it was created now."""

    def read_publications(self, kind: str) -> list[Publication]:
        """Return every publication of ``kind``."""

    # evidence packages and registers (geo/store/registers.py)
    def add_package(self, row: Mapping[str, object], *, user: str, role: str, source: str,
                    os_user: str | None = None) -> dict[str, object]:
        """Record one evidence package (write-once), audited."""

    def packages(self) -> list[dict[str, object]]:
        """Return every evidence package row, newest first."""

    def save_entries(self, register: str, items: Sequence[EntryWrite], *, user: str, role: str, source: str,
                     os_user: str | None = None) -> list[EntrySaved]:
        """Append a new version of each changed register entry in one transaction, audited."""

    def register_entries(self, register: str) -> list[dict[str, object]]:
        """Return the newest version of every entry of a register."""

    def entry_history(self, register: str, entry_id: str) -> list[dict[str, object]]:
        """Return every version of one register entry, oldest first."""

    def document_hashes(self) -> list[tuple[str, str]]:
        """Return (entry label, SHA-256) of every register document kept."""

    def audit_for(self, entity_ids: Sequence[str], *, imports_of: str | None = None) -> list[dict[str, object]]:
        """Return the audit entries naming any of ``entity_ids`` (and the imports of a layer), in chain order."""

    def intake_rows(self, table: str, incident_ids: Sequence[str]) -> list[dict[str, object]]:
        """Return the incident_reports or evidence rows of some incidents."""
