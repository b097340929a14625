"""A liaison's photo of a posted sign: hashed, stored write-once, and its GPS checked against the site."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo import schema as S
from geo.crs import to_analysis
from geo.errors import SchemaError
from geo.intake.evidence import evidence_root, sha256_hex, sniff_mime, write_once
from geo.intake.exif import read_exif
from geo.intake.reports import placement

MAX_PHOTO_BYTES = 25_000_000  # SECURITY.md R10: photos <= 25 MB


@dataclass(frozen=True)
class SignPhoto:
    """A stored sign photo: its hash, where the original is kept, and the placement check (flag, never a block)."""

    sha256: str
    stored_path: str
    placement: str

    def note(self) -> str:
        """Return the text recorded with the status save."""
        return f"sign photo sha256:{self.sha256[:16]} ({self.placement})"


def store_sign_photo(store: Any, site_id: str, filename: str, data: bytes) -> SignPhoto:
    """Keep the exact bytes of a sign photo (content-addressed, write-once) and check its GPS against the site.

    Raises
    ------
    SchemaError
        When the file is not a JPEG, PNG, HEIC or WebP photo, or is over 25 MB.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise SchemaError(f"Photo {filename}: {len(data):,} bytes is over the 25 MB limit; send a smaller copy.")
    mime = sniff_mime(data)
    if not mime.startswith("image/"):
        raise SchemaError(f"Photo {filename}: the content is {mime}, not a photo; attach a JPEG or PNG.")
    sites = store.read_layer(S.SITES, columns=[S.SITE_ID])
    site = sites[sites[S.SITE_ID] == site_id]
    site_ft = to_analysis(gpd.GeoDataFrame(site)).geometry.iloc[0] if len(site) else None
    sha = sha256_hex(data)
    path = write_once(evidence_root(store), data, sha)
    return SignPhoto(sha256=sha, stored_path=str(path), placement=placement(read_exif(data), site_ft))
