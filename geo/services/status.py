"""Sign and gate status, bulk status sheets and tier overrides: each write role- and department-checked."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema
from geo.access.roles import Actor, authorize
from geo.analysis.labels import describe_edits
from geo.errors import AccessDenied, SchemaError, StatusConflict, StoreError
from geo.intake.bulk_status import (
    ALIASES,
    EXPECT,
    BulkStatusReport,
    RowResult,
    Sheet,
    match_header,
    parse_row,
    read_sheet,
)
from geo.intake.status_merge import FieldConflict, merge_stale
from geo.messages import M, join, message_of
from geo.records import Edit
from geo.store import Store


def site_departments(store: Store) -> dict[str, str]:
    """Return every site's owning department by site id."""
    sites = store.read_layer(schema.SITES, columns=[schema.SITE_ID, schema.OWNING_DEPT])
    return dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.OWNING_DEPT].astype(str), strict=True))


def site_department(store: Store, site_id: str) -> str:
    """Return the owning department of ``site_id``.

    Raises
    ------
    StoreError
        When the site does not exist.
    """
    dept = site_departments(store).get(site_id)
    if dept is None:
        raise StoreError(M("No site {site} in the store; check the site id.", site=repr(site_id)))
    return dept


def save_site_status(store: Store, actor: Actor, site_id: str, changes: dict[str, object], *, expect_version: int,
                     photo: tuple[str, bytes] | None = None) -> dict[str, object]:
    """Save a sign/gate change as ``actor``: liaisons only for their own department's sites.

    An optional ``photo`` (file name, bytes) is stored write-once after the role check, and its
    hash and GPS placement check are recorded in the saved note (and so in the audit log).

    Raises
    ------
    AccessDenied
        When the actor's role or department may not edit this site; nothing is written.
    StatusConflict
        When the site changed since ``expect_version``; nothing is written.
    """
    authorize(actor, "edit_status", department=site_department(store, site_id))
    if photo is not None:
        from geo.services.evidence import keep_sign_photo

        stored = keep_sign_photo(store, site_id, photo[0], photo[1])
        note = str(changes.get(schema.STATUS_NOTE) or "").strip()
        changes = {**changes, schema.STATUS_NOTE: f"{note}\n{stored.note()}".strip()}
    return store.save_status(site_id, changes, expect_version=expect_version, user=actor.name, role=actor.role,
                             source=actor.source, os_user=actor.os_user)


@dataclass(frozen=True)
class SaveOutcome:
    """The result of a save that may have been merged with newer edits.

    ``saved`` is the stored row (``None`` when conflicts are left for the user); ``merged_over``
    lists the newer edits the change was merged on top of; ``conflicts`` the fields both sides
    changed, against ``current`` (the newer version, which a resolution must be based on).
    """

    saved: dict[str, object] | None
    merged_over: tuple[Edit, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()
    current: dict[str, object] | None = None


def save_with_merge(store: Store, actor: Actor, site_id: str, *, base: dict[str, object],
                    mine: dict[str, object], photo: tuple[str, bytes] | None = None,
                    attempts: int = 5) -> SaveOutcome:
    """Save the fields the user changed on ``base``; merge over newer edits field by field.

    Fields nobody else changed are applied on top of the newer version (retrying when yet
    another save comes first); a field both sides changed is returned as a conflict and nothing
    is saved, so no acknowledged value is overwritten without the user choosing it.

    Raises
    ------
    AccessDenied
        When the actor may not edit this site; nothing is written.
    """
    authorize(actor, "edit_status", department=site_department(store, site_id))
    changes = dict(mine)
    if photo is not None:
        from geo.services.evidence import keep_sign_photo

        stored = keep_sign_photo(store, site_id, photo[0], photo[1])
        note = str(changes.get(schema.STATUS_NOTE, base.get(schema.STATUS_NOTE)) or "").strip()
        changes[schema.STATUS_NOTE] = f"{note}\n{stored.note()}".strip()
    return save_merged(lambda fields, version: store.save_status(
        site_id, fields, expect_version=version, user=actor.name, role=actor.role, source=actor.source,
        os_user=actor.os_user), base, changes, label=M("Site {site}", site=site_id), attempts=attempts)


def save_merged(save: Callable[[dict[str, object], int], dict[str, object]], base: Mapping[str, object],
                changes: Mapping[str, object], *, label: str, attempts: int = 5) -> SaveOutcome:
    """Apply ``changes`` made on ``base`` through ``save(fields, expect_version)``, merging over newer versions.

    A newer version that changed other fields is merged field by field and the save retried; a
    field both sides changed comes back as a conflict with nothing saved.
    """
    seen: dict[str, object] = dict(base)
    todo = dict(changes)
    merged_over: list[Edit] = []
    for _ in range(attempts):
        if not todo:
            return SaveOutcome(saved=dict(seen), merged_over=tuple(merged_over))
        try:
            new = save(todo, int(str(seen.get(schema.VERSION) or 0)))
        except StatusConflict as exc:
            merge = merge_stale(seen, todo, exc.current)
            merged_over.extend(exc.newer)
            if merge.conflicts:
                return SaveOutcome(None, tuple(merged_over), merge.conflicts, dict(exc.current))
            seen, todo = dict(exc.current), merge.apply
            continue
        return SaveOutcome(saved=new, merged_over=tuple(merged_over))
    raise StoreError(M("{label} kept changing while saving ({attempts} newer versions in a row); nothing more was "
                       "saved. Reload it and try again.", label=label, attempts=attempts))


def status_timeline(store: Store, actor: Actor) -> pd.DataFrame:
    """Return every saved sign and gate version of every site (the history the progress charts count).

    Read from the versioned status history itself (``Store.read_status_history``), never a second table.
    """
    authorize(actor, "view_risk")
    return store.read_status_history()


def override_tier(store: Store, actor: Actor, site_id: str, tier: str, *, reason: str) -> None:
    """Record a reviewer's tier override as ``actor`` (planners and admins; audited)."""
    authorize(actor, "override_tier")
    store.set_override(site_id, tier, reason=reason, user=actor.name, role=actor.role, source=actor.source,
                       os_user=actor.os_user)


def import_status(store: Store, actor: Actor, path: str | Path, *, today: dt.date | None = None) -> BulkStatusReport:
    """Apply each row of a liaison's sheet with its own version check; one bad row never blocks the others.

    Every row's site must be one the actor may edit; a sheet naming another department's site
    is refused whole before anything is written, naming those rows.

    Raises
    ------
    AccessDenied
        When the role may not edit status, or a row names a site outside the actor's department.
    SchemaError
        When the file is unusable (unreadable, no site id or version column); nothing is written.
    """
    authorize(actor, "edit_status", department=actor.department)
    sheet = read_sheet(path)
    cols = match_header(sheet, ALIASES)
    missing = [k for k in (schema.SITE_ID, EXPECT) if k not in cols]
    if missing:
        raise SchemaError(M("{sheet}: no {columns} column (headers: {headers}). Add columns named site_id and "
                            "expect_version (or version).", sheet=sheet.label, columns=" or ".join(missing),
                            headers=", ".join(sheet.header)))
    today = today or dt.date.today()
    departments = site_departments(store)
    known = store.status_site_ids()
    parsed = [(n, parse_row(sheet, cols, n, row, today)) for n, row in sheet.rows]
    _refuse_other_departments(actor, sheet, parsed, departments)
    results: list[RowResult] = []
    for n, item in parsed:
        if isinstance(item, RowResult):
            results.append(item)
            continue
        site, version, changes = item
        if site not in known:
            results.append(RowResult(n, site, "unknown_site", M("is not in the store."),
                                     sheet.header[cols[schema.SITE_ID]], site,
                                     M("check the site id against the site list (stagemap info).")))
            continue
        results.append(_apply_row(store, actor, sheet, cols, n, site, version, changes))
    report = BulkStatusReport(sheet.label, tuple(results))
    store.log_event(actor=actor.name, role=actor.role, action="status.bulk_import", entity="site_status",
                    detail={"file": sheet.label, "sha256": sheet.sha256,
                            **{k: report.count(k) for k in ("applied", "conflict", "invalid", "unknown_site")}},
                    source="bulk_import", os_user=actor.os_user)
    return report


def _refuse_other_departments(actor: Actor, sheet: Sheet, parsed: Sequence[tuple[int, object]],
                              departments: dict[str, str]) -> None:
    """Raise :class:`AccessDenied` naming every row whose site the actor may not edit."""
    outside: list[str] = []
    for n, item in parsed:
        if isinstance(item, tuple) and str(item[0]) in departments:
            try:
                authorize(actor, "edit_status", department=departments[str(item[0])])
            except AccessDenied:
                outside.append(M("row {row} ({site}, {department})", row=n, site=item[0],
                                 department=departments[str(item[0])]))
    if outside:
        raise AccessDenied(M("{sheet}: {name} ({role}, {department}) may not change {n} row(s): {rows}. Nothing was "
                             "saved; remove those rows or ask that department's liaison.", sheet=sheet.label,
                             name=actor.name, role=actor.role, department=actor.department or M("no department"),
                             n=len(outside), rows=join(outside[:20])))


def _apply_row(store: Store, actor: Actor, sheet: Sheet, cols: dict[str, int], n: int, site: str, version: int,
               changes: dict[str, object]) -> RowResult:
    try:
        new = store.save_status(site, changes, expect_version=version, user=actor.name, role=actor.role,
                                source="bulk_import", os_user=actor.os_user)
    except StatusConflict as exc:
        newer = describe_edits(exc.newer) or M("now at version {version}", version=exc.current[schema.VERSION])
        return RowResult(n, site, "conflict", M("changed since version {version}: {newer}. Not applied.",
                                                version=version, newer=newer),
                         sheet.header[cols[EXPECT]], str(version),
                         M("review the newer edit, then re-apply on version {version}.",
                           version=exc.current[schema.VERSION]),
                         int(exc.current[schema.VERSION]))
    except (SchemaError, StoreError) as exc:
        return RowResult(n, site, "invalid", message_of(exc), None, None, M("correct the row and import it again."))
    return RowResult(n, site, "applied", M("saved as version {version}.", version=new[schema.VERSION]),
                     version=int(str(new[schema.VERSION])))
