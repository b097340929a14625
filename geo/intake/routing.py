"""A.3 routing: incident point -> City site (on it or within 150 ft) -> owning department -> its liaison."""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo import schema
from geo.analysis.snap import district_of_points
from geo.config import ANALYSIS_CRS
from geo.crs import lonlat_to_feet
from geo.errors import SchemaError
from geo.messages import M

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
    """City site polygons in EPSG:2229 with an STRtree, for bulk point queries (and districts to place reports)."""

    def __init__(self, sites: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame | None = None,
                 zones: dict[str, gpd.GeoDataFrame] | None = None) -> None:
        self.districts = districts.to_crs(ANALYSIS_CRS) if districts is not None and len(districts) else None
        #: other current boundary layers by the incident column they fill (lapd_area, neighborhood_council)
        self.zones = {col: frame.to_crs(ANALYSIS_CRS) for col, frame in (zones or {}).items() if len(frame)}
        feet = sites.to_crs(ANALYSIS_CRS) if len(sites) else sites
        self.site_ids = np.asarray(sites[schema.SITE_ID], dtype=object)
        self.departments = np.asarray(sites[schema.OWNING_DEPT], dtype=object)
        self.geoms = np.asarray(feet.geometry.values, dtype=object) if len(sites) else np.array([], dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def district_at(self, lon: float, lat: float) -> int | None:
        """Return the council district a point falls in (``None`` outside every district or without districts)."""
        if self.districts is None:
            return None
        x, y = lonlat_to_feet(np.array([lon], float), np.array([lat], float))
        found = district_of_points(shapely.points(x, y), self.districts)[0]
        return None if found is None else int(found)

    def zones_at(self, lon: float, lat: float) -> dict[str, int | None]:
        """Return the LAPD division and neighbourhood council (by column name) a point falls in (``None`` outside)."""
        x, y = lonlat_to_feet(np.array([lon], float), np.array([lat], float))
        point = shapely.points(x, y)[0]
        out: dict[str, int | None] = {}
        for col, frame in self.zones.items():
            key = {schema.LAPD_AREA: schema.LAPD_AREA, schema.NEIGHBORHOOD_COUNCIL: schema.NC_ID}[col]
            hit = np.flatnonzero(shapely.intersects(np.asarray(frame.geometry.values, dtype=object), point))
            out[col] = int(frame[key].iloc[hit[0]]) if len(hit) else None
        return out

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


def make_route(match: SiteMatch | None, department: str | None,
               liaison: tuple[str, str | None] | None) -> Route:
    """Return where a report goes: its site, the department, and that department's liaison (if any)."""
    site_id = match.site_id if match else None
    distance = match.distance_ft if match else None
    if not department or department == schema.UNASSIGNED:
        return Route(site_id, department, distance, None, None)
    name, email = liaison if liaison else (None, None)
    routed_to = f"{LIAISON_TITLE}, {department}: " + (name or "no liaison on file, set one with `stagemap liaisons load`")
    return Route(site_id, department, distance, routed_to, email)


def synthetic_liaison_email(department: str) -> str:
    """Return the placeholder address of a synthetic store's liaison (``.invalid``: never deliverable)."""
    return f"liaison.{_slug(department)}@example.invalid"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "department"


def read_liaisons_csv(path: str | Path) -> list[tuple[str, str, str | None]]:
    """Read ``department, liaison_name, liaison_email`` rows from a CSV.

    Raises
    ------
    SchemaError
        Naming the row, the column and the fix.
    """
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise SchemaError(M("{path}: cannot read the file ({why}); check the path.", path=str(path),
                            why=exc.strerror)) from None
    with fh:
        reader = csv.DictReader(fh)
        header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        missing = [c for c in ("department", "liaison_name") if c not in header]
        if missing:
            raise SchemaError(M("{path}: no {columns} column; the header needs department, liaison_name, "
                                "liaison_email.", path=str(path), columns=", ".join(missing)))
        rows: list[tuple[str, str, str | None]] = []
        for n, rec in enumerate(reader, start=2):
            dept = (rec.get(header["department"]) or "").strip()
            name = (rec.get(header["liaison_name"]) or "").strip()
            email = (rec.get(header.get("liaison_email", ""), "") or "").strip() or None
            if not dept or not name:
                raise SchemaError(M("{path} row {row}: department and liaison_name are required; fill both.",
                                    path=str(path), row=n))
            if email and "@" not in email:
                raise SchemaError(M("{path} row {row}, liaison_email: {email} is not an email address.",
                                    path=str(path), row=n, email=repr(email)))
            rows.append((dept, name, email))
    return rows
