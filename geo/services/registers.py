"""The registers of issue 17 through the one door: save an entry, import a sheet, read, export; all audited.

Each register belongs to one action (:data:`geo.intake.registers.REGISTERS`): section C and its
legal status to ``manage_agency_policy`` (records, admin), section E to
``manage_contractor_disclosures`` and private opt-in and grants to ``manage_site_consent``
(planners, admins). A stored document (a posted policy's copy, an owner's declaration, a
disclosure form) is kept write-once and content-addressed beside the evidence originals; its
SHA-256 is part of the entry and of its audit entry.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.errors import SchemaError
from geo.intake.bulk_status import read_sheet
from geo.intake.evidence import MAX_EVIDENCE_BYTES, sha256_hex, write_once
from geo.intake.registers import REGISTERS, Register, check_entry, sheet_entries
from geo.io.export import export_name, label, neutralise_frame, to_csv_bytes
from geo.messages import M, Message, join
from geo.store import Store
from geo.store.registers import EntrySaved, EntryWrite

META = ("version", "document_sha256", "updated_by", "updated_at")


def register(name: str) -> Register:
    """Return the register called ``name``.

    Raises
    ------
    SchemaError
        Naming the registers there are.
    """
    if name not in REGISTERS:
        raise SchemaError(M("No register {name}; registers are {names}.", name=repr(name), names=", ".join(REGISTERS)))
    return REGISTERS[name]


def _refs(store: Store, reg: Register, rows: list[tuple[int, str, dict[str, Any]]]) -> list[Message]:
    """Return problems with references (``row {row}: {problems}``): unknown agencies, unknown City sites."""
    problems: list[Message] = []
    if any("agency_id" in f and reg.name != "agency" for _, _, f in rows):
        agencies = {str(e["entry_id"]) for e in store.register_entries("agency")}
        problems += [M("row {row}: {problems}", row=n, problems=M(
                         "agency_id {agency} is not in the agency register; add the agency first",
                         agency=repr(f["agency_id"])))
                     for n, _, f in rows if reg.name != "agency" and f.get("agency_id") not in agencies]
    if any(f.get("site_ids") for _, _, f in rows):
        sites = set(store.read_layer(schema.SITES, columns=[schema.SITE_ID])[schema.SITE_ID].astype(str))
        for n, _, f in rows:
            unknown = [s for s in f.get("site_ids") or [] if s not in sites]
            if unknown:
                problems.append(M("row {row}: {problems}", row=n, problems=M(
                    "site_ids {sites} are not City sites in the store; check the site ids", sites=str(unknown))))
    return problems


def keep_document(store: Store, filename: str, data: bytes) -> str:
    """Store a document write-once beside the evidence originals; return its SHA-256.

    Raises
    ------
    SchemaError
        When the file is empty or too large.
    """
    if not data:
        raise SchemaError(M("Document {file}: the file is empty; attach the stored copy.", file=filename))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise SchemaError(M("Document {file}: {size:,} bytes, over the {limit:,}-byte limit.", file=filename,
                            size=len(data), limit=MAX_EVIDENCE_BYTES))
    sha = sha256_hex(data)
    write_once(store.evidence_dir(), data, sha)
    return sha


def save_entry(store: Store, actor: Actor, name: str, fields: Mapping[str, Any], *, expect_version: int,
               document: tuple[str, bytes] | None = None) -> EntrySaved:
    """Validate and save one entry based on ``expect_version`` (0 for a new entry); audited.

    Raises
    ------
    AccessDenied
        When the role may not change this register.
    SchemaError
        Naming every invalid field; nothing is saved.
    StatusConflict
        When someone saved the entry since ``expect_version``; nothing is saved.
    """
    reg = register(name)
    authorize(actor, reg.action)
    eid, clean = check_entry(reg, fields)
    problems = _refs(store, reg, [(0, eid, clean)])
    if problems:
        raise SchemaError(M("{where}: {problems}. Nothing was saved.", where=Message(reg.title),
                            problems=join(p.values["problems"] for p in problems)))
    doc = keep_document(store, *document) if document is not None else None
    return store.save_entries(reg.name, [EntryWrite(eid, clean, doc, expect_version)], user=actor.name,
                              role=actor.role, source=actor.source, os_user=actor.os_user)[0]


@dataclass(frozen=True)
class RegisterImport:
    """A sheet import: per-row outcomes when it was applied, or every problem when nothing was."""

    source: str
    saved: tuple[tuple[int, EntrySaved], ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the file was applied (no row was rejected)."""
        return not self.problems

    def summary(self) -> str:
        """Return the printed report: one line per row, then totals."""
        if self.problems:
            return join([*self.problems, M("{source}: NOT imported ({n} problems); nothing was saved. Fix the rows "
                                           "above and import again.", source=self.source, n=len(self.problems))],
                        sep="\n")
        lines = [M("row {row}: {outcome} {entry} (version {version})", row=n, outcome=s.outcome, entry=s.entry_id,
                   version=s.version) for n, s in self.saved]
        counts = {k: sum(s.outcome == k for _, s in self.saved) for k in ("created", "updated", "unchanged")}
        return join([*lines, M("{source}: {created} created, {updated} updated, {unchanged} unchanged",
                               source=self.source, **counts)], sep="\n")


def import_register(store: Store, actor: Actor, name: str, path: str | Path) -> RegisterImport:
    """Import a CSV or XLSX into a register: every row valid, or nothing is saved (latest wins per entry).

    Raises
    ------
    AccessDenied
        When the role may not change this register.
    SchemaError
        When the file cannot be read as a table.
    """
    reg = register(name)
    authorize(actor, reg.action)
    sheet = read_sheet(path)
    rows, problems = sheet_entries(reg, sheet)
    problems += _refs(store, reg, rows)
    if not rows and not problems:
        problems.append(M("{sheet}: no rows to import", sheet=sheet.label))
    if problems:
        return RegisterImport(sheet.label, (), tuple(problems))
    saved = store.save_entries(reg.name, [EntryWrite(eid, f) for _, eid, f in rows], user=actor.name,
                               role=actor.role, source=f"import {sheet.label} sha256 {sheet.sha256[:12]}",
                               os_user=actor.os_user)
    return RegisterImport(sheet.label, tuple((n, s) for (n, _, _), s in zip(rows, saved, strict=True)), ())


def entries_frame(reg: Register, entries: list[dict[str, Any]]) -> pd.DataFrame:
    """Return live entries as a table: the register's fields, then version, document hash, who and when."""
    rows = [{**{k: ";".join(v) if isinstance(v := e["fields"].get(k), list) else v for k in reg.names},
             "version": e["version"], "document_sha256": e["document_sha256"], "updated_by": e["created_by"],
             "updated_at": e["created_at"]} for e in entries]
    return pd.DataFrame(rows, columns=[*reg.names, *META])


def read_register(store: Store, actor: Actor, name: str) -> pd.DataFrame:
    """Return a register's live entries (role-checked, not audited: these are not personal data)."""
    reg = register(name)
    authorize(actor, reg.action)
    return entries_frame(reg, store.register_entries(reg.name))


def entry_history(store: Store, actor: Actor, name: str, entry: str) -> pd.DataFrame:
    """Return every version of one entry, oldest first."""
    reg = register(name)
    authorize(actor, reg.action)
    return entries_frame(reg, store.entry_history(reg.name, entry))


def export_register(store: Store, actor: Actor, name: str, fmt: str = "csv",
                    frame: pd.DataFrame | None = None) -> tuple[str, bytes]:
    """Return (file name, bytes) of a register (or a view of it given as ``frame``), cells neutralised; audited.

    Raises
    ------
    AccessDenied
        When the role may not read this register.
    SchemaError
        For a format other than csv or xlsx.
    """
    reg = register(name)
    authorize(actor, reg.action)
    table = read_register(store, actor, name) if frame is None else frame
    synthetic = bool(store.is_synthetic())
    if fmt == "csv":
        data = to_csv_bytes(table, synthetic=synthetic)
    elif fmt == "xlsx":
        buf = io.BytesIO()
        neutralise_frame(label(table, synthetic=synthetic)).to_excel(buf, index=False, sheet_name=reg.name[:31])
        data = buf.getvalue()
    else:
        raise SchemaError(M("Export format {format} is not csv or xlsx.", format=repr(fmt)))
    store.log_event(actor=actor.name, role=actor.role, action=f"export.register.{reg.name}", entity="register_entries",
                    detail={"records": len(table), "format": fmt, "sha256": sha256_hex(data)}, source=actor.source,
                    os_user=actor.os_user)
    return export_name(f"register_{reg.name}", fmt, synthetic=synthetic), data
