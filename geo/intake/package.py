"""Evidence packages as ZIP files: a manifest, the originals, the manifest's hash and its HMAC-SHA256 signature.

Layout of a package::

    manifest.json       incidents, B.7 labels, evidence files with SHA-256, chain of custody
    evidence/<sha256>   each original once (content-addressed, exactly the stored bytes)
    manifest.sha256     the SHA-256 of manifest.json, hex
    signature.json      {"algorithm": "HMAC-SHA256", "key_id", "manifest_sha256", "signature"}

:func:`verify_package` re-checks everything: the manifest hash, the signature with the
configured key, every listed file's SHA-256 and size, and that the ZIP holds nothing else.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from geo.errors import SchemaError
from geo.intake.evidence import sha256_hex
from geo.messages import M

FORMAT = "stagemap-evidence-package/1"
MANIFEST, MANIFEST_HASH, SIGNATURE = "manifest.json", "manifest.sha256", "signature.json"
ALGORITHM = "HMAC-SHA256"
#: A package ZIP larger than this, or with more members, is refused before it is read.
MAX_MEMBERS = 20_000
MAX_UNCOMPRESSED = 20_000_000_000
CHUNK = 1 << 20


def key_id(key: bytes) -> str:
    """Return a short public fingerprint of a signing key (never the key)."""
    return hashlib.sha256(b"stagemap-package-key:" + key).hexdigest()[:16]


def sign(key: bytes, manifest_sha256: str) -> str:
    """Return the HMAC-SHA256 of a manifest hash under ``key``, hex."""
    return hmac.new(key, manifest_sha256.encode("ascii"), hashlib.sha256).hexdigest()


def manifest_bytes(manifest: Mapping[str, object]) -> bytes:
    """Return the manifest as stable, indented UTF-8 JSON (keys sorted)."""
    return (json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in 1 MiB chunks (evidence originals may be large videos)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_zip(manifest: Mapping[str, object], files: Mapping[str, Path], key: bytes,
              out: BinaryIO) -> tuple[str, str]:
    """Write the package ZIP of a manifest and its evidence originals to ``out``; return (manifest SHA-256, signature).

    ``files`` maps each SHA-256 listed in the manifest's ``files`` to the original's path; each
    is streamed into the ZIP (never held whole in memory) and re-hashed as it is copied.

    Raises
    ------
    SchemaError
        When an original no longer hashes to its name (it was altered): the caller discards ``out``.
    """
    body = manifest_bytes(manifest)
    digest = sha256_hex(body)
    signature = sign(key, digest)
    sig = {"algorithm": ALGORITHM, "key_id": key_id(key), "manifest_sha256": digest, "signature": signature}
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        zf.writestr(MANIFEST, body, compress_type=zipfile.ZIP_DEFLATED)
        for sha in sorted(files):
            copied = hashlib.sha256()
            with files[sha].open("rb") as src, zf.open(f"evidence/{sha}", "w", force_zip64=True) as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    copied.update(chunk)
                    dst.write(chunk)
            if copied.hexdigest() != sha:
                raise SchemaError(M("Evidence original {sha}... no longer matches its SHA-256; the package was "
                                    "not built. Run `stagemap evidence verify` and restore it from the WORM copy.",
                                    sha=sha[:12]))
        zf.writestr(MANIFEST_HASH, digest + "\n")
        zf.writestr(SIGNATURE, json.dumps(sig, sort_keys=True, indent=1) + "\n")
    return digest, signature


@dataclass(frozen=True)
class PackageCheck:
    """The outcome of verifying one package: files checked and every problem found."""

    files_checked: int
    problems: tuple[str, ...]
    manifest: Mapping[str, object]

    @property
    def ok(self) -> bool:
        """True when the signature, the manifest hash and every file check out."""
        return not self.problems


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return zf.read(name)
    except KeyError:
        return None


def _member_hash(zf: zipfile.ZipFile, name: str) -> tuple[str, int] | None:
    """Return (SHA-256, size) of one member, streamed; ``None`` when it is missing."""
    try:
        src = zf.open(name)
    except KeyError:
        return None
    digest, size = hashlib.sha256(), 0
    with src:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_package(data: bytes | Path, key: bytes) -> PackageCheck:
    """Re-check a package: manifest hash and signature, every listed file's SHA-256 and size, no stray members.

    Raises
    ------
    SchemaError
        When the bytes are not a ZIP or are too large to open safely.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError):
        raise SchemaError(M("This file is not a ZIP evidence package (it could not be opened as a ZIP).")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            raise SchemaError(M("The package has {members} members and {size:,} bytes uncompressed, over the limits "
                                "({max_members} members, {max_size:,} bytes).", members=len(infos),
                                size=sum(i.file_size for i in infos), max_members=MAX_MEMBERS,
                                max_size=MAX_UNCOMPRESSED))
        problems: list[str] = []
        body, stated, sig_raw = _read(zf, MANIFEST), _read(zf, MANIFEST_HASH), _read(zf, SIGNATURE)
        if body is None or sig_raw is None:
            return PackageCheck(0, (M("manifest.json or signature.json is missing: this is not a complete package"),), {})
        digest = sha256_hex(body)
        try:
            sig = json.loads(sig_raw)
            manifest = json.loads(body)
        except ValueError:
            return PackageCheck(0, (M("manifest.json or signature.json is not valid JSON: the package was altered"),),
                                {})
        if stated is None or stated.decode("ascii", "replace").strip() != digest:
            problems.append(M("manifest.sha256 does not match manifest.json: the manifest was altered"))
        if sig.get("manifest_sha256") != digest:
            problems.append(M("signature.json signs a different manifest hash: the manifest was altered"))
        if sig.get("key_id") != key_id(key):
            problems.append(M("signed with key {signed}, but the configured key is {configured}: verify with the key the "
                              "package was signed with", signed=sig.get("key_id"), configured=key_id(key)))
        elif not hmac.compare_digest(str(sig.get("signature", "")), sign(key, digest)):
            problems.append(M("the signature does not match the manifest under the configured key: the package was "
                              "altered or signed by someone else"))
        listed = manifest.get("files", []) if isinstance(manifest, dict) else []
        for f in listed:
            path, sha, size = str(f.get("path")), str(f.get("sha256")), f.get("size_bytes")
            got = _member_hash(zf, path)
            if got is None:
                problems.append(M("{path}: listed in the manifest but missing from the package", path=path))
            elif got[0] != sha:
                problems.append(M("{path}: hashes to {got}, the manifest says {sha}: the file was altered", path=path,
                                  got=got[0], sha=sha))
            elif size is not None and got[1] != int(size):
                problems.append(M("{path}: {got} bytes, the manifest says {size}", path=path, got=got[1], size=size))
        known = {MANIFEST, MANIFEST_HASH, SIGNATURE, *(str(f.get("path")) for f in listed)}
        problems.extend(M("{path}: in the package but not in the manifest", path=i.filename) for i in infos
                        if i.filename not in known)
        return PackageCheck(len(listed), tuple(problems), manifest if isinstance(manifest, dict) else {})
