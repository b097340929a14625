"""DDL of the directive's workflow tables (revision 0008), shared by both backends.

``alerts`` holds one row per (enforcement report, department whose site it landed on or beside):
inbox state (unread, acknowledged, actioned, with who and when) and delivery state per channel
(e-mail, webhook), versioned and bound to the audit chain like every other state table.
``alert_attempts`` is the append-only log of every delivery attempt, successful or not.
``{text}``, ``{float}`` and ``{identity}`` are filled in per backend.
"""
from __future__ import annotations

#: Inbox states of an alert, in order.
ALERT_STATES = ("unread", "acknowledged", "actioned")
#: Delivery states of a channel: waiting to be sent, waiting for the department's digest, sent, not configured.
DELIVERY_STATES = ("queued", "digest", "sent", "off")

#: Columns of ``alerts`` in table order (the audit binding hashes them in this order).
ALERT_COLUMNS = (
    "alert_id", "incident_id", "department", "site_id", "distance_ft", "incident_type", "occurred_at",
    "state", "acknowledged_by", "acknowledged_at", "actioned_by", "actioned_at", "action_note",
    "email_state", "email_attempts", "email_sent_at", "webhook_state", "webhook_attempts", "webhook_sent_at",
    "last_error", "version", "created_by", "created_at",
)
ATTEMPT_COLUMNS = ("id", "alert_id", "channel", "attempt", "at", "ok", "detail")

_STATES = ", ".join(repr(s) for s in ALERT_STATES)
_DELIVERY = ", ".join(repr(s) for s in DELIVERY_STATES)
ALERTS_DDL = (
    "CREATE TABLE IF NOT EXISTS alerts (alert_id {text} PRIMARY KEY, incident_id {text} NOT NULL, "
    "department {text} NOT NULL, site_id {text}, distance_ft {float}, incident_type {text}, occurred_at {text}, "
    f"state {{text}} NOT NULL DEFAULT 'unread' CHECK (state IN ({_STATES})), acknowledged_by {{text}}, "
    "acknowledged_at {text}, actioned_by {text}, actioned_at {text}, action_note {text}, "
    f"email_state {{text}} NOT NULL CHECK (email_state IN ({_DELIVERY})), email_attempts INTEGER NOT NULL DEFAULT 0, "
    f"email_sent_at {{text}}, webhook_state {{text}} NOT NULL CHECK (webhook_state IN ({_DELIVERY})), "
    "webhook_attempts INTEGER NOT NULL DEFAULT 0, webhook_sent_at {text}, last_error {text}, "
    "version INTEGER NOT NULL DEFAULT 1, created_by {text} NOT NULL, created_at {text} NOT NULL, "
    "UNIQUE (incident_id, department))",
    "CREATE INDEX IF NOT EXISTS alerts_department ON alerts (department, state)",
    "CREATE TABLE IF NOT EXISTS alert_attempts (id {identity}, alert_id {text} NOT NULL, "
    "channel {text} NOT NULL CHECK (channel IN ('email', 'webhook')), attempt INTEGER NOT NULL, at {text} NOT NULL, "
    "ok INTEGER NOT NULL CHECK (ok IN (0, 1)), detail {text})",
    "CREATE INDEX IF NOT EXISTS alert_attempts_alert ON alert_attempts (alert_id)",
)
#: How an A.3 contractor notice was sent; board measure types and states (day 15).
NOTICE_METHODS = ("email", "mail", "hand_delivery", "portal", "other")
MEASURE_TYPES = ("patrol", "access_control", "signage", "training", "reporting_protocol", "coordination_with_lapd",
                 "other")
MEASURE_STATUSES = ("planned", "in_place", "ended")
NOTICE_COLUMNS = ("notice_id", "department", "contractor", "contract_number", "site_ids", "sent_on", "sent_method",
                  "document_sha256", "acknowledged_on", "acknowledged_by", "note", "version", "updated_by", "updated_at")
EVENT_LINK_COLUMNS = ("incident_id", "event_id", "decision", "note", "version", "updated_by", "updated_at")
MEASURE_COLUMNS = ("measure_id", "department", "measure_type", "description", "start_date", "site_ids", "status",
                   "version", "updated_by", "updated_at")
_METHODS = ", ".join(repr(s) for s in NOTICE_METHODS)
_TYPES = ", ".join(repr(s) for s in MEASURE_TYPES)
_MSTATES = ", ".join(repr(s) for s in MEASURE_STATUSES)
REGISTER_DDL = (
    "CREATE TABLE IF NOT EXISTS contractor_notices (notice_id {text} PRIMARY KEY, department {text} NOT NULL, "
    "contractor {text} NOT NULL, contract_number {text} NOT NULL, site_ids {text}, sent_on {text}, "
    f"sent_method {{text}} CHECK (sent_method IS NULL OR sent_method IN ({_METHODS})), document_sha256 {{text}} "
    "CHECK (document_sha256 IS NULL OR length(document_sha256) = 64), acknowledged_on {text}, acknowledged_by {text}, "
    "note {text}, version INTEGER NOT NULL, updated_by {text} NOT NULL, updated_at {text} NOT NULL, "
    "UNIQUE (department, contract_number))",
    "CREATE TABLE IF NOT EXISTS board_measures (measure_id {text} PRIMARY KEY, department {text} NOT NULL, "
    f"measure_type {{text}} NOT NULL CHECK (measure_type IN ({_TYPES})), description {{text}} NOT NULL, "
    f"start_date {{text}}, site_ids {{text}}, status {{text}} NOT NULL CHECK (status IN ({_MSTATES})), "
    "version INTEGER NOT NULL, updated_by {text} NOT NULL, updated_at {text} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS incident_events (incident_id {text} PRIMARY KEY, event_id {text} NOT NULL, "
    "decision {text} NOT NULL CHECK (decision IN ('confirmed', 'split')), note {text}, version INTEGER NOT NULL, "
    "updated_by {text} NOT NULL, updated_at {text} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS incident_events_event ON incident_events (event_id)",
)
#: Tables the app may read and change (PostgreSQL grants) and tables it may only append to.
APP_TABLES_0008 = ("alerts", "contractor_notices", "board_measures", "incident_events")
APPEND_ONLY_0008 = ("alert_attempts",)


def workflow_ddl(*, text: str, float_type: str, identity: str) -> list[str]:
    """Return the revision-0008 statements with the backend's types filled in."""
    return [s.replace("{text}", text).replace("{float}", float_type).replace("{identity}", identity)
            for s in (*ALERTS_DDL, *REGISTER_DDL)]
