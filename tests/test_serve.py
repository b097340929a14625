"""``make run``'s launcher (tools.serve): it pre-imports the app's libraries but never a Streamlit component."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_warm_imports_the_libraries_and_no_component() -> None:
    # a component (streamlit_folium) declared before the server's runtime exists makes every map a 404:
    # the browser journeys caught it once; this fails fast on the cause
    code = ("import sys; from tools.serve import warm; assert warm() == [];"
            "bad = [m for m in sys.modules if m == 'streamlit_folium' or m == 'ui' or m.startswith('ui.')];"
            "assert not bad, bad; assert 'geopandas' in sys.modules and 'folium' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_makefile_and_the_browser_harness_start_the_app_through_it() -> None:
    assert "-m tools.serve" in (ROOT / "Makefile").read_text()
    assert '"tools.serve"' in (ROOT / "tests" / "browser" / "conftest.py").read_text()
