"""Browser tier: the real app on a free local port with a sample store, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """Start ``streamlit run streamlit_app.py`` on a free port with a fresh sample store."""
    _ensure_assets()
    tmp = tmp_path_factory.mktemp("browser_app")
    store = tmp / "sample.gpkg"
    subprocess.run([sys.executable, "-c", "import sys; from stagemap_cli import main; sys.exit(main(sys.argv[1:]))",
                    "sample", "--store", str(store)], check=True, cwd=REPO, capture_output=True, timeout=300)
    port = free_port()
    env = {**os.environ, "STAGEMAP_STORE": str(store), "STAGEMAP_TILES": "none", "STAGEMAP_ASSETS": "local",
           "STAGEMAP_AUTH": "demo", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--server.runOnSave", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
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
