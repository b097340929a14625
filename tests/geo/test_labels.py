"""The one label table: human headers and values, the columns that matter first, tables that always serialise."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from geo.analysis.labels import MISSING, header, label, readable, value_text
from geo.labels import code_label


def _raw() -> pd.DataFrame:
    return pd.DataFrame({
        "site_id": ["LA-1", "LA-2"], "owning_dept": ["Airports", None], "gate_status": ["closed_locked", "no_gate"],
        "sign_status": ["none", "posted"], "risk_score": [99.1058, 12.0],
        "occurred_at": pd.to_datetime(["2026-03-01T10:00:00Z", "2026-07-01T19:30:00Z"], utc=True),
        "updated_at": ["2026-03-01T10:00:00+00:00", None], "barrier_applies": [True, False],
        "verification_status": ["lapd_confirmed", "corroborated, lapd_confirmed"], "sign_overdue_days": [3, None],
    })


def test_headers_and_values_read_as_words():
    out = readable(_raw(), first=["sign_status", "gate_status"])
    assert list(out.columns[:3]) == ["Sign", "Gate", "Site"]  # the columns that matter first
    assert {"Department", "Risk score", "Occurred", "Updated", "Barrier applies", "Days sign overdue"} <= set(out.columns)
    row = out.iloc[0]
    assert (row["Gate"], row["Sign"], row["Risk score"], row["Barrier applies"]) == (
        "Closed and locked", "No sign", 99.1, "Yes")
    assert row["Occurred"] == "2026-03-01 02:00 PST (-08:00)" and out.iloc[1]["Occurred"].endswith("PDT (-07:00)")
    assert row["Updated"] == "2026-03-01 02:00 PST (-08:00)" and out.iloc[1]["Updated"] == MISSING
    assert out.iloc[1]["Department"] == MISSING and out.iloc[1]["Days sign overdue"] == MISSING
    assert out.iloc[1]["Verification"] == "Corroborated, LAPD confirmed"


def test_every_column_has_one_type_so_arrow_never_falls_back():
    mixed = pd.DataFrame({"district": [1, 2, "Total"], "count": [3, None, 7.5]}).set_index("district")
    pa.Table.from_pandas(readable(mixed))  # raises on a mixed column (the Public view's "Could not convert 'Total'")
    assert list(readable(mixed).columns) == ["Council district", "Count"]


def test_single_values_and_unknown_names():
    assert header("sign_overdue_days") == "Days sign overdue" and header("some_new_field") == "Some new field"
    assert value_text(None) == MISSING and value_text("SYN-SITE-0001") == "SYN-SITE-0001"
    assert label("none", "sign_status") == "No sign" and code_label("lapd_confirmed") == "LAPD confirmed"
    assert value_text("2026-03-01T10:00:00Z") == "2026-03-01 02:00 PST (-08:00)"
