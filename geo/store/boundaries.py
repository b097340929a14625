"""Boundary sets with a vintage: council districts, LAPD divisions, neighbourhood councils.

Each import of boundaries is stored as a named, write-once set (``boundary_sets`` and its features
in ``boundaries``). One set per kind is current: it is mirrored into the kind's layer (``districts``,
``lapd_areas``, ``neighborhood_councils``), and making a set current re-assigns the district (or
division, or council) of every stored parcel, site and incident by location, all in one audited
transaction. Readers keep working meanwhile (they see the old or the new state, never a mix).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import DISPLAY_CRS
from geo.crs import feet_to_lonlat
from geo.errors import StoreError
from geo.messages import M, Message
from geo.records import BoundaryResult, BoundarySet, ImportRecord
from geo.store.audit import AuditItem, append_audit, append_audit_many, now_utc
from geo.store.layers import LayerStore
from geo.store.values import (
    BOUND,
    BOUNDARY_SET_COLUMNS,
    BUMP_DATA_VERSION,
    frame_digest,
    geometry_digest,
    now_seconds,
    read_bound,
)

SET_COLUMNS = BOUNDARY_SET_COLUMNS
KINDS = {b.kind: b for b in schema.BOUNDARY_KINDS.values()}
#: Each kind's name in a note (``council districts``), as a word shown in the reader's language.
KIND_WORDS: dict[str, Message] = {"council_districts": M("council districts"), "lapd_divisions": M("LAPD divisions"),
                                  "neighborhood_councils": M("neighborhood councils")}
#: Where each re-assigned layer's location comes from.
_POINT_COLUMNS = {schema.PARCELS: (schema.CENTROID_X_FT, schema.CENTROID_Y_FT)}


class BoundaryStore(LayerStore):
    """Store, list and switch boundary sets (see the module docstring)."""

    def read_boundary_sets(self, kind: str | None = None) -> pd.DataFrame:
        """Return the stored boundary sets (one row each, oldest import first), of one kind or all."""
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        with self.read() as con:
            rows = con.execute(f"SELECT {', '.join(SET_COLUMNS)} FROM boundary_sets {where} "
                               "ORDER BY imported_at, set_id", params).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(SET_COLUMNS))
        return frame.astype({"is_current": bool, "is_synthetic": bool}) if len(frame) else frame

    def read_boundaries(self, set_id: str) -> gpd.GeoDataFrame:
        """Return one set's features: ``code``, ``name`` and geometry in EPSG:4326, by code."""
        with self.read() as con:
            rows = con.execute(f"SELECT code, name, {self._geom_sql()} FROM boundaries WHERE set_id = ? ORDER BY code",
                               (set_id,)).fetchall()
        geoms = self._decode_geoms([r[2] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame({"code": [int(r[0]) for r in rows], "name": [r[1] for r in rows]},
                                geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))

    def add_boundary_set(self, spec: BoundarySet, features: gpd.GeoDataFrame, *, make_current: bool, user: str,
                         role: str = "admin", source: str = "cli", os_user: str | None = None,
                         record: ImportRecord | None = None) -> BoundaryResult:
        """Store ``features`` (``code``, ``name``, MultiPolygons in EPSG:4326) as a new set; switch to it if asked.

        A set with the same features already stored is not stored twice (it is switched to when
        ``make_current``). When the kind has no set yet but its layer holds boundaries (imported
        before sets existed), those are kept first as the current set they are. ``record`` (the
        file's import record) is logged with the set.

        Raises
        ------
        StoreError
            When the kind is unknown, the features are not canonical, or synthetic and real data
            would mix; nothing is written.
        """
        kind = _kind(spec.kind)
        codes = [int(c) for c in features["code"]]
        geoms = _multi(np.asarray(features.geometry.values, dtype=object))
        if len(set(codes)) != len(codes) or not len(codes):
            raise StoreError(M("boundary set {set_id}: codes must be unique and present; dissolve first.",
                               set_id=repr(spec.set_id)))
        _, digest = geometry_digest(codes, geoms)
        with self.write() as con:
            self._refuse_mixing(con, spec.is_synthetic)
            con.execute("INSERT INTO store_meta (key, value) VALUES ('is_synthetic', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("1" if spec.is_synthetic else "0",))
            same = con.execute("SELECT set_id FROM boundary_sets WHERE kind = ? AND sha256 = ?",
                               (spec.kind, digest)).fetchone()
            if same is not None:
                done = self._switch(con, str(same[0]), user=user, role=role, source=source, os_user=os_user) \
                    if make_current else None
                current = done is not None or self._current_id(con, spec.kind) == str(same[0])
                return _result(str(same[0]), spec.kind, done, created=False, current=current,
                               notes=(M("the same {kinds} are already stored as set {set_id}", kinds=kind_word(kind),
                                        set_id=repr(same[0])),))
            adopted = self._adopt_layer(con, kind, user=user, role=role, source=source, os_user=os_user)
            set_id = self._free_id(con, spec.set_id)
            row = {"set_id": set_id, "kind": spec.kind, "name": spec.name, "vintage": spec.vintage,
                   "effective": spec.effective, "features": len(codes), "sha256": digest, "is_current": 0,
                   "is_synthetic": int(spec.is_synthetic), "source": spec.source, "imported_at": now_utc(),
                   "imported_by": user, "made_current_at": None, "made_current_by": None}
            con.execute(f"INSERT INTO boundary_sets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        tuple(row.values()))
            sql, values = self._geom_values(geoms)
            con.executemany(f"INSERT INTO boundaries (set_id, code, name, geom) VALUES (?, ?, ?, {sql})",
                            [(set_id, c, None if pd.isna(n) else str(n), v)
                             for c, n, v in zip(codes, features["name"], values, strict=True)])
            append_audit(con, actor=user, role=role, action="boundary_set.create", entity="boundary_sets",
                         entity_id=set_id, old=None, new={k: row[k] for k in ("kind", "name", "vintage", "features",
                                                                              "sha256", "is_current")},
                         source=source, os_user=os_user, row=read_bound(con, BOUND["boundary_sets"], set_id))
            if record is not None:
                con.execute("INSERT INTO import_log (kind, source, sha256, n_read, n_accepted, n_repaired, n_rejected, "
                            "imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?)",
                            (record.kind, record.source, record.sha256, record.n_read, record.n_accepted,
                             record.n_repaired, record.n_rejected, now_seconds(), record.user))
            con.execute(BUMP_DATA_VERSION)
            done = self._switch(con, set_id, user=user, role=role, source=source, os_user=os_user) \
                if make_current else None
        notes = (M("the {kinds} stored before boundary sets were kept as set {set_id}", kinds=kind_word(kind),
                   set_id=repr(adopted)),) if adopted else ()
        return _result(set_id, spec.kind, done, created=True, current=done is not None, notes=notes,
                       previous=adopted)

    def make_boundary_current(self, set_id: str, *, user: str, role: str = "admin", source: str = "cli",
                              os_user: str | None = None) -> BoundaryResult:
        """Make a stored set current: mirror it into its layer and re-assign every parcel, site and incident.

        Raises
        ------
        StoreError
            When no set has this id (the message lists the stored ones).
        """
        with self.write() as con:
            found = con.execute("SELECT kind FROM boundary_sets WHERE set_id = ?", (set_id,)).fetchone()
            if found is None:
                known = [str(r[0]) for r in con.execute("SELECT set_id FROM boundary_sets ORDER BY set_id").fetchall()]
                raise StoreError(M("No boundary set {set_id}; stored sets: {sets}. List them with "
                                   "`stagemap boundaries list`.", set_id=repr(set_id),
                                   sets=", ".join(known) or M("none")))
            done = self._switch(con, set_id, user=user, role=role, source=source, os_user=os_user)
        return _result(set_id, str(found[0]), done, created=False, current=True)

    def adopt_boundary_layers(self, *, user: str, role: str = "admin", source: str = "system",
                              os_user: str | None = None, label: str | None = None) -> list[str]:
        """Keep each kind's layer, filled before any set of its kind existed, as that kind's current set.

        Nothing is re-assigned: the layer already is what the rows were assigned from. Returns the
        sets created (none when every kind already has a set or an empty layer).
        """
        with self.write() as con:
            made = [s for kind in KINDS.values()
                    if (s := self._adopt_layer(con, kind, user=user, role=role, source=source, os_user=os_user,
                                               label=label))]
            if made:
                con.execute(BUMP_DATA_VERSION)
        return made

    # --- private steps -------------------------------------------------------------------------
    def _current_id(self, con: Any, kind: str) -> str | None:
        row = con.execute("SELECT set_id FROM boundary_sets WHERE kind = ? AND is_current = 1", (kind,)).fetchone()
        return None if row is None else str(row[0])

    def _free_id(self, con: Any, wanted: str) -> str:
        set_id, n = wanted, 1
        while con.execute("SELECT 1 FROM boundary_sets WHERE set_id = ?", (set_id,)).fetchone():
            n += 1
            set_id = f"{wanted} ({n})"
        return set_id

    def _geom_values(self, geoms: np.ndarray) -> tuple[str, list[Any]]:
        """Return (SQL placeholder expression, stored values) for polygons, as the backend stores them."""
        multi = _multi(geoms)
        if self.backend == "postgresql":
            return "ST_SetSRID(ST_GeomFromWKB(?), 4326)", list(shapely.to_wkb(multi, byte_order=1, flavor="iso"))
        from geo.store.gpkg import to_gpkg_blobs

        return "?", list(to_gpkg_blobs(multi))

    def _adopt_layer(self, con: Any, kind: schema.BoundaryKind, *, user: str, role: str, source: str,
                     os_user: str | None, label: str | None = None) -> str | None:
        """Keep a layer filled before boundary sets existed as the kind's current set (once)."""
        if con.execute("SELECT 1 FROM boundary_sets WHERE kind = ?", (kind.kind,)).fetchone():
            return None
        rows = con.execute(f'SELECT "{kind.code}", "{kind.name}", {self._geom_sql()}, "{schema.IS_SYNTHETIC}", '
                           f'"{schema.SOURCE}" FROM "{kind.layer}" ORDER BY "{kind.code}"').fetchall()
        if not rows:
            return None
        vintage = None
        if kind.layer == schema.DISTRICTS:
            found = con.execute(f'SELECT MAX("{schema.VINTAGE}") FROM "{schema.DISTRICTS}"').fetchone()
            vintage = None if found is None or found[0] is None else str(found[0])
        geoms = self._decode_geoms([r[2] for r in rows])
        codes = [int(r[0]) for r in rows]
        set_id = self._free_id(con, f"{kind.kind} {label or 'as stored before boundary sets'}")
        row = {"set_id": set_id, "kind": kind.kind, "name": str(rows[0][4]), "vintage": vintage, "effective": None,
               "features": len(rows), "sha256": geometry_digest(codes, geoms)[1], "is_current": 1,
               "is_synthetic": int(bool(rows[0][3])), "source": str(rows[0][4]), "imported_at": now_utc(),
               "imported_by": user, "made_current_at": now_utc(), "made_current_by": user}
        con.execute(f"INSERT INTO boundary_sets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
        sql, values = self._geom_values(geoms)
        con.executemany(f"INSERT INTO boundaries (set_id, code, name, geom) VALUES (?, ?, ?, {sql})",
                        [(set_id, c, r[1], v) for c, r, v in zip(codes, rows, values, strict=True)])
        append_audit(con, actor=user, role=role, action="boundary_set.create", entity="boundary_sets",
                     entity_id=set_id, old=None, new={"kind": kind.kind, "adopted_from": kind.layer,
                                                      "features": len(rows), "sha256": row["sha256"], "is_current": 1},
                     source=source, os_user=os_user, row=read_bound(con, BOUND["boundary_sets"], set_id))
        return set_id

    def _switch(self, con: Any, set_id: str, *, user: str, role: str, source: str,
                os_user: str | None) -> tuple[str | None, dict[str, int], dict[str, int]]:
        """Make ``set_id`` current inside the caller's transaction; return (previous set, moved, checked)."""
        kind_name, vintage, synthetic = con.execute(
            "SELECT kind, vintage, is_synthetic FROM boundary_sets WHERE set_id = ?", (set_id,)).fetchone()
        kind = _kind(str(kind_name))
        previous = self._current_id(con, kind.kind)
        features = self._features(con, set_id)
        layer = _mirror_frame(kind, features, vintage=vintage, synthetic=bool(synthetic), source=set_id)
        items: list[AuditItem] = []
        if previous is not None and previous != set_id:
            con.execute("UPDATE boundary_sets SET is_current = 0 WHERE set_id = ?", (previous,))
            items.append(AuditItem("boundary_set.retire", "boundary_sets", previous, {"is_current": 1},
                                   {"is_current": 0, "replaced_by": set_id},
                                   read_bound(con, BOUND["boundary_sets"], previous)))
        con.execute("UPDATE boundary_sets SET is_current = 1, made_current_at = ?, made_current_by = ? WHERE set_id = ?",
                    (now_utc(), user, set_id))
        self._write_layer(con, kind.layer, layer, mode="replace")
        moved, checked, rebound = self._reassign(con, kind, features)
        items += [AuditItem("incident.reassign", schema.INCIDENTS, incident_id, None,
                            {kind.target: "re-assigned by location", "set": set_id},
                            read_bound(con, BOUND[schema.INCIDENTS], incident_id, geom_sql=self._geom_sql(),
                                       decode=self._decode_geoms)) for incident_id in rebound]
        items.append(AuditItem("boundary.current", "boundary_sets", set_id, {"current": previous},
                               {"kind": kind.kind, "current": set_id, "is_current": 1, "moved": moved, "checked": checked,
                                "digests": {kind.layer: frame_digest(kind.layer, layer)}},
                               read_bound(con, BOUND["boundary_sets"], set_id)))
        append_audit_many(con, items, actor=user, role=role, source=source, os_user=os_user)
        con.execute(BUMP_DATA_VERSION)
        return previous, moved, checked

    def _features(self, con: Any, set_id: str) -> gpd.GeoDataFrame:
        rows = con.execute(f"SELECT code, name, {self._geom_sql()} FROM boundaries WHERE set_id = ? ORDER BY code",
                           (set_id,)).fetchall()
        geoms = self._decode_geoms([r[2] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame({"code": [int(r[0]) for r in rows], "name": [r[1] for r in rows]},
                                geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))

    def _reassign(self, con: Any, kind: schema.BoundaryKind, features: gpd.GeoDataFrame
                  ) -> tuple[dict[str, int], dict[str, int], list[str]]:
        """Set ``kind.target`` of every parcel, site and incident from the set by location; return what moved."""
        tree = shapely.STRtree(np.asarray(features.geometry.values, dtype=object))
        codes = features["code"].to_numpy()
        names = dict(zip(features["code"], features["name"], strict=True))
        moved: dict[str, int] = {}
        checked: dict[str, int] = {}
        rebound: list[str] = []
        for layer in (schema.PARCELS, schema.SITES, schema.INCIDENTS):
            key = schema.LAYER_KEYS[layer]
            keys, points, stored, sources = self._locations(con, layer, kind.target)
            found = np.full(len(keys), None, dtype=object)
            if len(keys):
                src, hit = tree.query(points, predicate="within")
                first = pd.Series(hit, index=src).groupby(level=0).first()
                found[first.index.to_numpy()] = codes[first.to_numpy()]
            changed = [i for i in range(len(keys)) if _differs(stored[i], found[i])]
            checked[layer], moved[layer] = len(keys), len(changed)
            if not changed:
                continue
            new = [None if found[i] is None else int(found[i]) for i in changed]
            if layer == schema.INCIDENTS and kind.target == schema.LAPD_AREA:
                con.executemany(f'UPDATE "{layer}" SET "{kind.target}" = ?, "{schema.AREA_NAME}" = ? WHERE "{key}" = ?',
                                [(v, None if v is None else names.get(v), keys[i]) for v, i in zip(new, changed)])
            else:
                con.executemany(f'UPDATE "{layer}" SET "{kind.target}" = ? WHERE "{key}" = ?',
                                [(v, keys[i]) for v, i in zip(new, changed)])
            if layer == schema.INCIDENTS:
                rebound = [keys[i] for i in changed if str(sources[i] or "").startswith("incident intake (")]
        return moved, checked, rebound

    def _locations(self, con: Any, layer: str, target: str) -> tuple[list[str], np.ndarray, list[object], list[object]]:
        """Return (keys, EPSG:4326 points, stored target values, sources) of every row of ``layer``."""
        key = schema.LAYER_KEYS[layer]
        if layer in _POINT_COLUMNS:
            x, y = _POINT_COLUMNS[layer]
            rows = con.execute(f'SELECT "{key}", "{target}", "{schema.SOURCE}", "{x}", "{y}" FROM "{layer}"').fetchall()
            lon, lat = feet_to_lonlat(np.array([r[3] for r in rows], float), np.array([r[4] for r in rows], float))
            points = shapely.points(np.asarray(lon), np.asarray(lat)) if rows else np.array([], dtype=object)
        else:
            rows = con.execute(f'SELECT "{key}", "{target}", "{schema.SOURCE}", {self._geom_sql()} '
                               f'FROM "{layer}"').fetchall()
            geoms = self._decode_geoms([r[3] for r in rows]) if rows else np.array([], dtype=object)
            points = shapely.point_on_surface(geoms) if rows else geoms
        return [str(r[0]) for r in rows], np.asarray(points, dtype=object), [r[1] for r in rows], [r[2] for r in rows]


def _multi(geoms: np.ndarray) -> np.ndarray:
    """Return polygons as MultiPolygons, the type every boundary is stored (and digested) as."""
    return np.array([g if g.geom_type == "MultiPolygon" else shapely.multipolygons([g]) for g in geoms], dtype=object)


def _kind(name: str) -> schema.BoundaryKind:
    if name not in KINDS:
        raise StoreError(M("boundary kind {kind} is unknown; use one of {kinds}.", kind=repr(name),
                           kinds=", ".join(KINDS)))
    return KINDS[name]


def _differs(stored: object, found: object) -> bool:
    a = None if stored is None or (isinstance(stored, float) and np.isnan(stored)) else int(stored)  # type: ignore[call-overload]
    b = None if found is None else int(found)  # type: ignore[call-overload]
    return a != b


def _mirror_frame(kind: schema.BoundaryKind, features: gpd.GeoDataFrame, *, vintage: object, synthetic: bool,
                  source: str) -> gpd.GeoDataFrame:
    """Return the set as the canonical frame of the kind's layer (what every page and import reads)."""
    data: dict[str, Sequence[object]] = {c.name: [None] * len(features) for c in schema.LAYER_COLUMNS[kind.layer]}
    data[kind.code] = [int(c) for c in features["code"]]
    data[kind.name] = list(features["name"])
    if schema.VINTAGE in data:
        data[schema.VINTAGE] = [None if vintage is None else str(vintage)] * len(features)
    data[schema.IS_SYNTHETIC] = [synthetic] * len(features)
    data[schema.SOURCE] = [f"boundary set {source}"] * len(features)
    return gpd.GeoDataFrame(data, geometry=features.geometry.values, crs=DISPLAY_CRS)


def _result(set_id: str, kind: str, done: tuple[str | None, dict[str, int], dict[str, int]] | None, *,
            created: bool, current: bool, notes: tuple[str, ...] = (), previous: str | None = None) -> BoundaryResult:
    if done is None:
        return BoundaryResult(set_id, kind, created=created, current=current, previous=previous, notes=notes)
    prev, moved, checked = done
    return BoundaryResult(set_id, kind, created=created, current=True, previous=prev, moved=moved, checked=checked,
                          notes=notes)


def boundary_findings(con: Any, geom_sql: str, decode: Any) -> list[str]:
    """Return how stored boundary features differ from the digest their set recorded (empty when none do).

    A set's row is bound to the audit chain; its ``sha256`` covers the codes and geometry of its
    features, so a feature added, removed, re-coded or moved outside StageMap is found here.
    """
    sets = {str(r[0]): (int(r[1]), str(r[2])) for r in con.execute(
        "SELECT set_id, features, sha256 FROM boundary_sets").fetchall()}
    rows = con.execute(f"SELECT set_id, code, {geom_sql} FROM boundaries ORDER BY set_id, code").fetchall()
    by_set: dict[str, list[tuple[int, Any]]] = {}
    for set_id, code, geom in rows:
        by_set.setdefault(str(set_id), []).append((int(code), geom))
    findings: list[str] = [M("boundaries of set {set_id}: no such boundary set; the features were inserted outside "
                             "StageMap", set_id=repr(s)) for s in sorted(set(by_set) - set(sets))]
    for set_id, (count, digest) in sorted(sets.items()):
        feats = by_set.get(set_id, [])
        geoms = decode([g for _, g in feats]) if feats else np.array([], dtype=object)
        n, got = geometry_digest([c for c, _ in feats], geoms)
        if got != digest or n != count:
            findings.append(M("boundary set {set_id}: its {n} stored features differ from the {count} it was imported "
                              "with; features were added, removed, re-coded or moved outside StageMap",
                              set_id=repr(set_id), n=n, count=count))
    return findings


def kind_word(kind: schema.BoundaryKind) -> str:
    """Return the kind's name for a note (``council districts``), translated with the note."""
    return KIND_WORDS.get(kind.kind, kind.label)
