"""Signs and barriers done over time against the deadlines, per department or district (Vega-Lite).

Colours come from the one palette (:mod:`layers.palette`): a line of things done is "done" green,
goals and deadlines are ink rules told apart by their dash; incident series use the verification
colours, general crime its context grey.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo.analysis.progress import (
    BARRIERS,
    BREAKDOWNS,
    DATE,
    DONE,
    GOAL,
    GROUP,
    MEASURE,
    SIGNS,
    barriers_done,
    goals,
    signs_done,
)
from geo.config import Directive
from geo.i18n import N_
from geo.labels import VALUES
from layers.palette import INK, PALETTE, VERIFICATION, colours
from ui.i18n import _

BY_LABELS = {"city": N_("The City"), "department": N_("Department"), "district": N_("Council district")}
BY_KEY = "progress_by"
MEASURE_TITLES = {SIGNS: N_("Candidates with the sign posted"), BARRIERS: N_("Barrier sites closed and locked")}


def series_scale(series: pd.DataFrame) -> dict[str, list[str]]:
    """Return a Vega-Lite colour scale for "Relevance · Verification" series from the one palette."""
    by_label = {VALUES.get(code, code): colour for code, colour in colours(VERIFICATION).items()}
    context = VALUES.get("general_crime", "general_crime")
    domain = sorted(series["Series"].unique())
    rows = series.drop_duplicates("Series").set_index("Series")
    rng = [PALETTE["general crime (context)"] if rows.loc[s, "Relevance"] == context
           else by_label.get(str(rows.loc[s, "Verification"]), PALETTE["not known"]) for s in domain]
    return {"domain": domain, "range": rng}


def breakdown_picker() -> str:
    """Draw the breakdown selector (the City, per department, per council district); return its value."""
    choice = st.segmented_control(_("Break down by"), list(BREAKDOWNS), key=BY_KEY, default="city",
                                  format_func=lambda v: _(BY_LABELS[v]))
    return str(choice or "city")


def progress_chart(running: pd.DataFrame, units: pd.DataFrame, *, by: str, measure: str,
                   directive: Directive | None = None) -> None:
    """Draw one measure's running count per group (small multiples), its goal and the directive's deadlines."""
    directive = directive or Directive()
    st.markdown("**" + _(MEASURE_TITLES[measure]) + "**")
    if running.empty:
        st.caption(_("Nothing done yet to chart for this scope."))
        return
    goal = goals(units, by=by)
    data = running.merge(goal[goal[MEASURE] == measure][[GROUP, GOAL]], on=GROUP, how="left").fillna({GOAL: 0})
    deadlines = [(directive.identify_by, _("A.1 determination deadline"), [2, 2]),
                 (directive.sign_by, _("Sign deadline"), [8, 3])]
    layers: list[dict[str, object]] = [
        {"mark": {"type": "line", "interpolate": "step-after", "point": True, "tooltip": True,
                  "color": PALETTE["done"]},
         "encoding": {"x": {"field": DATE, "type": "temporal", "title": _("Date")},
                      "y": {"field": DONE, "type": "quantitative", "title": _("Done")}}},
        {"mark": {"type": "rule", "strokeDash": [6, 4], "color": INK},
         "encoding": {"y": {"field": GOAL, "type": "quantitative", "aggregate": "max"},
                      "tooltip": {"field": GOAL, "aggregate": "max", "title": _("Goal")}}},
        *({"mark": {"type": "rule", "strokeDash": dash, "color": INK},
           "encoding": {"x": {"datum": {"year": day.year, "month": day.month, "date": day.day}, "type": "temporal"},
                        "tooltip": {"value": f"{text}: {day:%Y-%m-%d}"}}} for day, text, dash in deadlines),
    ]
    spec: dict[str, object] = {"layer": layers, "height": 200 if by == "city" else 120}
    if by != "city":
        spec = {"facet": {"field": GROUP, "type": "nominal", "title": None}, "columns": 3,
                "spec": {**spec, "width": 220}, "resolve": {"scale": {"y": "independent"}}}
    st.vega_lite_chart(data, spec, use_container_width=by == "city")


def progress_section(units: pd.DataFrame, history: pd.DataFrame | None, *, as_of: dt.date) -> None:
    """Draw the breakdown selector and both charts: signs posted and barriers closed and locked over time."""
    by = breakdown_picker()
    progress_chart(signs_done(units, as_of=as_of, by=by), units, by=by, measure=SIGNS)
    if history is not None:
        progress_chart(barriers_done(history, units, as_of=as_of, by=by), units, by=by, measure=BARRIERS)
    st.caption(_("Dashed: the goal (every candidate signed; every barrier site closed and locked). Dotted and "
                 "long-dashed upright lines: the A.1 determination and sign deadlines. Barriers are counted from "
                 "the saved gate history: a gate found open again counts down on that day."))
