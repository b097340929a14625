"""Photo EXIF with Pillow: read GPS position and capture time; make copies with every tag stripped."""
from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps, UnidentifiedImageError

from geo.config import LOCAL_TZ

LA_ZONE = ZoneInfo(LOCAL_TZ)
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DATETIME = 36867, 36881, 306
#: Largest photo decoded for EXIF handling (pixels); bigger files are kept but not decoded.
MAX_PIXELS = 80_000_000


@dataclass(frozen=True)
class ExifInfo:
    """What a photo's EXIF says about where and when it was taken."""

    is_image: bool
    lat: float | None = None
    lon: float | None = None
    taken_at: dt.datetime | None = None  # tz-aware UTC
    n_tags: int = 0


def _open(data: bytes) -> Image.Image | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                return None
            return img
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError):
        return None


def _degrees(value: object, ref: object) -> float | None:
    try:
        d, m, s = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    sign = -1 if str(ref or "").strip().upper()[:1] in ("S", "W") else 1
    return round(sign * deg, 7) if deg == deg else None


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    sub = exif.get_ifd(EXIF_IFD)
    text = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not text:
        return None
    try:
        local = dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = str(sub.get(OFFSET_TIME_ORIGINAL) or "").strip("\x00 ")
    try:
        tz = dt.datetime.strptime(offset, "%z").tzinfo if offset else LA_ZONE
    except ValueError:
        tz = LA_ZONE
    return local.replace(tzinfo=tz).astimezone(dt.UTC)


def read_exif(data: bytes) -> ExifInfo:
    """Return GPS latitude/longitude and DateTimeOriginal (as UTC; local LA time when no offset)."""
    img = _open(data)
    if img is None:
        return ExifInfo(is_image=False)
    with img:
        exif = img.getexif()
        gps = exif.get_ifd(GPS_IFD)
        lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
        if lat is None or lon is None or (lat == 0 and lon == 0):
            lat = lon = None
        return ExifInfo(True, lat, lon, _taken_at(exif), count_tags(img))


def count_tags(img: Image.Image) -> int:
    """Count EXIF tags (IFD0, Exif, GPS) plus XMP or raw EXIF blocks left in ``img``."""
    exif = img.getexif()
    n = len(exif) + len(exif.get_ifd(EXIF_IFD)) + len(exif.get_ifd(GPS_IFD))
    return n + sum(1 for key in ("exif", "xmp", "XML:com.adobe.xmp") if img.info.get(key))


def exif_tag_count(data: bytes) -> int:
    """Return the number of EXIF/XMP tags in an image file (0 for a clean copy or a non-image)."""
    img = _open(data)
    if img is None:
        return 0
    with img:
        return count_tags(img) + (1 if b"Exif\x00\x00" in data else 0)


def strip_exif(data: bytes) -> tuple[bytes, str] | None:
    """Return ``(clean bytes, mime)``: pixels only, upright, re-encoded with no metadata; ``None`` if not a photo.

    Orientation is applied before stripping, so the copy looks the same without the tag.
    """
    img = _open(data)
    if img is None:
        return None
    with img:
        fmt = img.format
        try:
            img.seek(0)
            upright = ImageOps.exif_transpose(img) or img
            jpeg = fmt in ("JPEG", "MPO")
            mode = ("L" if upright.mode in ("L", "1") else "RGB") if jpeg else \
                ("RGBA" if "A" in upright.mode or "transparency" in upright.info else "RGB")
            pixels = upright.convert(mode)
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
        except (OSError, ValueError, SyntaxError):
            return None
    out = io.BytesIO()
    if jpeg:
        clean.save(out, format="JPEG", quality=95)
        return out.getvalue(), "image/jpeg"
    clean.save(out, format="PNG")
    return out.getvalue(), "image/png"
