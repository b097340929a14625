"""The ``stagemap`` command line: sample, import, info (and later analyze, status, map)."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from geo import schema as S
from geo.errors import GeoDataError

EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICT = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args) or EXIT_OK)
    except GeoDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stagemap", description=__doc__)
    sub = p.add_subparsers(dest="command")

    sp = sub.add_parser("sample", help="build the synthetic LA sample store")
    sp.add_argument("--parcels", type=int, default=3000, help="private parcels (3000 demo; 800000 City; 2400000 County)")
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

    fp = sub.add_parser("info", help="what the store holds")
    fp.add_argument("--store")
    fp.set_defaults(func=_cmd_info)
    return p


def _cmd_sample(args: argparse.Namespace) -> int:
    import psutil

    from geo.store import open_store
    from geo.synthetic import generate_sample

    t0 = time.perf_counter()
    sample = generate_sample(n_parcels=args.parcels)
    store = open_store(args.store)
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    peak = psutil.Process().memory_info().rss / 2**20
    counts = ", ".join(f"{k} {v:,}" for k, v in store.counts().items() if v)
    print(f"synthetic sample written to {store.url}: {counts} "
          f"({time.perf_counter() - t0:.1f} s, RSS {peak:,.0f} MiB)")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.ingest import ingest_file
    from geo.store import open_store

    store = open_store(args.store)
    report = ingest_file(store, args.kind, args.path, crs=args.crs, department=args.department, user=args.user)
    print(report.summary())
    return EXIT_OK


def _cmd_analyze(args: argparse.Namespace) -> int:
    from geo.analyze import run_analysis
    from geo.store import open_store

    summary = run_analysis(open_store(args.store, create=False), out_dir=args.out, as_of=args.as_of,
                           ramps_path=args.ramps)
    print(summary)
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
