"""One as-of date: the same store and date give the same KPIs in the app, the CLI, the board report and the
exported tables; every window counts from it; a store whose data end earlier says so; times show in LA time.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.analysis.gaps import SIGN_OVERDUE_DAYS, SIGNED
from geo.analysis.kpis import LABELS
from geo.services.reports import board_from_store
from stagemap_cli.main import main
from tests.actors import PLANNER
from tests.app.test_overview_page import APP
from tests.app.text_scan import all_text

AS_OF = dt.date(2026, 4, 15)
LATER = dt.date(2026, 5, 20)
AFTER_DATA = dt.date(2027, 1, 15)  # the sample's incidents end on 31 Oct 2026


def _page(page: str, as_of: dt.date, role: str = "planner") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["as_of"] = as_of  # the sidebar's one date, as a user would set it
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _cli(store_url: str, out, as_of: dt.date, capsys) -> tuple[dict[str, int], pd.DataFrame, str]:
    assert main(["analyze", "--store", store_url, "--out", str(out), "--as-of", as_of.isoformat()]) == 0
    summary = capsys.readouterr().out
    head = pd.read_csv(out / "headline_kpis.csv").set_index("kpi")["value"].astype(int).to_dict()
    return head, pd.read_csv(out / "kpi_by_department.csv"), summary


@pytest.fixture
def planner_store(sample_store):
    return sample_store


def _numbers(value: str) -> list[int]:
    """Return the whole numbers in a metric's text ('1,234 / 2,000' -> [1234, 2000])."""
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", value)]


def test_app_cli_board_and_exports_agree_on_every_kpi_for_one_store_and_date(planner_store, tmp_path, capsys):
    head, by_dept, summary = _cli(planner_store.url, tmp_path / "out", AS_OF, capsys)
    assert head["incidents_month"] > 0 and head["high_not_protected"] > 0  # numbers a wrong date would change
    pages = {"gaps": _metrics(_page("gaps", AS_OF)), "overview": _metrics(_page("overview", AS_OF))}
    shown = 0
    for page, metrics in pages.items():  # every headline number either page shows equals the CLI's
        for key in ("identified", "signed", "gated", "high_not_protected", "sign_overdue", "incidents_month"):
            if LABELS[key] in metrics:
                assert _numbers(metrics[LABELS[key]])[0] == head[key], (page, key, metrics[LABELS[key]], head[key])
                shown += 1
        if LABELS["gated"] in metrics:
            assert _numbers(metrics[LABELS["gated"]])[1] == head["barrier_sites"], page
    assert shown >= 8, pages  # both pages show most of them
    # the CLI's own summary line and the exported per-department table
    for key in ("high_not_protected", "sign_overdue", "incidents_month", "signed", "identified"):
        assert f"; {LABELS[key].lower()} {head[key]:,}" in summary, (key, summary)
    sums = by_dept[["sites", "identified", "signed_identified", "gated", "barrier_sites", "sign_overdue"]].sum()
    assert (sums["sites"], sums["identified"], sums["signed_identified"], sums["gated"], sums["sign_overdue"]) == (
        head["sites"], head["identified"], head["signed"], head["gated"], head["sign_overdue"])
    # the board report of one department, as of the same date, against the exported row of that department
    row = by_dept.set_index(schema.OWNING_DEPT).loc["Harbor Department (Port of LA)"]
    board = board_from_store(planner_store, PLANNER, department="Harbor", as_of=AS_OF)
    table = board.summary.set_index("Measure")["Sites"]
    signed = table[next(m for m in table.index if m.startswith("Signed"))]
    overdue = table[next(m for m in table.index if m.startswith("Past the sign deadline"))]
    assert (signed, overdue) == (row["signed_identified"], row["sign_overdue"])
    assert board.as_of == AS_OF


def test_every_window_counts_from_the_as_of_date_not_the_latest_incident(planner_store, tmp_path, capsys):
    first, _, _ = _cli(planner_store.url, tmp_path / "a", AS_OF, capsys)
    later, _, _ = _cli(planner_store.url, tmp_path / "b", LATER, capsys)
    incidents = planner_store.read_layer(schema.INCIDENTS)
    counted = incidents[incidents[schema.RELEVANCE] != schema.GENERAL_CRIME]
    days = counted[schema.OCCURRED_AT].dt.tz_convert("America/Los_Angeles").dt.date
    for head, as_of in ((first, AS_OF), (later, LATER)):
        assert head["incidents_month"] == int(((days >= as_of.replace(day=1)) & (days <= as_of)).sum())
        assert head["incidents_30d"] == int(((days > as_of - dt.timedelta(days=30)) & (days <= as_of)).sum())
    assert first["incidents_month"] != later["incidents_month"]  # the window moved with the date
    assert _metrics(_page("overview", LATER))[LABELS["incidents_month"]] == f"{later['incidents_month']:,}"


def test_a_store_whose_data_end_earlier_says_so_beside_the_date(planner_store, tmp_path, capsys):
    incidents = planner_store.read_layer(schema.INCIDENTS)
    counted = incidents[incidents[schema.RELEVANCE] != schema.GENERAL_CRIME]
    end = counted[schema.OCCURRED_AT].max().tz_convert("America/Los_Angeles").date()
    said = f"The data end earlier: the latest incident is {end:%d %b %Y}, {(AFTER_DATA - end).days} days before the as-of date"
    at = _page("overview", AFTER_DATA)
    assert said in " ".join(c.value for c in at.sidebar.caption)
    assert _metrics(at)[LABELS["incidents_month"]] == "0"
    _, _, summary = _cli(planner_store.url, tmp_path / "c", AFTER_DATA, capsys)
    assert f"note: {said}" in summary
    assert "The data end earlier" not in " ".join(c.value for c in _page("overview", AS_OF).sidebar.caption)


def test_incident_times_show_and_export_in_los_angeles_time_with_the_offset(planner_store, tmp_path, capsys):
    incidents = planner_store.read_layer(schema.INCIDENTS)
    late = incidents[incidents[schema.RELEVANCE] != schema.GENERAL_CRIME].sort_values(schema.OCCURRED_AT).iloc[-1]
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = "planner"
    at.session_state["as_of"] = AFTER_DATA
    at.session_state["selected_incident"] = late[schema.INCIDENT_ID]
    at.session_state["inc_period"] = "All"
    at.run().switch_page("app_pages/incidents.py").run()
    assert not at.exception
    shown = [str(v) for df in at.dataframe for v in df.value.get("Value", [])]  # human headers (geo.labels)
    local = late[schema.OCCURRED_AT].tz_convert("America/Los_Angeles")
    offset = local.strftime("%z")
    assert f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({offset[:3]}:{offset[3:]})" in shown
    assert not any("UTC" in v for v in shown)
    _cli(planner_store.url, tmp_path / "d", AFTER_DATA, capsys)
    snapped = pd.read_csv(tmp_path / "d" / "incidents_snapped.csv")
    assert snapped[schema.OCCURRED_AT].map(lambda v: bool(re.fullmatch(r".*T.*-0[78]:00", v))).all()


def test_the_overview_and_incident_map_leave_general_crime_out_unless_asked(planner_store):
    incidents = planner_store.read_layer(schema.INCIDENTS)
    context = incidents[incidents[schema.RELEVANCE] == schema.GENERAL_CRIME]
    at = _page("incidents", AFTER_DATA)
    assert _metrics(at)["Incidents shown"] == f"{len(incidents) - len(context):,}"
    assert "General crime (context" not in all_text(at) and context[schema.INCIDENT_ID].iloc[0] not in all_text(at)
    at.checkbox(key="inc_context").check().run()
    assert not at.exception
    assert _metrics(at)["Incidents shown"] == f"{len(incidents) - len(context):,}"  # context is never counted
    text = all_text(at)
    assert "General crime (context, not evidence)" in text and all(i in text for i in context[schema.INCIDENT_ID])


def test_gap_table_columns_are_the_ones_the_kpis_read(planner_store):
    """The headline reads the same site columns the pages and reports use (a rename breaks this test first)."""
    from geo.services.analysis import analyze_store

    res = analyze_store(planner_store, as_of=AS_OF)
    assert {SIGNED, SIGN_OVERDUE_DAYS, "final_tier", "protection"} <= set(res.sites.columns)
