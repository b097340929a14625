"""``stagemap import``, ``info``, ``migrate`` and ``liaisons load``: what goes into the store (admins)."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from geo import schema
from geo.messages import M
from geo.services.admin import load_liaisons, migrate_store
from geo.services.imports import import_file, parse_pairs
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say, text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import``, ``info``, ``migrate`` and ``liaisons load``."""
    ip = sub.add_parser("import", help="validate and import a real LA file (admins)")
    ip.add_argument("kind", choices=schema.IMPORT_KINDS)
    ip.add_argument("path")
    ip.add_argument("--crs", help="EPSG code for files without one, e.g. 2229 or EPSG:2229")
    ip.add_argument("--department", help="owning department for a sites file without a department column")
    ip.add_argument("--vintage", help="boundary kinds: the plan year or effective date of this set, e.g. 2021 "
                                      "(default: the file's vintage or latest Effective date)")
    ip.add_argument("--make-current", action="store_true", help="boundary kinds: make this set current even when it "
                                                                "looks older than the current one")
    ip.add_argument("--map", action="append", default=[], metavar="CANONICAL=COLUMN", dest="columns",
                    help="say which file column fills a canonical column, over the alias table; repeatable, e.g. "
                         "--map occurred_at=timestamp --map lat=Y --map lon=X")
    add_store(ip)
    add_user(ip)
    ip.set_defaults(func=run_import)

    fp = sub.add_parser("info", help="what the store holds")
    add_store(fp)
    fp.set_defaults(func=run_info)

    mp = sub.add_parser("migrate", help="apply pending schema migrations to the store (admins)")
    add_store(mp)
    add_user(mp)
    mp.set_defaults(func=run_migrate)

    lp = sub.add_parser("liaisons", help="department Immigrant Affairs Liaisons")
    lsub = lp.add_subparsers(dest="liaisons_command", required=True)
    ll = lsub.add_parser("load", help="load department, liaison_name, liaison_email from a CSV (admins)")
    ll.add_argument("path")
    add_store(ll)
    add_user(ll)
    ll.set_defaults(func=run_liaisons_load)


def run_import(args: argparse.Namespace) -> int:
    """Import one file and print its report; progress goes to a terminal, Ctrl-C stops at the next batch."""
    store = open_cli_store(args, create=True)
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(signum: int, frame: object) -> None:
        stop.set()  # the reader stops between batches; nothing is stored. A second Ctrl-C aborts at once.
        signal.signal(signal.SIGINT, previous)

    progress = _terminal_progress if sys.stderr.isatty() else None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        signal.signal(signal.SIGINT, interrupt)
    try:
        report = import_file(store, cli_actor(args, store), args.kind, args.path, crs=args.crs,
                             department=args.department, progress=progress, cancelled=stop.is_set,
                             vintage=args.vintage, make_current=args.make_current,
                             columns=parse_pairs(args.columns, Path(args.path).name))
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        if progress is not None:
            print(file=sys.stderr)
    say(report.summary())
    return EXIT_OK


def _terminal_progress(fraction: float, step: str) -> None:
    print(f"\r{fraction:4.0%} {text(step)[:70]:<70}", end="", file=sys.stderr, flush=True)


def run_info(args: argparse.Namespace) -> int:
    """Print what the store holds (counts and recent imports; no records)."""
    info = open_cli_store(args).info()
    kind = {True: M("SYNTHETIC DEMO DATA - not City records"), False: M("real data"), None: M("empty")}[info.is_synthetic]
    say(M("store: {url} ({backend}), {kind}, data version {version}", url=info.url, backend=info.backend, kind=kind,
          version=info.data_version))
    for layer, n in info.counts.items():
        say(f"  {layer:<12} {n:>10,}")
    for imp in info.recent_imports:
        say(M("  import {kind} {source}: accepted {accepted}, repaired {repaired}, rejected {rejected} at {at}",
              kind=imp["kind"], source=imp["source"], accepted=imp["accepted"], repaired=imp["repaired"],
              rejected=imp["rejected"], at=imp["at"]))
    return EXIT_OK


def run_migrate(args: argparse.Namespace) -> int:
    """Upgrade the schema."""
    store = open_cli_store(args, create=True)
    say(M("store {store} is at schema revision {revision}", store=store.display_url,
          revision=migrate_store(store, cli_actor(args, store))))
    return EXIT_OK


def run_liaisons_load(args: argparse.Namespace) -> int:
    """Load the department liaisons file."""
    store = open_cli_store(args)
    say(M("loaded {count} department liaisons", count=load_liaisons(store, cli_actor(args, store), args.path)))
    return EXIT_OK
