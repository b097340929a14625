"""General crime on the incident map: only when asked, in its own grey layer, escaped, and never counted."""
from __future__ import annotations

import pandas as pd
import shapely

from geo import schema
from layers.incidents import CONTEXT_LABEL, incident_map
from tests.conftest import canonical_frame

HOSTILE = "</script><svg onload=alert(1)>`${x}`"


def _frames():
    points = [shapely.Point(-118.25, 34.05), shapely.Point(-118.26, 34.06)]
    when = list(pd.to_datetime(["2026-10-09 00:08"] * 2, utc=True))  # 8 October in Los Angeles
    enforcement = canonical_frame(schema.INCIDENTS, points, incident_id=["E-1", "E-2"], occurred_at=when,
                                  incident_type="arrest", verification_status="unverified", council_district=1)
    context = canonical_frame(schema.INCIDENTS, [shapely.Point(-118.27, 34.07)], incident_id=[HOSTILE],
                              occurred_at=when[:1], incident_type="other", verification_status="unverified",
                              source_type="lapd_import", council_district=1)
    districts = canonical_frame(schema.DISTRICTS, [shapely.box(-118.3, 34.0, -118.2, 34.1)], district=[1])
    return enforcement, context, districts


def test_context_is_drawn_only_when_asked_in_its_own_layer():
    enforcement, context, districts = _frames()
    counts = pd.Series({1: len(enforcement)})
    plain = incident_map(enforcement, districts, counts, mode="points", synthetic=False).get_root().render()
    assert CONTEXT_LABEL not in plain and "lapd_import" not in plain
    asked = incident_map(enforcement, districts, counts, mode="points", synthetic=False, context=context)
    html = asked.get_root().render()
    assert CONTEXT_LABEL in html and "1 general-crime records shown as context (grey), not counted" in html
    assert "2 incidents match the filters" in html  # the count is the enforcement incidents only
    assert "</script><svg" not in html and "${x}" not in html
    assert "2026-10-08" in html and "2026-10-09" not in html  # dates are Los Angeles dates
