"""The A.1 determination, site control and site parts through the one door: role- and department-checked.

A liaison determines, records control of, and draws parts on their own department's sites;
planners and admins on any site. Signs and gates of a part are status (``edit_status``); its
type, determination and barrier are determination (``determine_site``). Stale saves merge field
by field like status saves (:func:`geo.services.status.save_with_merge`): a field both sides
changed comes back as a conflict and nothing is saved.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import shapely

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.labels import describe_edits
from geo.errors import AccessDenied, SchemaError, StatusConflict, StoreError
from geo.intake.bulk_determination import ALIASES, EXPECT, DeterminationRow, parse_row
from geo.intake.bulk_status import BulkStatusReport, RowResult, Sheet, match_header, read_sheet
from geo.intake.status_merge import comparable
from geo.io.parts import checked_part, drawn_geometry, parse_geometry
from geo.messages import M, join, message_of
from geo.records import Edit
from geo.services.status import SaveOutcome, save_merged, site_department, site_departments
from geo.store import Store

#: Part fields that are sign and gate status (``edit_status``); the rest are determination.
PART_STATUS_FIELDS = frozenset({schema.SIGN_STATUS, schema.SIGN_POSTED_ON, schema.GATE_STATUS, schema.LAST_INSPECTED,
                                schema.STATUS_NOTE})


def control_of(store: Store, site_id: str) -> dict[str, object]:
    """Return a site's control row as saved, or its defaults at version 0 (never read from a cache)."""
    saved = store.read_control()
    row = saved[saved[schema.SITE_ID] == site_id]
    if row.empty:
        return store.control_defaults(site_id)
    return {k: (None if _missing(v) else v) for k, v in row.iloc[0].to_dict().items()}


def part_of(store: Store, part_id: str) -> dict[str, object]:
    """Return a part's current row.

    Raises
    ------
    StoreError
        When the part does not exist.
    """
    parts = store.read_parts()
    row = parts[parts[schema.PART_ID] == part_id]
    if row.empty:
        raise StoreError(M("No part {part} in the store; check the part id (the Sites page lists them).",
                           part=repr(part_id)))
    return {k: (None if _missing(v) else v) for k, v in row.iloc[0].to_dict().items()}


def save_control(store: Store, actor: Actor, site_id: str, changes: dict[str, object], *,
                 expect_version: int) -> dict[str, object]:
    """Save a determination or control change as ``actor`` (liaisons: their own department's sites).

    Raises
    ------
    AccessDenied
        When the actor may not determine this site; nothing is written.
    StatusConflict
        When the site's control changed since ``expect_version``; nothing is written.
    """
    authorize(actor, "determine_site", department=site_department(store, site_id))
    return store.save_control(site_id, changes, expect_version=expect_version, user=actor.name, role=actor.role,
                              source=actor.source, os_user=actor.os_user)


def save_control_with_merge(store: Store, actor: Actor, site_id: str, *, base: Mapping[str, object],
                            mine: Mapping[str, object]) -> SaveOutcome:
    """Save the fields the user changed on ``base``, merged over newer edits field by field."""
    authorize(actor, "determine_site", department=site_department(store, site_id))
    return _merged(lambda changes, version: store.save_control(
        site_id, changes, expect_version=version, user=actor.name, role=actor.role, source=actor.source,
        os_user=actor.os_user), base, mine, label=M("Site {site}", site=site_id))


def add_part(store: Store, actor: Actor, site_id: str, *, part_type: str, geometry: str | shapely.Geometry,
             name: str | None = None, fields: Mapping[str, object] | None = None) -> dict[str, object]:
    """Draw a part of a site: its outline (WKT, GeoJSON or a shapely polygon in EPSG:4326) is checked and trimmed.

    Raises
    ------
    AccessDenied
        When the actor may not determine this site; nothing is written.
    GeoDataError
        When the outline is not a polygon inside the site, or a value is invalid; nothing is written.
    """
    authorize(actor, "determine_site", department=site_department(store, site_id))
    label = f"New {part_type.replace('_', ' ')} part of site {site_id}"
    geom = parse_geometry(geometry, label=label) if isinstance(geometry, str) else geometry
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID])
    site_geom = sites.geometry[sites[schema.SITE_ID] == site_id].iloc[0]
    trimmed, area = checked_part(site_geom, geom, label=label)
    row = {**dict(fields or {}), schema.SITE_ID: site_id, schema.PART_TYPE: part_type, schema.PART_NAME: name,
           schema.GEOMETRY_WKT: shapely.to_wkt(trimmed, rounding_precision=7), schema.AREA_SQFT: area}
    return store.add_parts([row], user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user)[0]


def add_drawn_part(store: Store, actor: Actor, site_id: str, *, part_type: str, drawing: object,
                   name: str | None = None) -> dict[str, object]:
    """Add a part from the shape drawn on the site map (GeoJSON from the map's drawing tool, EPSG:4326).

    The drawing is checked and trimmed like a pasted outline (:func:`add_part`).

    Raises
    ------
    AccessDenied
        When the actor may not determine this site; nothing is written.
    GeoDataError
        When nothing was drawn, or the drawing is not a polygon inside the site; nothing is written.
    """
    authorize(actor, "determine_site", department=site_department(store, site_id))
    geom = drawn_geometry(drawing, label=M("New {kind} part of site {site}", kind=part_type.replace("_", " "),
                                                        site=site_id))
    return add_part(store, actor, site_id, part_type=part_type, geometry=geom, name=name)


def save_part(store: Store, actor: Actor, part_id: str, changes: dict[str, object], *,
              expect_version: int) -> dict[str, object]:
    """Save a change to a part (sign and gate: ``edit_status``; the rest: ``determine_site``).

    Raises
    ------
    AccessDenied
        When the actor may not make these changes on this part's site; nothing is written.
    StatusConflict
        When the part changed since ``expect_version``; nothing is written.
    """
    _authorize_part(store, actor, part_id, changes)
    return store.save_part(part_id, changes, expect_version=expect_version, user=actor.name, role=actor.role,
                           source=actor.source, os_user=actor.os_user)


def save_part_with_merge(store: Store, actor: Actor, part_id: str, *, base: Mapping[str, object],
                         mine: Mapping[str, object]) -> SaveOutcome:
    """Save the part fields the user changed on ``base``, merged over newer edits field by field."""
    _authorize_part(store, actor, part_id, mine)
    return _merged(lambda changes, version: store.save_part(
        part_id, changes, expect_version=version, user=actor.name, role=actor.role, source=actor.source,
        os_user=actor.os_user), base, mine, label=M("Part {part}", part=part_id))


def history_of(store: Store, actor: Actor, key: str, *, part: bool = False) -> list[Edit]:
    """Return the saved versions of a site's control row or of a part (roles that see risk)."""
    authorize(actor, "view_risk")
    return store.part_history(key) if part else store.control_history(key)


def import_determinations(store: Store, actor: Actor, path: str | Path, *,
                          today: dt.date | None = None) -> BulkStatusReport:
    """Apply each row of a determination sheet with its own version check; one bad row never blocks the others.

    A sheet naming a site outside the actor's department is refused whole, naming those rows.

    Raises
    ------
    AccessDenied
        When the role may not determine sites, or a row names another department's site.
    SchemaError
        When the file is unusable (unreadable, no site id or version column); nothing is written.
    """
    authorize(actor, "determine_site", department=actor.department)
    sheet = read_sheet(path)
    cols = match_header(sheet, ALIASES)
    missing = [k for k in (schema.SITE_ID, EXPECT) if k not in cols]
    if missing:
        raise SchemaError(M("{sheet}: no {columns} column (headers: {headers}). Add columns named site_id and "
                            "expect_version (0 for sites never determined).", sheet=sheet.label,
                            columns=" or ".join(missing), headers=", ".join(sheet.header)))
    departments = site_departments(store)
    parsed = [(n, parse_row(sheet, cols, n, row)) for n, row in sheet.rows]
    _refuse_other_departments(actor, sheet, parsed, departments)
    parts = store.read_parts()
    part_site = dict(zip(parts[schema.PART_ID].astype(str), parts[schema.SITE_ID].astype(str), strict=True))
    results = [item if isinstance(item, RowResult) else _apply(store, actor, sheet, cols, n, item, departments,
                                                                part_site)
               for n, item in parsed]
    report = BulkStatusReport(sheet.label, tuple(results))
    store.log_event(actor=actor.name, role=actor.role, action="control.bulk_import", entity=schema.SITE_CONTROL,
                    detail={"file": sheet.label, "sha256": sheet.sha256,
                            **{k: report.count(k) for k in ("applied", "conflict", "invalid", "unknown_site")}},
                    source="bulk_import", os_user=actor.os_user)
    return report


# --- private steps ------------------------------------------------------------------------
def _missing(value: object) -> bool:
    return comparable(value) is None


def _authorize_part(store: Store, actor: Actor, part_id: str, changes: Mapping[str, object]) -> None:
    dept = site_department(store, str(part_of(store, part_id)[schema.SITE_ID]))
    if set(changes) & PART_STATUS_FIELDS:
        authorize(actor, "edit_status", department=dept)
    if set(changes) - PART_STATUS_FIELDS:
        authorize(actor, "determine_site", department=dept)


def _merged(save: Callable[[dict[str, object], int], dict[str, object]], base: Mapping[str, object],
            mine: Mapping[str, object], *, label: str) -> SaveOutcome:
    changes = {k: v for k, v in mine.items() if comparable(v) != comparable(base.get(k))}
    return save_merged(save, base, changes, label=label)


def _refuse_other_departments(actor: Actor, sheet: Sheet, parsed: list[tuple[int, DeterminationRow | RowResult]],
                              departments: dict[str, str]) -> None:
    outside = []
    for n, item in parsed:
        if isinstance(item, DeterminationRow) and item.site_id in departments:
            try:
                authorize(actor, "determine_site", department=departments[item.site_id])
            except AccessDenied:
                outside.append(M("row {row} ({site}, {department})", row=n, site=item.site_id,
                                 department=departments[item.site_id]))
    if outside:
        raise AccessDenied(M("{sheet}: {name} ({role}, {department}) may not determine {n} row(s): {rows}. Nothing was "
                             "saved; remove those rows or ask that department's liaison.", sheet=sheet.label,
                             name=actor.name, role=actor.role, department=actor.department or M("no department"),
                             n=len(outside), rows=join(outside[:20])))


def _apply(store: Store, actor: Actor, sheet: Sheet, cols: dict[str, int], n: int, row: DeterminationRow,
           departments: dict[str, str], part_site: dict[str, str]) -> RowResult:
    if row.site_id not in departments:
        return RowResult(n, row.site_id, "unknown_site", M("is not in the store."), sheet.header[cols[schema.SITE_ID]],
                         row.site_id, M("check the site id against the site list (stagemap info)."))
    if row.part_id is not None and part_site.get(row.part_id) != row.site_id:
        return RowResult(n, row.site_id, "invalid", M("part {part} is not a part of site {site}.", part=row.part_id,
                                                      site=row.site_id),
                         sheet.header[cols[schema.PART_ID]], row.part_id,
                         M("check the part id (the Sites page lists them)."))
    try:
        if row.part_id is None:
            new = store.save_control(row.site_id, row.changes, expect_version=row.version, user=actor.name,
                                     role=actor.role, source="bulk_import", os_user=actor.os_user)
        else:
            new = store.save_part(row.part_id, row.changes, expect_version=row.version, user=actor.name,
                                  role=actor.role, source="bulk_import", os_user=actor.os_user)
    except StatusConflict as exc:
        newer = describe_edits(exc.newer) or M("now at version {version}", version=exc.current[schema.VERSION])
        return RowResult(n, row.site_id, "conflict", M("changed since version {version}: {newer}. Not applied.",
                                                       version=row.version, newer=newer),
                         sheet.header[cols[EXPECT]], str(row.version),
                         M("review the newer edit, then re-apply on version {version}.",
                           version=exc.current[schema.VERSION]),
                         int(str(exc.current[schema.VERSION])))
    except (SchemaError, StoreError) as exc:
        return RowResult(n, row.site_id, "invalid", message_of(exc), None, None,
                         M("correct the row and import it again."))
    return RowResult(n, row.site_id, "applied", M("saved as version {version}.", version=new[schema.VERSION]),
                     version=int(str(new[schema.VERSION])))
