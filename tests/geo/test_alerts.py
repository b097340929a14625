"""A.3 alerts: a report on a department's site reaches its liaisons' inbox, mailbox and webhook; nothing is lost.

Against a real SMTP server (aiosmtpd, STARTTLS with a certificate made here, AUTH LOGIN) and a real
HTTP receiver that checks the HMAC signature. No sleeps: every wait is on a condition or a join.
"""
from __future__ import annotations

import json

import pytest

from geo.access.roles import Actor
from geo.errors import AccessDenied, SchemaError, StatusConflict
from geo.intake.reports import IncidentReport
from geo.services import alerts
from geo.services.intake import import_incidents, submit_incident
from stagemap_cli.main import main
from tests.actors import ADMIN, liaison
from tests.alert_servers import SmtpServer, WebhookReceiver
from tests.geo.test_intake import FAR, INSIDE, NEAR, add_sites

LADOT, RAP = "Transportation (LADOT)", "Recreation and Parks (RAP)"
SECRET = "webhook-shared-secret"


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    server = SmtpServer(tmp_path)
    server.start()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()
    alerts.wait_for_deliveries(30)


@pytest.fixture
def sited(store):
    add_sites(store)
    store.set_liaisons([(LADOT, "Lia Ladot", "ladot.liaison@example.org"), (RAP, "Rae Parks", "rap@example.org")],
                       source="test", user="test-admin")
    return store


def report(at=INSIDE, **kw) -> IncidentReport:
    kw.setdefault("reporter_name", "Jane Reporter")
    kw.setdefault("reporter_email", "jane.reporter@example.org")
    kw.setdefault("description", "<script>alert(1)</script> agents parked on the lot")
    return IncidentReport("staging_area", at[0], at[1], "2026-03-01T09:00", "contractor", **kw)


def submit(store, rep, actor=None):
    return submit_incident(store, actor or Actor("ana", "records"), rep)


def test_report_on_site_reaches_inbox_and_mailbox_without_identity_or_script(sited, smtp):
    res = submit(sited, report())
    assert alerts.wait_for_deliveries(30)
    assert smtp.box.wait_for(1)
    mine = alerts.inbox(sited, liaison(LADOT))
    assert list(mine["incident_id"]) == [res.incident_id] and mine.iloc[0]["state"] == "unread"
    assert mine.iloc[0]["email_state"] == "sent" and mine.iloc[0]["email_attempts"] == 1
    assert alerts.inbox(sited, liaison(RAP)).empty  # another department's liaison sees nothing of it
    with pytest.raises(AccessDenied):
        alerts.inbox(sited, liaison(RAP), department=LADOT)
    with pytest.raises(AccessDenied):
        alerts.inbox(sited, Actor("p", "planner"))
    rcpt, msg = smtp.box.messages[0]
    assert rcpt == ["ladot.liaison@example.org"] and smtp.box.tls == [True] and smtp.box.logins
    assert msg.get_content_type() == "text/plain" and not msg.is_multipart()
    text = msg.as_string()
    assert res.incident_id in text and "SYN-1" in text
    for leaked in ("Jane", "jane.reporter", "<script", "<", ">", "agents parked"):
        assert leaked not in msg.get_payload(), leaked
    assert sited.verify_state().ok, sited.verify_state().problems()


def test_general_crime_and_reports_away_from_sites_raise_no_alert(sited, smtp):
    submit(sited, report(at=FAR))
    submit(sited, report(relevance="general_crime"))
    assert alerts.wait_for_deliveries(30)
    assert sited.read_alerts().empty and not smtp.box.messages
    near = submit(sited, report(at=NEAR))  # beside the site (within 150 ft) alerts too
    assert alerts.wait_for_deliveries(30)
    row = sited.read_alerts().iloc[0]
    assert row["incident_id"] == near.incident_id and 0 < row["distance_ft"] <= 150


def test_smtp_down_keeps_the_alert_queued_until_the_server_returns(sited, smtp, capsys):
    smtp.stop()
    res = submit(sited, report())
    assert alerts.wait_for_deliveries(30)
    row = alerts.inbox(sited, ADMIN, department=LADOT).iloc[0]
    assert row["incident_id"] == res.incident_id and row["email_state"] == "queued"
    assert "SMTP 127.0.0.1" in row["last_error"]
    tried = sited.read_alert_attempts(row["alert_id"])
    assert list(tried["ok"]) == [0] and list(tried["channel"]) == ["email"]
    assert main(["alerts", "deliver", "--store", sited.url]) == 0  # still down: stays queued, attempt logged
    assert sited.read_alerts().iloc[0]["email_state"] == "queued" and len(sited.read_alert_attempts()) == 2
    smtp.start()
    assert main(["alerts", "deliver", "--store", sited.url]) == 0
    assert "1 sent" in capsys.readouterr().out
    assert smtp.box.wait_for(1)
    row = sited.read_alerts().iloc[0]
    assert row["email_state"] == "sent" and row["email_attempts"] == 3 and row["last_error"] is None
    assert list(sited.read_alert_attempts()["ok"]) == [0, 0, 1]
    assert main(["alerts", "deliver", "--store", sited.url]) == 0  # nothing left: never sent twice
    assert len(smtp.box.messages) == 1
    assert sited.verify_state().ok, sited.verify_state().problems()


def test_webhook_is_signed_retried_with_backoff_and_every_attempt_logged(sited, smtp, monkeypatch):
    hook = WebhookReceiver(SECRET, fail_first=1)
    try:
        monkeypatch.setenv("STAGEMAP_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("STAGEMAP_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("STAGEMAP_WEBHOOK_BACKOFF", "0")
        res = submit(sited, report())
        assert alerts.wait_for_deliveries(30)
        assert [b["incident_id"] for b in hook.accepted] == [res.incident_id] and not hook.rejected
        assert "Jane" not in json.dumps(hook.accepted) and "script" not in json.dumps(hook.accepted)
        row = sited.read_alerts().iloc[0]
        assert row["webhook_state"] == "sent" and row["webhook_attempts"] == 2
        tried = sited.read_alert_attempts(row["alert_id"])
        assert list(tried.loc[tried["channel"] == "webhook", "ok"]) == [0, 1]
        # a receiver holding another secret refuses the signature: the alert stays queued
        monkeypatch.setenv("STAGEMAP_WEBHOOK_SECRET", "not-the-receivers-secret")
        submit(sited, report(at=NEAR))
        assert alerts.wait_for_deliveries(30)
        assert len(hook.rejected) == 3  # three attempts (the configured default), each refused
        queued = sited.read_alerts().set_index("incident_id")
        assert (queued["webhook_state"] == "queued").sum() == 1
    finally:
        hook.close()


def test_acknowledge_and_action_are_audited_with_who_and_when(sited, smtp):
    submit(sited, report())
    assert alerts.wait_for_deliveries(30)
    row = sited.read_alerts().iloc[0]
    with pytest.raises(AccessDenied):
        alerts.acknowledge(sited, liaison(RAP), row["alert_id"], expect_version=int(row["version"]))
    done = alerts.acknowledge(sited, liaison(LADOT, "lia"), row["alert_id"], expect_version=int(row["version"]))
    assert done["state"] == "acknowledged" and done["acknowledged_by"] == "lia" and done["acknowledged_at"]
    with pytest.raises(StatusConflict):  # a stale page
        alerts.mark_actioned(sited, liaison(LADOT, "lia"), row["alert_id"], expect_version=int(row["version"]),
                             note="called the contractor")
    with pytest.raises(SchemaError):
        alerts.mark_actioned(sited, liaison(LADOT, "lia"), row["alert_id"], expect_version=int(done["version"]),
                             note="  ")
    acted = alerts.mark_actioned(sited, liaison(LADOT, "lia"), row["alert_id"],
                                 expect_version=int(done["version"]), note="called the contractor")
    assert acted["state"] == "actioned" and acted["actioned_by"] == "lia"
    actions = [e["action"] for e in sited.read_audit() if e["entity"] == "alerts"]
    assert actions == ["alert.create", "alert.email_sent", "alert.acknowledge", "alert.action"]
    assert sited.verify_state().ok
    with sited.write() as con:  # a change outside StageMap is found
        con.execute("UPDATE alerts SET state = 'unread' WHERE alert_id = ?", (row["alert_id"],))
    assert any("alerts" in p for p in sited.verify_state().problems())


def test_digest_departments_get_one_message_per_run(sited, smtp, tmp_path, monkeypatch):
    table = tmp_path / "alerts.json"
    table.write_text(json.dumps({LADOT: {"recipients": ["desk@example.org", "chief@example.org"], "digest": True}}))
    monkeypatch.setenv("STAGEMAP_ALERT_TABLE", str(table))
    submit(sited, report())
    submit(sited, report(at=NEAR))
    assert alerts.wait_for_deliveries(30)
    assert not smtp.box.messages and set(sited.read_alerts()["email_state"]) == {"digest"}
    assert main(["alerts", "deliver", "--digest", "--store", sited.url]) == 0
    assert smtp.box.wait_for(1)
    rcpt, msg = smtp.box.messages[0]
    assert sorted(rcpt) == ["chief@example.org", "desk@example.org"] and "2 alert(s)" in msg["Subject"]
    assert set(sited.read_alerts()["email_state"]) == {"sent"} and len(smtp.box.messages) == 1


def test_the_import_door_raises_alerts_too(sited, smtp, tmp_path):
    sheet = tmp_path / "incidents.csv"
    sheet.write_text("type,lat,lon,occurred,source\n"
                     f"staging_area,{INSIDE[0]},{INSIDE[1]},2026-03-02T10:00,contractor\n"
                     f"arrest,{FAR[0]},{FAR[1]},2026-03-02T11:00,public\n")
    out = import_incidents(sited, Actor("rec", "records", source="cli"), sheet)
    assert out.added == 2
    assert alerts.wait_for_deliveries(30)
    assert len(sited.read_alerts()) == 1 and smtp.box.wait_for(1)


def test_alerts_on_both_backends(any_store, tmp_path, monkeypatch):
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    add_sites(any_store)
    submit(any_store, report())
    row = alerts.inbox(any_store, liaison(LADOT)).iloc[0]
    assert row["email_state"] == "queued" and row["webhook_state"] == "off"  # no channel configured: queued
    alerts.acknowledge(any_store, liaison(LADOT), row["alert_id"], expect_version=int(row["version"]))
    assert any_store.verify_state().ok, any_store.verify_state().problems()


def test_a_layer_import_of_incidents_raises_alerts(store, smtp, tmp_path):
    from geo.services.imports import import_file

    add_sites(store, synthetic=False)  # real data: an incident file never mixes with the synthetic sample
    sited = store
    sited.set_liaisons([(LADOT, "Lia Ladot", "ladot.liaison@example.org")], source="test", user="test-admin")
    path = tmp_path / "tracker.csv"
    path.write_text("timestamp,latitude,longitude,activity_type,description\n"
                    f"2026-03-03T14:30:00-08:00,{INSIDE[0]},{INSIDE[1]},ICE arrest,<b>agents</b>\n"
                    f"2026-03-03T15:30:00-08:00,{FAR[0]},{FAR[1]},checkpoint,vehicle checkpoint\n")
    assert import_file(sited, ADMIN, "incidents", path).n_accepted == 2
    assert alerts.wait_for_deliveries(30)
    made = sited.read_alerts()
    assert list(made["department"]) == [LADOT] and list(made["site_id"]) == ["SYN-1"]
    assert smtp.box.wait_for(1) and "<b>" not in smtp.box.messages[0][1].get_payload()


def test_bad_alert_settings_are_named_and_never_block_a_report(sited, monkeypatch):
    from geo.config import alert_settings
    from geo.errors import GeoDataError

    with pytest.raises(GeoDataError, match="SECRET"):
        alert_settings({"STAGEMAP_WEBHOOK_URL": "https://hooks.example.org/x"})
    with pytest.raises(GeoDataError, match="https"):
        alert_settings({"STAGEMAP_WEBHOOK_URL": "file:///etc/passwd", "STAGEMAP_WEBHOOK_SECRET": "s"})
    with pytest.raises(GeoDataError, match="not a number"):
        alert_settings({"STAGEMAP_SMTP_PORT": "twenty-five"})
    monkeypatch.setenv("STAGEMAP_WEBHOOK_URL", "https://hooks.example.org/x")  # no secret: misconfigured
    res = submit(sited, report())
    assert list(sited.read_alerts()["incident_id"]) == [res.incident_id]  # stored and alerted all the same
    assert main(["alerts", "deliver", "--store", sited.url]) == 2  # the delivery run names the problem
