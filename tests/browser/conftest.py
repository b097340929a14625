"""Browser tier: the real app on a free local port with a sample store, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.guard import Guard

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = os.environ.get("STAGEMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
APP_START_TIMEOUT_S = 90
#: True once the parcel tile layer has drawn every tile in view (tile browser tests wait on it)
TILES_LOADED_JS = """() => {
  const l = window.stagemapParcelTiles;
  if (!l || l._loading) { return false; }
  const tiles = Object.values(l._tiles);
  return tiles.length > 0 && tiles.every(t => t.loaded);
}"""


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (select with ``-m browser``, leave out with ``-m 'not browser'``)."""
    config.addinivalue_line("markers", "browser: real-browser tests against the running app (Playwright + Chromium)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here that drives the browser as ``browser`` and ``slow``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and "playwright_browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def in_ci() -> bool:
    """True under CI (``CI=true``): the browser tier must fail there, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Fail under CI, skip locally, with the same clear reason."""
    if in_ci():
        pytest.fail(f"browser tier cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    """Debian's Chromium, headless, launched by Playwright (never Playwright's own browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: .venv/bin/pip install -r tools/requirements-browser.txt")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _ensure_assets() -> None:
    from layers.assets import check_installed
    from tools.install_assets import IntegrityError, install

    if check_installed(hashes=False):
        try:
            install(Path(os.environ.get("STAGEMAP_VENDOR_DIR") or REPO / "static" / "vendor"))
        except (IntegrityError, OSError) as exc:
            pytest.fail(f"map assets are not installed and could not be: {exc}", pytrace=False)


@dataclass(frozen=True)
class App:
    """The running app: its base URL and the store it serves (tests read it to choose data)."""

    url: str
    store: Path


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample store once per test session (each app gets its own copy)."""
    store = tmp_path_factory.mktemp("browser_sample") / "sample.gpkg"
    subprocess.run([sys.executable, "-c", "import sys; from stagemap_cli import main; sys.exit(main(sys.argv[1:]))",
                    "sample", "--store", str(store)], check=True, cwd=REPO, capture_output=True, timeout=300)
    return store


@contextlib.contextmanager
def serve(tmp: Path, sample: Path, *, env: dict[str, str], args: tuple[str, ...] = (),
          port: int | None = None) -> Iterator[App]:
    """Run the app as ``make run`` does (``python -m tools.serve``) on a free port with a copy of ``sample``."""
    store = tmp / "sample.gpkg"
    shutil.copy(sample, store)
    port = port or free_port()
    full_env = {**os.environ, "STAGEMAP_STORE": str(store), "STAGEMAP_TILES": "none", "STAGEMAP_ASSETS": "local",
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--server.runOnSave", "false", *args],
        cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + APP_START_TIMEOUT_S
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"the app did not start:\n{(tmp / 'streamlit.log').read_text()[-3000:]}", pytrace=False)
            time.sleep(0.3)
        yield App(url=url, store=store)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> Iterator[App]:
    """Start ``streamlit run streamlit_app.py`` on a free port with a fresh sample store (demo sign-in)."""
    _ensure_assets()
    with serve(tmp_path_factory.mktemp("browser_app"), sample_master, env={"STAGEMAP_AUTH": "demo"}) as running:
        yield running


#: One local account per staff role, all with this password (tests/browser/test_sign_in.py signs in as each).
ACCOUNT_PASSWORD = "browser test passphrase 7"
LOCAL_ACCOUNTS = {"planner": ("pia", None, None), "liaison": ("ana", "Transportation (LADOT)", None),
                  "council_office": ("cole", None, 14), "records": ("rex", None, None), "admin": ("kim", None, None)}
#: OIDC users (their e-mail has an account entry) and the role each gets.
OIDC_ACCOUNTS = {"pat@city.example": "planner", "late@city.example": "records"}


@pytest.fixture(scope="session")
def local_app(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> Iterator[App]:
    """The app in local-accounts mode (STAGEMAP_AUTH=local) with :data:`LOCAL_ACCOUNTS`."""
    from geo.access.accounts import add_account

    _ensure_assets()
    tmp = tmp_path_factory.mktemp("browser_local")
    users = tmp / "users.json"
    for role, (name, dept, district) in LOCAL_ACCOUNTS.items():
        add_account(users, name, ACCOUNT_PASSWORD, role=role, department=dept, district=district)
    with serve(tmp, sample_master, env={"STAGEMAP_AUTH": "local", "STAGEMAP_USERS": str(users)}) as running:
        yield running


@dataclass(frozen=True)
class Provider:
    """A real OpenID Connect provider (oidc-provider-mock) on a loopback port."""

    url: str  # the issuer, as the app and the browser reach it

    def set_user(self, sub: str, claims: dict[str, object]) -> None:
        """Give ``sub`` these ID-token claims (custom ones such as ``exp`` override the provider's)."""
        req = urllib.request.Request(f"{self.url}/users/{urllib.parse.quote(sub)}", method="PUT",
                                     data=json.dumps(claims).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204, resp.status


#: Runs the provider in its own process (its Authlib calls warn, which pytest here turns into errors).
PROVIDER_SCRIPT = ("import oidc_provider_mock\n"
                   "from werkzeug.serving import make_server\n"
                   "server = make_server('127.0.0.1', 0, oidc_provider_mock.app(), threaded=True)\n"
                   "print(server.server_port, flush=True)\n"
                   "server.serve_forever()\n")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Run oidc-provider-mock on 127.0.0.1, reached as ``localhost`` (a cookie host apart from the app's)."""
    if importlib.util.find_spec("oidc_provider_mock") is None:
        unavailable("oidc-provider-mock is not installed: .venv/bin/pip install -r tools/requirements-browser.txt")
    log_path = tmp_path_factory.mktemp("oidc_provider") / "provider.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", PROVIDER_SCRIPT], stdout=subprocess.PIPE, stderr=log,
                                text=True)
        try:
            first = proc.stdout.readline().strip() if proc.stdout else ""  # the port, or "" if it died
            if not first.isdigit():
                pytest.fail(f"the OIDC provider did not start:\n{log_path.read_text()[-3000:]}", pytrace=False)
            provider = Provider(url=f"http://localhost:{first}")
            with urllib.request.urlopen(f"{provider.url}/.well-known/openid-configuration", timeout=10) as resp:
                assert json.load(resp)["issuer"] == provider.url
            yield provider
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()


@pytest.fixture(scope="session")
def oidc_app(tmp_path_factory: pytest.TempPathFactory, sample_master: Path, oidc_provider: Provider) -> Iterator[App]:
    """The app signing in through ``st.login`` against :func:`oidc_provider`, its secrets in a temporary file."""
    from geo.access.accounts import add_account

    _ensure_assets()
    tmp = tmp_path_factory.mktemp("browser_oidc")
    users = tmp / "users.json"
    for email, role in OIDC_ACCOUNTS.items():
        add_account(users, email, secrets.token_urlsafe(16), role=role)
    port = free_port()
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "stagemap-browser-test"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{oidc_provider.url}/.well-known/openid-configuration"\n')
    env = {"STAGEMAP_AUTH": "oidc", "STAGEMAP_USERS": str(users)}
    with serve(tmp, sample_master, env=env, args=("--secrets.files", str(secrets_file)), port=port) as running:
        yield running


@pytest.fixture
def new_context(playwright_browser: object) -> Iterator[object]:
    """A factory of guarded browser contexts (each a separate Streamlit session); all closed afterwards."""
    made: list[tuple[object, Guard]] = []

    def make(*, width: int = 1400, height: int = 1000, **kwargs: object) -> tuple[object, Guard]:
        ctx = playwright_browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                             **kwargs)
        guard = Guard()
        guard.attach_context(ctx)
        made.append((ctx, guard))
        return ctx, guard

    yield make
    for ctx, _ in made:
        ctx.close()


def screenshot(page: object, name: str) -> Path:
    """Save a screenshot of a journey's end state under artifacts/browser/, the whole page top to bottom.

    Streamlit scrolls inside its own container, so the viewport is made as tall as the content
    for the shot (capped), then put back.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    tall = page.evaluate("() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll("
                         "'[data-testid=stMain], [data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": int(min(max(tall + 80, size["height"]), 4000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory):
    """The sample store, its parcel tile archive built once per test module, and a point inside one of its parcels
    (lat, lon, AIN): for the tile layer's browser tests."""
    from geo import schema
    from geo.access.roles import Actor
    from geo.services.tiles import build_parcel_tiles, store_tile_location
    from geo.store import open_store
    from geo.synthetic import generate_sample
    from geo.tiles.archive import ARCHIVE_DIR_ENV, ARCHIVE_URL_ENV

    root = tmp_path_factory.mktemp("tile_archive")
    path = root / "sample.gpkg"
    sample = generate_sample()
    store = open_store(str(path))
    store.write_layers(sample.frames, mode="replace", status=sample.status)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ARCHIVE_DIR_ENV, str(root / "tiles"))
        mp.setenv(ARCHIVE_URL_ENV, "/tiles")
        archive = build_parcel_tiles(store, Actor("tile test", "planner", source="cli"))
        file = store_tile_location(store).archive_dir / archive.file
    parcels = store.read_layer(schema.PARCELS, columns=[schema.AIN])
    row = parcels.iloc[len(parcels) // 2]
    inside = row.geometry.representative_point()
    yield store, file, (inside.y, inside.x, str(row[schema.AIN]))
    shutil.rmtree(root / "tiles", ignore_errors=True)
