"""Exports and shared maps through the one door: checked against the role and written to the audit log."""
from __future__ import annotations

from geo.access.roles import Actor, authorize
from geo.store import Store


def record_export(store: Store, actor: Actor, *, what: str, records: int, public: bool = False,
                  detail: dict[str, object] | None = None) -> None:
    """Check that ``actor`` may export and write the export to the audit log.

    Raises
    ------
    AccessDenied
        When the role may not make this tier of export; nothing is recorded or produced.
    """
    authorize(actor, "export_public" if public else "export_internal")
    store.log_event(actor=actor.name, role=actor.role, action=f"export.{what}", entity=what,
                    detail={"records": records, "tier": "public" if public else "internal", **(detail or {})},
                    source=actor.source, os_user=actor.os_user)
