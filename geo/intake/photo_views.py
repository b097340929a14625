"""Stored sign photos as the site panel shows them: a small thumbnail, when it was taken, the GPS check."""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from geo.intake.exif import read_exif, strip_exif

#: How a status save records its photo (see :meth:`geo.intake.sign_photo.SignPhoto.note`).
PHOTO_NOTE = re.compile(r"sign photo sha256:([0-9a-f]{16}) \(((?:[^()\n]|\([^()\n]*\))*)\)")
THUMB_PX = 320


@dataclass(frozen=True)
class PhotoView:
    """One stored sign photo: a metadata-free thumbnail, its capture time (EXIF) and the saved GPS check."""

    sha256: str
    thumbnail: bytes  # JPEG, no EXIF (no GPS leaves the store through a thumbnail)
    taken_at: dt.datetime | None  # UTC, from the photo's EXIF
    placement: str  # "inside site", "within 150 ft of site (40 ft)", "no gps", ...
    saved_at: str | None
    saved_by: str | None


def photo_refs(note: object) -> list[tuple[str, str]]:
    """Return (sha256 prefix, placement) for every sign photo a status note records."""
    return PHOTO_NOTE.findall(str(note or ""))


def find_original(root: Path, prefix: str) -> Path | None:
    """Return the stored original whose hash starts with ``prefix`` (content-addressed under ``root``)."""
    hits = sorted((root / prefix[:2]).glob(f"{prefix}*")) if len(prefix) >= 2 else []
    return hits[0] if len(hits) == 1 else None


def thumbnail(data: bytes, *, px: int = THUMB_PX) -> bytes | None:
    """Return a JPEG thumbnail of ``data`` at most ``px`` on a side, without metadata; ``None`` if not a photo."""
    clean = strip_exif(data)
    if clean is None:
        return None
    with Image.open(io.BytesIO(clean[0])) as img:
        img.thumbnail((px, px))
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def photo_view(root: Path, prefix: str, placement: str, *, saved_at: str | None,
               saved_by: str | None) -> PhotoView | None:
    """Return the view of one recorded photo, ``None`` when its original is missing or unreadable."""
    path = find_original(root, prefix)
    if path is None:
        return None
    data = path.read_bytes()
    thumb = thumbnail(data)
    if thumb is None:
        return None
    return PhotoView(sha256=path.name, thumbnail=thumb, taken_at=read_exif(data).taken_at, placement=placement,
                     saved_at=saved_at, saved_by=saved_by)
