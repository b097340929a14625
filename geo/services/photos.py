"""Stored sign photos of a site, for its panel: role and department checked like a status edit."""
from __future__ import annotations

from geo import schema
from geo.access.roles import Actor, authorize
from geo.intake.photo_views import PhotoView, photo_refs, photo_view
from geo.services.status import site_department
from geo.store import Store


def site_sign_photos(store: Store, actor: Actor, site_id: str) -> list[PhotoView]:
    """Return the sign photos saved with ``site_id``'s status, newest first (thumbnails, capture time, GPS check).

    Who may mark a site may see its photos (role and department checked).
    """
    authorize(actor, "edit_status", department=site_department(store, site_id))
    root = store.evidence_dir()
    views = [photo_view(root, prefix, place, saved_at=edit.updated_at, saved_by=edit.updated_by)
             for edit in reversed(store.status_history(site_id))
             for prefix, place in photo_refs((edit.changes.get(schema.STATUS_NOTE) or (None, None))[1])]
    return [v for v in views if v is not None]
