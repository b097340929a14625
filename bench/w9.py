"""``python -m bench.county --w9``: W9's analysis alone, City and County side by side, first read included.

Runs on the stores a full ``bench.county`` run left in its work folder. Before each analysis the
stores' layer snapshots (``<store>.cache/<layer>-v*.parquet``) are removed, so the analysis pays the
first read after an import (the snapshot built from the store); each analysis runs in its own child
process (peak = its VmHWM). Rounds alternate City and County so both see the same load. Prints
the figures as JSON lines and the Markdown rows of BENCHMARKS.md's county section; writes nothing.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from bench.county import TARGET_PEAK_GB, TARGET_RATIO, WORK, analyse

#: Free memory (GB, MemAvailable) a County analysis waits for before it starts.
COUNTY_FREE_GB = 8.0


def _available_gb() -> float:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:")) / 1e6


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def drop_snapshots(store: Path) -> int:
    """Remove the layer snapshots of ``store`` (not its persisted analyses or tiles); return how many."""
    files = list(Path(f"{store}.cache").glob("*-v*.parquet"))
    for f in files:
        f.unlink()
    return len(files)


def run(rounds: int = 1) -> int:
    """Alternate City and County analyses ``rounds`` times; print the figures; 1 when a target is missed."""
    stores = {"City": WORK / "city.gpkg", "County": WORK / "county.gpkg"}
    got: dict[str, list[dict[str, object]]] = {k: [] for k in stores}
    for _ in range(rounds):
        for label, path in stores.items():
            while label == "County" and _available_gb() < COUNTY_FREE_GB:
                print(f"waiting for memory: {_available_gb():.1f} GB available", flush=True)
                time.sleep(30)
            dropped = drop_snapshots(path)
            before = _load()
            res = analyse(path)
            res.update(label=label, snapshots_dropped=dropped, load_before=before, load_after=_load())
            got[label].append(res)
            print(json.dumps(res), flush=True)
    city = min(got["City"], key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    county = min(got["County"], key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    ratio = float(county["seconds"]) / float(city["seconds"])  # type: ignore[arg-type]
    peak = max(float(r["peak_gb"]) for r in got["County"])  # type: ignore[arg-type]
    print(f"| W9 County / City analysis time (first read included) | {float(county['seconds']):.1f} s / "  # type: ignore[arg-type]
          f"{float(city['seconds']):.1f} s = {ratio:.2f}x | <= {TARGET_RATIO}x | {'yes' if ratio <= TARGET_RATIO else '**NO**'} |")  # type: ignore[arg-type]
    print(f"| W9 County analysis peak RSS | {peak:.2f} GB (City {max(float(r['peak_gb']) for r in got['City']):.2f} GB) "  # type: ignore[arg-type]
          f"| <= {TARGET_PEAK_GB} GB | {'yes' if peak <= TARGET_PEAK_GB else '**NO**'} |")
    return 0 if ratio <= TARGET_RATIO and peak <= TARGET_PEAK_GB else 1
