"""Evidence through the one door: verification runs (records and admin) and liaisons' sign photos."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.crs import to_analysis
from geo.intake.evidence import VerifyReport, check_files, stored_relpath
from geo.intake.sign_photo import SignPhoto, store_sign_photo
from geo.store import Store


def verify_evidence(store: Store, actor: Actor, *, record: bool = True) -> VerifyReport:
    """Re-hash every stored evidence file against its row, and every register document; record the run.

    Raises
    ------
    AccessDenied
        When the actor may not view evidence (records and admin only).
    """
    authorize(actor, "view_evidence")
    documents = [(label, sha, stored_relpath(sha)) for label, sha in store.document_hashes()]  # register copies
    report = check_files(store.evidence_dir(), [*store.evidence_files(), *documents])
    if record:
        store.log_event(actor=actor.name, role=actor.role, action="evidence.verify", entity="evidence",
                        detail={"checked": report.checked, "mismatches": [m.evidence_id for m in report.mismatches],
                                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                        source="system", os_user=actor.os_user)
    return report


def keep_sign_photo(store: Store, site_id: str, filename: str, data: bytes) -> SignPhoto:
    """Store a sign photo for ``site_id`` write-once and check its GPS against the site's polygon.

    Called by :func:`geo.services.status.save_site_status` after its role check.
    """
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID])
    site = sites[sites[schema.SITE_ID] == site_id]
    site_ft = to_analysis(gpd.GeoDataFrame(site)).geometry.iloc[0] if len(site) else None
    return store_sign_photo(store.evidence_dir(), site_ft, filename, data)
