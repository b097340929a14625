"""The registers of issue 17: their fields, validation of one entry, and spreadsheet rows to entries.

Section C (SB 627 / SB 805): ``agency``, ``agency_policy`` (posted policy per requirement),
``legal_status`` (per requirement and kind of agency) and ``commission_action`` (the Police
Commission's inquiries and verified written challenges). Section E: ``contractor_disclosure``.
Directive D's comparison groups: ``private_parcel`` (owners who asked for a sign or refused site
control) and ``site_control_grant`` (known grants, the nexus study's trigger).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import SchemaError
from geo.i18n import N_
from geo.intake.bulk_status import Sheet, cell, sheet_date
from geo.messages import M, Message, join

_TEXT_LIMIT = 2000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,119}$")
_URL = re.compile(r"^https?://[^\s]+$")
_AIN = re.compile(r"^\d{10}$")
REQUIREMENTS = ("face_covering", "visible_id")
AGENCY_KINDS = ("federal", "state", "county", "city", "other")
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


@dataclass(frozen=True)
class Field:
    """One field of a register: name, kind (text, id, date, enum, bool, list, url, ain), required, choices."""

    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Register:
    """A register: its name, title, the action that may read and change it, key fields and fields."""

    name: str
    title: str
    action: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    documents: bool = True

    @property
    def names(self) -> list[str]:
        """Field names in order."""
        return [f.name for f in self.fields]


def _f(name: str, kind: str = "text", required: bool = False, choices: tuple[str, ...] = ()) -> Field:
    return Field(name, kind, required, choices)


REGISTERS: dict[str, Register] = {r.name: r for r in (
    Register("agency", N_("Law enforcement agencies operating in the City"), "manage_agency_policy", ("agency_id",), (
        _f("agency_id", "id", True), _f("name", required=True), _f("kind", "enum", True, AGENCY_KINDS),
        _f("parent"), _f("note"))),
    Register("agency_policy", N_("Posted policies (SB 627 / SB 805)"), "manage_agency_policy", ("agency_id", "requirement"), (
        _f("agency_id", "id", True), _f("requirement", "enum", True, REQUIREMENTS),
        _f("posted", "enum", True, ("yes", "no", "unknown")), _f("url", "url"), _f("seen_on", "date"),
        _f("compliance", "enum", True, ("compliant", "non_compliant", "not_assessed")), _f("note"))),
    Register("legal_status", N_("Legal status per requirement and kind of agency"), "manage_agency_policy",
             ("requirement", "agency_kind"), (
        _f("requirement", "enum", True, REQUIREMENTS), _f("agency_kind", "enum", True, AGENCY_KINDS),
        _f("status", "enum", True, ("in_force", "enjoined", "amended", "pending")), _f("since", "date"),
        _f("authority"), _f("note"))),
    Register("commission_action", N_("Police Commission inquiries and challenges"), "manage_agency_policy",
             ("action_id",), (
        _f("action_id", "id", True), _f("agency_id", "id", True), _f("action", "enum", True, ("inquiry", "challenge")),
        _f("requirement", "enum", True, (*REQUIREMENTS, "both")), _f("opened_on", "date", True),
        _f("status", "enum", True, ("open", "response_received", "filed", "resolved", "withdrawn")),
        _f("closed_on", "date"), _f("note"))),
    Register("contractor_disclosure", N_("Contractor disclosures (section E)"), "manage_contractor_disclosures",
             ("contract_id", "bidder"), (
        _f("contract_id", "id", True), _f("bidder", required=True), _f("dhs_agreement", "bool", True),
        _f("dhs_agency"), _f("nature_of_work"), _f("compensation_terms"), _f("third_party_data_sharing"),
        _f("disclosed_on", "date"), _f("renewal_date", "date"), _f("site_ids", "list"), _f("note"))),
    Register("private_parcel", N_("Private parcels: sign requested or site control refused"), "manage_site_consent",
             ("ain",), (
        _f("ain", "ain", True), _f("owner", required=True),
        _f("declaration", "enum", True, ("sign_requested", "refuses_site_control")),
        _f("declared_on", "date", True), _f("note"))),
    Register("site_control_grant", N_("Known grants of site control for enforcement"), "manage_site_consent",
             ("grant_id",), (
        _f("grant_id", "id", True), _f("ain", "ain", True), _f("grantee", required=True),
        _f("granted_on", "date", True), _f("ended_on", "date"), _f("source", required=True), _f("note"))),
)}

#: The legal status known from the directive (seeds 004): used until a records user records another.
DEFAULT_LEGAL_STATUS = (
    {"requirement": "face_covering", "agency_kind": "federal", "status": "enjoined", "since": "2026-02-09",
     "authority": "United States v. State of California, et al. (C.D. Cal. 25-10999), preliminary injunction "
                  "against the SB 627 no-masking provision as applied to federal agents",
     "note": "Directive 17 section C: the Commission acts once applicability is confirmed or SB 627 is amended."},
    *({"requirement": r, "agency_kind": k, "status": "in_force", "since": None, "authority": "SB 627 / SB 805",
       "note": None} for r in REQUIREMENTS for k in AGENCY_KINDS if (r, k) != ("face_covering", "federal")),
)


def entry_id(reg: Register, fields: Mapping[str, Any]) -> str:
    """Return the entry id: the key fields joined with ':'."""
    return ":".join(str(fields[k]) for k in reg.key)


def _value(reg: Register, f: Field, raw: Any, problems: list[str]) -> Any:
    """Return one checked value (``None`` when blank); append a problem naming field, value and fix."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if f.required:
            problems.append(M("{field}: required; fill it in", field=f.name))
        return [] if f.kind == "list" else None
    if f.kind == "date":
        try:
            return sheet_date(raw)
        except ValueError:
            problems.append(M("{field}: {value} is not a date; use YYYY-MM-DD", field=f.name, value=repr(str(raw)[:40])))
            return None
    if f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in YES_NO:
            problems.append(M("{field}: {value} is not yes or no", field=f.name, value=repr(str(raw)[:40])))
            return None
        return YES_NO[text]
    if f.kind == "list":
        items = raw if isinstance(raw, list | tuple) else re.split(r"[;,]", str(raw))
        return sorted({str(i).strip() for i in items if str(i).strip()})
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))  # spreadsheet numbers: AINs, ids
    bad = sorted({f"U+{ord(c):04X}" for c in text if ord(c) < 32 and c not in "\t\n\r"})
    if bad:
        problems.append(M("{field}: contains control characters {chars}; remove them", field=f.name, chars=str(bad)))
        return None
    if f.kind == "enum":
        low = text.lower().replace(" ", "_").replace("-", "_")
        if low not in f.choices:
            problems.append(M("{field}: {value} is not one of {choices}", field=f.name, value=repr(text[:40]),
                              choices=", ".join(f.choices)))
            return None
        return low
    if f.kind == "id" and not _ID.match(text):
        problems.append(M("{field}: {value} is not an id (letters, digits, . _ : / - and spaces, up to 120)",
                          field=f.name, value=repr(text[:40])))
        return None
    if f.kind == "url" and not _URL.match(text):
        problems.append(M("{field}: {value} is not a web address; give it as https://...", field=f.name,
                          value=repr(text[:60])))
        return None
    if f.kind == "ain" and not _AIN.match(text.replace("-", "")):
        problems.append(M("{field}: {value} is not a 10-digit AIN", field=f.name, value=repr(text[:20])))
        return None
    return text.replace("-", "") if f.kind == "ain" else text[:_TEXT_LIMIT]


def _checked(reg: Register, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return the checked fields of one entry and its problems (field, value and fix)."""
    unknown = sorted(set(raw) - set(reg.names))
    problems: list[str] = [M("{field}: not a field of {register}; fields are {fields}", field=k, register=reg.name,
                             fields=", ".join(reg.names)) for k in unknown]
    out = {f.name: _value(reg, f, raw.get(f.name), problems) for f in reg.fields}
    problems.extend(_cross_checks(reg.name, out))
    return out, problems


def check_entry(reg: Register, raw: Mapping[str, Any], *, where: str | None = None) -> tuple[str, dict[str, Any]]:
    """Validate one entry of ``reg``; return ``(entry id, fields)``.

    Raises
    ------
    SchemaError
        Listing every problem (field, value and fix), prefixed with ``where`` (e.g. ``row 4``).
    """
    out, problems = _checked(reg, raw)
    if problems:
        raise SchemaError(M("{where}: {problems}. Nothing was saved.", where=where or Message(reg.title),
                            problems=join(problems)))
    return entry_id(reg, out), out


def _cross_checks(name: str, out: Mapping[str, Any]) -> list[str]:
    """Return problems between fields of one entry."""
    bad: list[str] = []
    if name == "contractor_disclosure" and out.get("dhs_agreement") and not out.get("dhs_agency"):
        bad.append(M("dhs_agency: a DHS agreement needs the agency within DHS (e.g. ICE, CBP, USCIS, FEMA)"))
    pairs = {"commission_action": ("opened_on", "closed_on"), "site_control_grant": ("granted_on", "ended_on")}
    if name in pairs:
        start, end = (out.get(k) for k in pairs[name])
        if start and end and str(end) < str(start):
            bad.append(M("{end_field}: {end} is before {start_field} {start}; check the dates", end_field=pairs[name][1],
                         end=end, start_field=pairs[name][0], start=start))
    if name == "agency_policy" and out.get("posted") == "yes" and not out.get("url"):
        bad.append(M("url: a posted policy needs the address where it was seen"))
    if name == "private_parcel" and out.get("declared_on") and out["declared_on"] > dt.date.today().isoformat():
        bad.append(M("declared_on: {day} is in the future; give the date of the declaration", day=out["declared_on"]))
    return bad


def sheet_entries(reg: Register, sheet: Sheet) -> tuple[list[tuple[int, str, dict[str, Any]]], list[str]]:
    """Map every row of ``sheet`` to ``(row number, entry id, fields)``; return them and the per-row problems.

    Headers match field names (case, spaces and dashes ignored); a column that matches no field
    is reported once; a key given twice in the file is reported on its second row.
    """
    norm = [re.sub(r"[\s\-]+", "_", str(h or "").strip().lower()) for h in sheet.header]
    cols = {name: i for i, name in enumerate(norm) if name in reg.names}
    problems: list[str] = [M("column {column}: not a field of {register}; fields are {fields}", column=repr(h),
                             register=reg.name, fields=", ".join(reg.names))
                           for h, n in zip(sheet.header, norm, strict=True) if n and n not in reg.names]
    missing = [f.name for f in reg.fields if f.required and f.name not in cols]
    if missing:
        problems.append(M("header: required columns {missing} are missing; add them (fields are {fields})",
                          missing=str(missing), fields=", ".join(reg.names)))
        return [], problems
    rows: list[tuple[int, str, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for n, row in sheet.rows:
        if all(cell(row, i) is None for i in cols.values()):
            continue
        fields, bad = _checked(reg, {k: cell(row, i) for k, i in cols.items()})
        if bad:
            problems.append(M("row {row}: {problems}", row=n, problems=join(bad)))
            continue
        eid = entry_id(reg, fields)
        if eid in seen:
            problems.append(M("row {row}: {entry} repeats row {first}; keep one row per {key}", row=n, entry=eid,
                              first=seen[eid], key=" + ".join(reg.key)))
            continue
        seen[eid] = n
        rows.append((n, eid, fields))
    return rows, problems
