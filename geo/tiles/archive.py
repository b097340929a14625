"""Where parcel tile archives live: one PMTiles file per data version, its manifest, and the build lock.

An archive is served by StageMap itself (Streamlit's static serving of ``./static`` answers HTTP
range requests), so it is written under ``static/tiles/<store key>/``. Its file name carries a
random token: the static route has no sign-in, so only a page that may show parcels learns the
name. Manifests, the build lock and the build's progress live in the store's own cache folder,
never under ``./static``. A new archive becomes visible only when its manifest is written, after
the file is complete, so the previous archive stays in use until then.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from geo.config import REPO_ROOT
from geo.messages import M, from_data, to_data
from geo.processes import alive

ARCHIVE_DIR_ENV = "STAGEMAP_PARCEL_TILES_DIR"  # where archives are written (default ./static/tiles)
ARCHIVE_URL_ENV = "STAGEMAP_PARCEL_TILES_URL"  # URL of that folder when it is not under ./static
STATIC_DIR = REPO_ROOT / "static"
STATIC_URL = "/app/static"
#: Streamlit's static route refuses files above 200 MB (streamlit MAX_APP_STATIC_FILE_SIZE).
STATIC_FILE_LIMIT_BYTES = 200 * 1024 * 1024
KEEP_ARCHIVES = 2  # the newest and the one before it: a page opened before a rebuild keeps working
_MANIFEST = re.compile(r"^parcels-v(\d+)\.json$")


@dataclass(frozen=True)
class TileArchive:
    """One finished parcel archive and what it holds."""

    version: int
    file: str
    url: str
    parcels: int
    bytes: int
    build_s: float
    built_at: str
    min_zoom: int
    full_zoom: int
    max_zoom: int
    level_diff: int
    layer: str


@dataclass(frozen=True)
class BuildStatus:
    """The progress a running (or failed) build reports: fraction 0-1 and the step in words."""

    version: int
    pid: int
    started: float
    fraction: float
    step: str
    error: str | None = None

    @property
    def running(self) -> bool:
        """Whether the building process is still alive and has not failed."""
        return self.error is None and alive(self.pid)


@dataclass(frozen=True)
class TileLocation:
    """The folders of one store's parcel tiles: archives (served) and state (private)."""

    archive_dir: Path
    state_dir: Path
    url_base: str

    def new_archive_path(self, version: int) -> Path:
        """Return a fresh, unguessable archive path for ``version`` (nothing is created)."""
        return self.archive_dir / f"parcels-v{version}-{secrets.token_hex(16)}.pmtiles"

    def manifest_path(self, version: int) -> Path:
        """Return the manifest path of ``version``'s archive."""
        return self.state_dir / f"parcels-v{version}.json"

    def url_of(self, path: Path) -> str:
        """Return the URL the app serves ``path`` at."""
        return f"{self.url_base}/{path.name}"

    def ready(self, version: int) -> TileArchive | None:
        """Return the finished archive of ``version``, or ``None`` while there is none."""
        return _read_manifest(self.manifest_path(version), self.archive_dir)

    def latest_ready(self) -> TileArchive | None:
        """Return the newest finished archive of any version, or ``None``."""
        for version in sorted(self._manifest_versions(), reverse=True):
            found = self.ready(version)
            if found is not None:
                return found
        return None

    def publish(self, archive: TileArchive) -> None:
        """Make ``archive`` visible (write its manifest atomically), then drop archives older than the kept ones."""
        _write_json(self.manifest_path(archive.version), asdict(archive))
        self.prune()

    def prune(self, keep: int = KEEP_ARCHIVES) -> None:
        """Delete all but the newest ``keep`` finished archives, and archive files no manifest names."""
        versions = sorted(self._manifest_versions(), reverse=True)
        kept: list[str] = []
        for version in versions:
            found = self.ready(version)
            if found is not None and len(kept) < keep:
                kept.append(found.file)
            else:
                self.manifest_path(version).unlink(missing_ok=True)
        building = self.status()
        for path in self.archive_dir.glob("parcels-v*.pmtiles"):
            in_progress = building is not None and building.running and path.name.startswith(f"parcels-v{building.version}-")
            if path.name not in kept and not in_progress:
                path.unlink(missing_ok=True)

    def status(self) -> BuildStatus | None:
        """Return the last build's reported progress, or ``None`` when no build ever reported."""
        path = self.state_dir / "build.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["step"] = from_data(raw.get("step", ""))  # a message keeps its template: shown in Spanish too
            raw["error"] = None if raw.get("error") is None else from_data(raw["error"])
            return BuildStatus(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def report(self, version: int, fraction: float, step: str, *, started: float,
               error: str | None = None) -> None:
        """Record this process's build progress for the app to show."""
        status = BuildStatus(version=version, pid=os.getpid(), started=started,
                             fraction=round(min(max(fraction, 0.0), 1.0), 4), step=step, error=error)
        _write_json(self.state_dir / "build.json", {**asdict(status), "step": to_data(step),
                                                    "error": None if error is None else to_data(error)})

    @contextlib.contextmanager
    def lock(self, version: int) -> Iterator[bool]:
        """Hold the build lock of this store while the block runs; yields False when another live process has it.

        A lock left by a process that died is taken over.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / "build.lock"
        got = _try_lock(path, version)
        try:
            yield got
        finally:
            if got:
                path.unlink(missing_ok=True)

    def locked(self) -> bool:
        """Whether a live process holds the build lock."""
        holder = _lock_holder(self.state_dir / "build.lock")
        return holder is not None and alive(holder)

    def _manifest_versions(self) -> list[int]:
        if not self.state_dir.is_dir():
            return []
        return [int(m.group(1)) for p in self.state_dir.iterdir() if (m := _MANIFEST.match(p.name))]


def store_key(display_url: str) -> str:
    """Return a short, stable folder name for a store (a digest: no path or password in it)."""
    return hashlib.sha256(display_url.encode("utf-8")).hexdigest()[:16]


def tile_location(state_dir: Path, key: str) -> TileLocation:
    """Return the tile folders of the store ``key`` whose private state lives in ``state_dir``.

    Archives go under ``$STAGEMAP_PARCEL_TILES_DIR`` (default ``./static/tiles``) in the folder
    ``key``; their URL is derived from ``./static`` (served at ``/app/static``) unless
    ``$STAGEMAP_PARCEL_TILES_URL`` names where a deployment serves that folder.

    Raises
    ------
    ValueError
        When the archive folder is outside ``./static`` and no URL is configured for it.
    """
    root = Path(os.environ.get(ARCHIVE_DIR_ENV) or STATIC_DIR / "tiles")
    url = os.environ.get(ARCHIVE_URL_ENV)
    if url:
        base = url.rstrip("/")
    else:
        try:
            rel = root.resolve().relative_to(STATIC_DIR.resolve())
        except ValueError as exc:
            raise ValueError(M("{variable}={root} is outside {static}, which StageMap serves; put it there or set "
                               "{url_variable} to the URL that serves it.", variable=ARCHIVE_DIR_ENV, root=str(root),
                               static=str(STATIC_DIR), url_variable=ARCHIVE_URL_ENV)) from exc
        base = f"{STATIC_URL}/{rel.as_posix()}".rstrip("/")
    return TileLocation(archive_dir=root / key, state_dir=state_dir, url_base=f"{base}/{key}")


# --- private helpers --------------------------------------------------------------------
def _read_manifest(path: Path, archive_dir: Path) -> TileArchive | None:
    try:
        archive = TileArchive(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    file = archive_dir / archive.file
    try:
        if file.stat().st_size != archive.bytes:
            return None
    except OSError:
        return None
    return archive


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)




def _lock_holder(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _try_lock(path: Path, version: int) -> bool:
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            holder = _lock_holder(path)
            if holder is not None and alive(holder):
                return False
            path.unlink(missing_ok=True)  # left by a process that died
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} v{version} {time.time():.0f}\n")
        return True
    return False
