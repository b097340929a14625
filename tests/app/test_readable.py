"""AppTest: no raw column name, code or UTC timestamp on any page, for any role.

Every page is walked as every role that may open it; the text a person reads (titles, captions,
metrics, widget labels and options, alerts, dataframe headers and cells) is scanned for raw names
(``owning_dept``, ``closed_locked``...), raw missing values (``None``, ``nan``) and ISO UTC timestamps.
The maps' HTML payloads are not text a person reads and are left to the least-data scan.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.access.roles import PAGES, ROLES, Actor, can_view
from geo.analysis.labels import readable
from tests.app.test_overview_page import APP

ROOT = Path(APP).parent
DEPT, DISTRICT = "Transportation (LADOT)", 14
RAW = ("owning_dept", "closed_locked", "closed_unlocked", "lapd_confirmed", "final_tier", "risk_score", "occurred_at",
       "sign_status", "gate_status", "protection_detail", "sign_overdue_days", "residual_tier", "unit_id",
       "council_district", "incident_type", "not_candidate", "parking_lot", "no_gate", "on_site", "snap_kind",
       "verification_status", "source_type", "record_id", "site_id", "incident_id", "updated_at")
RAW_CELLS = ("None", "nan", "NaN", "NaT", "<NA>")
UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|\+00:?00)\b")
SKIP_TYPES = {"iframe", "component_instance", "arrow_vega_lite_chart", "vega_lite_chart"}
OTHERS: set[str] = set()  # every page is held to the rule
EXISTING = [p for p in PAGES if (ROOT / "app_pages" / f"{p}.py").exists()]
CELLS = [(r, p) for r in ROLES for p in EXISTING if can_view(Actor("x", r, DEPT if r == "liaison" else None), p)]


def readable_text(at: AppTest) -> tuple[list[str], list[str]]:
    """Return (texts, dataframe cells) a person reads on the page, main area and sidebar."""
    texts: list[str] = []
    cells: list[str] = []

    def walk(node: object) -> None:
        if getattr(node, "type", None) in SKIP_TYPES:
            return
        has_options = hasattr(node, "options")  # a choice widget's value is the code behind the option shown
        for attr in ("label", "value", "options", "body", "help", "placeholder"):
            if attr == "value" and has_options:
                continue
            try:
                got = getattr(node, attr, None)
            except Exception:  # some elements compute their value lazily and may not have one
                continue
            if isinstance(got, pd.DataFrame):
                proto = getattr(node, "proto", None)
                shown = [c for c in got.columns if not proto or not proto.column_order or c in proto.column_order]
                if proto is not None and proto.editing_mode:  # an editor: an empty cell is empty, headers configured
                    cells.extend(str(v) for v in got[shown].to_numpy().ravel() if not pd.isna(v))
                    continue
                texts.extend(str(c) for c in shown)
                cells.extend(str(v) for v in got[shown].to_numpy().ravel())
            elif isinstance(got, str):
                texts.append(got)
            elif isinstance(got, list | tuple) and attr == "options":
                texts.extend(str(o) for o in got)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return texts, cells


CANONICAL_HELP = "Canonical names for this kind:"


def problems(texts: list[str], cells: list[str]) -> list[str]:
    """Return each raw name, raw missing value and UTC timestamp found."""
    found: set[str] = set()
    for text in texts + cells:
        if text.startswith(CANONICAL_HELP):  # the import mapping lists the names `--map` takes, on purpose
            continue
        found.update(name for name in RAW if re.search(rf"(?<![\w/=?&]){name}(?!\w)", text))
        found.update(m.group(0) for m in UTC.finditer(text))
    found.update(c for c in cells if c in RAW_CELLS)
    return sorted(found)


def _page(role: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["demo_dept"] = DEPT
    at.session_state["demo_district"] = DISTRICT
    at.run()
    if page != "overview" or role == "public":
        at.switch_page(str(ROOT / "app_pages" / f"{page}.py")).run()
    assert not at.exception, (role, page, at.exception)
    return at


def test_the_scan_is_not_blind():
    raw = pd.DataFrame({"owning_dept": ["A", None], "gate_status": ["closed_locked", "open"],
                        "occurred_at": ["2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00Z"]}, dtype=object)
    assert problems(list(raw.columns), [str(v) for v in raw.to_numpy().ravel()]) == sorted(
        ["owning_dept", "gate_status", "occurred_at", "closed_locked", "None", "2026-03-01T10:00:00+00:00",
         "2026-03-01T10:00:00Z"])
    shown = readable(raw)
    assert problems(list(shown.columns), [str(v) for v in shown.to_numpy().ravel()]) == []
    assert problems(["/review?site=SYN-1"], []) == []  # a link's query is not a raw name


@pytest.mark.parametrize(("role", "page"), CELLS)
def test_no_raw_names_on_any_page(sample_store, role, page):
    at = _page(role, page)
    texts, cells = readable_text(at)
    found = problems(texts, cells)
    where = sorted({t[:160] for t in texts + cells if any(f in t for f in found)})[:8]
    if page in OTHERS and found:
        pytest.xfail(f"{page} is being rebuilt by another issue; raw names seen: {found}")
    assert not found, f"{role} on {page} shows raw names: {found} in {where}"
