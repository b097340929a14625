"""Parcel vector tiles: tippecanoe builds one PMTiles archive per data version, served by StageMap itself."""
from geo.tiles import archive as archive
from geo.tiles import build as build
from geo.tiles.archive import BuildStatus as BuildStatus
from geo.tiles.archive import TileArchive as TileArchive
from geo.tiles.archive import TileLocation as TileLocation
from geo.tiles.archive import store_key as store_key
from geo.tiles.archive import tile_location as tile_location
from geo.tiles.build import TILE_COLUMNS as TILE_COLUMNS
from geo.tiles.build import TileBuildError as TileBuildError
from geo.tiles.build import TileRules as TileRules
from geo.tiles.build import build_archive as build_archive
