"""AppTest: the review page's prepared downloads do not rerun the page, so none vanishes after one download."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.test_overview_page import APP


def _download_protos(at: AppTest) -> list[object]:
    found: list[object] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ == "DownloadButton":
            found.append(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def test_prepared_downloads_stay_after_a_download(sample_store):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("app_pages/review.py").run()
    next(b for b in at.button if b.label.startswith("Prepare exports")).click().run()
    assert not at.exception
    buttons = _download_protos(at)
    assert [b.label for b in buttons] == ["CSV", "GeoJSON", "GeoPackage"]
    assert all(b.ignore_rerun for b in buttons)  # a click downloads without a rerun: the other two stay
