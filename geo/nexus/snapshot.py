"""Nexus snapshots and exports: tables frozen under a SHA-256 content hash, and XLSX/CSV/GeoPackage bytes.

The hash covers canonical serialisations only: each table as CSV with a fixed column order,
rows sorted by the table's key, floats rounded to 6 decimals, geometry as WKT rounded to 1e-7
degrees, text neutralised for spreadsheets. Build times, paths and user names are recorded in
the manifest but never hashed, so rebuilding from the same store and assumptions gives the same
hash, and changing any assumption changes it.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.config import DATA_DIR, SYNTHETIC_SOURCE
from geo.errors import StoreError
from geo.i18n import N_, localise, translate
from geo.io.export import NOTICE_COLUMN, export_name, label, neutralise_frame, to_csv_bytes
from geo.labels import code_label, column_header
from geo.messages import M, Message
from geo.nexus.costs import PLACEHOLDER_SOURCE
from geo.nexus.tables import NexusTables
from geo.nexus.wording import COLUMN_WORDS

SNAPSHOT_VERSION = "stagemap-nexus-snapshot-1"
MANIFEST = "manifest.json"
TABLE_KEYS: dict[str, list[str]] = {
    "inventory": ["ain"], "parcel_months": ["ain", "month"], "ledger": ["incident_id"],
    "owners": ["owner_name"], "unit_costs": ["key"], "scenarios": ["basis", "land_use_class"],
    "parcel_fees": ["ain"], "register": ["ref"], "comparison": ["ain"],
}
#: Excel holds at most 32,767 characters in a cell; longer text is cut there with an ellipsis.
XLSX_CELL_LIMIT = 32_767
PLACEHOLDER_NOTICE = N_("Unit costs marked PLACEHOLDER are illustrative round numbers, not City costs. "
                         "Replace each with a sourced figure (source and year) before any fee is proposed.")
#: The workbook in another language (made for a person; nothing reads it back: ``--unit-costs`` takes a CSV with
#: the machine headers, as in the CSV zip): sheet names, headers and codes in that language, data as it is.
SHEET_TITLES = {"notice": N_("Notice"), "inventory": N_("Inventory"), "parcel_months": N_("Parcel x month"),
                "ledger": N_("Ledger"), "owners": N_("Owners"), "unit_costs": N_("Unit costs"),
                "scenarios": N_("Fee scenarios"), "parcel_fees": N_("Fees by parcel"),
                "register": N_("Assumption register"), "comparison": N_("Comparison")}
HEADERS = {"item": N_("Item"), "units": N_("Units"), "on_site": N_("On the parcel"), "adjacent": N_("Adjacent"),
           "owner": N_("Owner name"), "declaration": N_("Declaration"), "declared_on": N_("Declared on"),
           "recorded_grant": N_("Recorded grant"), "statement": N_("Statement"), "ref": N_("Ref."),
           "source_type": N_("Source type")}
#: Codes the label table does not spell (per column), and the columns whose codes it does.
WORDS = {"site_control": {"not recorded": N_("not recorded"), "recorded grant": N_("recorded grant"),
                          "candidate (no grant recorded)": N_("candidate (no grant recorded)")},
         "applies_to": {"incident": N_("incident"), "site": N_("site"), "city_program": N_("City program")},
         "status": {"PLACEHOLDER": N_("PLACEHOLDER"), "sourced": N_("sourced")},
         "kind": {"data": N_("data"), "method": N_("method"), "rule": N_("rule"), "assumption": N_("assumption")},
         "owner_class": {"none": N_("no parcel or site")},
         "source": {SYNTHETIC_SOURCE: SYNTHETIC_SOURCE, PLACEHOLDER_SOURCE: N_(
             "PLACEHOLDER - illustrative round number, not a City cost; replace with a sourced figure")},
         **COLUMN_WORDS}  # land-use classes, units and the default unit-cost wording (geo.nexus.wording)
CODED = ("incident_type", "verification_status", "source_type", "relevance", "snap_kind", "warrant_shown", "basis",
         "owner_class")
NOTICE_WORDS = (N_("StageMap nexus study tables"), N_("As of"), N_("Snapshot hash"), N_("Data"), N_("Unit costs"),
                N_("Executive Directive 17, section D"), N_("not frozen"), N_("store data"), N_("all sourced"))


def canonical_tables(tables: NexusTables) -> dict[str, bytes]:
    """Return each table's canonical CSV bytes (the exact bytes hashed and stored in a snapshot)."""
    out = {name: _canonical_csv(frame, TABLE_KEYS[name]) for name, frame in tables.sheets().items()}
    params = {"as_of": tables.as_of.isoformat(), "synthetic": tables.synthetic, "rules": asdict(tables.rules),
              "format": SNAPSHOT_VERSION}
    out["parameters"] = (json.dumps(params, sort_keys=True, separators=(",", ":")) + "\n").encode()
    return out


def content_hash(files: dict[str, bytes]) -> str:
    """Return the SHA-256 over the sorted (name, SHA-256 of bytes) pairs of ``files``."""
    lines = "".join(f"{name}\t{hashlib.sha256(files[name]).hexdigest()}\n" for name in sorted(files))
    return hashlib.sha256((SNAPSHOT_VERSION + "\n" + lines).encode()).hexdigest()


def snapshot_hash(tables: NexusTables) -> str:
    """Return the content hash of ``tables`` (same inputs, same hash)."""
    return content_hash(canonical_tables(tables))


def snapshot_root(store_url: str) -> Path:
    """Return where snapshots of a store live: ``<store>.snapshots`` beside a file store, else data/."""
    if "://" in store_url:
        return DATA_DIR / "nexus_snapshots"
    return Path(f"{store_url}.snapshots")


def freeze(tables: NexusTables, *, root: str | Path, created_by: str = "unknown") -> tuple[str, Path]:
    """Write a snapshot of ``tables`` under ``root/<hash>/`` and return (hash, directory).

    The directory holds the canonical CSVs and parameters (hashed), ``manifest.json`` (with
    each file's SHA-256, the build time and who froze it) and, for convenience, ``nexus.xlsx``
    and ``nexus.gpkg``. Freezing the same content again returns the existing snapshot.

    Raises
    ------
    StoreError
        When ``root`` cannot be written, or an existing snapshot of this hash fails verification.
    """
    files = canonical_tables(tables)
    digest = content_hash(files)
    target = Path(root) / digest
    if target.exists():
        verify_snapshot(target)
        return digest, target
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    except OSError as exc:
        raise StoreError(M("Cannot write the nexus snapshot under {root}: {why}. Choose a writable directory.",
                           root=str(root), why=str(exc))) from exc
    try:
        for name, data in files.items():
            (tmp / _file_name(name)).write_bytes(data)
        (tmp / "nexus.xlsx").write_bytes(to_xlsx_bytes(tables, snapshot=digest))
        (tmp / "nexus.gpkg").write_bytes(to_gpkg_bytes(tables))
        manifest = {
            "format": SNAPSHOT_VERSION, "hash": digest, "as_of": tables.as_of.isoformat(),
            "synthetic": tables.synthetic, "notice": SYNTHETIC_SOURCE if tables.synthetic else None,
            "uses_placeholders": tables.uses_placeholders, "provenance": tables.notes,
            "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "created_by": created_by,
            "hashed_files": {_file_name(n): hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
            "derived_files": ["nexus.xlsx", "nexus.gpkg"],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if target.exists():  # frozen meanwhile by someone else: same content, same hash
            verify_snapshot(target)
            return digest, target
        raise StoreError(M("Cannot write the nexus snapshot under {root}: {why}. Choose a writable directory.",
                           root=str(root), why=str(exc))) from exc
    return digest, target


def verify_snapshot(directory: str | Path) -> str:
    """Re-hash a snapshot's files and return its hash if it matches the manifest.

    Raises
    ------
    StoreError
        Naming the first file whose bytes differ from the manifest, or a hash that does not
        match the directory name.
    """
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files = {name: (directory / name).read_bytes() for name in manifest["hashed_files"]}
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(M("Snapshot {path} is unreadable ({why}); freeze it again.", path=str(directory), why=str(exc))) from exc
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != manifest["hashed_files"][name]:
            raise StoreError(M("Snapshot {path}: {name} has changed since it was frozen; freeze it again.",
                               path=str(directory), name=name))
    digest = content_hash({_table_name(n): b for n, b in files.items()})
    if digest != manifest["hash"] or digest != directory.name:
        raise StoreError(M("Snapshot {path}: content hash {digest} does not match its manifest or name.",
                           path=str(directory), digest=digest))
    return digest


def to_xlsx_bytes(tables: NexusTables, *, snapshot: str | None = None, lang: str = "en") -> bytes:
    """Return an XLSX workbook: a notice sheet, then one sheet per table (text neutralised).

    In English the sheets and headers are the table and column names; in another ``lang`` the sheet
    names, headers, notice and coded values are in that language (names, AINs and notes as recorded).
    """
    buf = io.BytesIO()
    notice = pd.DataFrame({"item": ["StageMap nexus study tables", "As of", "Snapshot hash", "Data",
                                    "Unit costs"],
                           "value": ["Executive Directive 17, section D", tables.as_of.isoformat(),
                                     snapshot or "not frozen", SYNTHETIC_SOURCE if tables.synthetic else "store data",
                                     PLACEHOLDER_NOTICE if tables.uses_placeholders else "all sourced"]})
    sheets = {"notice": notice, **tables.sheets()}
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            sheet = _xlsx_frame(frame, synthetic=tables.synthetic and name != "notice", lang=lang)
            if name == "notice" and lang != "en":
                sheet = sheet.map(lambda v: translate(v, lang) if isinstance(v, str) else v)
            sheet.to_excel(xl, sheet_name=_sheet_name(name, lang), index=False)
    return buf.getvalue()


def _sheet_name(name: str, lang: str) -> str:
    """Return the sheet's name: the table name in English, its title in another language (Excel: 31 characters)."""
    if lang == "en":
        return name
    return "".join(" " if c in "[]:*?/\\" else c for c in translate(SHEET_TITLES.get(name, name), lang))[:31]


def _in_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``frame`` with headers, generated text (messages) and coded values in ``lang`` (data as it is)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:  # the register's statements and sources: English text that remembers its template
            out[col] = out[col].map(lambda v: localise(v, lang) if isinstance(v, Message) else v)
        words = WORDS.get(str(col), {})
        if col in CODED or words:
            out[col] = out[col].map(lambda v, c=col, w=words: translate(w[v], lang) if isinstance(v, str) and v in w
                                    else code_label(v, c, lang) if isinstance(v, str) and c in CODED else v)
    if NOTICE_COLUMN in out:
        out[NOTICE_COLUMN] = translate(SYNTHETIC_SOURCE, lang)
    heads = [translate(HEADERS[c], lang) if c in HEADERS else column_header(c, lang) for c in out.columns]
    out.columns = [f"{h} ({c})" if heads.count(h) > 1 else h for h, c in zip(heads, out.columns, strict=True)]
    return out


def to_csv_zip_bytes(tables: NexusTables) -> bytes:
    """Return a zip of one CSV per table (geometry as WKT), through :func:`geo.io.export.to_csv_bytes`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, frame in tables.sheets().items():
            zf.writestr(export_name(f"nexus_{name}", "csv", synthetic=tables.synthetic),
                        to_csv_bytes(_plain_types(frame), synthetic=tables.synthetic))
    return buf.getvalue()


def to_gpkg_bytes(tables: NexusTables) -> bytes:
    """Return a GeoPackage: inventory (polygons) and ledger (points), the rest as attribute tables."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nexus.gpkg"
        for name, frame in tables.sheets().items():
            out = neutralise_frame(label(_plain_types(frame), synthetic=tables.synthetic))
            for col in out.columns:
                if col != "geometry" and out[col].dtype == object:
                    out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
            layer = f"SYNTHETIC_{name}" if tables.synthetic else name
            pyogrio.write_dataframe(out, path, layer=layer, driver="GPKG")
        return path.read_bytes()


# --- private steps -------------------------------------------------------------------------
def _canonical_csv(frame: pd.DataFrame, keys: list[str]) -> bytes:
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    if isinstance(frame, gpd.GeoDataFrame):
        geoms = np.asarray(frame.geometry.values, dtype=object)
        table["wkt"] = shapely.to_wkt(geoms, rounding_precision=7, trim=True)
    table = neutralise_frame(table)
    table = table.sort_values([k for k in keys if k in table.columns], kind="stable")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # "\n" alone leaves a bare "\r" unquoted
    writer.writerow(table.columns)
    for row in table.itertuples(index=False):
        values = [_canonical_value(v) for v in row]
        (quoted if any("\r" in v for v in values) else writer).writerow(values)
    return buf.getvalue().encode("utf-8")


def _canonical_value(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(round(float(value), 6) + 0.0)
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat())
    return str(value)


def _plain_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integers to floats and text to object, so every writer accepts the columns."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        if isinstance(out[col].dtype, pd.Int64Dtype):
            out[col] = out[col].astype("float64")
        elif pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _xlsx_frame(frame: pd.DataFrame, *, synthetic: bool, lang: str = "en") -> pd.DataFrame:
    """Return the sheet of ``frame``: text neutralised (no formulas, no control characters), cells cut to fit."""
    table = label(_plain_types(pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))), synthetic=synthetic)
    out = neutralise_frame(table if lang == "en" else _in_language(table, lang))
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_fit_cell)
    return out


def _fit_cell(value: object) -> object:
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        return value[:XLSX_CELL_LIMIT - 1] + "\u2026"
    return value


def _file_name(name: str) -> str:
    return f"{name}.json" if name == "parameters" else f"{name}.csv"


def _table_name(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0]
