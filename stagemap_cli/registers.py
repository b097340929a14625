"""``stagemap registers``: agency policies (C), contractor disclosures (E), private opt-in and site-control grants."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from geo.analysis.timefmt import today_local
from geo.errors import GeoDataError
from geo.intake.registers import REGISTERS
from geo.messages import M, join
from geo.services.register_views import agency_compliance, contractor_flags, public_agency_summary
from geo.services.registers import entry_history, export_register, import_register, read_register, save_entry
from stagemap_cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
    out_dir,
)
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``registers list|set|import|export|history|compliance|flags``."""
    rp = sub.add_parser("registers", help="section C agencies, section E disclosures, private opt-in and grants")
    rsub = rp.add_subparsers(dest="registers_command", required=True)
    names = sorted(REGISTERS)

    def verb(name: str, help_text: str, func: object, *, reg: bool = True) -> argparse.ArgumentParser:
        p = rsub.add_parser(name, help=help_text)
        if reg:
            p.add_argument("register", choices=names)
        add_store(p)
        add_user(p)
        p.set_defaults(func=func)
        return p

    verb("list", "print a register's live entries", run_list)
    st = verb("set", "create or change one entry (give every field; --expect-version 0 for a new one)", run_set)
    st.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help="a field (repeatable)")
    st.add_argument("--expect-version", type=int, required=True, help="the version you loaded (0 for a new entry)")
    st.add_argument("--document", help="a stored copy to keep with the entry (policy, declaration, form)")
    im = verb("import", "import a CSV or XLSX (every row valid, or nothing is saved)", run_import)
    im.add_argument("file")
    ex = verb("export", "export a register (cells neutralised; audited)", run_export)
    ex.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    ex.add_argument("--out", required=True, help="output directory")
    hi = verb("history", "print every version of one entry", run_history)
    hi.add_argument("entry_id")
    co = verb("compliance", "section C: every agency x requirement with legal status", run_compliance, reg=False)
    co.add_argument("--public", action="store_true", help="the public summary only")
    co.add_argument("--out", help="write a CSV to this directory instead of printing")
    fl = verb("flags", "section E: DHS contractors on candidate sites, renewals with no disclosure", run_flags,
              reg=False)
    fl.add_argument("--as-of", help="YYYY-MM-DD (default today in Los Angeles)")


def _fields(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise GeoDataError(M("--field {pair} is not NAME=VALUE.", pair=repr(pair)))
        out[name.strip()] = value
    return out


def run_list(args: argparse.Namespace) -> int:
    """Print the live entries as a table."""
    store = open_cli_store(args)
    table = read_register(store, cli_actor(args, store), args.register)
    say(table.to_string(index=False) if len(table) else M("{register}: no entries", register=args.register))
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    """Save one entry."""
    store = open_cli_store(args)
    doc = None
    if args.document:
        path = Path(args.document)
        try:
            doc = (path.name, path.read_bytes())
        except OSError as exc:
            raise GeoDataError(M("--document {path}: cannot read it ({why}); check the path.", path=str(path),
                                 why=exc.strerror)) from None
    saved = save_entry(store, cli_actor(args, store), args.register, _fields(args.field),
                       expect_version=args.expect_version, document=doc)
    say(M("{register} {entry}: {outcome}, version {version}", register=args.register, entry=saved.entry_id,
          outcome=saved.outcome, version=saved.version))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """Import a sheet; print the per-row report."""
    store = open_cli_store(args)
    report = import_register(store, cli_actor(args, store), args.register, args.file)
    say(report.summary())
    return EXIT_OK if report.ok else EXIT_REJECTED


def run_export(args: argparse.Namespace) -> int:
    """Write the register's export file."""
    store = open_cli_store(args)
    name, data = export_register(store, cli_actor(args, store), args.register, args.format)
    path = out_dir(args.out) / name
    path.write_bytes(data)
    say(M("wrote {path}", path=str(path)))
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    """Print every version of one entry."""
    store = open_cli_store(args)
    table = entry_history(store, cli_actor(args, store), args.register, args.entry_id)
    say(table.to_string(index=False) if len(table) else M("{register} {entry}: no such entry", register=args.register,
                                                          entry=args.entry_id))
    return EXIT_OK


def run_compliance(args: argparse.Namespace) -> int:
    """Print or write the section C table (or its public summary)."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    table = public_agency_summary(store, actor) if args.public else agency_compliance(store, actor)
    if args.out:
        name, data = export_register(store, actor, "agency", "csv", frame=table) if not args.public else \
            ("agency_policy_public.csv", table.to_csv(index=False).encode("utf-8-sig"))
        path = out_dir(args.out) / name
        path.write_bytes(data)
        say(M("wrote {path}", path=str(path)))
    else:
        say(table.to_string(index=False) if len(table) else M("no agencies recorded"))
    return EXIT_OK


def run_flags(args: argparse.Namespace) -> int:
    """Print the flagged disclosures."""
    store = open_cli_store(args)
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else today_local()
    except ValueError:
        raise GeoDataError(M("--as-of {as_of} is not a date; use YYYY-MM-DD.", as_of=repr(args.as_of))) from None
    flags = contractor_flags(store, cli_actor(args, store), as_of=as_of)
    for rec in flags.to_dict("records"):
        say(join([rec["flag"], rec["contract_id"], rec["bidder"], rec["reason"]], sep="\t"))
    say(M("{count} flags as of {as_of}", count=len(flags), as_of=as_of))
    return EXIT_OK
