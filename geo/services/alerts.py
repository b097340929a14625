"""Liaison alerts through the one door (A.3): raise, show in the inbox, acknowledge and action, deliver.

*Raise.* Every door that stores incidents (the report form and ``stagemap incident add/import``
through :func:`geo.services.intake.submit_incident`, and layer imports through
:func:`geo.services.imports.import_file`) calls :func:`after_intake`: each enforcement-related
report (:func:`geo.analysis.relevance.enforcement_incidents`) on or within 150 ft of a City site
becomes one alert for the site's department, in the inbox at once.

*Deliver.* E-mail (SMTP, STARTTLS, login) and the optional signed webhook are sent by
:func:`deliver_pending`: started in a background thread right after intake (when a channel is
configured), by ``stagemap alerts deliver`` (run it from cron so alerts queued while a server was
down go out when it returns), and by the Inbox page's "Deliver queued now" button. A failed send
never loses an alert: it stays ``queued`` in the inbox with its last error, every attempt logged
in ``alert_attempts``. Departments with the digest option get one e-mail per
``stagemap alerts deliver --digest`` run listing all their alerts since the last digest.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import shapely

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.relevance import ENFORCEMENT_CLASSES, enforcement_incidents, relevance_of
from geo.analysis.timefmt import local_text
from geo.config import AlertSettings, alert_settings
from geo.errors import GeoDataError, SchemaError, StatusConflict, StoreError
from geo.intake.routing import SiteIndex
from geo.messages import M
from geo.services.alert_send import Outcome, post_webhook, safe, send_mail
from geo.store import Store
from geo.store.audit import now_utc

#: The account background and scheduled deliveries act as (recorded in every attempt's audit entry).
DELIVERY_ACTOR = Actor("alert delivery", "admin", source="system")
_RUN_LOCK = threading.Lock()  # one delivery run at a time in this process: no alert is sent twice by it
_THREADS: list[threading.Thread] = []


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` run did."""

    emails_sent: int = 0
    emails_failed: int = 0
    webhooks_sent: int = 0
    webhooks_failed: int = 0
    digests_sent: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line of totals."""
        return M("e-mail: {emails_sent} sent, {emails_failed} failed (still queued); webhook: {webhooks_sent} sent, "
                 "{webhooks_failed} failed (still queued); digests: {digests_sent}", emails_sent=self.emails_sent,
                 emails_failed=self.emails_failed, webhooks_sent=self.webhooks_sent,
                 webhooks_failed=self.webhooks_failed, digests_sent=self.digests_sent)


def intake_settings() -> AlertSettings:
    """Return the alert settings for an intake; a misconfiguration never blocks a report.

    The alerts are still raised and stay queued; ``stagemap alerts deliver`` names the problem.
    """
    try:
        return alert_settings()
    except GeoDataError:
        logging.getLogger(__name__).exception("alert settings are invalid; alerts stay queued")
        return AlertSettings()


def alert_rows(incidents: pd.DataFrame, index: SiteIndex, settings: AlertSettings) -> list[dict[str, object]]:
    """Return the alerts of ``incidents`` (columns incident_id, lon, lat, incident_type, occurred_at, relevance).

    Only enforcement-related reports on or beside a department's site raise one; one bulk query.
    """
    relevant = enforcement_incidents(incidents)
    if not len(relevant):
        return []
    matches = index.match(relevant["lon"].astype(float).tolist(), relevant["lat"].astype(float).tolist())
    hits = [i for i, m in enumerate(matches) if m is not None and m.department and m.department != schema.UNASSIGNED]
    rows: list[dict[str, object]] = []
    for rec, i in zip(relevant.iloc[hits].to_dict("records"), hits, strict=True):  # records of the hits only
        match = matches[i]
        assert match is not None
        rows.append({"alert_id": f"ALR-{rec[schema.INCIDENT_ID]}", "incident_id": rec[schema.INCIDENT_ID],
                     "department": match.department, "site_id": match.site_id,
                     "distance_ft": round(float(match.distance_ft), 1), "incident_type": rec.get(schema.INCIDENT_TYPE),
                     "occurred_at": None if rec.get(schema.OCCURRED_AT) is None else str(rec[schema.OCCURRED_AT]),
                     "email_state": "digest" if match.department in settings.digest_departments else "queued",
                     "webhook_state": "queued" if settings.webhook_url else "off"})
    return rows


def after_intake(store: Store, actor: Actor, incidents: pd.DataFrame, index: SiteIndex,
                 *, background: bool = True) -> list[str]:
    """Raise the alerts of newly stored ``incidents``; start a background delivery when a channel is set.

    Returns the new alert ids. Wait for the delivery with :func:`wait_for_deliveries`.
    """
    settings = intake_settings()
    made = store.add_alerts(alert_rows(incidents, index, settings), user=actor.name, role=actor.role,
                            source=actor.source, os_user=actor.os_user)
    if made and background:
        start_delivery(store, settings)
    return made


def start_delivery(store: Store, settings: AlertSettings) -> threading.Thread | None:
    """Deliver queued alerts in a background thread when a channel is configured; return the thread."""
    if not (settings.smtp_host or settings.webhook_url):
        return None
    thread = threading.Thread(target=_deliver_quietly, args=(store, settings), name="stagemap-alerts", daemon=True)
    _THREADS[:] = [t for t in _THREADS if t.is_alive()]  # finished runs are forgotten
    _THREADS.append(thread)
    thread.start()
    return thread


def alert_imported(store: Store, actor: Actor, incidents: pd.DataFrame) -> list[str]:
    """Raise the alerts of an imported incident layer (a GeoDataFrame in EPSG:4326) after it is stored."""
    # only what an alert needs: the enforcement rows' ids, type, time and point (an import may hold millions)
    relevance = relevance_of(incidents)
    keep = relevance.isin(ENFORCEMENT_CLASSES).to_numpy()
    if not keep.any():
        return []
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
    if not len(sites):
        return []
    cols = [c for c in (schema.INCIDENT_ID, schema.INCIDENT_TYPE, schema.OCCURRED_AT) if c in incidents.columns]
    geoms = incidents.geometry.to_numpy()[keep]
    frame = pd.DataFrame({**{c: incidents[c].to_numpy()[keep] for c in cols},
                          schema.RELEVANCE: relevance.to_numpy()[keep]})
    frame = frame.assign(lon=shapely.get_x(geoms), lat=shapely.get_y(geoms))
    return after_intake(store, actor, frame, SiteIndex(sites))


def _deliver_quietly(store: Store, settings: AlertSettings) -> None:
    """Run one delivery; failures stay queued and visible, so nothing is raised into the thread."""
    try:
        deliver_pending(store, DELIVERY_ACTOR, settings=settings)
    except Exception:  # the alerts stay queued; the next run retries them
        logging.getLogger(__name__).exception("background alert delivery failed; alerts stay queued")


def wait_for_deliveries(timeout: float | None = None) -> bool:
    """Join the background deliveries started so far; return whether all finished."""
    for thread in list(_THREADS):
        thread.join(timeout)
    alive = [t for t in _THREADS if t.is_alive()]
    _THREADS[:] = alive
    return not alive


def message_text(alert: dict[str, object]) -> tuple[str, str]:
    """Return (subject, plain-text body) of one alert: ids, type, time, site and distance only."""
    distance = float(alert.get("distance_ft") or 0.0)  # type: ignore[arg-type]
    where = "on the site" if distance == 0 else f"{distance:.0f} ft from the site"
    subject = f"StageMap alert: {safe(alert['incident_type'])} at {safe(alert['site_id'])} ({safe(alert['department'])})"
    body = "\n".join([
        f"An enforcement-related report landed {where} {safe(alert['site_id'])} of {safe(alert['department'])}",
        "(Executive Directive 17, A.3).", "",
        f"Alert:  {safe(alert['alert_id'])}", f"Report: {safe(alert['incident_id'])}",
        f"Type:   {safe(alert['incident_type'])}", f"When:   {safe(local_text(alert.get('occurred_at')))}", "",
        "Open the StageMap Inbox to acknowledge it. This message carries no reporter identity.", ""])
    return subject, body


def digest_text(department: str, alerts: Sequence[dict[str, object]]) -> tuple[str, str]:
    """Return (subject, plain-text body) of a department's digest."""
    lines = [f"{len(alerts)} enforcement-related report(s) on or beside sites of {safe(department)} "
             "(Executive Directive 17, A.3):", ""]
    for a in alerts:
        lines.append(f"- {safe(a['alert_id'])}: {safe(a['incident_type'])} at {safe(a['site_id'])}, "
                     f"{safe(local_text(a.get('occurred_at')))}")
    lines += ["", "Open the StageMap Inbox to acknowledge them. This message carries no reporter identity.", ""]
    return f"StageMap digest: {len(alerts)} alert(s) for {safe(department)}", "\n".join(lines)


def webhook_payload(alert: dict[str, object]) -> dict[str, object]:
    """Return the webhook JSON of one alert (no reporter identity, no free text)."""
    return {"event": "stagemap.alert", "alert_id": safe(alert["alert_id"]), "incident_id": safe(alert["incident_id"]),
            "department": safe(alert["department"]), "site_id": safe(alert["site_id"]),
            "distance_ft": float(alert.get("distance_ft") or 0.0),  # type: ignore[arg-type]
            "incident_type": safe(alert["incident_type"]), "occurred_at": safe(alert.get("occurred_at"))}


def recipients(store: Store, settings: AlertSettings, department: str) -> tuple[str, ...]:
    """Return the department's recipients: the configured list, else its liaison's e-mail on file."""
    configured = settings.recipients_of(department)
    if configured is not None:
        return configured
    liaison = store.liaison_for(department)
    return (liaison[1],) if liaison is not None and liaison[1] else ()


def deliver_pending(store: Store, actor: Actor, *, settings: AlertSettings | None = None,
                    digest: bool = False) -> DeliveryReport:
    """Send every queued alert by e-mail and webhook (and, with ``digest``, each digest department's digest).

    Only configured channels are tried. Each attempt is logged and audited; a failed one leaves
    the alert queued with its error. Runs one at a time per process.

    Raises
    ------
    AccessDenied
        When ``actor`` is not an admin (background runs act as :data:`DELIVERY_ACTOR`).
    """
    authorize(actor, "administer_store")
    settings = settings or alert_settings()
    report = DeliveryReport()
    with _RUN_LOCK:
        alerts = store.read_alerts()
        for alert in alerts.to_dict("records"):
            if settings.smtp_host and alert["email_state"] == "queued":
                subject, body = message_text(alert)
                outcome = send_mail(settings, recipients(store, settings, str(alert["department"])), subject, body)
                alert = _record(store, actor, alert, "email", outcome, report)
            if settings.webhook_url and alert["webhook_state"] == "queued":
                current = {"row": alert}

                def logged(_attempt: int, outcome: Outcome, current: dict[str, dict[str, object]] = current) -> None:
                    current["row"] = _record(store, actor, current["row"], "webhook", outcome, report)

                post_webhook(settings, webhook_payload(alert), on_attempt=logged)
        if digest and settings.smtp_host:
            _send_digests(store, actor, settings, report)
    return report


def _record(store: Store, actor: Actor, alert: dict[str, object], channel: str, outcome: Outcome,
            report: DeliveryReport) -> dict[str, object]:
    """Log one attempt on ``alert``; return the stored row (unchanged when another writer came first)."""
    changes: dict[str, object] = ({f"{channel}_state": "sent", f"{channel}_sent_at": now_utc(), "last_error": None}
                                  if outcome.ok else {"last_error": f"{channel}: {outcome.detail}"[:500]})
    try:
        row = store.record_attempt(str(alert["alert_id"]), channel, ok=outcome.ok, detail=outcome.detail,
                                   changes=changes, expect_version=int(alert["version"]),  # type: ignore[call-overload]
                                   user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)
    except StatusConflict:
        report.errors.append(f"{alert['alert_id']}: changed by another writer; retried on the next run")
        return alert
    name = f"{channel}s_{'sent' if outcome.ok else 'failed'}"
    setattr(report, name, getattr(report, name) + 1)
    if not outcome.ok:
        report.errors.append(f"{alert['alert_id']} {channel}: {outcome.detail}")
    return row


def _send_digests(store: Store, actor: Actor, settings: AlertSettings, report: DeliveryReport) -> None:
    """Send one digest per department with alerts waiting for it."""
    waiting = store.read_alerts()
    waiting = waiting[waiting["email_state"] == "digest"]
    for department, group in waiting.groupby("department", sort=True):
        rows = group.sort_values("created_at").to_dict("records")
        subject, body = digest_text(str(department), rows)
        outcome = send_mail(settings, recipients(store, settings, str(department)), subject, body)
        for row in rows:
            _record(store, actor, row, "email", outcome, report)
        report.digests_sent += int(outcome.ok)


def inbox(store: Store, actor: Actor, department: str | None = None) -> pd.DataFrame:
    """Return the alerts ``actor`` may see: a liaison's own department; an admin's chosen one (or all).

    Raises
    ------
    AccessDenied
        For any other role, or a liaison asking for another department.
    """
    department = actor.department if actor.role == "liaison" and department is None else department
    authorize(actor, "handle_alerts", department=department)
    return store.read_alerts(department=department)


def _one(store: Store, actor: Actor, alert_id: str) -> dict[str, object]:
    found = store.read_alerts()
    found = found[found["alert_id"] == alert_id]
    if not len(found):
        raise StoreError(M("No alert {alert}; check the id in the inbox.", alert=repr(alert_id)))
    row: dict[str, object] = found.iloc[0].to_dict()
    authorize(actor, "handle_alerts", department=str(row["department"]))
    return row


def acknowledge(store: Store, actor: Actor, alert_id: str, *, expect_version: int) -> dict[str, object]:
    """Mark an unread alert acknowledged by ``actor`` (audited; stale versions raise ``StatusConflict``)."""
    row = _one(store, actor, alert_id)
    if row["state"] != "unread":
        raise SchemaError(M("Alert {alert} is already {state} (by {who}); nothing changed.", alert=alert_id,
                            state=row["state"], who=row["acknowledged_by"]))
    return store.update_alert(alert_id, {"state": "acknowledged", "acknowledged_by": actor.name,
                                         "acknowledged_at": now_utc()}, expect_version=expect_version,
                              action="alert.acknowledge", user=actor.name, role=actor.role, source=actor.source,
                              os_user=actor.os_user)


def mark_actioned(store: Store, actor: Actor, alert_id: str, *, expect_version: int, note: str) -> dict[str, object]:
    """Mark an alert actioned with what was done (audited; acknowledges it too when still unread)."""
    row = _one(store, actor, alert_id)
    text = " ".join((note or "").split())[:1000]
    if not text:
        raise SchemaError(M("Alert {alert}: say what was done (a short note) before marking it actioned.",
                            alert=alert_id))
    if row["state"] == "actioned":
        raise SchemaError(M("Alert {alert} was already actioned by {who}; nothing changed.", alert=alert_id,
                            who=row["actioned_by"]))
    at = now_utc()
    changes: dict[str, object] = {"state": "actioned", "actioned_by": actor.name, "actioned_at": at,
                                  "action_note": text}
    if row["state"] == "unread":
        changes |= {"acknowledged_by": actor.name, "acknowledged_at": at}
    return store.update_alert(alert_id, changes, expect_version=expect_version, action="alert.action",
                              user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)


def attempts(store: Store, actor: Actor, alert_id: str) -> pd.DataFrame:
    """Return the logged delivery attempts of one alert the actor may see."""
    _one(store, actor, alert_id)
    return store.read_alert_attempts(alert_id)
