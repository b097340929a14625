"""The ``stagemap`` command line: sample, import, info (and later analyze, status, map)."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from geo import schema as S
from geo.errors import ConflictError, GeoDataError

EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICT = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None, *, extend: Callable[[Any], None] | None = None) -> int:
    """Run the CLI and return its exit code; ``extend`` may add subcommands to the parser."""
    parser = _parser()
    if extend is not None:
        extend(next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args) or EXIT_OK)
    except ConflictError as exc:
        print(f"conflict: {exc}", file=sys.stderr)
        return EXIT_CONFLICT
    except GeoDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stagemap", description=__doc__)
    sub = p.add_subparsers(dest="command")

    sp = sub.add_parser("sample", help="build the synthetic LA sample store")
    sp.add_argument("--parcels", type=int, default=3000, help="private parcels (3000 demo; 800000 City; 2400000 County)")
    sp.add_argument("--incidents", type=int, default=250, help="synthetic incidents (250 demo; 100000 for benchmarks)")
    sp.add_argument("--store", help="store path or URL (default $STAGEMAP_STORE or data/stagemap.gpkg)")
    sp.set_defaults(func=_cmd_sample)

    ip = sub.add_parser("import", help="validate and import a real LA file")
    ip.add_argument("kind", choices=S.IMPORT_KINDS)
    ip.add_argument("path")
    ip.add_argument("--crs", help="EPSG code for files without one, e.g. 2229 or EPSG:2229")
    ip.add_argument("--department", help="owning department for a sites file without a department column")
    ip.add_argument("--user", default=None, help="who is importing (recorded in the log)")
    ip.add_argument("--store")
    ip.set_defaults(func=_cmd_import)

    ap = sub.add_parser("analyze", help="classify sites, score staging risk, snap incidents, find gaps")
    ap.add_argument("--out", required=True, help="output directory for GeoParquet and CSV tables")
    ap.add_argument("--as-of", help="analysis date YYYY-MM-DD (default: latest incident date in the store)")
    ap.add_argument("--ramps", help="optional point file of freeway ramps")
    ap.add_argument("--store")
    ap.set_defaults(func=_cmd_analyze)

    stp = sub.add_parser("status", help="read or change a site's sign and gate status")
    ssub = stp.add_subparsers(dest="status_command", required=True)
    ss = ssub.add_parser("set", help="save a status change based on the version you saw")
    ss.add_argument("site_id")
    ss.add_argument("--sign", choices=sorted(_SIGN_ARGS), help="posted, missing or damaged")
    ss.add_argument("--gate", choices=sorted(_GATE_ARGS), help="locked, unlocked, open or none")
    ss.add_argument("--posted-on", help="date the sign was posted, YYYY-MM-DD")
    ss.add_argument("--inspected-on", help="date of inspection, YYYY-MM-DD")
    ss.add_argument("--note")
    ss.add_argument("--expect-version", type=int, required=True, help="the version your change is based on")
    ss.add_argument("--user", required=True)
    ss.add_argument("--role", default="liaison", choices=S.ROLES)
    ss.add_argument("--store")
    ss.set_defaults(func=_cmd_status_set)
    sh = ssub.add_parser("history", help="every saved version of a site's status")
    sh.add_argument("site_id")
    sh.add_argument("--store")
    sh.set_defaults(func=_cmd_status_history)

    aup = sub.add_parser("audit", help="audit log")
    asub = aup.add_subparsers(dest="audit_command", required=True)
    av = asub.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken entry")
    av.add_argument("--head", help="SEQ:HASH printed earlier by `stagemap audit head` and kept elsewhere")
    av.add_argument("--store")
    av.set_defaults(func=_cmd_audit_verify)
    ah = asub.add_parser("head", help="print the chain head (SEQ:HASH) to keep outside the store")
    ah.add_argument("--store")
    ah.set_defaults(func=_cmd_audit_head)

    mp = sub.add_parser("migrate", help="apply pending schema migrations to the store")
    mp.add_argument("--store")
    mp.set_defaults(func=_cmd_migrate)

    __import__("stagemap_cli.intake", fromlist=["register"]).register(sub)  # incident, status import, evidence
    up = sub.add_parser("user", help="local accounts for the embedded deployment")
    usub = up.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="create or replace an account (password read from stdin or a prompt)")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=("planner", "liaison", "council_office", "records", "admin"))
    ua.add_argument("--department", help="required for liaisons")
    ua.add_argument("--district", type=int, help="council office's district")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ua.add_argument("--users", help="accounts file (default $STAGEMAP_USERS or data/users.json)")
    ua.set_defaults(func=_cmd_user_add)
    ur = usub.add_parser("remove", help="delete an account")
    ur.add_argument("name")
    ur.add_argument("--users")
    ur.set_defaults(func=_cmd_user_remove)
    ul = usub.add_parser("list", help="list accounts (never passwords)")
    ul.add_argument("--users")
    ul.set_defaults(func=_cmd_user_list)

    fp = sub.add_parser("info", help="what the store holds")
    fp.add_argument("--store")
    fp.set_defaults(func=_cmd_info)
    return p


def _cmd_sample(args: argparse.Namespace) -> int:
    import psutil

    from geo.store import open_store
    from geo.synthetic import generate_sample

    t0 = time.perf_counter()
    if args.parcels < 0 or args.incidents < 0:
        raise GeoDataError("--parcels and --incidents must be zero or more.")
    sample = generate_sample(n_parcels=args.parcels, n_incidents=args.incidents)
    store = open_store(args.store)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    peak = psutil.Process().memory_info().rss / 2**20
    counts = ", ".join(f"{k} {v:,}" for k, v in store.counts().items() if v)
    print(f"synthetic sample written to {store.display_url}: {counts} "
          f"({time.perf_counter() - t0:.1f} s, RSS {peak:,.0f} MiB)")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.io.ingest import ingest_file
    from geo.store import open_store

    store = open_store(args.store)
    report = ingest_file(store, args.kind, args.path, crs=args.crs, department=args.department, user=args.user)
    print(report.summary())
    return EXIT_OK


def _cmd_analyze(args: argparse.Namespace) -> int:
    from geo.analysis.analyze import run_analysis
    from geo.store import open_store

    summary = run_analysis(open_store(args.store, create=False), out_dir=args.out, as_of=args.as_of,
                           ramps_path=args.ramps)
    print(summary)
    return EXIT_OK


_SIGN_ARGS = {"posted": "posted", "missing": "none", "damaged": "damaged", "unknown": "unknown"}
_GATE_ARGS = {"locked": "closed_locked", "unlocked": "closed_unlocked", "open": "open", "none": "no_gate"}


def _cmd_status_set(args: argparse.Namespace) -> int:
    from geo.store import open_store

    changes: dict[str, object] = {}
    if args.sign:
        changes[S.SIGN_STATUS] = _SIGN_ARGS[args.sign]
    if args.gate:
        changes[S.GATE_STATUS] = _GATE_ARGS[args.gate]
    if args.posted_on:
        changes[S.SIGN_POSTED_ON] = args.posted_on
    if args.inspected_on:
        changes[S.LAST_INSPECTED] = args.inspected_on
    if args.note is not None:
        changes[S.STATUS_NOTE] = args.note
    new = open_store(args.store, create=False).save_status(
        args.site_id, changes, expect_version=args.expect_version, user=args.user, role=args.role, source="cli")
    print(f"saved {args.site_id} version {new[S.VERSION]}: sign {new[S.SIGN_STATUS]}, gate {new[S.GATE_STATUS]}")
    return EXIT_OK


def _cmd_status_history(args: argparse.Namespace) -> int:
    from geo.store import open_store

    for edit in open_store(args.store, create=False).status_history(args.site_id):
        print(edit.describe())
    return EXIT_OK


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from geo.store import open_store

    head = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            print(f"error: --head {args.head!r} is not SEQ:HASH as printed by `stagemap audit head`", file=sys.stderr)
            return EXIT_REJECTED
        head = (int(seq), digest)
    n, broken = open_store(args.store, create=False).verify_audit(head=head)
    if broken is not None:
        print(f"audit chain BROKEN at {broken} ({n} entries read)", file=sys.stderr)
        return EXIT_ERROR
    print(f"audit chain ok: {n} entries verified")
    return EXIT_OK


def _cmd_audit_head(args: argparse.Namespace) -> int:
    from geo.store import open_store
    from geo.store.audit import chain_head

    seq, digest = chain_head(open_store(args.store, create=False).read_audit())
    print(f"{seq}:{digest}")
    return EXIT_OK


def _cmd_migrate(args: argparse.Namespace) -> int:
    from geo.store import open_store

    store = open_store(args.store)
    print(f"store {store.display_url} is at schema revision {store.migrate()}")
    return EXIT_OK


def _cmd_user_add(args: argparse.Namespace) -> int:
    import getpass

    from geo.access.accounts import add_account
    from geo.config import accounts_path
    from geo.errors import AccessDenied

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        acc = add_account(accounts_path(args.users), args.name, password, role=args.role,
                          department=args.department, district=args.district)
    except AccessDenied as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"account {acc.name} ({acc.role}) saved to {accounts_path(args.users)}")
    return EXIT_OK


def _cmd_user_remove(args: argparse.Namespace) -> int:
    from geo.access.accounts import remove_account
    from geo.config import accounts_path

    remove_account(accounts_path(args.users), args.name)
    print(f"account {args.name} removed")
    return EXIT_OK


def _cmd_user_list(args: argparse.Namespace) -> int:
    from geo.access.accounts import load_accounts
    from geo.config import accounts_path

    for acc in load_accounts(accounts_path(args.users)).values():
        scope = acc.department or (f"district {acc.district}" if acc.district else "")
        print(f"{acc.name}\t{acc.role}\t{scope}")
    return EXIT_OK


def _cmd_info(args: argparse.Namespace) -> int:
    from geo.store import open_store

    info = open_store(args.store, create=False).info()
    kind = {True: "SYNTHETIC DEMO DATA - not City records", False: "real data", None: "empty"}[info.is_synthetic]
    print(f"store: {info.url} ({info.backend}), {kind}, data version {info.data_version}")
    for layer, n in info.counts.items():
        print(f"  {layer:<12} {n:>10,}")
    for imp in info.recent_imports:
        print(f"  import {imp['kind']} {imp['source']}: accepted {imp['accepted']}, "
              f"repaired {imp['repaired']}, rejected {imp['rejected']} at {imp['at']}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
