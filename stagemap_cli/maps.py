"""``stagemap map``: write the app's sites, incidents or gaps map as one HTML file to share."""
from __future__ import annotations

import argparse
from pathlib import Path

import folium

from geo import schema
from geo.access.roles import authorize
from geo.analysis.asof import parse_as_of
from geo.analysis.incident_filters import IncidentFilter, counts_by_district, filter_incidents
from geo.analysis.relevance import context_incidents, enforcement_incidents
from geo.errors import GeoDataError
from geo.messages import M
from geo.services.analysis import analyze_store
from geo.services.exports import record_export
from layers.assets import apply_asset_mode, asset_mode, inline_assets, installed, localize
from layers.base import DEFAULT_TILES
from layers.incidents import incident_map
from layers.site_map import site_map
from stagemap_cli.common import add_store, add_user, cli_actor, open_cli_store
from stagemap_cli.say import say

LAYERS = ("sites", "incidents", "gaps")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``map`` subcommand."""
    mp = sub.add_parser("map", help="write a map as a self-contained HTML file")
    mp.add_argument("--layer", choices=LAYERS, required=True)
    mp.add_argument("--district", type=int, help="only this council district")
    mp.add_argument("--as-of", help="YYYY-MM-DD: incidents up to it, deadlines counted to it (default today, Los Angeles)")
    mp.add_argument("--context", action="store_true", help="incidents map: also draw general crime, as context, in "
                                                           "its own grey layer (never counted)")
    mp.add_argument("--out", required=True, help="output .html file")
    mp.add_argument("--tiles", help="basemap: an XYZ URL template, 'osm' (public OpenStreetMap: the tile server sees "
                                     "the area), or 'none'; default: the configured basemap ($STAGEMAP_BASEMAP)")
    add_store(mp)
    add_user(mp)
    mp.set_defaults(func=run_map)


def standalone_html(fmap: folium.Map) -> str:
    """Render ``fmap`` as one file: the self-hosted scripts and styles inlined when installed, else the CDNs."""
    if asset_mode() == "local" and installed():
        return inline_assets(fmap.get_root().render())
    if asset_mode() == "local":
        say(M("map assets are not installed (python -m tools.install_assets): the file loads them from public CDNs"),
            err=True)
    localize(fmap, "cdn")
    try:
        return fmap.get_root().render()
    finally:
        apply_asset_mode()


def run_map(args: argparse.Namespace) -> int:
    """Build the requested map from the store and write it to ``args.out``."""
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise GeoDataError(M("--out {out}: give a file name ending in .html", out=str(out)))
    store = open_cli_store(args)
    actor = cli_actor(args, store)
    authorize(actor, "export_internal")
    authorize(actor, "view_incident_points" if args.layer == "incidents" else "view_risk")
    synthetic = bool(store.is_synthetic())
    day = parse_as_of(args.as_of)
    districts = store.read_layer(schema.DISTRICTS)
    tiles = DEFAULT_TILES if args.tiles is None else (None if args.tiles.lower() == "none" else args.tiles)
    if args.district is not None and args.district not in set(districts[schema.DISTRICT].astype(int)):
        raise GeoDataError(M("--district {district}: the store has districts {districts}.", district=args.district,
                             districts=str(sorted(districts[schema.DISTRICT].astype(int)))))
    chosen = (args.district,) if args.district is not None else ()
    shown_districts = districts[districts[schema.DISTRICT].isin(chosen)] if chosen else districts
    if args.layer == "incidents":
        flt = IncidentFilter(districts=chosen, end=day)
        stored = store.read_layer(schema.INCIDENTS)
        incidents = filter_incidents(enforcement_incidents(stored), flt)
        context = filter_incidents(context_incidents(stored), flt) if args.context else None
        fmap = incident_map(incidents, shown_districts, counts_by_district(incidents, shown_districts),
                            mode="clusters", synthetic=synthetic, tiles=tiles, context=context)
        count = len(incidents)
    else:
        res = analyze_store(store, as_of=day)
        sites = res.sites if not chosen else res.sites[res.sites[schema.COUNCIL_DISTRICT].isin(chosen)]
        if args.layer == "gaps":
            sites = sites[sites["protection"] != "protected"]
            fmap = site_map(sites, color_by="tier", fields=[schema.SITE_ID, schema.NAME, "final_tier", "protection_detail"],
                            aliases=["Site", "Name", "Tier", "Protection"], synthetic=synthetic,
                            districts=shown_districts, tiles=tiles, note="INTERNAL: unprotected City sites")
        else:
            fmap = site_map(sites, color_by="sign", fields=[schema.SITE_ID, schema.NAME, schema.OWNING_DEPT, schema.SIGN_STATUS,
                                                            schema.GATE_STATUS],
                            aliases=["Site", "Name", "Department", "Sign", "Gate"], synthetic=synthetic,
                            districts=shown_districts, tiles=tiles)
        count = len(sites)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(standalone_html(fmap), encoding="utf-8")
    record_export(store, actor, what=f"map.{args.layer}", records=count,
                  detail={"district": args.district, "file": out.name})
    scope = M("{count:,} features, district {district}", count=count, district=args.district) if chosen \
        else M("{count:,} features", count=count)
    say(M("wrote {out} ({layer}, {scope}, SYNTHETIC)", out=str(out), layer=args.layer, scope=scope) if synthetic
        else M("wrote {out} ({layer}, {scope})", out=str(out), layer=args.layer, scope=scope))
    return 0
