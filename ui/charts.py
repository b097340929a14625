"""Streamlit's own Vega-Lite charts: incidents per month, signs posted against the deadline."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo.analysis.trends import COUNT, DATE, MONTH, SIGNED_TOTAL


def incidents_chart(per_month: pd.DataFrame) -> None:
    """Draw incidents per month, stacked by relevance and verification."""
    if per_month.empty:
        st.caption("No incidents to chart for these filters.")
        return
    data = per_month.assign(Series=per_month["Relevance"] + " · " + per_month["Verification"])
    st.vega_lite_chart(data, {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {"x": {"field": MONTH, "type": "ordinal", "title": "Month"},
                     "y": {"field": COUNT, "type": "quantitative", "title": "Incidents", "stack": "zero"},
                     "color": {"field": "Series", "type": "nominal", "title": "Relevance · verification"}},
        "height": 260}, use_container_width=True)


def signs_chart(running: pd.DataFrame, *, candidates: int, deadline: dt.date) -> None:
    """Draw signs posted over time against the number of candidates and the sign deadline."""
    if running.empty:
        st.caption("No sign has a posting date yet.")
        return
    layers: list[dict[str, object]] = [
        {"mark": {"type": "line", "interpolate": "step-after", "point": True, "tooltip": True},
         "encoding": {"x": {"field": DATE, "type": "temporal", "title": "Date"},
                      "y": {"field": SIGNED_TOTAL, "type": "quantitative", "title": "Candidates signed"}}},
        {"data": {"values": [{"goal": candidates, "label": f"{candidates:,} candidates need a sign"}]},
         "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#555"},
         "encoding": {"y": {"field": "goal", "type": "quantitative"}, "tooltip": {"field": "label"}}},
        {"data": {"values": [{"day": deadline.isoformat(), "label": f"Sign deadline {deadline:%d %b %Y}"}]},
         "mark": {"type": "rule", "color": "#b00020"},
         "encoding": {"x": {"field": "day", "type": "temporal"}, "tooltip": {"field": "label"}}},
    ]
    st.vega_lite_chart(running, {"layer": layers, "height": 260}, use_container_width=True)
