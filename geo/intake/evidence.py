"""Evidence files: SHA-256 of the received bytes, sniffed type, write-once content-addressed originals."""
from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from geo.errors import SchemaError, StoreError
from geo.messages import M, Message

#: Largest evidence file accepted (R10: photos <= 25 MB; app uploads <= 50 MB).
MAX_EVIDENCE_BYTES = 50_000_000
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"), (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"), (b"PK\x03\x04", "application/zip"), (b"\x1aE\xdf\xa3", "video/webm"),
    (b"BM", "image/bmp"),
)


@dataclass(frozen=True)
class EvidenceUpload:
    """One received evidence file: the exact bytes, the sender's file name and its B.7 labels."""

    filename: str
    data: bytes
    label: str | None = None
    disposition_ref: str | None = None

    @classmethod
    def from_path(cls, path: str | Path, *, label: str | None = None,
                  disposition_ref: str | None = None) -> EvidenceUpload:
        """Read a local file as an upload."""
        p = Path(path)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise SchemaError(M("Evidence file {path}: cannot read it ({why}); check the path.", path=str(p),
                                why=exc.strerror)) from None
        if size > MAX_EVIDENCE_BYTES:
            raise SchemaError(M("Evidence file {path} is {size:,} bytes, over the {limit:,}-byte limit; "
                                "split it or hand the original to the records custodian.", path=str(p), size=size,
                                limit=MAX_EVIDENCE_BYTES))
        return cls(p.name, p.read_bytes(), label, disposition_ref)


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def sniff_mime(data: bytes) -> str:
    """Return the MIME type from the file's leading bytes (never from its name)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[data[8:12]]
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"hevc"):
            return "image/heic"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    head = data[:4096]
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a multi-byte character cut at the sample edge
                return "text/plain"
    return "application/octet-stream"


def stored_relpath(sha256: str) -> str:
    """Return the content-addressed path of a file, relative to the evidence root."""
    return f"{sha256[:2]}/{sha256}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_once(root: Path, data: bytes, sha256: str) -> Path:
    """Store ``data`` at ``root/<sha[:2]>/<sha>``, read-only and fsync'd, unless it is already there.

    The file is written to a unique temporary name (``O_EXCL``), fsync'd, made mode 0o444 and
    hard-linked into place, so the final name only ever holds complete bytes and is never
    rewritten. An existing file is re-hashed: a mismatch is reported, never papered over. A
    write that fails part-way (disk full, file-size limit, I/O error) removes its temporary
    file, so a failure leaves no trace.

    Raises
    ------
    StoreError
        One line naming the file and the reason, when the existing original was altered or
        the new one cannot be written; nothing is left behind.
    """
    final = root / stored_relpath(sha256)
    if final.exists():
        if sha256_hex(final.read_bytes()) != sha256:
            raise StoreError(M("Evidence original {path} no longer matches its hash {sha}...: it was altered. "
                               "Nothing was written; run `stagemap evidence verify` and restore it from the WORM copy.",
                               path=str(final), sha=sha256[:12]))
        return final
    tmp = final.parent / f".{sha256}.{uuid.uuid4().hex}.tmp"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o444)
        with contextlib.suppress(FileExistsError):  # another writer stored the same bytes first: fine
            os.link(tmp, final)
        _fsync_dir(final.parent)
        _fsync_dir(root)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError(M("Cannot store evidence file {path} ({size:,} bytes): {why}; the file was not "
                           "stored and nothing was saved. Free disk space, raise the file-size limit or fix the "
                           "folder's permissions, then retry.", path=str(final), size=len(data), why=reason)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return final


@dataclass(frozen=True)
class Mismatch:
    """One stored file that does not match its evidence row."""

    evidence_id: str
    path: str
    expected: str
    actual: str | None  # None when the file is missing

    def __str__(self) -> str:
        return str(self.message())

    def message(self) -> Message:
        """Return the mismatch as a translatable message (``evidence E1: path should hash to ..., file missing``)."""
        found = M("file missing") if self.actual is None else M("file now hashes to {sha}", sha=self.actual)
        return M("evidence {evidence_id}: {path} should hash to {expected}, {found}", evidence_id=self.evidence_id,
                 path=self.path, expected=self.expected, found=found)


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of re-hashing every stored evidence file."""

    checked: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        """True when every file matches its recorded hash."""
        return not self.mismatches


def check_files(root: Path, rows: list[tuple[str, str, str]]) -> VerifyReport:
    """Re-hash each ``(evidence_id, sha256, stored_path)`` file under ``root`` against its recorded hash."""
    bad = []
    for evidence_id, sha, rel in rows:
        path = root / rel
        try:
            actual: str | None = sha256_hex(path.read_bytes())
        except OSError:
            actual = None
        if actual != sha:
            bad.append(Mismatch(evidence_id, str(path), sha, actual))
    return VerifyReport(len(rows), tuple(bad))
