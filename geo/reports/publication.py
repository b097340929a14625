"""Monthly publications: a closed month's B.8 tables frozen once, and the public view built only from them.

A published month never changes: a late report about an earlier month, or a new incident in a
withheld cell, cannot move any published number, so no withheld count can be read off the
difference between two publications. The public view shows each published month's district
totals side by side, with no running totals across months (a total over months would change as
months are added and could be differenced).
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.records import Publication
from geo.reports.monthly import BY_LEVEL, MonthlyReport
from geo.reports.publish import SuppressedTable

KIND_MONTHLY = "monthly_b8"
NOT_PUBLISHED = "not yet published"


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _frame(data: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(data["values"], index=data["index"], columns=data["columns"])


def monthly_content(report: MonthlyReport) -> tuple[str, str]:
    """Return (the stored content, its public part) of a month's report, both canonical JSON.

    The stored content keeps the true counts and masks so the report can be rendered again
    exactly; the public part is only what readers see, and its SHA-256 is the publication's hash.
    """
    tables: dict[str, object] = {}
    published: dict[str, object] = {}
    for name, tab in report.tables.items():
        tables[name] = {"index": [str(i) for i in tab.counts.index], "columns": [str(c) for c in tab.counts.columns],
                        "values": tab.counts.to_numpy(dtype=np.int64).tolist(),
                        "withheld": tab.withheld.to_numpy(dtype=bool).tolist(),
                        "row_total_withheld": np.asarray(tab.row_total_withheld, dtype=bool).tolist(),
                        "col_total_withheld": np.asarray(tab.col_total_withheld, dtype=bool).tolist(),
                        "grand_total_withheld": bool(tab.grand_total_withheld),
                        "row_totals": tab.row_totals.to_numpy(dtype=np.int64).tolist(),
                        "col_totals": tab.col_totals.to_numpy(dtype=np.int64).tolist(),
                        "grand_total": None if tab.grand_total is None else int(tab.grand_total)}
        pub = tab.published().astype(str)
        published[name] = {"index": [str(i) for i in pub.index], "columns": [str(c) for c in pub.columns],
                           "values": pub.to_numpy().tolist()}
    public = {"month": report.month, "synthetic": report.synthetic, "published": published}
    content = {**public, "tables": tables, "incidents": report.incidents, "rounds": report.rounds}
    return _json(content), _json(public)


def monthly_from_publication(pub: Publication) -> MonthlyReport:
    """Rebuild the report exactly as it was published."""
    data = json.loads(pub.content)
    tables: dict[str, SuppressedTable] = {}
    for name, t in data["tables"].items():
        counts = _frame(t)
        tables[name] = SuppressedTable(
            counts=counts, withheld=pd.DataFrame(t["withheld"], index=counts.index, columns=counts.columns),
            row_totals=pd.Series(t["row_totals"], index=counts.index) if "row_totals" in t else counts.sum(axis=1),
            col_totals=pd.Series(t["col_totals"], index=counts.columns) if "col_totals" in t else counts.sum(axis=0),
            row_total_withheld=np.asarray(t["row_total_withheld"], dtype=bool),
            col_total_withheld=np.asarray(t["col_total_withheld"], dtype=bool),
            grand_total_withheld=bool(t["grand_total_withheld"]), grand_total=t.get("grand_total"))
    return MonthlyReport(month=data["month"], synthetic=bool(data["synthetic"]), tables=tables,
                         incidents=int(data["incidents"]), rounds=int(data["rounds"]))


def public_months_table(publications: Sequence[Publication], *, last: int = 12) -> pd.DataFrame:
    """Return the public view: council district (rows) x published month (columns) of published totals.

    Every value is copied from a frozen publication: the month's district totals and its total,
    withheld ones as published. Nothing is recomputed from the live store and nothing is summed
    across months.
    """
    columns: dict[str, pd.Series] = {}
    for pub in sorted(publications, key=lambda p: p.period)[-last:]:
        table = _frame(json.loads(pub.content)["published"][BY_LEVEL])  # district totals: incidents
        columns[pub.period] = table["Total"]
    if not columns:
        return pd.DataFrame()
    out = pd.DataFrame(columns).fillna("-")
    out.index.name = "Council district"
    return out
