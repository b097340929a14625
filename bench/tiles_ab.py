"""``python -m bench.tiles_ab``: the tiled review map before and after a change, alternating in one run (W10).

The baseline is the parcel layer of another tree (``git archive HEAD | tar -x -C DIR``) drawing its
own archive; the current one draws the store's archive. Each view is opened old, new, new, old, ...
in one browser, so the load other processes put on the shared cores falls on both alike; every
run is printed with the load average, then the medians. Paint, pan and zoom are measured as in
:mod:`bench.tiles`; the zoom runs alternate in and out, so the first (zoom in, tiles not yet
fetched) is printed apart from the median.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from bench.tiles import ARGS, CHROMIUM, HEAVIEST, Run, Server, measure_all, review_page
from geo import schema
from geo.services.tiles import store_tile_location, tile_state
from geo.store import open_store


def _load_as(name: str, file: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None or not file.is_file():
        raise FileNotFoundError(f"{file}: not found; make the tree with `git archive HEAD | tar -x -C DIR`")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def baseline_layer(tree: Path) -> ModuleType:
    """Load ``layers/parcel_tiles.py`` of another tree as a module of its own, with that tree's ``layers/parcel_tiles_*``
    script modules (its other imports come from this tree)."""
    layers_dir = tree / "layers"
    scripts = {f"layers.{f.stem}": f for f in sorted(layers_dir.glob("parcel_tiles_*.py"))}
    saved = {name: sys.modules.get(name) for name in scripts}
    try:
        for name in scripts:  # the old layer's JavaScript, not this tree's
            sys.modules.pop(name, None)
        texts = {name: file.read_text(encoding="utf-8") for name, file in scripts.items()}
        order = sorted(scripts, key=lambda n: sum(f"import {o.rsplit('.', 1)[1]}" in texts[n] or f"{o} import" in texts[n]
                                                  for o in scripts if o != n))
        for name in order:  # a script module importing another is loaded after it (it would load this tree's)
            sys.modules[name] = _load_as(name, scripts[name])
        return _load_as("baseline_parcel_tiles", layers_dir / "parcel_tiles.py")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@contextlib.contextmanager
def drawn_by(module: ModuleType | None) -> Iterator[None]:
    """Render review maps with ``module``'s parcel layer (``None``: this tree's)."""
    import layers.review_map as review

    current = review.ParcelTilesLayer
    setattr(review, "ParcelTilesLayer", module.ParcelTilesLayer if module is not None else current)  # noqa: B010
    try:
        yield
    finally:
        setattr(review, "ParcelTilesLayer", current)  # noqa: B010


def load() -> str:
    """The 1-minute load average."""
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv: list[str] | None = None) -> int:
    """Measure old and new side by side at the given zooms; print every run and the medians."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(prog="python -m bench.tiles_ab", description=__doc__.splitlines()[0])
    p.add_argument("--store", action="append", required=True, help="LABEL=PATH of a store with a built archive")
    p.add_argument("--baseline-tree", type=Path, required=True, help="a tree of the old code (git archive HEAD)")
    p.add_argument("--baseline-archive", action="append", default=[], help="LABEL=PATH: the old archive of a store "
                   "(default: the store's current one)")
    p.add_argument("--zoom", type=int, action="append", help=f"zooms (default {HEAVIEST})")
    p.add_argument("--rounds", type=int, default=4, help="runs of each (old and new alternate)")
    p.add_argument("--reps", type=int, default=4)
    args = p.parse_args(argv)
    old_layer = baseline_layer(args.baseline_tree)
    old_archives = dict(spec.partition("=")[::2] for spec in args.baseline_archive)
    results: dict[tuple[str, int, str], list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="stagemap-tiles-ab-") as tmp, sync_playwright() as pw:
        server = Server(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for spec in args.store:
                label, _, path = spec.partition("=")
                store = open_store(path, create=False)
                current = tile_state(store).current
                if current is None:
                    raise SystemExit(f"{label}: no archive; build it first (stagemap tiles build)")
                new_file = store_tile_location(store).archive_dir / current.file
                old_file = Path(old_archives.get(label, new_file))
                sites, districts = store.read_layer(schema.SITES), store.read_layer(schema.DISTRICTS)
                for zoom in args.zoom or [HEAVIEST]:
                    pages = {}
                    for kind, file, module in (("old", old_file, old_layer), ("new", new_file, None)):
                        with drawn_by(module):
                            html = review_page(server.add_archive(file), sites, districts, zoom=zoom)
                        pages[kind] = server.publish(f"{label}-{kind}-z{zoom}.html", html)
                    for r in range(args.rounds):
                        for kind in ("old", "new") if r % 2 == 0 else ("new", "old"):
                            run = measure_all(browser, pages[kind], reps=args.reps)
                            results.setdefault((label, zoom, kind), []).append(run)
                            print(f"{label:>7} z{zoom} {kind}: paint {run[0]:,.0f} ms, pan {statistics.median(run[1]):.1f}"
                                  f", zoom {statistics.median(run[2]):.1f} (first {run[2][0]:.1f}) ms; "
                                  f"load {load()}", flush=True)
        finally:
            browser.close()
            server.close()
    for (label, zoom, kind), runs in results.items():
        print(f"{label} z{zoom} {kind}: paint {', '.join(f'{r[0]:,.0f}' for r in runs)} ms "
              f"(median {statistics.median(r[0] for r in runs):,.0f}); pan median "
              f"{statistics.median(statistics.median(r[1]) for r in runs):.1f} ms; zoom median "
              f"{statistics.median(statistics.median(r[2]) for r in runs):.1f} ms, first zoom in "
              f"{', '.join(f'{r[2][0]:.0f}' for r in runs)} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
