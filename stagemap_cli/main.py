"""The ``stagemap`` command line: one parser assembled from one module per verb family."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from geo.errors import AccessDenied, ConflictError, GeoDataError
from geo.messages import M, message_of
from stagemap_cli import (
    alerts,
    analyze,
    audit,
    boundaries,
    data,
    effects,
    events,
    evidence,
    incidents,
    maps,
    measures,
    nexus,
    notices,
    registers,
    reports,
    retention,
    sample,
    scenes,
    sites,
    status,
    tiles,
    users,
)
from stagemap_cli.common import EXIT_CONFLICT, EXIT_DENIED, EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from stagemap_cli.say import add_lang, choose_language, say, set_language

VERB_FAMILIES = (sample, data, analyze, tiles, status, sites, incidents, evidence, audit, users, maps, reports, nexus,
                 boundaries, scenes, retention, alerts, registers, notices, measures, events, effects)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``stagemap`` parser with every verb family's subcommands."""
    parser = argparse.ArgumentParser(
        prog="stagemap", description="StageMap: City property, sign and gate status, and incidents under "
                                     "Executive Directive 17. Every write acts as a named account (--user).")
    add_lang(parser)
    sub = parser.add_subparsers(dest="command")
    for family in VERB_FAMILIES:
        family.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 error, 2 rejected input, 3 conflict, 4 denied)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    set_language(choose_language(args))
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args) or EXIT_OK)
    except ConflictError as exc:
        say(M("conflict: {error}", error=message_of(exc)), err=True)
        return EXIT_CONFLICT
    except AccessDenied as exc:
        say(M("denied: {error} Nothing was changed.", error=message_of(exc)), err=True)
        return EXIT_DENIED
    except GeoDataError as exc:
        say(M("error: {error}", error=message_of(exc)), err=True)
        return EXIT_REJECTED


if __name__ == "__main__":
    raise SystemExit(main())
