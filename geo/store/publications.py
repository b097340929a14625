"""The publication log: each public table is published once and never changed (write-once rows)."""
from __future__ import annotations

import hashlib

from geo.records import Publication
from geo.store.audit import append_audit, now_utc
from geo.store.core import StoreCore

COLUMNS = ("kind", "period", "published_at", "published_by", "content", "sha256")


class PublicationStore(StoreCore):
    """Publish a table once per (kind, period); later calls get the stored publication back."""

    def publish_once(self, kind: str, period: str, content: str, *, digest_of: str, user: str, role: str,
                     source: str = "app", os_user: str | None = None) -> tuple[Publication, bool]:
        """Record ``content`` as the publication of (``kind``, ``period``) unless one exists; return it.

        ``digest_of`` is the public part of the content (what readers see); its SHA-256 is the
        publication's hash. Returns ``(publication, created)``; an existing publication is
        returned unchanged, so a table is published once and never revised by a later run.
        """
        with self.write() as con:
            found = con.execute(f"SELECT {', '.join(COLUMNS)} FROM publications WHERE kind = ? AND period = ?",
                                (kind, period)).fetchone()
            if found is not None:
                return Publication(*(str(v) for v in found)), False
            row = {"kind": kind, "period": period, "published_at": now_utc(), "published_by": user,
                   "content": content, "sha256": hashlib.sha256(digest_of.encode("utf-8")).hexdigest()}
            con.execute(f"INSERT INTO publications ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                        tuple(row.values()))
            append_audit(con, actor=user, role=role, action="publication.create", entity="publications",
                         entity_id=f"{kind}:{period}", old=None, new={"kind": kind, "period": period,
                                                                     "sha256": row["sha256"]},
                         source=source, os_user=os_user, row=row)
        return Publication(**row), True

    def read_publications(self, kind: str) -> list[Publication]:
        """Return every publication of ``kind``, oldest period first."""
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM publications WHERE kind = ? ORDER BY period",
                               (kind,)).fetchall()
        return [Publication(*(str(v) for v in r)) for r in rows]
