"""Import one file into the store: safety checks, read, validate, canonicalise, one atomic write."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geopandas as gpd

from geo import schema as S
from geo.config import ImportLimits
from geo.errors import SchemaError
from geo.io import importers as I
from geo.io.readers import read_source
from geo.io.sites import canonical_sites, derive_sites_from_parcels, replaced_derived_ids
from geo.io.validate import Issue
from geo.records import ImportRecord, WriteResult

DEFAULT_LIMITS = ImportLimits()
_CANONICAL = {
    S.PARCELS: I.canonical_parcels, S.SITES: canonical_sites, S.INCIDENTS: I.canonical_incidents,
    S.DISTRICTS: I.canonical_districts, S.PARKS: I.canonical_parks,
}
SUMMARY_LIMIT = 100


@dataclass
class IngestReport:
    """What one import read, accepted, repaired and rejected (with reasons), and what it wrote."""

    kind: str
    source: str
    fmt: str
    crs: str | None
    n_read: int
    n_accepted: int
    repaired: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: dict[str, WriteResult] = field(default_factory=dict)

    def summary(self, *, limit: int = SUMMARY_LIMIT) -> str:
        """Return the text ``stagemap import`` prints: counts, then each repair and rejection with its reason."""
        crs = f", {self.crs} -> EPSG:4326" if self.crs else ""
        lines = [f"{self.source} ({self.kind}, {self.fmt}{crs}): read {self.n_read:,}, accepted "
                 f"{self.n_accepted:,}, repaired {len(self.repaired):,}, rejected {len(self.rejected):,}"]
        for title, issues in (("repaired", self.repaired), ("rejected", self.rejected)):
            if issues:
                lines.append(f"{title}:")
                lines.extend(f"  {i}" for i in issues[:limit])
                if len(issues) > limit:
                    lines.append(f"  ... and {len(issues) - limit:,} more {title} rows")
        lines.extend(f"note: {n}" for n in self.notes)
        if self.written:
            lines.append("written: " + "; ".join(f"{w.layer} {w.inserted:,} new, {w.updated:,} updated"
                                                 for w in self.written.values()))
        return "\n".join(lines)


def ingest_file(store: object, kind: str, path: str | Path, *, crs: str | None = None,
                department: str | None = None, user: str | None = None,
                limits: ImportLimits = DEFAULT_LIMITS, invalid: str = "repair") -> IngestReport:
    """Validate ``path`` as ``kind`` and write its accepted rows to ``store`` in one transaction.

    Parcels also yield derived City sites while the store has no asset-list sites; an asset
    list replaces derived sites with the same AINs.

    Raises
    ------
    GeoDataError
        For a rejected file (unreadable, unsafe, no or wrong CRS, missing columns, no acceptable
        feature); the store is left exactly as it was.
    """
    if kind not in _CANONICAL:
        raise SchemaError(f"import kind {kind!r} is unknown; use one of {', '.join(S.IMPORT_KINDS)}.")
    path = Path(path)
    raw = read_source(path, crs=crs, limits=limits)
    if not len(raw.frame):
        raise SchemaError(f"{path.name}: the file has no rows or features. Export the data again.")
    ctx = I.ImportContext(
        source=path.name, now=dt.datetime.now(dt.UTC), department=department, invalid=invalid,
        districts=_layer(store, S.DISTRICTS, [S.DISTRICT]), lapd_areas=_layer(store, S.LAPD_AREAS, [S.LAPD_AREA]),
        parcels=cache(lambda: store.read_layer(S.PARCELS)),
    )
    result = _CANONICAL[kind](raw, ctx)
    I.raise_if_nothing(result, path.name)
    frames: dict[str, gpd.GeoDataFrame] = {result.layer: result.frame}
    notes = list(result.notes)
    replaced: list[str] = []
    stored_sites = _layer(store, S.SITES, [S.SITE_ID, S.SITE_ORIGIN])
    if kind == S.PARCELS and not _has_asset_sites(stored_sites):
        derived = derive_sites_from_parcels(result.frame)
        if len(derived):
            frames[S.SITES] = derived
            notes.append(f"{len(derived):,} City-owned parcels inside the City became derived sites "
                         "(department 'unassigned' until an asset list names it)")
    if kind == S.SITES and stored_sites is not None and len(stored_sites):
        derived_ids = stored_sites.loc[stored_sites[S.SITE_ORIGIN] == "derived_from_parcels", S.SITE_ID]
        replaced = replaced_derived_ids(result.frame, derived_ids)
    record = ImportRecord(kind=kind, source=path.name, sha256=_sha256(path), n_read=result.n_read,
                          n_accepted=len(result.frame), n_repaired=len(result.repaired),
                          n_rejected=len(result.rejected), user=user)
    written = store.write_layers(frames, mode="upsert", record=record,
                                 delete={S.SITES: replaced} if replaced else None)
    if replaced:
        notes.append(f"{len(replaced)} derived sites replaced by this asset list: {', '.join(replaced[:10])}")
    return IngestReport(kind=kind, source=path.name, fmt=raw.fmt, crs=raw.crs, n_read=result.n_read,
                        n_accepted=len(result.frame), repaired=result.repaired, rejected=result.rejected,
                        notes=notes, written=written)


def _layer(store: object, layer: str, columns: list[str]) -> gpd.GeoDataFrame | None:
    frame = store.read_layer(layer, columns=columns)
    return frame if len(frame) else None


def _has_asset_sites(sites: gpd.GeoDataFrame | None) -> bool:
    return sites is not None and bool((sites[S.SITE_ORIGIN] == "asset_list").any())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
