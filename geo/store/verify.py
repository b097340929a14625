"""State bound to the audit chain: every live row is checked against its history and its audit entry.

The hash chain protects its own entries; this module binds the state they describe. For each
table of :data:`geo.store.values.BOUND` the live row must hash to the ``row_hash`` of the latest
audit entry for its id, every audited row must still exist (or have an audited delete), and a
row without an entry is reported as inserted outside StageMap. ``site_status`` must equal the
latest ``status_history`` version of its site, and every history version must be covered by
an entry with its hash. Bulk layers are bound by the digest of keys and geometry that a
``replace`` import records. Everything is read in one snapshot and every problem is reported
as a plain finding; the walk never stops at the first.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo import duties, schema
from geo.messages import M
from geo.store.audit import ChainBreak, chain_head, row_digest, verify_chain
from geo.store.boundaries import boundary_findings
from geo.store.core import StoreCore
from geo.store.values import BOUND, canonical_row, geometry_digest, legacy_incident_row, pre_0006_incident_row

Entry = Mapping[str, object]
Row = dict[str, object]
#: Incidents written by intake carry this source prefix; imported ones are bulk layer data.
INTAKE_SOURCE = "incident intake ("
#: Write actions of entries written before revision 0003 (no ``row_hash``): their rows are unverifiable.
#: Versioned tables checked like ``site_status``: (table, history table, key).
VERSIONED = ((schema.SITE_CONTROL, "control_history", schema.SITE_ID), (schema.SITE_PARTS, "part_history", schema.PART_ID),
             (duties.SCENE_RECORDS, duties.SCENE_HISTORY, duties.INCIDENT_ID),
             (duties.REFERRALS, duties.REFERRAL_HISTORY, duties.REFERRAL_ID))
LEGACY_WRITES = frozenset({"status.update", "override.create", "incident.create", "incident_report.create",
                           "reporter_contact.create", "evidence.create", "liaison.set", "liaison.seed"})


@dataclass(frozen=True)
class StateReport:
    """The outcome of :meth:`VerifyStore.verify_state`: the chain walk, rows checked and findings."""

    entries: int
    chain_break: ChainBreak | None
    head: tuple[int, str]
    checked: Mapping[str, int]
    findings: tuple[str, ...]
    unverified: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the chain verifies and the state matches it."""
        return self.chain_break is None and not self.findings

    def problems(self) -> list[str]:
        """Return the chain break (if any) and every finding, one line each."""
        return ([self.chain_break.message()] if self.chain_break is not None else []) + list(self.findings)


def _json(text: object) -> dict[str, Any]:
    try:
        value = json.loads(str(text)) if text is not None else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _binds(e: Entry) -> bool:
    """Whether an entry records a change to one row of a bound table."""
    if e.get("entity") not in BOUND or e.get("entity_id") is None:
        return False
    return e.get("row_hash") is not None or str(e["action"]).endswith(".delete") or e["action"] in LEGACY_WRITES


def _is_delete(e: Entry) -> bool:
    return str(e["action"]).endswith(".delete")


def _fields_differing(e: Entry, row: Row) -> str:
    """Name the fields of a row that differ from the values its entry recorded (a hint; the hash decides)."""
    recorded = _json(e.get("new"))
    names = sorted(k for k, v in recorded.items() if k in row and v != row[k])
    return M(" ({fields} changed)", fields=", ".join(names)) if names else ""


def is_legacy(audit: Sequence[Entry]) -> bool:
    """Whether the log holds entries written before rows were bound (no row hash, no import digest)."""
    return any((str(e["action"]).startswith("import.") and "digests" not in _json(e.get("new")))
               or (e["action"] in LEGACY_WRITES and e.get("row_hash") is None) for e in audit)


def check_status(entries: Sequence[Entry], history: Sequence[Row], live: Sequence[Row], *,
                 legacy: bool, table: str = schema.SITE_STATUS, history_table: str = "status_history",
                 key: str = schema.SITE_ID) -> tuple[list[str], list[str]]:
    """Check a versioned table (``site_status`` by default) against its history and both against the chain.

    Returns (findings, notes). ``site_control`` and ``site_parts`` are checked the same way.
    """
    findings: list[str] = []
    notes: list[str] = []
    by_version: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    last: dict[str, Entry] = {}
    for e in entries:
        sid = str(e["entity_id"])
        last[sid] = e
        version = _json(e.get("new")).get(schema.VERSION)
        if not _is_delete(e) and version is not None:
            by_version[(sid, int(version))].append(e)
    hist: dict[str, dict[int, Row]] = defaultdict(dict)
    for row in history:
        sid, version = str(row[key]), int(str(row[schema.VERSION]))
        hist[sid][version] = row
        covering = by_version.get((sid, version), [])
        where = M("{table} {key} version {version}", table=history_table, key=sid, version=version)
        if not covering:
            if legacy and version == 1:
                notes.append(M("{where}: seeded by an import written before rows were bound; not checked", where=where))
            else:
                findings.append(M("{where}: no audit entry records this version; it was inserted outside StageMap",
                                  where=where))
        elif all(e.get("row_hash") is None for e in covering):
            notes.append(M("{where}: its audit entry {seq} predates row hashes; not checked", where=where,
                           seq=covering[-1]["seq"]))
        elif not any(e.get("row_hash") == row_digest(row) for e in covering):
            findings.append(M("{where}: differs from audit entry {seq}{fields}; it was edited outside StageMap",
                              where=where, seq=covering[-1]["seq"], fields=_fields_differing(covering[-1], row)))
    for (sid, version), covering in sorted(by_version.items()):
        if version not in hist.get(sid, {}):
            findings.append(M("{table} {key} version {version}: row deleted (audit entry {seq})", table=history_table,
                              key=sid, version=version, seq=covering[-1]["seq"]))
    present = set()
    for row in live:
        sid, version = str(row[key]), int(str(row[schema.VERSION]))
        present.add(sid)
        versions = hist.get(sid, {})
        if not versions:
            findings.append(M("{table} {key}: no {history} row at all (live version {version}); its history was "
                              "deleted", table=table, key=sid, history=history_table, version=version))
        elif version != max(versions):
            findings.append(M("{table} {key}: live row is at version {version} but its history ends at version "
                              "{last}", table=table, key=sid, version=version, last=max(versions)))
        elif row != versions[version]:
            fields = sorted(k for k in row if row[k] != versions[version].get(k))
            findings.append(M("{table} {key}: live row differs from its history version {version} ({fields})",
                              table=table, key=sid, version=version, fields=", ".join(fields)))
        latest = last.get(sid)
        if latest is None:
            if legacy:
                notes.append(M("{table} {key}: no audit entry created this row; not checked", table=table, key=sid))
            else:
                findings.append(M("{table} {key}: no audit entry created this row; it was inserted outside StageMap",
                                  table=table, key=sid))
        elif _is_delete(latest):
            findings.append(M("{table} {key}: row exists though audit entry {seq} deleted it", table=table, key=sid,
                              seq=latest["seq"]))
        elif latest.get("row_hash") is not None and latest["row_hash"] != row_digest(row):
            findings.append(M("{table} {key}: live row differs from its latest audit entry {seq}{fields}", table=table,
                              key=sid, seq=latest["seq"], fields=_fields_differing(latest, row)))
    for sid, e in sorted(last.items()):
        if sid not in present and not _is_delete(e):
            findings.append(M("{table} {key}: row deleted (latest audit entry {seq})", table=table, key=sid,
                              seq=e["seq"]))
    return findings, notes


def check_keyed(table: str, rows: Mapping[str, Row], entries: Mapping[str, Sequence[Entry]], *,
                skip: Iterable[str] = (), removed: Iterable[str] = (),
                alternative: Callable[[Row], Row] | Sequence[Callable[[Row], Row]] | None = None
                ) -> tuple[list[str], list[str]]:
    """Check a table with one row per key against the latest entry of each key; return (findings, notes).

    ``skip`` keys are bound by something else now (a later replace import); ``removed`` keys
    were deleted by an audited bulk change; ``alternative`` gives the form (or forms) an older entry hashed.
    """
    findings: list[str] = []
    notes: list[str] = []
    skipped, gone = set(skip), set(removed)
    alternatives = [alternative] if callable(alternative) else list(alternative or ())
    for key, es in sorted(entries.items()):
        e, found = es[-1], rows.get(key)
        if key in skipped:
            continue
        if _is_delete(e):
            if found is not None:
                findings.append(M("{table} {key}: row exists though audit entry {seq} deleted it", table=table,
                                  key=key, seq=e["seq"]))
        elif (row := found) is None:
            if key not in gone:
                findings.append(M("{table} {key}: row deleted (audit entry {seq})", table=table, key=key, seq=e["seq"]))
        elif e.get("row_hash") is None:
            notes.append(M("{table} {key}: audit entry {seq} predates row hashes; not checked", table=table, key=key,
                           seq=e["seq"]))
        elif row_digest(row) != e["row_hash"] and all(row_digest(form(row)) != e["row_hash"] for form in alternatives):
            findings.append(M("{table} {key}: live row differs from audit entry {seq}{fields}; it was changed outside "
                              "StageMap", table=table, key=key, seq=e["seq"], fields=_fields_differing(e, row)))
    for key in sorted(set(rows) - set(entries)):
        findings.append(M("{table} {key}: no audit entry created this row; it was inserted outside StageMap",
                          table=table, key=key))
    return findings, notes


def check_ordered(table: str, rows: Sequence[tuple[str, object, Row]],
                  entries: Mapping[str, Sequence[Entry]]) -> list[str]:
    """Check a table with many rows per key (``(key, id, row)`` in id order) against the entries in seq order."""
    findings: list[str] = []
    live: dict[str, list[tuple[object, Row]]] = defaultdict(list)
    for key, row_id, row in rows:
        live[key].append((row_id, row))
    for key in sorted(set(live) | set(entries)):
        left = list(live.get(key, []))
        unmatched: list[Entry] = []
        for e in entries.get(key, []):
            hit = next((i for i, (_, row) in enumerate(left) if row_digest(row) == e.get("row_hash")), None)
            if hit is None:
                unmatched.append(e)
            else:
                left.pop(hit)
        for e, (row_id, row) in zip(unmatched, left, strict=False):
            findings.append(M("{table} id {id} ({key}): differs from audit entry {seq}{fields}; it was changed "
                              "outside StageMap", table=table, id=row_id, key=key, seq=e["seq"],
                              fields=_fields_differing(e, row)))
        for e in unmatched[len(left):]:
            findings.append(M("{table} {key}: the row of audit entry {seq} was deleted", table=table, key=key,
                              seq=e["seq"]))
        for row_id, _ in left[len(unmatched):]:
            findings.append(M("{table} id {id} ({key}): no audit entry created this row; it was inserted outside "
                              "StageMap", table=table, id=row_id, key=key))
    return findings


def layer_plan(audit: Sequence[Entry]) -> dict[str, tuple[str, int, Any]]:
    """Return, per bulk layer, its last change: ``('replace', seq, digest)`` or ``('changed', seq, action)``."""
    plan: dict[str, tuple[str, int, Any]] = {}
    for e in audit:
        action, seq = str(e["action"]), int(str(e["seq"]))
        if action.startswith("import."):
            for layer in _json(e.get("old")).get("deleted") or {}:
                plan[str(layer)] = ("changed", seq, M("rows deleted by an import"))
            digests = _json(e.get("new")).get("digests") or {}
            for layer in str(e["entity"]).split(","):
                if layer in schema.SPATIAL_LAYERS:
                    replaced = action == "import.replace" and layer in digests
                    plan[layer] = ("replace", seq, digests[layer]) if replaced else ("changed", seq, action)
        elif action == "layer.delete" and e["entity"] in schema.SPATIAL_LAYERS:
            plan[str(e["entity"])] = ("changed", seq, action)
        elif action == "boundary.current":  # a current boundary set replaced its layer
            for layer, digest in (_json(e.get("new")).get("digests") or {}).items():
                plan[str(layer)] = ("replace", seq, digest)
    return plan


class VerifyStore(StoreCore):
    """Recompute the state from history and the audit chain (:meth:`verify_state`)."""

    def verify_state(self, *, head: tuple[int, str] | None = None) -> StateReport:
        """Walk the chain (against ``head`` when given) and check every bound table against it.

        Reads one consistent snapshot; returns every finding (see the module docstring).
        """
        with self.read() as con:
            cur = con.execute("SELECT * FROM audit_log ORDER BY seq")
            names = [d[0] for d in cur.description]
            audit = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            grouped: dict[str, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
            for e in audit:
                if _binds(e):
                    grouped[str(e["entity"])][str(e["entity_id"])].append(e)
            live = {table: self._bound_rows(con, table, set(grouped[schema.INCIDENTS])) for table in BOUND}
            history = self._bound_rows(con, schema.SITE_STATUS, set(), table="status_history")
            versioned = {table: self._bound_rows(con, table, set(), table=hist_table) for table, hist_table, _ in VERSIONED}
            plan = layer_plan(audit)
            layers = {layer: self._layer_digest(con, layer, after=step[1], audit=audit)
                      for layer, step in plan.items() if step[0] == "replace"}
            findings_sets = boundary_findings(con, self._geom_sql(), self._decode_geoms)  # features vs their set
        n, broken = verify_chain(audit, head=head)
        legacy = is_legacy(audit)
        findings, notes = check_status([e for es in grouped[schema.SITE_STATUS].values() for e in es],
                                       [r for _, _, r in history], [r for _, _, r in live[schema.SITE_STATUS]],
                                       legacy=legacy)
        for table, hist_table, key in VERSIONED:
            found, noted = check_status([e for es in grouped[table].values() for e in es], [r for _, _, r in versioned[table]],
                                        [r for _, _, r in live[table]], legacy=False, table=table,
                                        history_table=hist_table, key=key)
            findings += found
            notes += noted
        findings += check_ordered("risk_overrides", live["risk_overrides"], grouped["risk_overrides"])
        replaced, removed = _incidents_gone(audit, grouped[schema.INCIDENTS])
        for table in ("incidents", "incident_reports", "reporter_contacts", "evidence", "department_liaisons",
                      "boundary_sets", "legal_holds", "alerts",
                      "contractor_notices", "board_measures", "incident_events",
                      "evidence_packages", "register_entries"):
            rows = {key: row for key, _, row in live[table]}
            found, noted = check_keyed(table, rows, grouped[table], skip=replaced if table == "incidents" else (),
                                       removed=removed if table == "incidents" else (),
                                       alternative=(legacy_incident_row, pre_0006_incident_row)
                                       if table == "incidents" else None)
            findings += found
            notes += noted
        findings += findings_sets
        for layer, (kind, seq, detail) in sorted(plan.items()):
            if kind == "replace":
                count, digest = layers[layer]
                if digest != detail.get("sha256") or count != detail.get("rows"):
                    findings.append(M("{layer}: live layer ({count} rows) differs from the keys and geometry written "
                                      "by the replace import of audit entry {seq} ({rows} rows); rows were added, "
                                      "removed, re-keyed or moved outside StageMap", layer=layer, count=count, seq=seq,
                                      rows=detail.get("rows")))
            else:
                notes.append(M("{layer}: last changed by audit entry {seq} ({detail}); bulk layer rows are bound only "
                               "by a replace import's digest, so this layer is not checked", layer=layer, seq=seq,
                               detail=detail))
        checked = {table: len(found) for table, found in live.items()} | {"status_history": len(history),
                                                                         "audit_log": len(audit)}
        checked |= {hist_table: len(versioned[table]) for table, hist_table, _ in VERSIONED}
        checked |= {f"{layer} layer": count for layer, (count, _) in layers.items()}
        return StateReport(n, broken, chain_head(audit), checked, tuple(findings), tuple(notes))

    def _bound_rows(self, con: Any, bound_table: str, intake_ids: set[str], *,
                    table: str | None = None) -> list[tuple[str, object, Row]]:
        """Return ``(key, id, canonical row)`` of every row to check, read as the writers re-read them."""
        bound = BOUND[bound_table]
        sql = bound.select(self._geom_sql(), extra=(bound.order,) if bound.order else (), table=table)
        order = ", ".join(f'"{c}"' for c in (bound.key, schema.VERSION if table else bound.order) if c)
        raw = con.execute(f"{sql} ORDER BY {order}").fetchall()
        key_at = bound.columns.index(bound.key)
        source_at = bound.columns.index(schema.SOURCE) if bound.point else 0
        out = []
        for r in raw:
            key = str(r[key_at])
            if bound.point and key not in intake_ids and not str(r[source_at] or "").startswith(INTAKE_SOURCE):
                continue  # an imported incident: bulk layer data
            out.append((key, r[-1] if bound.order else None, canonical_row(bound, tuple(r), self._decode_geoms)))
        return out

    def _layer_digest(self, con: Any, layer: str, *, after: int, audit: Sequence[Entry]) -> tuple[int, str]:
        """Return (rows, digest of keys and geometry) of a live layer; intake incidents added after ``after`` aside."""
        key = schema.LAYER_KEYS[layer]
        rows = con.execute(f'SELECT "{key}", {self._geom_sql()} FROM "{layer}"').fetchall()
        if layer == schema.INCIDENTS:
            later = {str(e["entity_id"]) for e in audit
                     if e["action"] == "incident.create" and int(str(e["seq"])) > after}
            rows = [r for r in rows if str(r[0]) not in later]
        keys = [r[0] for r in rows]
        geoms = self._decode_geoms([r[1] for r in rows]) if rows else np.array([], dtype=object)
        return geometry_digest(keys, geoms)


def _incidents_gone(audit: Sequence[Entry], created: Mapping[str, Sequence[Entry]]) -> tuple[set[str], set[str]]:
    """Return intake incidents a later replace import re-bound, and those an audited delete removed."""
    first = {key: int(str(es[0]["seq"])) for key, es in created.items()}
    replaced: set[str] = set()
    removed: set[str] = set()
    for e in audit:
        seq, action = int(str(e["seq"])), str(e["action"])
        if action == "import.replace" and schema.INCIDENTS in str(e["entity"]).split(","):
            replaced |= {k for k, s in first.items() if s < seq}
        removed |= {k for k in _deleted_incidents(e) if k in first and first[k] < seq}
    return replaced, removed


def _deleted_incidents(e: Entry) -> set[str]:
    """Return the incident ids an import's ``delete`` or a ``layer.delete`` entry removed."""
    old = _json(e.get("old"))
    if str(e["action"]).startswith("import."):
        return {str(k) for k in (old.get("deleted") or {}).get(schema.INCIDENTS, [])}
    if e["action"] == "layer.delete" and e["entity"] == schema.INCIDENTS:
        return {str(k) for k in old.get("keys", [])}
    return set()
