"""``stagemap sites determine|control|import|history|parts|part-add|part-set``: the A.1 list of sites and their parts."""
from __future__ import annotations

import argparse

import shapely

from geo import schema
from geo.errors import GeoDataError
from geo.io.parts import read_parts_file
from geo.messages import M
from geo.services.sites import (
    add_part,
    control_of,
    import_determinations,
    save_control,
    save_part,
)
from stagemap_cli.common import (
    EXIT_OK,
    add_store,
    add_user,
    cli_actor,
    open_cli_store,
    sheet_exit,
)
from stagemap_cli.say import history_value, say

DETERMINATION_ARGS = {"candidate": schema.CANDIDATE, "not-candidate": schema.NOT_CANDIDATE, "pending": schema.PENDING}
SIGN_ARGS = {"posted": "posted", "missing": "none", "damaged": "damaged", "unknown": "unknown"}
GATE_ARGS = {"locked": "closed_locked", "unlocked": "closed_unlocked", "open": "open", "none": "no_gate"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sites`` verbs."""
    sp = sub.add_parser("sites", help="the A.1 determination, site control and site parts")
    ss = sp.add_subparsers(dest="sites_command", required=True)
    d = ss.add_parser("determine", help="record the A.1 determination of a site (or change its control)")
    d.add_argument("site_id")
    d.add_argument("--as", dest="determination", choices=sorted(DETERMINATION_ARGS),
                   help="candidate (needs a sign), not-candidate (give --reason) or pending")
    d.add_argument("--reason", help="why: required for not-candidate")
    d.add_argument("--basis", choices=schema.CONTROL_BASES, help="how the City controls it")
    d.add_argument("--start", help="control start date, YYYY-MM-DD")
    d.add_argument("--end", help="control end date, YYYY-MM-DD")
    d.add_argument("--doc", help="lease, permit or MOU reference")
    d.add_argument("--barrier", choices=schema.BARRIER_VALUES, help="is a locked gate appropriate here (A.2)?")
    d.add_argument("--note")
    d.add_argument("--expect-version", type=int, required=True, help="the version you saw (0: never determined)")
    add_store(d)
    add_user(d)
    d.set_defaults(func=run_determine)
    i = ss.add_parser("import", help="apply a CSV/XLSX of determinations, each row with its version")
    i.add_argument("path")
    add_store(i)
    add_user(i)
    i.set_defaults(func=run_import)
    h = ss.add_parser("history", help="every saved version of a site's control row (or of a part: --part)")
    h.add_argument("key")
    h.add_argument("--part", action="store_true", help="KEY is a part id")
    add_store(h)
    h.set_defaults(func=run_history)
    a = ss.add_parser("part-add", help="draw a part of a site (a parking lot, a yard, ...)")
    a.add_argument("site_id")
    a.add_argument("--type", dest="part_type", choices=schema.PART_TYPES, required=True)
    a.add_argument("--name")
    where = a.add_mutually_exclusive_group(required=True)
    where.add_argument("--wkt", help="the outline in longitude/latitude, e.g. 'POLYGON ((-118.24 34.05, ...))'")
    where.add_argument("--file", help="a GeoJSON or GeoPackage: each feature becomes one part of this type")
    add_store(a)
    add_user(a)
    a.set_defaults(func=run_part_add)
    s = ss.add_parser("part-set", help="change a part: determination, barrier, sign and gate")
    s.add_argument("part_id")
    s.add_argument("--as", dest="determination", choices=sorted(DETERMINATION_ARGS))
    s.add_argument("--reason")
    s.add_argument("--barrier", choices=schema.BARRIER_VALUES)
    s.add_argument("--sign", choices=sorted(SIGN_ARGS))
    s.add_argument("--gate", choices=sorted(GATE_ARGS))
    s.add_argument("--posted-on", help="date the sign was posted, YYYY-MM-DD")
    s.add_argument("--retire", action="store_true", help="the part was drawn in error or is no longer separate")
    s.add_argument("--note")
    s.add_argument("--expect-version", type=int, required=True)
    add_store(s)
    add_user(s)
    s.set_defaults(func=run_part_set)


def run_determine(args: argparse.Namespace) -> int:
    """Save a determination or control change as the named account."""
    changes = _given({schema.DETERMINATION: DETERMINATION_ARGS.get(args.determination or ""),
                      schema.DETERMINATION_REASON: args.reason, schema.CONTROL_BASIS: args.basis,
                      schema.CONTROL_START: args.start, schema.CONTROL_END: args.end, schema.CONTROL_DOC: args.doc,
                      schema.BARRIER_APPROPRIATE: args.barrier, schema.STATUS_NOTE: args.note})
    store = open_cli_store(args)
    new = save_control(store, cli_actor(args, store), args.site_id, changes, expect_version=args.expect_version)
    say(M("saved {site} version {version}: {determination}, control {basis}, barrier appropriate {barrier}",
          site=args.site_id, version=new[schema.VERSION], determination=new[schema.DETERMINATION],
          basis=new[schema.CONTROL_BASIS], barrier=new[schema.BARRIER_APPROPRIATE]))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """Apply a determination sheet row by row and print the per-row report."""
    store = open_cli_store(args)
    return sheet_exit(import_determinations(store, cli_actor(args, store), args.path))


def run_history(args: argparse.Namespace) -> int:
    """Print every saved version of a site's control row or a part."""
    store = open_cli_store(args)
    edits = store.part_history(args.key) if args.part else store.control_history(args.key)
    if not edits and not args.part:
        row = control_of(store, args.key)
        say(M("{key}: never determined (pending; control {basis} as listed)", key=args.key,
              basis=row[schema.CONTROL_BASIS]))
    for edit in edits:
        say(edit.describe(value=history_value))
    return EXIT_OK


def run_part_add(args: argparse.Namespace) -> int:
    """Draw one part (``--wkt``) or one per feature of a file (``--file``)."""
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    shapes: list[str | shapely.Geometry] = [args.wkt] if args.wkt else list(read_parts_file(args.file).geometry)
    if not shapes:
        raise GeoDataError(M("{file}: no features; draw at least one part.", file=args.file))
    for geom in shapes:
        new = add_part(store, actor, args.site_id, part_type=args.part_type, geometry=geom, name=args.name)
        say(M("added part {part} of {site}: {kind}, {area:,.0f} sq ft, determination {determination}",
              part=new[schema.PART_ID], site=args.site_id, kind=new[schema.PART_TYPE],
              area=float(str(new[schema.AREA_SQFT])), determination=new[schema.DETERMINATION]))
    return EXIT_OK


def run_part_set(args: argparse.Namespace) -> int:
    """Save a change to a part as the named account."""
    changes = _given({schema.DETERMINATION: DETERMINATION_ARGS.get(args.determination or ""),
                      schema.DETERMINATION_REASON: args.reason, schema.BARRIER_APPROPRIATE: args.barrier,
                      schema.SIGN_STATUS: SIGN_ARGS.get(args.sign or ""), schema.GATE_STATUS: GATE_ARGS.get(args.gate or ""),
                      schema.SIGN_POSTED_ON: args.posted_on, schema.STATUS_NOTE: args.note,
                      schema.RETIRED: True if args.retire else None})
    store = open_cli_store(args)
    new = save_part(store, cli_actor(args, store), args.part_id, changes, expect_version=args.expect_version)
    say(M("saved part {part} version {version}: {determination}, sign {sign}, gate {gate}", part=args.part_id,
          version=new[schema.VERSION], determination=new[schema.DETERMINATION], sign=new[schema.SIGN_STATUS],
          gate=new[schema.GATE_STATUS]))
    return EXIT_OK


def _given(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}
