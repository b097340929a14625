"""``stagemap nexus``: the nexus-study tables (Directive D) as XLSX, CSV zip and GeoPackage, optionally frozen."""
from __future__ import annotations

import argparse

import pandas as pd

from geo.errors import GeoDataError
from geo.i18n import LANGUAGES
from geo.messages import M, join
from geo.nexus.tables import NexusRules, check_unit_costs
from geo.services.nexus import export_nexus, nexus_tables
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store, out_dir
from stagemap_cli.reports import parse_date
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``nexus``."""
    nx = sub.add_parser("nexus", help="nexus-study tables (D): XLSX, CSV zip and GeoPackage, optionally frozen")
    nx.add_argument("--out", required=True, help="output directory")
    nx.add_argument("--as-of", help="YYYY-MM-DD (default: today in Los Angeles; the same date rebuilds the same hash)")
    nx.add_argument("--unit-costs", help="CSV of unit costs (key,item,unit,value,applies_to,source,year)")
    nx.add_argument("--snapshot", action="store_true", help="freeze the tables under their content hash")
    nx.add_argument("--snapshot-dir", help="where snapshots go (default <store>.snapshots)")
    nx.add_argument("--lang", choices=LANGUAGES, default="en",
                    help="language of the XLSX (sheets, headers, codes): en (default) or es; CSV and GeoPackage "
                         "keep the column names")
    add_store(nx)
    add_user(nx)
    nx.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the tables, write the files, and freeze a snapshot if asked."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    costs = read_costs(args.unit_costs) if args.unit_costs else None
    tables = nexus_tables(store, actor, as_of=parse_date(args.as_of), unit_costs=costs, rules=NexusRules())
    out = out_dir(args.out)
    files, digest, folder = export_nexus(store, actor, tables, snapshot=args.snapshot, snapshot_dir=args.snapshot_dir,
                                         lang=args.lang)
    for name, data in files.items():
        (out / name).write_bytes(data)
    where = M("; snapshot {folder}", folder=str(folder)) if folder else ""
    say(join([M("nexus tables as of {as_of} written to {out}: {parcels} affected private parcels, {incidents} "
                "incidents in the ledger, {owners} owners; content hash {digest}{where}", as_of=tables.as_of,
                out=str(out), parcels=len(tables.inventory), incidents=len(tables.ledger), owners=len(tables.owners),
                digest=digest, where=where),
              *([M(" (unit costs are PLACEHOLDERS)")] if tables.uses_placeholders else []),
              *([M(" SYNTHETIC")] if tables.synthetic else [])], sep=""))
    return EXIT_OK


def read_costs(path: str) -> pd.DataFrame:
    """Read and check a unit-cost CSV.

    Raises
    ------
    GeoDataError
        When the file cannot be read or a cost row is invalid.
    """
    try:
        return check_unit_costs(pd.read_csv(path, dtype={"key": str, "source": str}))
    except (OSError, ValueError) as exc:
        if isinstance(exc, GeoDataError):
            raise
        raise GeoDataError(M("--unit-costs {path}: cannot read it as CSV ({why}).", path=path, why=str(exc))) from exc
