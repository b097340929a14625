"""``stagemap alerts list|ack|action|attempts|deliver``: the A.3 alert inbox and its delivery from the shell.

``deliver`` sends every queued alert (e-mail by SMTP with STARTTLS and login, the signed webhook),
logging each attempt; a failed send stays queued for the next run, so run it from cron (every few
minutes) to deliver what was queued while a server was down. ``--digest`` also sends each digest
department its one message. Exit codes: 0 ok, 2 bad input, 3 stale version, 4 denied.
"""
from __future__ import annotations

import argparse

from geo.messages import M
from geo.services import alerts
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say

SHOWN = ("alert_id", "department", "site_id", "incident_type", "occurred_at", "state", "acknowledged_by",
         "actioned_by", "email_state", "webhook_state", "version")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``alerts`` verbs."""
    ap = sub.add_parser("alerts", help="A.3 liaison alerts: inbox and delivery")
    asub = ap.add_subparsers(dest="alerts_command", required=True)
    al = asub.add_parser("list", help="list the alerts you may see (a liaison: their department)")
    al.add_argument("--department", help="department (admins; liaisons always see their own)")
    al.add_argument("--state", choices=("unread", "acknowledged", "actioned"), help="only alerts in this state")
    al.set_defaults(func=run_list)
    ak = asub.add_parser("ack", help="acknowledge an alert")
    ak.add_argument("alert_id")
    ak.add_argument("--version", type=int, required=True, help="the version you read (from `alerts list`)")
    ak.set_defaults(func=run_ack)
    ac = asub.add_parser("action", help="mark an alert actioned with what was done")
    ac.add_argument("alert_id")
    ac.add_argument("--version", type=int, required=True, help="the version you read (from `alerts list`)")
    ac.add_argument("--note", required=True, help="what was done")
    ac.set_defaults(func=run_action)
    at = asub.add_parser("attempts", help="every delivery attempt of an alert")
    at.add_argument("alert_id")
    at.set_defaults(func=run_attempts)
    ad = asub.add_parser("deliver", help="send queued alerts (admins; run it from cron)")
    ad.add_argument("--digest", action="store_true", help="also send each digest department its digest")
    ad.set_defaults(func=run_deliver)
    for p in (al, ak, ac, at, ad):
        add_store(p)
        add_user(p)


def run_list(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = alerts.inbox(store, cli_actor(args, store), args.department)
    if args.state:
        frame = frame[frame["state"] == args.state]
    say(frame[list(SHOWN)].to_string(index=False) if len(frame) else M("no alerts"))
    return EXIT_OK


def run_ack(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    row = alerts.acknowledge(store, cli_actor(args, store), args.alert_id, expect_version=args.version)
    say(M("{alert}: acknowledged by {by} at {at} (version {version})", alert=row["alert_id"],
          by=row["acknowledged_by"], at=row["acknowledged_at"], version=row["version"]))
    return EXIT_OK


def run_action(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    row = alerts.mark_actioned(store, cli_actor(args, store), args.alert_id, expect_version=args.version,
                               note=args.note)
    say(M("{alert}: actioned by {by} at {at} (version {version})", alert=row["alert_id"], by=row["actioned_by"],
          at=row["actioned_at"], version=row["version"]))
    return EXIT_OK


def run_attempts(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    frame = alerts.attempts(store, cli_actor(args, store), args.alert_id)
    say(frame.to_string(index=False) if len(frame) else M("no delivery attempts yet"))
    return EXIT_OK


def run_deliver(args: argparse.Namespace) -> int:
    store = open_cli_store(args)
    report = alerts.deliver_pending(store, cli_actor(args, store), digest=args.digest)
    say(report.summary())
    for line in report.errors:
        say(M("  queued: {line}", line=line))
    return EXIT_OK
