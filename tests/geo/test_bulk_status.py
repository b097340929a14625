"""Bulk status import: per-row version checks; applied, conflicting, invalid and unknown rows reported."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import shapely

from geo import schema
from geo.errors import AccessDenied, SchemaError
from geo.services.status import import_status
from stagemap_cli.main import main
from tests.actors import ADMIN, liaison
from tests.conftest import canonical_frame

HEADER = ["Site ID", "Version", "Sign", "Sign Posted On", "Gate", "Last Inspected", "Notes"]
ROWS = [
    ["SYN-1", 1, "Posted", "2026-03-01", "locked", "2026-03-02", "sign on north fence"],  # row 2: applied
    ["SYN-2", 1, "missing", None, None, None, None],  # row 3: conflict (SYN-2 was edited first)
    ["SYN-3", 1, "sideways", None, None, None, None],  # row 4: invalid sign value
    ["SYN-3", 1, None, "2999-01-01", None, None, None],  # row 5: future date
    ["SYN-3", "v1", "posted", None, None, None, None],  # row 6: bad version
    ["NOPE-9", 1, "posted", None, None, None, None],  # row 7: unknown site
    ["SYN-3", 1, None, None, "Closed Unlocked", None, None],  # row 8: applied
    ["SYN-3", 1, "damaged", None, None, None, None],  # row 9: conflict with row 8 of the same file
]


@pytest.fixture
def db(any_store, tmp_path, monkeypatch):
    """Each backend (SQLite file, PostgreSQL); a PostgreSQL store keeps evidence in a configured directory."""
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return any_store


@pytest.fixture
def sited(db):
    store = db
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * 3,
                            site_id=["SYN-1", "SYN-2", "SYN-3"], owning_dept="Transportation (LADOT)",
                            area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    store.save_status("SYN-2", {"gate_status": "open"}, expect_version=1, user="bo")
    return store


def _csv(path, rows=ROWS, header=HEADER):
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in r) for r in [header, *rows]) + "\n")
    return path


def _xlsx(path, rows=ROWS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([dt.date.fromisoformat(v) if isinstance(v, str) and v[:2] in ("20", "29") else v for v in r])
    wb.save(path)
    return path


@pytest.mark.parametrize("maker", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_rows_are_applied_conflicting_or_invalid_each_on_its_own(sited, tmp_path, maker):
    path = maker(tmp_path / f"status.{maker.__name__[1:]}")
    before = sited.read_status().set_index(schema.SITE_ID)
    report = import_status(sited, liaison("Transportation (LADOT)", "liaison.ana"), path, today=dt.date(2026, 3, 10))
    got = [(r.row, r.site_id, r.outcome) for r in report.rows]
    assert got == [(2, "SYN-1", "applied"), (3, "SYN-2", "conflict"), (4, "SYN-3", "invalid"),
                   (5, "SYN-3", "invalid"), (6, "SYN-3", "invalid"), (7, "NOPE-9", "unknown_site"),
                   (8, "SYN-3", "applied"), (9, "SYN-3", "conflict")]
    by_row = {r.row: r for r in report.rows}
    assert (by_row[4].column, by_row[4].value) == ("Sign", "sideways") and "use posted, missing" in by_row[4].fix
    assert by_row[5].column == "Sign Posted On" and "future" in by_row[5].message
    assert by_row[6].column == "Version" and by_row[6].value == "v1" and "whole number" in by_row[6].fix
    # the newer edit reads with the label table, in Los Angeles time (geo.analysis.labels.describe_edit)
    assert "by bo" in by_row[3].message and "Gate Unknown -> Open" in by_row[3].message
    assert "gate_status" not in by_row[3].message and ("PST" in by_row[3].message or "PDT" in by_row[3].message)
    assert by_row[3].version == 2 and "re-apply on version 2" in by_row[3].fix
    assert "by liaison.ana" in by_row[9].message
    assert report.unknown_sites == ("NOPE-9",)
    after = sited.read_status().set_index(schema.SITE_ID)
    assert after.loc["SYN-1", [schema.SIGN_STATUS, schema.GATE_STATUS, schema.VERSION]].tolist() == ["posted", "closed_locked", 2]
    assert str(after.loc["SYN-1", schema.SIGN_POSTED_ON]) == "2026-03-01"
    assert after.loc["SYN-1", schema.STATUS_NOTE] == "sign on north fence"
    assert after.loc["SYN-2"].equals(before.loc["SYN-2"])  # conflict: unchanged
    assert after.loc["SYN-3", [schema.SIGN_STATUS, schema.GATE_STATUS, schema.VERSION]].tolist() == ["unknown", "closed_unlocked", 2]
    audit = sited.read_audit()
    assert [e["source"] for e in audit if e["action"] == "status.update"][-2:] == ["bulk_import", "bulk_import"]
    assert audit[-1]["action"] == "status.bulk_import" and '"applied":2' in audit[-1]["new"]
    assert "2 applied, 2 conflicts, 3 invalid, 1 unknown sites" in report.summary()
    assert sited.verify_audit()[1] is None


def test_us_dates_and_aliases(sited, tmp_path):
    path = _csv(tmp_path / "s.csv", [["SYN-3", "1", "yes", "3/1/2026", "no gate", "", ""]],
                header=["site", "expect_version", "sign_status", "date posted", "gates", "inspected", "comment"])
    report = import_status(sited, ADMIN, path, today=dt.date(2026, 3, 10))
    assert [r.outcome for r in report.rows] == ["applied"]
    row = sited.read_status().set_index(schema.SITE_ID).loc["SYN-3"]
    assert (row[schema.SIGN_STATUS], str(row[schema.SIGN_POSTED_ON]), row[schema.GATE_STATUS]) == ("posted", "2026-03-01", "no_gate")


def test_unusable_files_are_refused_and_change_nothing(sited, tmp_path):
    no_version = _csv(tmp_path / "a.csv", [["SYN-1", "posted"]], header=["site_id", "sign"])
    with pytest.raises(SchemaError, match="no expect_version column"):
        import_status(sited, ADMIN, no_version)
    fake = tmp_path / "b.xlsx"
    fake.write_bytes(b"not a workbook")
    with pytest.raises(SchemaError, match="not an XLSX"):
        import_status(sited, ADMIN, fake)
    empty = tmp_path / "c.csv"
    empty.write_text("\n\n")
    with pytest.raises(SchemaError, match="no rows"):
        import_status(sited, ADMIN, empty)
    assert sited.read_status()[schema.VERSION].tolist() == [1, 2, 1]


def test_cli_exit_codes(sited, cli_accounts, tmp_path, capsys):
    store = ["--store", sited.url]
    ok = _csv(tmp_path / "ok.csv", ROWS[:3])
    assert main(["status", "import", str(ok), "--user", "ana", *store]) == 0
    out = capsys.readouterr().out
    assert "row 2 site SYN-1: APPLIED" in out and "row 4, column Sign site SYN-3: INVALID" in out
    assert main(["status", "import", str(ok), "--user", "ana", *store]) == 3  # now only conflicts (and invalid)
    assert "CONFLICT" in capsys.readouterr().out
    assert main(["status", "import", str(_csv(tmp_path / "bad.csv", [ROWS[2]])), "--user", "ana", *store]) == 2
    assert main(["status", "import", str(tmp_path / "missing.csv"), "--user", "ana", *store]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_a_liaison_cannot_import_rows_of_another_department(sited, tmp_path):
    before = sited.read_status()
    audit = len(sited.read_audit())
    with pytest.raises(AccessDenied, match=r"may not change 4 row\(s\): row 2 \(SYN-1, Transportation \(LADOT\)\)"):
        import_status(sited, liaison("Recreation and Parks (RAP)", "rap.lee"), _csv(tmp_path / "s.csv"))
    assert sited.read_status().equals(before) and len(sited.read_audit()) == audit
