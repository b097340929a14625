"""The part-drawing tool on the site map: polygon and rectangle only, its scripts served by StageMap."""
from __future__ import annotations

from layers import assets
from layers.base import base_map
from layers.draw import part_draw_control


def test_only_polygon_and_rectangle_can_be_drawn():
    control = part_draw_control()
    assert control.draw_options["polygon"] and control.draw_options["rectangle"]
    for tool in ("polyline", "circle", "marker", "circlemarker"):
        assert control.draw_options[tool] is False, tool
    assert control.edit_options["edit"] is False and control.export is False


def test_the_drawing_tool_is_self_hosted(monkeypatch):
    monkeypatch.delenv(assets.ASSETS_ENV, raising=False)
    fmap = base_map()
    part_draw_control().add_to(fmap)
    links = assets.asset_links(fmap)
    draw = [u for u in links if "leaflet-draw@" in u]
    assert len(draw) == 2 and all(u.startswith(assets.DEFAULT_URL_PREFIX + "/") for u in links), links
    assert "L.Control.Draw" in fmap.get_root().render()
