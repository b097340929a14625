"""A.3 routing: incident point -> City site (on it or within 150 ft) -> owning department -> its liaison."""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import schema as S
from geo.config import ANALYSIS_CRS, SYNTHETIC_SOURCE
from geo.crs import lonlat_to_feet
from geo.errors import SchemaError
from geo.store.status import append_audit, now_utc

ADJACENT_FT = 150.0
LIAISON_TITLE = "Immigrant Affairs Liaison"


@dataclass(frozen=True)
class SiteMatch:
    """The City site an incident point falls on or next to."""

    site_id: str
    department: str
    distance_ft: float

    @property
    def relation(self) -> str:
        """``'on site'`` or ``'adjacent'`` (within 150 ft)."""
        return "on site" if self.distance_ft == 0 else "adjacent"


@dataclass(frozen=True)
class Route:
    """Where a report goes: the site, its department and that department's liaison."""

    site_id: str | None
    department: str | None
    distance_ft: float | None
    routed_to: str | None
    liaison_email: str | None


class SiteIndex:
    """City site polygons in EPSG:2229 with an STRtree, for bulk point queries."""

    def __init__(self, sites: gpd.GeoDataFrame) -> None:
        feet = sites.to_crs(ANALYSIS_CRS) if len(sites) else sites
        self.site_ids = np.asarray(sites[S.SITE_ID], dtype=object)
        self.departments = np.asarray(sites[S.OWNING_DEPT], dtype=object)
        self.geoms = np.asarray(feet.geometry.values, dtype=object) if len(sites) else np.array([], dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    @classmethod
    def from_store(cls, store: Any) -> SiteIndex:
        """Build the index from the store's sites layer."""
        return cls(store.read_layer(S.SITES, columns=[S.SITE_ID, S.OWNING_DEPT]))

    def geometry(self, site_id: str) -> shapely.Geometry | None:
        """Return one site's polygon in EPSG:2229 feet, or ``None``."""
        hit = np.flatnonzero(self.site_ids == site_id)
        return self.geoms[hit[0]] if len(hit) else None

    def match(self, lon: Sequence[float], lat: Sequence[float],
              max_ft: float = ADJACENT_FT) -> list[SiteMatch | None]:
        """Return, per point, the site it lies in or the nearest within ``max_ft`` (one bulk query)."""
        x, y = lonlat_to_feet(np.asarray(lon, float), np.asarray(lat, float))
        points = shapely.points(x, y)
        out: list[SiteMatch | None] = [None] * len(points)
        if not len(self.geoms) or not len(points):
            return out
        pi, si = self.tree.query(points, predicate="dwithin", distance=max_ft)
        dist = shapely.distance(points[pi], self.geoms[si])
        best: dict[int, tuple[float, int]] = {}
        for p, s, d in zip(pi.tolist(), si.tolist(), dist.tolist()):
            if p not in best or (d, self.site_ids[s]) < (best[p][0], self.site_ids[best[p][1]]):
                best[p] = (d, s)
        for p, (d, s) in best.items():
            out[p] = SiteMatch(str(self.site_ids[s]), str(self.departments[s]), round(float(d), 1))
        return out


def liaison_for(con: Any, department: str) -> tuple[str, str | None] | None:
    """Return ``(liaison name, email)`` for a department, or ``None`` when none is on file."""
    row = con.execute("SELECT liaison_name, liaison_email FROM department_liaisons WHERE department = ?",
                      (department,)).fetchone()
    return None if row is None else (str(row[0]), row[1])


def route(con: Any, match: SiteMatch | None, *, fallback_department: str | None = None,
          synthetic: bool = False, user: str = "system") -> Route:
    """Resolve a site match (or the reporter's department) to that department's liaison.

    A synthetic store gets a labelled placeholder liaison for a department without one.
    """
    department = match.department if match is not None else fallback_department
    if not department or department == S.UNASSIGNED:
        return Route(match.site_id if match else None, department, match.distance_ft if match else None,
                     None, None)
    found = liaison_for(con, department)
    if found is None and synthetic:
        found = seed_synthetic_liaison(con, department, user=user)
    name, email = found if found else (None, None)
    routed_to = f"{LIAISON_TITLE}, {department}: " + (name or "no liaison on file, set one with `stagemap liaisons load`")
    return Route(match.site_id if match else None, department, match.distance_ft if match else None,
                 routed_to, email)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "department"


def seed_synthetic_liaison(con: Any, department: str, *, user: str = "system") -> tuple[str, str]:
    """Insert a clearly synthetic placeholder liaison for ``department``; return (name, email)."""
    name = "SYNTHETIC placeholder liaison (not a real person)"
    email = f"liaison.{_slug(department)}@example.invalid"
    con.execute(
        "INSERT INTO department_liaisons (department, liaison_name, liaison_email, is_synthetic, source, "
        "updated_at) VALUES (?,?,?,?,?,?)", (department, name, email, 1, SYNTHETIC_SOURCE, now_utc()))
    append_audit(con, actor=user, role="admin", action="liaison.seed", entity="department_liaisons",
                 entity_id=department, old=None, new={"liaison_name": name, "synthetic": True}, source="system")
    return name, email


def load_liaisons_csv(store: Any, path: str | Path, *, user: str) -> int:
    """Load ``department, liaison_name, liaison_email`` rows from a CSV (replacing per department).

    Raises
    ------
    SchemaError
        Naming the row, the column and the fix; nothing is written.
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        missing = [c for c in ("department", "liaison_name") if c not in header]
        if missing:
            raise SchemaError(f"{path}: no {', '.join(missing)} column; the header needs department, "
                              "liaison_name, liaison_email.")
        rows = []
        for n, rec in enumerate(reader, start=2):
            dept = (rec.get(header["department"]) or "").strip()
            name = (rec.get(header["liaison_name"]) or "").strip()
            email = (rec.get(header.get("liaison_email", ""), "") or "").strip() or None
            if not dept or not name:
                raise SchemaError(f"{path} row {n}: department and liaison_name are required; fill both.")
            if email and "@" not in email:
                raise SchemaError(f"{path} row {n}, liaison_email: {email!r} is not an email address.")
            rows.append((dept, name, email))
    at = now_utc()
    with store.write() as con:
        for dept, name, email in rows:
            old = liaison_for(con, dept)
            con.execute("DELETE FROM department_liaisons WHERE department = ?", (dept,))
            con.execute(
                "INSERT INTO department_liaisons (department, liaison_name, liaison_email, is_synthetic, "
                "source, updated_at) VALUES (?,?,?,?,?,?)", (dept, name, email, 0, Path(path).name, at))
            append_audit(con, actor=user, role="admin", action="liaison.set", entity="department_liaisons",
                         entity_id=dept, old=None if old is None else {"liaison_name": old[0]},
                         new={"liaison_name": name, "liaison_email": email}, source="bulk_import")
    return len(rows)
