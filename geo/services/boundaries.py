"""Boundary sets through the one door: import a vintage, warn on an older one, switch sets (admins).

``stagemap import districts|lapd_divisions|neighborhood_councils FILE [--vintage V] [--make-current]``
stores the file as a named set with its vintage. The first set of a kind, or one newer than the
current set, becomes current at once; one that looks older (an earlier vintage or older Effective
dates), or whose vintage cannot be told, is stored but not made current: it warns and needs
``--make-current``. Making a set current re-assigns every parcel, site and incident in one
transaction and reports how many moved.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.access.roles import Actor, authorize
from geo.errors import SchemaError
from geo.io.boundaries import EFFECTIVE, file_vintage, vintage_key
from geo.io.ingest import ImportPlan, IngestReport
from geo.messages import M
from geo.records import BoundaryResult, BoundarySet, WriteResult
from geo.store import Store
from geo.store.boundaries import kind_word

#: How a warning note starts (pages show such notes as warnings).
WARNING = "WARNING: "


def write_boundaries(store: Store, actor: Actor, kind: str, plan: ImportPlan, *, vintage: str | None = None,
                     make_current: bool = False) -> IngestReport:
    """Store a planned boundary import as a set, make it current when it should be, and report what moved.

    Raises
    ------
    AccessDenied
        When the actor is not an admin.
    SchemaError
        When ``vintage`` is given but is neither a year nor a date.
    """
    authorize(actor, "import_data")
    bkind = schema.BOUNDARY_KINDS[kind]
    frame = plan.frames[bkind.layer]
    if vintage is not None and vintage_key(vintage) is None:
        raise SchemaError(M("--vintage {vintage} is neither a plan year nor a date; write 2021 or 2012-07-01.",
                            vintage=repr(vintage)))
    given = vintage or file_vintage(frame)
    spec = BoundarySet(set_id=f"{bkind.kind} {given or Path(plan.record.source).stem}", kind=bkind.kind,
                       name=plan.record.source, vintage=given, effective=_latest(frame),
                       is_synthetic=bool(frame[schema.IS_SYNTHETIC].any()), source=plan.record.source)
    switch, warnings = decide_current(store, bkind, given, make_current=make_current)
    features = gpd.GeoDataFrame({"code": frame[bkind.code].astype(int).to_numpy(), "name": frame[bkind.name].to_numpy()},
                                geometry=frame.geometry.values, crs=frame.crs)
    result = store.add_boundary_set(spec, features, make_current=switch, user=actor.name, role=actor.role,
                                    source=actor.source, os_user=actor.os_user, record=plan.record)
    report = plan.report
    report.notes += [*(M("WARNING: {warning}", warning=w) for w in warnings), *result.summary_lines(note_prefix=False)]
    report.written = {bkind.layer: WriteResult(bkind.layer, inserted=len(features) if result.current else 0,
                                               updated=0)}
    return report


def decide_current(store: Store, bkind: schema.BoundaryKind, vintage: str | None, *,
                   make_current: bool) -> tuple[bool, list[str]]:
    """Return whether a new set of ``vintage`` becomes current, and the warnings to print."""
    current = _current(store, bkind)
    if current is None:
        return True, []
    name, held = current
    new_key, held_key = vintage_key(vintage), vintage_key(held)
    if new_key is not None and held_key is not None and new_key > held_key:
        return True, []
    if new_key is not None and held_key is not None and new_key < held_key:
        why = M("this {kinds} set (vintage {vintage}) looks OLDER than the current set {name} (vintage {held})",
                kinds=kind_word(bkind), vintage=vintage, name=repr(name), held=held)
    elif new_key is not None and held_key is not None:
        why = M("this {kinds} set has the same vintage ({vintage}) as the current set {name}", kinds=kind_word(bkind),
                vintage=vintage, name=repr(name))
    else:
        why = M("cannot tell whether this {kinds} set (vintage {vintage}) is newer than the current set {name} "
                "(vintage {held}); give --vintage YEAR or DATE", kinds=kind_word(bkind),
                vintage=vintage or M("not given"), name=repr(name), held=held or M("not given"))
    if make_current:
        return True, [M("{why}; made current as asked (--make-current).", why=why)]
    return False, [M("{why}: stored, NOT made current; the current set stays. Pass --make-current to switch to it "
                     "(every parcel, site and incident is then re-assigned).", why=why)]


def make_current(store: Store, actor: Actor, set_id: str) -> BoundaryResult:
    """Make a stored set current (admins); every parcel, site and incident is re-assigned by location.

    Raises
    ------
    AccessDenied
        When the actor is not an admin.
    StoreError
        When no set has this id.
    """
    authorize(actor, "import_data")
    return store.make_boundary_current(set_id, user=actor.name, role=actor.role, source=actor.source,
                                       os_user=actor.os_user)


def boundary_sets(store: Store, kind: str | None = None) -> pd.DataFrame:
    """Return the stored sets (id, kind, vintage, features, current, when and by whom)."""
    sets = store.read_boundary_sets(kind)
    cols = ["set_id", "kind", "vintage", "effective", "features", "is_current", "imported_at", "imported_by",
            "made_current_at"]
    return sets[cols] if len(sets) else pd.DataFrame(columns=cols)


def _current(store: Store, bkind: schema.BoundaryKind) -> tuple[str, str | None] | None:
    """Return (name, vintage) of the kind's current set, or of the layer held before sets existed."""
    sets = store.read_boundary_sets(bkind.kind)
    if len(sets):
        live = sets[sets["is_current"]]
        if len(live):
            row = live.iloc[0]
            return str(row["set_id"]), None if pd.isna(row["vintage"]) else str(row["vintage"])
    layer = store.read_layer(bkind.layer, columns=[bkind.code, *([schema.VINTAGE] if bkind.layer == schema.DISTRICTS
                                                                 else [])])
    if not len(layer):
        return None
    held = layer[schema.VINTAGE].dropna().astype(str).max() if schema.VINTAGE in layer else None
    return f"{bkind.layer} as stored", None if pd.isna(held) else held


def _latest(frame: pd.DataFrame) -> str | None:
    if EFFECTIVE not in frame or not frame[EFFECTIVE].notna().any():
        return None
    return str(frame[EFFECTIVE].dropna().max())




def place_in_councils(store: Store, frames: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Return ``frames`` with a missing neighbourhood council filled by location in the current set.

    Council districts and LAPD divisions are placed by the importers; this does the same for the
    neighbourhood council of imported parcels, sites and incidents (by representative point).
    """
    return council_placer(store)(frames)


def council_placer(store: Store) -> Callable[[dict[str, gpd.GeoDataFrame]], dict[str, gpd.GeoDataFrame]]:
    """Return :func:`place_in_councils` for ``store`` with the current councils read once (for batch after batch)."""
    councils = store.read_layer(schema.NEIGHBORHOOD_COUNCILS, columns=[schema.NC_ID])
    if not len(councils):
        return lambda frames: frames
    tree = shapely.STRtree(np.asarray(councils.geometry.values, dtype=object))
    codes = councils[schema.NC_ID].to_numpy()
    return lambda frames: _placed(frames, tree, codes)


def _placed(frames: dict[str, gpd.GeoDataFrame], tree: shapely.STRtree,
            codes: np.ndarray) -> dict[str, gpd.GeoDataFrame]:
    out = dict(frames)
    for layer in (schema.PARCELS, schema.SITES, schema.INCIDENTS):
        frame = frames.get(layer)
        if frame is None or not len(frame) or schema.NEIGHBORHOOD_COUNCIL not in frame:
            continue
        missing = frame[schema.NEIGHBORHOOD_COUNCIL].isna().to_numpy()
        if not missing.any():
            continue
        points = shapely.point_on_surface(np.asarray(frame.geometry.values, dtype=object)[missing])
        src, hit = tree.query(points, predicate="within")
        first = pd.Series(hit, index=src).groupby(level=0).first()
        found = np.full(int(missing.sum()), None, dtype=object)
        found[first.index.to_numpy()] = codes[first.to_numpy()]
        filled = frame[schema.NEIGHBORHOOD_COUNCIL].astype("Int64").to_numpy(dtype=object, na_value=None)
        filled[missing] = found
        out[layer] = frame.assign(**{schema.NEIGHBORHOOD_COUNCIL: pd.array(filled, dtype="Int64")})
    return out


__all__ = ["IngestReport", "boundary_sets", "council_placer", "decide_current", "make_current", "place_in_councils",
           "write_boundaries"]
