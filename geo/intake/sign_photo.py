"""A liaison's photo of a posted sign: checked, stored write-once, and its GPS checked against the site."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely

from geo.analysis.photo_note import photo_note
from geo.errors import SchemaError
from geo.intake.evidence import sha256_hex, sniff_mime, write_once
from geo.intake.exif import read_exif
from geo.intake.reports import placement
from geo.messages import M

MAX_PHOTO_BYTES = 25_000_000  # SECURITY.md R10: photos <= 25 MB


@dataclass(frozen=True)
class SignPhoto:
    """A stored sign photo: its hash, where the original is kept, and the placement check (flag, never a block)."""

    sha256: str
    stored_path: str
    placement: str

    def note(self) -> str:
        """Return the text recorded with the status save (a message; stored as its English text)."""
        return photo_note(self.sha256, self.placement)


def check_photo(filename: str, data: bytes) -> str:
    """Return the photo's sniffed MIME type.

    Raises
    ------
    SchemaError
        When the file is not a JPEG, PNG, HEIC or WebP photo, or is over 25 MB.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise SchemaError(M("Photo {file}: {size:,} bytes is over the 25 MB limit; send a smaller copy.", file=filename,
                            size=len(data)))
    mime = sniff_mime(data)
    if not mime.startswith("image/"):
        raise SchemaError(M("Photo {file}: the content is {mime}, not a photo; attach a JPEG or PNG.", file=filename,
                            mime=mime))
    return mime


def store_sign_photo(root: Path, site_ft: shapely.Geometry | None, filename: str, data: bytes) -> SignPhoto:
    """Keep the exact bytes of a sign photo (content-addressed, write-once) and check its GPS against the site.

    Raises
    ------
    SchemaError
        When the file is not a photo or is too big; nothing is stored.
    """
    check_photo(filename, data)
    sha = sha256_hex(data)
    path = write_once(root, data, sha)
    return SignPhoto(sha256=sha, stored_path=str(path), placement=placement(read_exif(data), site_ft))
