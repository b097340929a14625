"""Every write and internal export the app performs, each re-checking role and scope first."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo import schema as S
from geo.access.roles import Actor, authorize
from geo.config import ImportLimits, UploadLimits
from geo.errors import StoreError


def site_department(store: Any, site_id: str) -> str | None:
    """Return the owning department of ``site_id`` (raises when the site does not exist)."""
    sites = store.read_layer(S.SITES, columns=[S.SITE_ID, S.OWNING_DEPT])
    match = sites.loc[sites[S.SITE_ID] == site_id, S.OWNING_DEPT]
    if match.empty:
        raise StoreError(f"No site {site_id!r} in the store; check the site id.")
    return str(match.iloc[0])


def save_site_status(store: Any, actor: Actor, site_id: str, changes: dict[str, object], *, expect_version: int,
                     source: str = "app", photo: tuple[str, bytes] | None = None) -> dict[str, object]:
    """Save a sign/gate change as ``actor``: liaisons only for their own department's sites.

    An optional ``photo`` (file name, bytes) is stored write-once after the role check, and its
    hash and GPS placement check are recorded in the saved note (and so in the audit log).
    """
    authorize(actor, "edit_status", department=site_department(store, site_id))
    if photo is not None:
        from geo.intake.sign_photo import store_sign_photo

        stored = store_sign_photo(store, site_id, photo[0], photo[1])
        note = str(changes.get(S.STATUS_NOTE) or "").strip()
        changes = {**changes, S.STATUS_NOTE: f"{note}\n{stored.note()}".strip()}
    return store.save_status(site_id, changes, expect_version=expect_version, user=actor.name, role=actor.role,
                             source=source)


def override_tier(store: Any, actor: Actor, site_id: str, tier: str, *, reason: str) -> None:
    """Record a reviewer's tier override as ``actor``."""
    authorize(actor, "override_tier")
    store.set_override(site_id, tier, reason=reason, user=actor.name)


def record_export(store: Any, actor: Actor, *, what: str, records: int, public: bool = False) -> None:
    """Check that ``actor`` may export and write the export to the audit log."""
    authorize(actor, "export_public" if public else "export_internal")
    store.log_event(actor=actor.name, role=actor.role, action=f"export.{what}", entity=what,
                    detail={"records": records, "tier": "public" if public else "internal"})


def import_file(store: Any, actor: Actor, kind: str, path: str | Path, **options: Any) -> Any:
    """Import a file as ``actor`` (admins only); non-admin callers never reach the importer."""
    from geo.io.ingest import ingest_file

    authorize(actor, "import_data")
    limits: ImportLimits = options.pop("limits", UploadLimits())
    return ingest_file(store, kind, path, user=actor.name, limits=limits, **options)


def report_incident(store: Any, actor: Actor, report: Any, *, evidence: Sequence[Any] = ()) -> Any:
    """Store an incident report (with evidence) as ``actor``: liaisons, LAPD records and admins."""
    from geo.intake.reports import submit_incident

    authorize(actor, "submit_incident")
    return submit_incident(store, report, evidence_files=list(evidence), user=actor.name, role=actor.role,
                           source="app")


def reporter_contacts(store: Any, actor: Actor, incident_id: str) -> list[dict[str, object]]:
    """Return the reporter contacts of one incident, for records and admin only; the read is audited."""
    authorize(actor, "view_reporter_contact")
    with store.read() as con:
        cur = con.execute("SELECT name, email, phone, created_at FROM reporter_contacts WHERE incident_id = ? "
                          "ORDER BY created_at", (incident_id,))
        rows = [dict(zip(("name", "email", "phone", "created_at"), r)) for r in cur.fetchall()]
    store.log_event(actor=actor.name, role=actor.role, action="reporter_contact.read", entity="reporter_contacts",
                    entity_id=incident_id, detail={"contacts": len(rows)})
    return rows
