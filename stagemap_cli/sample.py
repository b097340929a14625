"""``stagemap sample``: build the synthetic LA sample store."""
from __future__ import annotations

import argparse
import time

from geo.errors import GeoDataError
from geo.messages import M
from geo.services.admin import write_sample
from geo.services.reports import publish_closed_months
from stagemap_cli.common import EXIT_OK, add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sample``."""
    sp = sub.add_parser("sample", help="build the synthetic LA sample store")
    sp.add_argument("--parcels", type=int, default=3000, help="private parcels (3000 demo; 800000 City; 2400000 County)")
    sp.add_argument("--incidents", type=int, default=250, help="synthetic incidents (250 demo; 100000 for benchmarks)")
    add_store(sp)
    add_user(sp)
    sp.set_defaults(func=run_sample)


def run_sample(args: argparse.Namespace) -> int:
    """Generate the sample and write it, replacing the store's layers."""
    import psutil

    from geo.synthetic import generate_sample

    t0 = time.perf_counter()
    if args.parcels < 0 or args.incidents < 0:
        raise GeoDataError(M("--parcels and --incidents must be zero or more."))
    store = open_cli_store(args, create=True)
    actor = cli_actor(args, store)
    write_sample(store, actor, generate_sample(n_parcels=args.parcels, n_incidents=args.incidents))
    published = publish_closed_months(store, actor)
    peak = psutil.Process().memory_info().rss / 2**20
    counts = ", ".join(f"{k} {v:,}" for k, v in store.counts().items() if v)
    say(M("synthetic sample written to {store} as {actor}: {counts} ({seconds:.1f} s, RSS {peak:,.0f} MiB); B.8 months "
          "published: {months}", store=store.display_url, actor=actor.name, counts=counts,
          seconds=time.perf_counter() - t0, peak=peak, months=", ".join(published) if published else M("none")))
    return EXIT_OK
