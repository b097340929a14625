"""DDL of revision 0009: evidence packages and the register entries (sections C and E, private opt-in, grants).

Both tables are append-only. A package row records one handed-over ZIP (recipient, selection,
manifest hash and signature). A register entry row is one version of one entry of a register
(``agency``, ``agency_policy``, ``commission_action``, ``legal_status``, ``contractor_disclosure``,
``private_parcel``, ``site_control_grant``): a change appends version n + 1, so the table is its
own history and the live entry is its newest version. ``{text}`` is TEXT (SQLite) or the
byte-ordered text type of PostgreSQL.
"""
from __future__ import annotations

#: The recipients an evidence package may be addressed to.
RECIPIENTS = ("lapd", "district_attorney", "us_attorney", "attorney_general")
PACKAGE_COLUMNS = ("package_id", "recipient", "selection", "incidents", "evidence_files", "include_reporter",
                   "manifest_sha256", "signature", "key_id", "created_by", "created_at", "source")
ENTRY_COLUMNS = ("row_id", "register", "entry_id", "version", "fields", "document_sha256", "created_by",
                 "created_at", "source")
REGISTER_TABLES = ("evidence_packages", "register_entries")

REGISTERS_DDL = (
    "CREATE TABLE IF NOT EXISTS evidence_packages (package_id {text} PRIMARY KEY, recipient {text} NOT NULL CHECK "
    f"(recipient IN ({', '.join(repr(r) for r in RECIPIENTS)})), selection {{text}} NOT NULL, "
    "incidents INTEGER NOT NULL, evidence_files INTEGER NOT NULL, include_reporter INTEGER NOT NULL DEFAULT 0 "
    "CHECK (include_reporter IN (0, 1)), manifest_sha256 {text} NOT NULL CHECK (length(manifest_sha256) = 64), "
    "signature {text} NOT NULL, key_id {text} NOT NULL, created_by {text} NOT NULL, created_at {text} NOT NULL, "
    "source {text} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS register_entries (row_id {text} PRIMARY KEY, register {text} NOT NULL, "
    "entry_id {text} NOT NULL, version INTEGER NOT NULL CHECK (version >= 1), fields {text} NOT NULL, "
    "document_sha256 {text}, created_by {text} NOT NULL, created_at {text} NOT NULL, source {text} NOT NULL, "
    "UNIQUE (register, entry_id, version))",
    "CREATE INDEX IF NOT EXISTS register_entries_register ON register_entries (register, entry_id)",
)


def registers_ddl(text: str) -> list[str]:
    """Return the revision 0009 statements with ``text`` as the text type."""
    return [s.replace("{text}", text) for s in REGISTERS_DDL]
