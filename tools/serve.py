"""Start the app with its libraries already imported, so the first visitor does not wait for them.

``streamlit run`` imports nothing of the app until the first browser session runs the script; that first run
then pays for pandas, geopandas, folium, streamlit-folium and the app's own modules (about 1-1.5 s on the
2-core server). Streamlit runs every script in this same process, so importing them here, before the server
starts answering, moves that cost out of the first map. Usage (``make run`` does this)::

    python -m tools.serve [streamlit run options...]
"""
from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

#: What the first page of any role imports (the router, the public view and the overview); nothing here
#: opens a store or reads data, it only loads code.
#: Never ``streamlit_folium`` or ``ui.*``: a component declared before the server's runtime exists is registered
#: nowhere the server looks, and every map then fails with "component source error - 404".
WARM = ("pandas", "geopandas", "shapely", "pyproj", "folium", "branca",
        "geo.access.roles", "geo.services.persisted", "geo.services.exports", "geo.analysis.labels", "geo.i18n",
        "layers.base", "layers.public_map", "layers.overview", "layers.style", "layers.features")
APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def warm() -> list[str]:
    """Import the modules of :data:`WARM`; return the ones that could not be imported (named, never fatal)."""
    if any(name == "streamlit_folium" or name.startswith("ui") for name in WARM):
        raise RuntimeError("tools.serve must not pre-import streamlit components (streamlit_folium, ui.*)")
    missing = []
    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # a renamed module must not stop the app from starting
            missing.append(f"{name} ({exc})")
    return missing


class _WarmNoise(logging.Filter):
    """Drop the two warnings the warm imports cause and that do not apply here: "missing ScriptRunContext" (a
    module touched st before any session exists) and "restart to apply [server] options" (the config was read
    before the command-line options; the server has not started yet, so they all apply)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return "missing ScriptRunContext" not in text and "config option section was detected" not in text


def main(argv: list[str] | None = None) -> int:
    """Warm the imports, then hand over to ``streamlit run streamlit_app.py`` with the given options."""
    for name in ("streamlit.config", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).addFilter(_WarmNoise())
    for line in warm():
        print(f"tools.serve: not pre-imported: {line}", file=sys.stderr)
    from streamlit.web import cli

    args = ["run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    try:
        cli.main(args, prog_name="streamlit", standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
