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
import json, resource, sys, time
from geo.access.roles import Actor
from geo.services.imports import import_file
from geo.store import open_store
store = open_store(sys.argv[2])
t = time.perf_counter()
report = import_file(store, Actor("bench", "admin", source="cli"), "parcels", sys.argv[1])
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - t, "accepted": report.n_accepted, "read": report.n_read,
                  "peak_gb": hwm / 1e6, "maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
                  "notes": report.notes}))
"""


def measure(path: Path, workdir: Path) -> dict[str, object]:
    """Import ``path`` as parcels into a new store in a child process; return its time, peak RSS and counts."""
    store = workdir / f"import-{path.stem}-{path.suffix[1:]}.gpkg"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
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
    args = p.parse_args(argv)
    workdir = Path(args.workdir)
    rows: list[tuple[int, str, int, dict[str, object]]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"== {n:,} parcels", flush=True)
        paths = write_inputs(n, workdir)
        for fmt in FORMATS:
            result = measure(paths[fmt], workdir)
            rows.append((n, fmt, paths[fmt].stat().st_size, result))
            print(f"  {fmt:<17} {_cells(result)}", flush=True)
    (workdir / "results.json").write_text(json.dumps([[n, fmt, size, r] for n, fmt, size, r in rows], indent=1))
    if not args.no_write:
        write_section("imports", _markdown(rows))
        print("results written to BENCHMARKS.md (section imports)")
    return 1 if any("error" in r for *_, r in rows) else 0


def _cells(r: dict[str, object]) -> str:
    if "error" in r:
        return f"FAILED: {r['error']}"
    peak = float(r["peak_gb"])  # type: ignore[arg-type]
    return (f"{float(r['seconds']):7.1f} s  peak {peak:5.2f} GB  accepted {int(r['accepted']):,}  "  # type: ignore[arg-type,call-overload]
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
           "", "| Parcels | Format | File | Before: time (s) / peak (GB) | After: time (s) | After: peak VmHWM (GB) "
           "| Load avg | Accepted | <= 2 GB aim |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for n, fmt, size, r in rows:
        before = BEFORE.get((n, fmt))
        was = f"{before[0]:,.1f} / {before[1]:.2f}" if before else "-"
        if "error" in r:
            out.append(f"| {n:,} | {fmt} | {size / 1e6:,.0f} MB | {was} | - | - | - | - | failed: {r['error']} |")
            continue
        peak = float(r["peak_gb"])  # type: ignore[arg-type]
        out.append(f"| {n:,} | {fmt} | {size / 1e6:,.0f} MB | {was} | {float(r['seconds']):,.1f} | {peak:.2f} | "  # type: ignore[arg-type]
                   f"{r.get('load', '-')} | {int(r['accepted']):,} | "  # type: ignore[call-overload]
                   f"{'yes' if peak <= PEAK_AIM_GB else '**no**'} |")
    return [*out, "", *NOTES]


#: The whole-frame write's figures (2026-11-30, same inputs, peak = ``ru_maxrss``), shown beside each new row.
BEFORE: dict[tuple[int, str], tuple[float, float]] = {
    (800_000, "GeoParquet"): (148.6, 1.61), (800_000, "zipped Shapefile"): (162.5, 1.57),
    (800_000, "GeoJSON"): (278.6, 1.53), (2_400_000, "GeoParquet"): (333.3, 4.17),
    (2_400_000, "zipped Shapefile"): (286.6, 4.14), (2_400_000, "GeoJSON"): (889.4, 3.89)}


NOTES = [
    "How the import stays bounded: only the ~20 columns the parcel importer can use are read (of 97), in Arrow "
    "batches, strings Arrow-backed and geometry as WKB (~200 B a parcel). A parcel layer is then canonicalised "
    "50,000 rows at a time (`geo/io/stream.py`: validation, reprojection, condo merge, district/LAPD placement, "
    "derived sites, text cut) and each slice is written as it is made (`Store.write_layer_batches`), all in one "
    "write transaction that any refusal, cancel, full disk or lock rolls back. Rows sharing an AIN go in the slice "
    "of its first row (8-byte key hashes), so merges and row order are the whole path's. The audit's content hash "
    "is taken at the end from the rows written, read back in key order 50,000 at a time (a temp table of the keys "
    "written, in the same transaction), so no layer is ever whole in Python.",
    "",
    "What is still whole: the file's compact read (the used columns as Arrow, the WKB: ~1 GB at 2.4M parcels) until "
    "the last slice. The peak now comes from reading, not writing: at 2.4M GeoParquet the read alone reaches "
    "~1.9 GB (Arrow batches plus what the allocator keeps while they become one frame), so that format meets the "
    "2 GB aim without margin (1.92-2.00 GB across runs). A reader feeding slices directly (no whole read) would "
    "remove it; not done. The before column was measured with the whole-frame write under another load (its "
    "times are not comparable one to one; its peaks are).",
    "",
    "GeoJSON is the slowest format: GDAL parses the whole file once to learn its schema and again to read it, "
    "and builds each feature row by row (its memory stays bounded, its time does not). GeoParquet and zipped "
    "Shapefile stream."]


if __name__ == "__main__":
    raise SystemExit(main())
