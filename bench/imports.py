"""``python -m bench.imports``: the streaming import's peak memory and time, County-shaped parcels.

For 800k and 2.4M parcels, each of GeoParquet, zipped Shapefile and GeoJSON goes through the
real import path (``geo.services.imports.import_file`` as a CLI admin, ``ImportLimits``) into
a new store, each in its own child process whose peak RSS (``VmHWM``) is read when it ends.

Inputs are the synthetic sample's parcels under their real County field names, as a County
file carries them (no ``is_synthetic`` column, AINs moved from the sample's map books 99xx to
50xx), in EPSG:2229, padded with filler columns to the ~100 fields of the County Parcels layer
(the importer uses about 20). GeoJSON is written in EPSG:4326 (RFC 7946) with the real-shaped
columns only: with 100 columns it would be ~5 GB at 2.4M parcels. Inputs are written chunk by
chunk and cached by size. The peak target (2 GB) is logged, not asserted: see BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import shapely

from bench.sections import write_section

FORMATS = ("GeoParquet", "zipped Shapefile", "GeoJSON")
N_FILLER_INT, N_FILLER_FLOAT, N_FILLER_TEXT = 40, 20, 14
INPUTS_VERSION = 2
CHUNK = 400_000
PEAK_AIM_GB = 2.0
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_WORDS = np.array(["RESIDENTIAL", "COMMERCIAL", "VACANT", "INDUSTRIAL", "INSTITUTION", "MISC"], dtype=object)


def base_parcels(n: int) -> gpd.GeoDataFrame:
    """Return the sample's parcels (``n`` private plus the City's) with real County names, as a real file."""
    from geo.synthetic import generate_sample, real_shaped_layers

    parcels = real_shaped_layers(generate_sample(n_parcels=n, n_incidents=0))["parcels"]
    assert isinstance(parcels, gpd.GeoDataFrame)
    return parcels.drop(columns="is_synthetic").assign(
        AIN=("50" + parcels["AIN"].str[2:]).to_numpy(), APN=("50" + parcels["APN"].str[2:]).to_numpy())


def county_chunk(base: gpd.GeoDataFrame, start: int, stop: int) -> gpd.GeoDataFrame:
    """Return rows ``start:stop`` of ``base`` with the filler columns, in EPSG:2229."""
    part = base.iloc[start:stop]
    idx = np.arange(start, start + len(part))
    filler: dict[str, np.ndarray] = {}
    for i in range(N_FILLER_INT):
        filler[f"Roll_X{i:02d}"] = ((idx * (i + 7)) % 997).astype("int32")
    for i in range(N_FILLER_FLOAT):
        filler[f"Val_F{i:02d}"] = np.round((idx % 1009) * (i + 0.5), 2)
    for i in range(N_FILLER_TEXT):
        filler[f"Note_T{i:02d}"] = _WORDS[(idx + i) % len(_WORDS)]
    attrs = pd.concat([part.drop(columns="geometry").reset_index(drop=True), pd.DataFrame(filler)], axis=1)
    return gpd.GeoDataFrame(attrs, geometry=part.geometry.to_crs("EPSG:2229").to_numpy(), crs="EPSG:2229")


def write_inputs(n: int, workdir: Path) -> dict[str, Path]:
    """Write (or reuse) the three County-shaped files with ``n`` parcels; return them by format."""
    workdir.mkdir(parents=True, exist_ok=True)
    stem = workdir / f"county-{n}-v{INPUTS_VERSION}"
    paths = {"GeoParquet": Path(f"{stem}.parquet"), "zipped Shapefile": Path(f"{stem}.zip"),
             "GeoJSON": Path(f"{stem}.geojson")}
    if all(p.exists() for p in paths.values()):
        return paths
    t = time.perf_counter()
    base = base_parcels(n)
    print(f"  {len(base):,} County-shaped parcels in {time.perf_counter() - t:.0f} s", flush=True)
    for fmt, writer in (("GeoParquet", _write_parquet), ("zipped Shapefile", _write_zipped_shapefile),
                        ("GeoJSON", _write_geojson)):
        if not paths[fmt].exists():
            tmp = paths[fmt].with_name(paths[fmt].name + ".tmp")
            writer(base, tmp)
            tmp.rename(paths[fmt])
            print(f"  {fmt}: {paths[fmt].stat().st_size / 1e6:,.0f} MB ({time.perf_counter() - t:.0f} s)", flush=True)
    return paths


def _write_parquet(base: gpd.GeoDataFrame, target: Path) -> None:
    writer = None
    crs = json.loads(gpd.GeoSeries([], crs="EPSG:2229").crs.to_json())
    meta = {"version": "1.0.0", "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Polygon"], "crs": crs}}}
    for start in range(0, len(base), CHUNK):
        part = county_chunk(base, start, start + CHUNK)
        table = pa.Table.from_pandas(pd.DataFrame(part.drop(columns="geometry")), preserve_index=False)
        table = table.append_column("geometry", pa.array(shapely.to_wkb(part.geometry.to_numpy()), pa.binary()))
        if writer is None:  # an all-empty text column in the first chunk is typed null: make it text
            fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            schema = pa.schema(fields).with_metadata({b"geo": json.dumps(meta).encode()})
            writer = pq.ParquetWriter(target, schema, compression="zstd")
        writer.write_table(table.cast(writer.schema), row_group_size=50_000)
    if writer is not None:
        writer.close()


def _write_zipped_shapefile(base: gpd.GeoDataFrame, target: Path) -> None:
    folder = target.with_suffix(".shpdir")
    folder.mkdir(exist_ok=True)
    shp = folder / "Parcels.shp"
    # the longest text values go in the first chunk: RESIZE sizes each DBF field to it, later appends fit
    text = [c for c in base.columns if c != "geometry" and base[c].dtype == object]
    first = np.unique([int(base[c].astype("string").str.len().fillna(0).to_numpy().argmax()) for c in text])
    order = np.concatenate([first, np.setdiff1d(np.arange(len(base)), first)])
    ordered = base.iloc[order].reset_index(drop=True)
    for start in range(0, len(ordered), CHUNK):
        pyogrio.write_dataframe(county_chunk(ordered, start, start + CHUNK), shp, driver="ESRI Shapefile",
                                append=start > 0, layer_options=None if start else {"RESIZE": "YES", "ENCODING": "UTF-8"})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
        for ext in _SHP_PARTS:
            part = shp.with_suffix(ext)
            if part.exists():
                zf.write(part, part.name)
    for part in folder.iterdir():
        part.unlink()
    folder.rmdir()


def _write_geojson(base: gpd.GeoDataFrame, target: Path) -> None:
    tmp = target.with_name(target.name + ".part.geojson")
    with target.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for start in range(0, len(base), CHUNK):
            pyogrio.write_dataframe(base.iloc[start:start + CHUNK].to_crs("EPSG:4326"), tmp, driver="GeoJSON",
                                    layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"})
            text = tmp.read_text(encoding="utf-8")
            body = text[text.index("[", text.index('"features"')) + 1:text.rindex("]")].strip()
            out.write(("," if start else "") + body + "\n")
            tmp.unlink()
        out.write("]}\n")


# --- measurement ------------------------------------------------------------------------
_CHILD = """
import contextlib, json, resource, sys, time
from geo.access.roles import Actor
from geo.services.imports import import_file
from geo.store import open_store
from geo.store.sqlite import SQLiteStore
held, plain = [], SQLiteStore.write
@contextlib.contextmanager
def timed(self, **kw):  # how long each write transaction holds the store's one write lock
    with plain(self, **kw) as con:
        start = time.perf_counter()
        yield con
    held.append(time.perf_counter() - start)
SQLiteStore.write = timed
store = open_store(sys.argv[2])
t = time.perf_counter()
report = import_file(store, Actor("bench", "admin", source="cli"), "parcels", sys.argv[1])
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "accepted": report.n_accepted, "read": report.n_read,
                  "cpu": usage.ru_utime + usage.ru_stime, "lock_s": max(held, default=0.0),
                  "peak_gb": hwm / 1e6, "maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
                  "notes": report.notes}))
"""


def measure(path: Path, workdir: Path, setup: Callable[[Path], None] | None = None) -> dict[str, object]:
    """Import ``path`` as parcels into a new store in a child process; return its time, peak RSS and counts.

    ``setup(store)`` prepares the new store first (e.g. its districts, so every format does the same work).
    """
    store = workdir / f"import-{path.stem}-{path.suffix[1:]}.gpkg"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    if setup is not None:
        setup(store)
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(store)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=False)
    load = max(load, os.getloadavg()[0])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = round(load, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure every format at every size and write the ``imports`` section of BENCHMARKS.md.

    Returns 1 when an import fails; the peak memory aim is logged, not gated.
    """
    p = argparse.ArgumentParser(prog="python -m bench.imports")
    p.add_argument("--sizes", default="800000,2400000", help="parcel counts, comma-separated")
    p.add_argument("--workdir", default="/tmp/stagemap-bench-imports")
    p.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    p.add_argument("--rewrite", action="store_true", help="write the section from the last run's results.json")
    args = p.parse_args(argv)
    workdir = Path(args.workdir)
    if args.rewrite:
        saved = [(int(n), str(fmt), int(size), dict(r)) for n, fmt, size, r in
                 json.loads((workdir / "results.json").read_text())]
        write_section("imports", _markdown(saved))
        return 0
    rows: list[tuple[int, str, int, dict[str, object]]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"== {n:,} parcels", flush=True)
        paths = write_inputs(n, workdir)
        for fmt in FORMATS:
            result = measure(paths[fmt], workdir)
            rows.append((n, fmt, paths[fmt].stat().st_size, result))
            print(f"  {fmt:<17} {_cells(result)}", flush=True)
    for n in sorted({n for n, *_ in rows}):
        print(f"  {n:,} parcels: GeoJSON / GeoParquet time {_ratio(rows, n)}", flush=True)
    (workdir / "results.json").write_text(json.dumps([[n, fmt, size, r] for n, fmt, size, r in rows], indent=1))
    if not args.no_write:
        write_section("imports", _markdown(rows))
        print("results written to BENCHMARKS.md (section imports)")
    return 1 if any("error" in r for *_, r in rows) else 0


def _ratio(rows: list[tuple[int, str, int, dict[str, object]]], n: int) -> str:
    """Return 'a s / b s = r x' for the GeoJSON and GeoParquet imports of ``n`` parcels in this run."""
    got = {fmt: r for m, fmt, _, r in rows if m == n and "error" not in r}
    if "GeoJSON" not in got or "GeoParquet" not in got:
        return "-"
    slow, fast = float(got["GeoJSON"]["seconds"]), float(got["GeoParquet"]["seconds"])  # type: ignore[arg-type]
    return f"{slow:,.1f} s / {fast:,.1f} s = {slow / fast:.2f}x"


def _cells(r: dict[str, object]) -> str:
    if "error" in r:
        return f"FAILED: {r['error']}"
    peak = float(r["peak_gb"])  # type: ignore[arg-type]
    lock = float(r.get("lock_s", 0.0))  # type: ignore[arg-type]
    return (f"{float(r['seconds']):7.1f} s  cpu {float(r.get('cpu', 0.0)):6.1f} s  "  # type: ignore[arg-type]
            f"lock {lock:5.1f} s  peak {peak:5.2f} GB  accepted {int(r['accepted']):,}  "  # type: ignore[call-overload]
            f"{'within' if peak <= PEAK_AIM_GB else 'over'} the {PEAK_AIM_GB:.0f} GB aim")


def _markdown(rows: list[tuple[int, str, int, dict[str, object]]]) -> list[str]:
    import datetime as dt
    import os
    import platform

    out = ["## Bounded imports: County-size parcel files through the streaming import", "",
           f"`python -m bench.imports` (in `make bench`), {dt.date.today():%Y-%m-%d}, {platform.machine()}, "
           f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Each import runs alone in a child "
           "process (real `import_file` path, CLI limits, new SQLite store); peak = that process's `VmHWM`; "
           "load average = the machine's 1-minute load, the higher of before and after (the machine is shared).",
           "", "| Parcels | Format | File | Before: time (s) / peak (GB) | After: time (s) | CPU (s) "
           "| Store write lock held (s) | After: peak VmHWM (GB) | Load avg | Accepted | <= 2 GB aim |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n, fmt, size, r in rows:
        before = BEFORE.get((n, fmt))
        was = f"{before[0]:,.1f} / {before[1]:.2f}" if before else "-"
        if "error" in r:
            out.append(f"| {n:,} | {fmt} | {size / 1e6:,.0f} MB | {was} | - | - | - | - | - | - | failed: {r['error']} |")
            continue
        peak = float(r["peak_gb"])  # type: ignore[arg-type]
        cpu = f"{float(r['cpu']):,.1f}" if "cpu" in r else "-"  # type: ignore[arg-type]
        lock = f"{float(r['lock_s']):,.1f}" if "lock_s" in r else "-"  # type: ignore[arg-type]
        out.append(f"| {n:,} | {fmt} | {size / 1e6:,.0f} MB | {was} | {float(r['seconds']):,.1f} | {cpu} | {lock} | {peak:.2f} | "  # type: ignore[arg-type]
                   f"{r.get('load', '-')} | {int(r['accepted']):,} | "  # type: ignore[call-overload]
                   f"{'yes' if peak <= PEAK_AIM_GB else '**no**'} |")
    ratios = [f"{n:,} parcels {_ratio(rows, n)}" for n in sorted({n for n, *_ in rows})]
    return [*out, "", f"GeoJSON / GeoParquet import time in this run (target >= 5x, issue 18): {'; '.join(ratios)}.",
            "", *NOTES]


#: The whole-frame write's figures (2026-11-30, same inputs, peak = ``ru_maxrss``), shown beside each new row.
BEFORE: dict[tuple[int, str], tuple[float, float]] = {
    (800_000, "GeoParquet"): (148.6, 1.61), (800_000, "zipped Shapefile"): (162.5, 1.57),
    (800_000, "GeoJSON"): (278.6, 1.53), (2_400_000, "GeoParquet"): (333.3, 4.17),
    (2_400_000, "zipped Shapefile"): (286.6, 4.14), (2_400_000, "GeoJSON"): (889.4, 3.89)}


#: Issue 18 (County import of the GeoParquet >= 5x faster than of the GeoJSON): what was done, side by side, the floor.
ISSUE_18 = [
    "**Issue 18: GeoParquet >= 5x faster than GeoJSON: not met (about 2.5-2.6x); the floor on this 2-core machine "
    "is below 5x.** Both formats share the work after reading (canonical parcels, staging, copy, digest): the "
    "ratio is (R_geojson + S) / (R_parquet + S) with the GeoJSON read (GDAL: the whole file parsed once for its "
    "schema, again for its features) ~32.6 s and the GeoParquet read ~1.2-1.5 s at 800k. S was ~29 s at the "
    "start of 2026-12-01 and is ~17 s now; 5x needs S <= ~6.3 s. What is left of S at 800k (CPU, 2026-12-01 "
    "second session): canonical parcels ~11.5 s, of which compiled code that has to run once per vertex or "
    "feature: pyproj (inverse LCC ~1.7 s, forward for the area ~0.75 s), building the MultiPolygons ~1.0 s, GEOS "
    "validity before and after rounding ~1.3 s, WKB decoding ~0.5 s, representative points ~0.45 s; the text "
    "attributes ~2.1 s; staging ~2.6 s (Arrow columns and GeoPackage blobs ~1.3 s, ADBC ingest ~1.3 s), the copy "
    "~1.2 s, the digest ~0.8 s. With staging, copy and digest free the canonical work alone caps the ratio at "
    "(32.6 + 11.5) / (1.3 + 11.5) = 3.4x; 5x needs the canonical work spread over more cores than this machine "
    "has (it is per slice and could run in worker processes, each staging its own scratch file, but the GeoJSON "
    "import would use them too after its serial read).",
    "",
    "What changed on 2026-12-01 (second session), every stored row, digest and audit entry identical to before "
    "(fetched_at aside; `tests/geo/test_staged_import.py`, `tests/geo/test_canonical_fastpath.py`, and a row-by-row "
    "comparison of every table after importing 60k files of all three formats, the 800k GeoParquet and GeoJSON and "
    "an edge-case file with condos, bow-ties, pinched and outside polygons):",
    "",
    "1. **Staged write (SQLite).** Slices go to a scratch SQLite file beside the store through the ADBC SQLite driver "
    "(Arrow columns bound in C, not value by value through Python), the content digest is taken from the scratch "
    "file with Arrow kernels (each key's last row, key order, records framed and hashed one buffer per 50,000 "
    "rows), and the store's write lock is taken only to copy the rows in (`INSERT ... SELECT`, same upsert, file "
    "order, same fids), seed derived sites and log. The import held the lock for its whole canonical work before: "
    "a liaison's status save during a County import waited out the 10 s busy timeout and failed. Side by side "
    "(old = a557e72, the start of this session; new = the staged write alone, fafb2ba; alternated in one run, 800k, load 1.6-3.9): GeoParquet wall 28.2 / 30.8 "
    "-> 20.6 / 21.6 s, CPU 28.8 / 28.6 -> 20.4 / 20.5 s, **write lock held 25.6 / 28.7 -> 2.1 / 2.4 s**; "
    "GeoJSON CPU 56.4 / 56.0 -> 48.1 / 49.6 s, lock 42.8 / 24.5 -> 2.2 / 4.0 s. Whole-frame writes of 20,000 "
    "rows or more (an Assessor attribute refresh of 800k parcels) are staged too: lock 21-37 s -> 6-12 s at "
    "load 2-4. A copy waits up to 5 min for the lock (another import's copy), its file already checked.",
    "2. **Canonical work in Arrow and ragged coordinates** (helper): zero-copy slices, exact AIN keys from Arrow "
    "strings, text cleaned and measured in Arrow, plain polygons reprojected, rounded and built into MultiPolygons "
    "once and measured in feet on the way (merged or repaired rows re-measured as before): canonical CPU "
    "13.4-14.6 -> 11.2-12.3 s at 800k; the whole 800k GeoParquet import on the staged write 21.2-23.2 -> "
    "18.5-18.7 s CPU, GeoJSON 52.4 -> 48.7 s wall.",
    "3. A parcel that rounding to 1e-7 degrees collapses to nothing (a sliver ~1 cm thin) stopped the whole import "
    "with a GEOS error; it is now rejected by name (`tests/geo/test_sliver_parcel.py`).",
    "",
    "Earlier the same day (first session): the digest took the WKB straight out of the GeoPackage blobs (3.5 -> 2.3 s "
    "CPU at 800k) and the batch write counted inserted rows by `fid` instead of `COUNT(*)` per batch (quadratic at "
    "County scale); measured and dropped: a worker thread for the next slice (both halves hold the GIL) and "
    "converting shared text once per value plus hashing a batch as one buffer through Python (the 1M-point GeoJSON "
    "import's peak rose over its 1.5 GB budget). The digest's one buffer per batch is now built by Arrow kernels "
    "from the scratch file, after the slices are gone."]


NOTES = [
    "How the import stays bounded: only the ~20 columns the parcel importer can use are read (of 97), in Arrow "
    "batches, strings Arrow-backed and geometry as WKB (~200 B a parcel). A parcel layer is then canonicalised "
    "50,000 rows at a time (`geo/io/stream.py`: validation, reprojection, condo merge, district/LAPD placement, "
    "derived sites, text cut) and each slice is staged as it is made (`Store.write_layer_batches`): on SQLite "
    "into a scratch file beside the store through the ADBC SQLite driver (Arrow columns bound in C; "
    "`geo/store/staging.py`), then copied into the store in one short write transaction (`INSERT ... SELECT`, the "
    "same upsert, file order) that any failure rolls back; a refusal or cancel before it leaves the store untouched. "
    "Rows sharing an AIN go in the slice of its first row (8-byte key hashes), so merges and row order are the "
    "whole path's. The audit's content hash is taken from the scratch file before the lock (each key's last "
    "staged row, in key order, 50,000 rows at a time, framed and hashed by Arrow kernels: "
    "`geo/store/staged_digest.py`), so no layer is ever whole in Python. PostgreSQL keeps the direct batch "
    "write (COPY per slice, in one transaction: its row locks do not block other writers).",
    "",
    "What is still whole: the file's compact read (the used columns as Arrow, the WKB: ~1 GB at 2.4M parcels) until "
    "the last slice. The peak now comes from reading, not writing: at 2.4M GeoParquet the read alone reaches "
    "~1.9 GB (Arrow batches plus what the allocator keeps while they become one frame), so that format meets the "
    "2 GB aim without margin (1.92-2.01 GB across runs: 2.00-2.01 GB on 2026-12-01 with the staged write, which does not change the read). A reader feeding slices directly (no whole read) would "
    "remove it; not done. The before column was measured with the whole-frame write under another load (its "
    "times are not comparable one to one; its peaks are).",
    "",
    "GeoJSON is the slowest format: GDAL parses the whole file once to learn its schema and again to read it, "
    "and builds each feature row by row (its memory stays bounded, its time does not). GeoParquet and zipped "
    "Shapefile stream.",
    "",
    "A first run the same evening, while other sessions ran test suites (load average 5-8): 800k GeoParquet 39 s / "
    "0.90 GB (load 5.0); 800k zipped Shapefile 36 s / 0.86 GB (load 5.0); 800k GeoJSON 56 s / 0.87 GB (load 3.4); "
    "2,400k GeoParquet 325 s / 1.92 GB (load 7.1); 2,400k zipped Shapefile 583 s / 1.74 GB (load 7.2); 2,400k "
    "GeoJSON 719 s / 1.76 GB (load 7.2). Peaks agree within 0.1 GB between runs; times scale with the load.",
    "", *ISSUE_18]


if __name__ == "__main__":
    raise SystemExit(main())
