"""The drawing tool for a site part: polygon and rectangle only, shown on the site map."""
from __future__ import annotations

from folium.plugins import Draw

PART_SHAPE = {"color": "#1f618d", "weight": 2, "fillOpacity": 0.25}


def part_draw_control() -> Draw:
    """Return a Leaflet.draw control that draws one polygon or rectangle (no lines, markers or circles).

    What is drawn comes back from the map as GeoJSON in EPSG:4326 (streamlit-folium's
    ``last_active_drawing``); it is not kept on the map or exported from it.
    """
    return Draw(
        export=False, position="topleft", show_geometry_on_click=False,
        draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                      "polygon": {"allowIntersection": False, "showArea": True, "shapeOptions": PART_SHAPE},
                      "rectangle": {"shapeOptions": PART_SHAPE}},
        edit_options={"edit": False, "remove": True},
    )
