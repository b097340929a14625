"""Incident intake in SQL: one transaction per report, department liaisons, evidence rows, reporter contacts."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from geo import schema
from geo.config import SYNTHETIC_SOURCE
from geo.records import IncidentRecord, StoredEvidence
from geo.store.alerts import insert_alerts
from geo.store.audit import append_audit, now_utc
from geo.store.core import StoreCore
from geo.store.values import BOUND, BUMP_DATA_VERSION, EVIDENCE_COLUMNS, read_bound

__all__ = ["EVIDENCE_COLUMNS", "IntakeStore", "evidence_row"]
CONTACT_COLUMNS = ("name", "email", "phone")
#: The incident fields an ``incident.create`` audit entry names.
AUDITED_INCIDENT = (schema.INCIDENT_TYPE, schema.VERIFICATION, schema.SOURCE_TYPE, schema.OCCURRED_AT, schema.WARRANT_SHOWN,
                    schema.RELEVANCE, schema.CONDUCT)
SYNTHETIC_LIAISON = "SYNTHETIC placeholder liaison (not a real person)"


class IntakeStore(StoreCore):
    """Incident reports with their evidence and contacts, and the department liaisons they route to."""

    def add_incident(self, rec: IncidentRecord, *, user: str, role: str, source: str,
                     os_user: str | None = None, seed_liaison: tuple[str, str] | None = None,
                     alerts: Sequence[Mapping[str, object]] = ()) -> tuple[int, ...]:
        """Write one incident, its report row, contact and evidence rows with their audit entries at once.

        ``alerts`` (rows of :mod:`geo.store.alerts`) are written in the same transaction, so a
        stored report on a department's site never lacks its A.3 alert.

        ``seed_liaison`` (department, e-mail) gives a synthetic store's department its labelled
        placeholder liaison in the same transaction. Returns the audit sequence numbers written.
        The evidence files themselves must already be stored (write-once, content-addressed) so
        no row ever lacks its file.
        """
        seqs: list[int] = []
        incident_id = str(rec.incident[schema.INCIDENT_ID])

        def audit(action: str, table: str, entity_id: str, new: object) -> None:
            """Append the entry of one inserted row, hashing the row as re-read from the store."""
            row = read_bound(con, BOUND[table], entity_id, geom_sql=self._geom_sql(), decode=self._decode_geoms)
            seqs.append(int(append_audit(con, actor=user, role=role, action=action, entity=table,
                                         entity_id=entity_id, old=None, new=new, source=source,
                                         os_user=os_user, row=row)["seq"]))

        with self.write() as con:
            if seed_liaison is not None:
                _seed_liaison(con, *seed_liaison, user=user, os_user=os_user)
            self._insert_point(con, schema.INCIDENTS, rec.incident, rec.lon, rec.lat)
            audit("incident.create", "incidents", incident_id,
                  {**{k: rec.incident[k] for k in AUDITED_INCIDENT}, "lon": rec.lon, "lat": rec.lat})
            report = {"incident_id": incident_id, **rec.report}
            con.execute(f"INSERT INTO incident_reports ({', '.join(report)}) VALUES ({', '.join('?' * len(report))})",
                        tuple(report.values()))
            audit("incident_report.create", "incident_reports", incident_id, rec.report)
            if rec.contact is not None and any(rec.contact.get(k) for k in CONTACT_COLUMNS):
                contact = {"contact_id": rec.contact["contact_id"], "incident_id": incident_id,
                           **{k: rec.contact.get(k) for k in CONTACT_COLUMNS}, "created_at": rec.report["created_at"]}
                con.execute(f"INSERT INTO reporter_contacts ({', '.join(contact)}) "
                            f"VALUES ({', '.join('?' * len(contact))})", tuple(contact.values()))
                audit("reporter_contact.create", "reporter_contacts", str(contact["contact_id"]),
                      {"incident_id": incident_id, "fields": [k for k in CONTACT_COLUMNS if contact.get(k)]})
            for ev in rec.evidence:
                row = evidence_row(ev, incident_id, source=source, user=user, at=str(rec.report["created_at"]))
                con.execute(f"INSERT INTO evidence ({', '.join(EVIDENCE_COLUMNS)}) "
                            f"VALUES ({', '.join('?' * len(EVIDENCE_COLUMNS))})", tuple(row.values()))
                audit("evidence.create", "evidence", ev.evidence_id,
                      {"incident_id": incident_id, "sha256": ev.sha256, "size_bytes": ev.size_bytes, "mime": ev.mime,
                       "label": ev.label, "derived_from": ev.derived_from, "placement_check": ev.placement_check})
            insert_alerts(con, alerts, user=user, role=role, source=source, os_user=os_user)
            con.execute(BUMP_DATA_VERSION)
        return tuple(seqs)

    def _insert_point(self, con: Any, layer: str, row: dict[str, object], lon: float, lat: float) -> None:
        sql, value = self._point_param(lon, lat)
        names = ", ".join(f'"{n}"' for n in [*row, "geom"])
        con.execute(f'INSERT INTO "{layer}" ({names}) VALUES ({", ".join(["?"] * len(row))}, {sql})',
                    (*row.values(), value))
        self._touch_layer(con, layer, lon, lat)

    def liaison_for(self, department: str) -> tuple[str, str | None] | None:
        """Return ``(liaison name, email)`` for a department, or ``None`` when none is on file."""
        with self.read() as con:
            row = con.execute("SELECT liaison_name, liaison_email FROM department_liaisons WHERE department = ?",
                              (department,)).fetchone()
        return None if row is None else (str(row[0]), row[1])

    def set_liaisons(self, rows: Sequence[tuple[str, str, str | None]], *, source: str, user: str,
                     role: str = "admin", os_user: str | None = None) -> int:
        """Replace the liaison of each ``(department, name, email)`` in one audited transaction."""
        at = now_utc()
        with self.write() as con:
            for dept, name, email in rows:
                old = con.execute("SELECT liaison_name FROM department_liaisons WHERE department = ?",
                                  (dept,)).fetchone()
                con.execute("DELETE FROM department_liaisons WHERE department = ?", (dept,))
                row = {"department": dept, "liaison_name": name, "liaison_email": email, "is_synthetic": 0,
                       "source": source, "updated_at": at}
                con.execute(f"INSERT INTO department_liaisons ({', '.join(row)}) "
                            f"VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
                append_audit(con, actor=user, role=role, action="liaison.set", entity="department_liaisons",
                             entity_id=dept, old=None if old is None else {"liaison_name": old[0]},
                             new={"liaison_name": name, "liaison_email": email}, source="bulk_import",
                             os_user=os_user, row=read_bound(con, BOUND["department_liaisons"], dept))
        return len(rows)

    def evidence_files(self) -> list[tuple[str, str, str]]:
        """Return ``(evidence_id, sha256, stored_path)`` of every evidence row."""
        with self.read() as con:
            rows = con.execute("SELECT evidence_id, sha256, stored_path FROM evidence ORDER BY evidence_id").fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def reporter_contacts(self, incident_id: str) -> list[dict[str, object]]:
        """Return the reporter contacts of one incident (callers audit the read)."""
        with self.read() as con:
            cur = con.execute("SELECT name, email, phone, created_at FROM reporter_contacts WHERE incident_id = ? "
                              "ORDER BY created_at", (incident_id,))
            return [dict(zip(("name", "email", "phone", "created_at"), r, strict=True)) for r in cur.fetchall()]


def _seed_liaison(con: Any, department: str, email: str, *, user: str, os_user: str | None) -> None:
    """Insert a clearly synthetic placeholder liaison for ``department`` unless one is on file."""
    if con.execute("SELECT 1 FROM department_liaisons WHERE department = ?", (department,)).fetchone():
        return
    row = {"department": department, "liaison_name": SYNTHETIC_LIAISON, "liaison_email": email,
           "is_synthetic": 1, "source": SYNTHETIC_SOURCE, "updated_at": now_utc()}
    con.execute(f"INSERT INTO department_liaisons ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()))
    append_audit(con, actor=user, role="admin", action="liaison.seed", entity="department_liaisons",
                 entity_id=department, old=None, new={"liaison_name": SYNTHETIC_LIAISON, "synthetic": True},
                 source="system", os_user=os_user, row=read_bound(con, BOUND["department_liaisons"], department))


def evidence_row(ev: StoredEvidence, incident_id: str, *, source: str, user: str, at: str) -> dict[str, object]:
    """Return the ``evidence`` table row of one stored file, in column order."""
    values: dict[str, object] = {
        "evidence_id": ev.evidence_id, "incident_id": incident_id, "label": ev.label,
        "disposition_ref": ev.disposition_ref, "filename": ev.filename, "mime": ev.mime, "size_bytes": ev.size_bytes,
        "sha256": ev.sha256, "stored_path": ev.stored_path, "exif_lat": ev.exif_lat, "exif_lon": ev.exif_lon,
        "exif_time": ev.exif_time, "placement_check": ev.placement_check, "time_check": ev.time_check,
        "derived_from": ev.derived_from, "derivation": "exif_stripped" if ev.derived_from else None,
        "source": source, "uploaded_by": user, "uploaded_at": at}
    return {k: values[k] for k in EVIDENCE_COLUMNS}
