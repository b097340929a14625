"""Frozen configuration: the two CRSs, directive dates, store location and import limits."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

#: Measurement CRS: NAD83 / California zone V, US survey feet (native to City and County GIS).
ANALYSIS_CRS = "EPSG:2229"
#: Storage and display CRS.
DISPLAY_CRS = "EPSG:4326"
#: The City\'s time zone: every date shown, counted or exported is Los Angeles local.
LOCAL_TZ = "America/Los_Angeles"

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DEFAULT_STORE_PATH = DATA_DIR / "stagemap.gpkg"
COUNTY_OUTLINE_PATH = DATA_DIR / "la_county_outline.geojson"

SYNTHETIC_SOURCE = "SYNTHETIC DEMO DATA - not City records"

#: LA County envelope in EPSG:4326 (including the Channel Islands), from DATA.md section 1.
COUNTY_LON = (-118.95, -117.64)
COUNTY_LAT = (32.80, 34.83)
#: The same envelope in EPSG:2229 feet.
COUNTY_X_FT = (6.2e6, 6.8e6)
COUNTY_Y_FT = (1.6e6, 2.3e6)


@dataclass(frozen=True)
class Directive:
    """Executive Directive No. 17 dates; 'within N days' counts calendar days."""

    issued: dt.date = dt.date(2026, 2, 10)
    identify_days: int = 15
    sign_days: int = 25

    @property
    def identify_by(self) -> dt.date:
        """Day 15: 25 Feb 2026."""
        return self.issued + dt.timedelta(days=self.identify_days)

    @property
    def sign_by(self) -> dt.date:
        """Day 25: 7 Mar 2026."""
        return self.issued + dt.timedelta(days=self.sign_days)


SIGN_TEXT_EN = (
    "This property is owned or controlled by the City of Los Angeles. It may only be used for "
    "its intended City purpose and not used for immigration enforcement as a staging area, "
    "processing location, or operations base."
)


@dataclass(frozen=True)
class ImportLimits:
    """Safety limits checked before GDAL reads anything (SECURITY.md R10)."""

    max_file_bytes: int = 2_000_000_000
    max_archive_entries: int = 50
    max_uncompressed_bytes: int = 200_000_000
    max_compression_ratio: float = 100.0
    max_features: int = 3_000_000
    max_vertices: int = 60_000_000


@dataclass(frozen=True)
class UploadLimits(ImportLimits):
    """Tighter limits for non-admin uploads through the app."""

    max_file_bytes: int = 50_000_000
    max_features: int = 250_000
    max_vertices: int = 5_000_000


def accounts_path(explicit: str | None = None) -> Path:
    """Return the local accounts file: ``explicit``, else ``$STAGEMAP_USERS``, else ``data/users.json``."""
    return Path(explicit or os.environ.get("STAGEMAP_USERS") or DATA_DIR / "users.json")


def store_url(explicit: str | None = None) -> str:
    """Return the store URL: ``explicit``, else ``$STAGEMAP_STORE``, else the default file."""
    return explicit or os.environ.get("STAGEMAP_STORE") or str(DEFAULT_STORE_PATH)
