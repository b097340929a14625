"""Self-hosted map assets: the pinned manifest, local URLs for folium's CDN links, inlining for exports."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import mimetypes
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import branca.element
from folium.elements import JSCSSMixin

log = logging.getLogger(__name__)

ASSETS_ENV = "STAGEMAP_ASSETS"  # "local" (default): served by StageMap; "cdn": folium's public CDNs
ASSET_URL_ENV = "STAGEMAP_ASSET_URL"  # URL prefix the vendor folder is served at
VENDOR_DIR_ENV = "STAGEMAP_VENDOR_DIR"  # where the install step puts the files
MODES = ("local", "cdn")
DEFAULT_URL_PREFIX = "/app/static/vendor"  # Streamlit serves ./static at /app/static (enableStaticServing)
MANIFEST_PATH = Path(__file__).with_name("assets_manifest.json")
REPO_ROOT = Path(__file__).resolve().parents[1]
_ORIGINAL = "_stagemap_cdn_links"


@dataclass(frozen=True)
class Package:
    """One pinned registry package the assets come from."""

    key: str
    registry: str  # "npm" or "pypi"
    name: str
    version: str
    integrity: str | None = None  # npm: the registry's dist.integrity (SRI, sha512)
    tarball: str | None = None

    @property
    def dirname(self) -> str:
        """Folder of this package under the vendor directory."""
        return f"{self.key}@{self.version}"


@dataclass(frozen=True)
class AssetFile:
    """One file taken from a package, its SHA-256, and the CDN URLs it stands in for."""

    package: Package
    path: str
    sha256: str
    replaces: tuple[str, ...]

    @property
    def rel(self) -> str:
        """Path under the vendor directory (and under the URL prefix)."""
        return f"{self.package.dirname}/{self.path}"


@dataclass(frozen=True)
class Manifest:
    """The pinned asset set: packages, files and the CDN links dropped on purpose."""

    packages: dict[str, Package]
    files: tuple[AssetFile, ...]
    dropped: dict[str, str]  # CDN URL -> why StageMap does not load it
    served_dir: str


@functools.cache
def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Read the manifest (cached; it is part of the code)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    packages = {k: Package(key=k, registry=p["registry"], name=p["name"], version=p["version"],
                           integrity=p.get("integrity"), tarball=p.get("tarball"))
                for k, p in raw["packages"].items()}
    files = tuple(AssetFile(package=packages[f["package"]], path=f["path"], sha256=f.get("sha256", ""),
                            replaces=tuple(f.get("replaces", ()))) for f in raw["files"])
    dropped = {d["url"]: d["reason"] for d in raw.get("dropped", [])}
    return Manifest(packages=packages, files=files, dropped=dropped, served_dir=raw["served_dir"])


def asset_mode() -> str:
    """Return the asset mode from ``STAGEMAP_ASSETS`` ("local" unless set to "cdn")."""
    mode = (os.environ.get(ASSETS_ENV) or "local").strip().lower()
    if mode not in MODES:
        raise ValueError(f"{ASSETS_ENV}={mode!r}: use one of {MODES}")
    return mode


def vendor_dir() -> Path:
    """Return the folder the install step fills (``STAGEMAP_VENDOR_DIR`` or ./static/vendor)."""
    env = os.environ.get(VENDOR_DIR_ENV)
    return Path(env) if env else REPO_ROOT / load_manifest().served_dir


def url_prefix() -> str:
    """Return the URL prefix the vendor folder is served at (``STAGEMAP_ASSET_URL``)."""
    return (os.environ.get(ASSET_URL_ENV) or DEFAULT_URL_PREFIX).rstrip("/")


def url_map(prefix: str | None = None) -> dict[str, str | None]:
    """Map each known CDN URL to its local URL; dropped links map to ``None``."""
    base = url_prefix() if prefix is None else prefix.rstrip("/")
    mapping: dict[str, str | None] = dict.fromkeys(load_manifest().dropped)
    for f in load_manifest().files:
        for cdn in f.replaces:
            mapping[cdn] = f"{base}/{f.rel}"
    return mapping


def localize_links(links: Iterable[tuple[str, str]], mapping: dict[str, str | None], *,
                   warn: bool = True) -> list[tuple[str, str]]:
    """Return ``(name, url)`` links pointed at local copies; dropped links are left out.

    A link the manifest does not know stays as it is and is logged: the browser tests
    fail on any request that leaves localhost, so a new plugin cannot slip past.
    """
    out = []
    for name, url in links:
        if url in mapping:
            local = mapping[url]
            if local is not None:
                out.append((name, local))
        else:
            if warn and not url.startswith(("/", "./", "../")):
                log.warning("map asset %s (%s) is not in layers/assets_manifest.json; it stays on its CDN", name, url)
            out.append((name, url))
    return out


def _jscss_classes() -> Iterator[type]:
    import folium.plugins  # noqa: F401  (every plugin class exists before the walk)

    seen: set[type] = set()
    stack = [JSCSSMixin]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                yield sub


def apply_asset_mode(mode: str | None = None, *, prefix: str | None = None) -> str:
    """Point the JS/CSS links of folium's map and plugin classes at local copies, or back at the CDNs.

    folium and streamlit-folium both read each element's ``default_js``/``default_css``
    when a map is rendered, so changing the class attributes covers every map drawn
    afterwards in this process. Idempotent; the CDN links are kept to switch back.
    Returns the mode applied.
    """
    mode = asset_mode() if mode is None else mode
    if mode not in MODES:
        raise ValueError(f"asset mode {mode!r}: use one of {MODES}")
    mapping = url_map(prefix)
    for cls in _jscss_classes():
        original = cls.__dict__.get(_ORIGINAL)
        if original is None:
            original = {a: list(cls.__dict__[a]) for a in ("default_js", "default_css") if a in cls.__dict__}
            setattr(cls, _ORIGINAL, original)
        for attr, links in original.items():
            setattr(cls, attr, list(links) if mode == "cdn" else localize_links(links, mapping, warn=False))
    return mode


def iter_elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    """Yield ``root`` and every element below it."""
    stack = [root]
    while stack:
        el = stack.pop()
        yield el
        stack.extend(getattr(el, "_children", {}).values())


def localize(fmap: branca.element.Element, mode: str | None = None, *, prefix: str | None = None) -> None:
    """Apply the asset mode to one map, including links set on its elements themselves."""
    mode = apply_asset_mode(mode, prefix=prefix)
    if mode == "cdn":
        return
    mapping = url_map(prefix)
    for el in iter_elements(fmap):
        for attr in ("default_js", "default_css"):
            if attr in vars(el):
                setattr(el, attr, localize_links(vars(el)[attr], mapping))
            elif isinstance(el, JSCSSMixin):
                localize_links(getattr(el, attr), mapping)  # only to log links the manifest lacks


def asset_links(fmap: branca.element.Element) -> list[str]:
    """Return every JS/CSS URL the map's elements load (what streamlit-folium hands the browser)."""
    urls: list[str] = []
    for el in iter_elements(fmap):
        if isinstance(el, JSCSSMixin):
            urls.extend(u for _, u in [*el.default_js, *el.default_css])
    return list(dict.fromkeys(urls))


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_installed(root: Path | None = None, *, hashes: bool = True) -> list[str]:
    """Return problems with the installed files (missing or wrong hash); empty when all is well."""
    base = vendor_dir() if root is None else Path(root)
    problems = []
    for f in load_manifest().files:
        path = base / f.rel
        if not path.is_file():
            problems.append(f"{f.rel}: missing")
        elif hashes and sha256_file(path) != f.sha256:
            problems.append(f"{f.rel}: SHA-256 differs from the manifest")
    return problems


def installed(root: Path | None = None) -> bool:
    """True when every manifest file is present (no hashing: cheap enough for each map)."""
    return not check_installed(root, hashes=False)


_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or ("font/woff2" if path.suffix == ".woff2" else "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(css: str, css_rel: str, root: Path) -> str:
    folder = posixpath.dirname(css_rel)

    def repl(m: re.Match[str]) -> str:
        target = m.group(2)
        if target.startswith(("data:", "#", "http:", "https:")):
            return m.group(0)
        path = root / posixpath.normpath(posixpath.join(folder, target))
        return f'url("{_data_uri(path)}")' if path.is_file() else m.group(0)

    return _CSS_URL.sub(repl, css)


def inline_assets(html: str, *, root: Path | None = None, prefix: str | None = None) -> str:
    """Return ``html`` with every local script and stylesheet inlined (fonts and images as data URIs).

    The result needs no server: a standalone export that opens anywhere. Raises
    ``FileNotFoundError`` when a referenced local file is not installed.
    """
    base = vendor_dir() if root is None else Path(root)
    pre = (url_prefix() if prefix is None else prefix.rstrip("/")) + "/"

    def local(url: str) -> tuple[str, Path] | None:
        if not url.startswith(pre):
            return None
        rel = url[len(pre):]
        path = base / rel
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not installed; run `python -m tools.install_assets`")
        return rel, path

    def script(m: re.Match[str]) -> str:
        hit = local(m.group(1))
        if hit is None:
            return m.group(0)
        code = hit[1].read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>/* {hit[0]} */\n{code}\n</script>"

    def style(m: re.Match[str]) -> str:
        hit = local(m.group(1))
        if hit is None:
            return m.group(0)
        css = _inline_css(hit[1].read_text(encoding="utf-8"), hit[0], base).replace("</style", "<\\/style")
        return f"<style>/* {hit[0]} */\n{css}\n</style>"

    return _CSS.sub(style, _SCRIPT.sub(script, html))
