"""A mistyped or foreign page address is answered by StageMap in the session's language, not Streamlit's dialog.

Streamlit's own answer to an unknown URL path is an English modal ("Page not found ... no corresponding file
was found") over the default page; ``ui.not_found.stand_in`` registers a hidden page under that path instead.
"""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import drive
from tests.browser.conftest import App, screenshot


def test_an_unknown_address_reads_in_spanish_without_streamlits_dialog(app: App, new_context) -> None:
    ctx, guard = new_context()
    page = ctx.new_page()
    drive.open_app(page, f"{app.url}/nowhere?lang=es")
    expect(page.get_by_role("heading", name="Página no encontrada")).to_be_visible()
    expect(page.get_by_text("su rol no puede abrirla", exact=False)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)  # Streamlit's modal title
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, "not_found_es")
    page.get_by_role("link", name="Ir a", exact=False).first.click()  # the link to the role's first page works
    drive.wait_idle(page)
    expect(page.get_by_role("heading", name="Página no encontrada")).to_have_count(0)
    _drop_base_path_probes(guard, "/nowhere/_stcore/")
    guard.check()


def _drop_base_path_probes(guard: object, prefix: str) -> None:
    """Forget the 404s of Streamlit's own probe of a deep link as a base path (and their console lines).

    Opened at ``/nowhere``, Streamlit's frontend first asks ``/nowhere/_stcore/health`` and ``host-config`` (is the
    app served under that path?), gets 404 and falls back to the root; every deep link does this, a real page's too.
    """
    probes = [f for f in guard.failed if prefix in f]  # type: ignore[attr-defined]
    assert all(f.startswith("HTTP 404 ") for f in probes), probes
    guard.failed = [f for f in guard.failed if prefix not in f]  # type: ignore[attr-defined]
    for _ in probes:
        line = next((e for e in guard.errors if "status of 404" in e), None)  # type: ignore[attr-defined]
        if line is not None:
            guard.errors.remove(line)  # type: ignore[attr-defined]
