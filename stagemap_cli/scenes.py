"""``stagemap incident scene set|show`` (B.1-B.6) and ``stagemap referral send|move|list|overdue`` (B.7)."""
from __future__ import annotations

import argparse

from geo import duties
from geo.analysis.asof import parse_as_of
from geo.messages import M, Message
from geo.services import scenes
from stagemap_cli.common import EXIT_OK, EXIT_REJECTED, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say

_YN = ("yes", "no", "unknown")
#: (flag, field, help) of the scene's yes/no/unknown answers.
SCENE_FLAGS = (
    ("--camera", duties.CAMERA_ACTIVATED, "B.1 body-worn camera activated"),
    ("--video-preserved", duties.VIDEO_PRESERVED, "B.1 video preserved (give --video-ref)"),
    ("--supervisor-identified", duties.SUPERVISOR_IDENTIFIED,
     "B.2 on-scene supervisory immigration officer identified (name and badge, else --supervisor-reason)"),
    ("--deescalation", duties.DEESCALATION, "B.3 de-escalation used"),
    ("--bystanders", duties.BYSTANDERS_INFORMED, "B.4 bystanders told of LAPD's neutral role"),
    ("--injuries", duties.INJURIES, "B.5 anyone injured"),
    ("--aid-summoned", duties.AID_SUMMONED, "B.5 aid summoned (give --aid-to)"),
    ("--public-report", duties.PUBLIC_REPORT, "B.6 a report from the public was received (give --report-number)"),
)
SCENE_TEXT = (("--video-ref", duties.VIDEO_REF, "B.1 repository reference of the preserved video"),
              ("--supervisor-reason", duties.SUPERVISOR_REASON, "B.2 why the supervisor was not identified"),
              ("--aid-to", duties.AID_TO, "B.5 to whom aid was summoned (e.g. LAFD paramedics)"),
              ("--report-number", duties.REPORT_NUMBER, "B.6 number of the report taken"),
              ("--scene-note", duties.SCENE_NOTE, "anything else about the scene"))


def add_scene_flags(p: argparse.ArgumentParser) -> None:
    """Add the scene record's B.1-B.6 options (supervisor name and badge are added by the caller)."""
    for flag, field, text in SCENE_FLAGS:
        p.add_argument(flag, dest=field, choices=_YN, help=text)
    for flag, field, text in SCENE_TEXT:
        p.add_argument(flag, dest=field, help=text)


def scene_changes(args: argparse.Namespace) -> dict[str, object]:
    """Return the scene fields given on the command line (supervisor name and badge only with a scene flag)."""
    names = [field for _, field, _ in (*SCENE_FLAGS, *SCENE_TEXT)]
    out: dict[str, object] = {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}
    if out:
        out |= {k: getattr(args, k) for k in (duties.SUPERVISOR_NAME, duties.SUPERVISOR_BADGE)
                if getattr(args, k, None)}
    return out


def register_scene(isub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``incident scene set`` and ``incident scene show``."""
    sp = isub.add_parser("scene", help="the Section B scene record of an LAPD-attended incident (B.1-B.6)")
    ssub = sp.add_subparsers(dest="scene_command", required=True)
    put = ssub.add_parser("set", help="record or edit the scene's B.1-B.6 fields (records, admin)")
    put.add_argument("incident_id")
    add_scene_flags(put)
    put.add_argument("--supervisor-name", dest=duties.SUPERVISOR_NAME)
    put.add_argument("--supervisor-badge", dest=duties.SUPERVISOR_BADGE)
    put.add_argument("--expect-version", type=int, help="the version you read (default: the current one)")
    add_store(put)
    add_user(put)
    put.set_defaults(func=run_scene_set)
    show = ssub.add_parser("show", help="print the scene record and its history")
    show.add_argument("incident_id")
    add_store(show)
    add_user(show)
    show.set_defaults(func=run_scene_show)


def run_scene_set(args: argparse.Namespace) -> int:
    """Save the given scene fields and print the new version."""
    changes = scene_changes(args)
    if not changes:
        say(M("error: give at least one scene field (see --help)"))
        return EXIT_REJECTED
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    version = args.expect_version
    if version is None:
        version = int(str(scenes.scene_of(store, args.incident_id)["version"]))
    row = scenes.save_scene(store, actor, args.incident_id, changes, expect_version=version)
    say(M("scene of {incident} saved at version {version}", incident=args.incident_id, version=row["version"]))
    return EXIT_OK


def run_scene_show(args: argparse.Namespace) -> int:
    """Print the scene record's fields and its saved versions."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    hist = scenes.scene_history(store, actor, args.incident_id)
    row = scenes.scene_of(store, args.incident_id)
    for name in ("version", *duties.EDITABLE_SCENE):
        say(f"{name}: {'' if row.get(name) is None else row[name]}")
    for e in hist:
        say(f"  v{e.version} {e.updated_at} {e.updated_by}: {', '.join(sorted(e.changes))}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``referral send|move|list|overdue``."""
    rp = sub.add_parser("referral", help="B.7 referrals to prosecutors: send, move through states, list, overdue")
    rsub = rp.add_subparsers(dest="referral_command", required=True)
    send = rsub.add_parser("send", help="record that an incident was referred")
    send.add_argument("incident_id")
    send.add_argument("--to", required=True, choices=duties.RECIPIENTS, dest="recipient")
    send.add_argument("--to-other", dest="recipient_other", help="who, for --to other")
    send.add_argument("--sent-on", required=True, help="YYYY-MM-DD")
    send.add_argument("--package", dest="package_ref", help="evidence package reference")
    move = rsub.add_parser("move", help="acknowledged, charged, declined or closed, with the date")
    move.add_argument("referral_id")
    move.add_argument("state", choices=duties.REFERRAL_STATES[1:])
    move.add_argument("--on", required=True, help="YYYY-MM-DD the step happened")
    move.add_argument("--outcome", help="what came of it (needed to close)")
    move.add_argument("--expect-version", type=int)
    lst = rsub.add_parser("list", help="every referral with its state")
    late = rsub.add_parser("overdue", help="referrals never acknowledged after --days (default from config)")
    late.add_argument("--as-of", help="YYYY-MM-DD (default today, Los Angeles)")
    late.add_argument("--days", type=int, default=duties.REFERRAL_OVERDUE_DAYS)
    for p, func in ((send, run_send), (move, run_move), (lst, run_list), (late, run_overdue)):
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)


def run_send(args: argparse.Namespace) -> int:
    """Record one referral as sent."""
    store = open_cli_store(args)
    row = scenes.send_referral(store, cli_actor(args, store), args.incident_id, recipient=args.recipient,
                               sent_on=args.sent_on, package_ref=args.package_ref, recipient_other=args.recipient_other)
    say(M("referral {referral} sent to {recipient} on {on}", referral=row[duties.REFERRAL_ID],
          recipient=Message(duties.RECIPIENT_LABELS[args.recipient]), on=args.sent_on))
    return EXIT_OK


def run_move(args: argparse.Namespace) -> int:
    """Move one referral to its next state."""
    store = open_cli_store(args)
    row = scenes.move_referral(store, cli_actor(args, store), args.referral_id, args.state, on=args.on,
                               outcome=args.outcome, expect_version=args.expect_version)
    state = row[duties.REFERRAL_STATUS]
    say(M("referral {referral} is {state} (version {version})", referral=args.referral_id,
          state=Message(state) if state in duties.REFERRAL_STATES else state, version=row["version"]))
    return EXIT_OK


def _print(frame: object) -> None:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    cols = [duties.REFERRAL_ID, duties.RECIPIENT, duties.SENT_ON, duties.REFERRAL_STATUS, duties.OUTCOME,
            *(["days_waiting"] if "days_waiting" in frame else [])]
    for r in frame[cols].itertuples(index=False):
        say("\t".join("" if v is None or v != v else str(v) for v in r))
    say(M("{count} referral(s)", count=len(frame)))


def run_list(args: argparse.Namespace) -> int:
    """Print every referral."""
    store = open_cli_store(args)
    _print(scenes.referrals(store, cli_actor(args, store)))
    return EXIT_OK


def run_overdue(args: argparse.Namespace) -> int:
    """Print the referrals waiting for acknowledgement longer than ``--days``."""
    store = open_cli_store(args)
    _print(scenes.overdue_referrals(store, cli_actor(args, store), as_of=parse_as_of(args.as_of), days=args.days))
    return EXIT_OK
