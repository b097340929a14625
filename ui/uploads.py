"""Turn a Streamlit upload into a file on disk the importers can read, safely named."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from geo.errors import UnsafeFileError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_upload_name(name: str) -> str:
    """Return ``name`` without directories or unusual characters (keeps the extension)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE.sub("_", base).lstrip(".") or "upload"
    return cleaned[-120:]


def save_upload(name: str, data: bytes, *, max_bytes: int) -> Path:
    """Write uploaded bytes to a private temporary directory and return the path.

    Raises
    ------
    UnsafeFileError
        When the upload is larger than ``max_bytes``.
    """
    if len(data) > max_bytes:
        raise UnsafeFileError(f"{name}: {len(data):,} bytes is over the upload limit of {max_bytes:,} bytes; "
                              "split the file or ask an admin to import it with `stagemap import`.")
    folder = Path(tempfile.mkdtemp(prefix="stagemap-upload-"))
    path = folder / safe_upload_name(name)
    path.write_bytes(data)
    return path
