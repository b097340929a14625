"""Streamlit's own Vega-Lite charts: incidents per month, signs posted against the deadline."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo.analysis.trends import COUNT, DATE, MONTH, SIGNED_TOTAL
from geo.i18n import short_date
from layers.palette import INK, PALETTE
from ui.i18n import _, lang
from ui.progress_charts import series_scale


def incidents_chart(per_month: pd.DataFrame) -> None:
    """Draw incidents per month, stacked by relevance and verification."""
    if per_month.empty:
        st.caption(_("No incidents to chart for these filters."))
        return
    data = per_month.assign(Series=per_month["Relevance"] + " · " + per_month["Verification"])
    st.vega_lite_chart(data, {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {"x": {"field": MONTH, "type": "ordinal", "title": "Month"},
                     "y": {"field": COUNT, "type": "quantitative", "title": "Incidents", "stack": "zero"},
                     "color": {"field": "Series", "type": "nominal", "title": "Relevance · verification", "scale": series_scale(data)}},
        "height": 260}, use_container_width=True)


def signs_chart(running: pd.DataFrame, *, candidates: int, deadline: dt.date) -> None:
    """Draw signs posted over time against the number of candidates and the sign deadline."""
    if running.empty:
        st.caption(_("No sign has a posting date yet."))
        return
    layers: list[dict[str, object]] = [
        {"mark": {"type": "line", "interpolate": "step-after", "point": True, "tooltip": True, "color": PALETTE["done"]},
         "encoding": {"x": {"field": DATE, "type": "temporal", "title": _("Date")},
                      "y": {"field": SIGNED_TOTAL, "type": "quantitative", "title": _("Candidates signed")}}},
        {"data": {"values": [{"goal": candidates, "label": _("{n} candidates need a sign").format(n=f"{candidates:,}")}]},
         "mark": {"type": "rule", "strokeDash": [6, 4], "color": INK},
         "encoding": {"y": {"field": "goal", "type": "quantitative"}, "tooltip": {"field": "label"}}},
        {"data": {"values": [{"day": deadline.isoformat(), "label": _("Sign deadline {date}").format(date=short_date(deadline, lang()))}]},
         "mark": {"type": "rule", "strokeDash": [8, 3], "color": INK},  # ink: a deadline, not a status colour
         "encoding": {"x": {"field": "day", "type": "temporal"}, "tooltip": {"field": "label"}}},
    ]
    st.vega_lite_chart(running, {"layer": layers, "height": 260}, use_container_width=True)
