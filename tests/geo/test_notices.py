"""A.3 contractor notices and the day-15 board measures: register, clock, letter, import, board PDF, audit."""
from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest

from geo.analysis.notice_clock import (
    LATE,
    MISSING,
    NONE_REGISTERED,
    ON_TIME,
    OVERDUE,
    clock_summary,
    notice_clock,
)
from geo.errors import AccessDenied, SchemaError, StatusConflict
from geo.reports.board import board_pdf_bytes
from geo.reports.notice_letter import REQUEST_TEXT
from geo.services import measures, notices
from geo.services.reports import board_from_store
from stagemap_cli.main import main
from tests.actors import ADMIN, liaison
from tests.geo.test_intake import add_sites

LADOT, RAP = "Transportation (LADOT)", "Recreation and Parks (RAP)"
DUE = dt.date(2026, 2, 25)


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


@pytest.fixture
def sited(store):
    add_sites(store)
    store.set_liaisons([(LADOT, "Lia Ladot", "ladot.liaison@example.org")], source="test", user="test-admin")
    return store


def test_the_day_15_clock_is_the_directive_date_and_names_each_state():
    frame = pd.DataFrame([
        {"department": "A", "contractor": "on time", "contract_number": "1", "sent_on": "2026-02-25", "acknowledged_on": "2026-02-26"},
        {"department": "A", "contractor": "late", "contract_number": "2", "sent_on": "2026-03-02", "acknowledged_on": None},
        {"department": "A", "contractor": "missing", "contract_number": "3", "sent_on": None, "acknowledged_on": None}])
    early = notice_clock(frame, ["A", "B"], as_of=dt.date(2026, 2, 20), due=DUE)
    late = notice_clock(frame, ["A", "B"], as_of=dt.date(2026, 3, 5), due=DUE).set_index("contractor", drop=False)
    assert set(early["state"]) == {ON_TIME, LATE, MISSING, NONE_REGISTERED}  # B has none: shown, not hidden
    assert late.loc["late", "state"] == LATE and late.loc["late", "days_late"] == 5
    assert late.loc["missing", "state"] == OVERDUE and late.loc["missing", "days_late"] == 8
    summary = clock_summary(late.reset_index(drop=True)).set_index("department")
    assert summary.loc["A"].to_dict() == {"contractors": 3, "on_time": 1, "late": 1, "missing": 1, "acknowledged": 1}
    assert summary.loc["B", "contractors"] == 0


def test_register_send_acknowledge_is_scoped_versioned_and_audited(sited):
    me = liaison(LADOT, "lia")
    row = notices.save_notice(sited, me, LADOT, {"contractor": "<b>Acme Parking</b>", "contract_number": "C-77",
                                                 "site_ids": "SYN-1"})
    assert row["version"] == 1 and row["site_ids"] == "SYN-1" and row["sent_on"] is None
    with pytest.raises(AccessDenied):
        notices.save_notice(sited, liaison(RAP), LADOT, {"contractor": "X", "contract_number": "C-1"})
    with pytest.raises(SchemaError, match="not sites of"):  # SYN-2 belongs to Recreation and Parks
        notices.save_notice(sited, me, LADOT, {"contractor": "Y", "contract_number": "C-2", "site_ids": "SYN-2"})
    with pytest.raises(SchemaError, match="future"):
        notices.save_notice(sited, me, LADOT, {"contract_number": "C-77", "sent_on": "2099-01-01",
                                               "sent_method": "email"}, expect_version=1)
    with pytest.raises(SchemaError, match="before the notice was sent"):
        notices.save_notice(sited, me, LADOT, {"contract_number": "C-77", "acknowledged_on": "2026-02-20",
                                               "acknowledged_by": "Pat"}, expect_version=1)
    letter = b"%PDF the notice as sent"
    sent = notices.save_notice(sited, me, LADOT, {"contract_number": "C-77", "sent_on": "2026-02-20",
                                                  "sent_method": "email"}, expect_version=1, document=letter)
    assert sent["document_sha256"] == hashlib.sha256(letter).hexdigest() and sent["version"] == 2
    with pytest.raises(StatusConflict):
        notices.save_notice(sited, me, LADOT, {"contract_number": "C-77", "acknowledged_on": "2026-02-21",
                                               "acknowledged_by": "Pat"}, expect_version=1)
    acked = notices.save_notice(sited, me, LADOT, {"contract_number": "C-77", "acknowledged_on": "2026-02-21",
                                                   "acknowledged_by": "Pat Lee"}, expect_version=2)
    assert acked["acknowledged_by"] == "Pat Lee" and acked["updated_by"] == "lia"
    clock = notices.clock(sited, me, as_of=dt.date(2026, 3, 1))
    assert list(clock["state"]) == [ON_TIME]  # a liaison sees their own department only
    actions = [e["action"] for e in sited.read_audit() if e["entity"] == "contractor_notices"]
    assert actions == ["notice.create", "notice.update", "notice.update"]
    assert sited.verify_state().ok, sited.verify_state().problems()
    with sited.write() as con:
        con.execute("UPDATE contractor_notices SET acknowledged_by = 'someone else'")
    assert any("contractor_notices" in p for p in sited.verify_state().problems())


def test_the_letter_quotes_the_directive_and_prints_names_as_text(sited):
    row = notices.save_notice(sited, ADMIN, LADOT, {"contractor": "<b>Acme</b> & Sons", "contract_number": "C-9",
                                                    "site_ids": "SYN-1"})
    data = notices.letter(sited, ADMIN, str(row["notice_id"]), dated=dt.date(2026, 2, 18))
    text = " ".join(pdf_text(data).split())
    assert " ".join(REQUEST_TEXT.split()) in text.replace("\u2019", "'")
    assert "<b>Acme</b> & Sons" in text and "SYN-1" in text and "Lia Ladot" in text and "2026-02-25" in text
    assert data == notices.letter(sited, ADMIN, str(row["notice_id"]), dated=dt.date(2026, 2, 18))  # reproducible
    assert any(e["action"] == "notice.letter" for e in sited.read_audit())


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_bulk_import_reports_every_row_and_keeps_the_good_ones(sited, tmp_path, ext):
    header = ["Department", "Contractor", "Contract #", "Sites", "Notice sent", "Method", "Acknowledged", "Ack by"]
    rows = [[LADOT, "Acme", "C-1", "SYN-1", "2026-02-20", "email", "2026-02-22", "Pat"],
            [LADOT, "Bolt", "C-2", "SYN-2", "", "", "", ""],  # a RAP site
            [LADOT, "Coil", "C-3", "", "02/30/2026", "mail", "", ""],  # no such date
            [LADOT, "Dyne", "C-4", "", "2026-02-27", "pigeon", "", ""],  # unknown method
            [RAP, "Evo", "R-1", "SYN-2", "", "", "", ""]]
    path = tmp_path / f"register.{ext}"
    if ext == "csv":
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    else:
        book = openpyxl.Workbook()
        for r in [header, *rows]:
            book.active.append(r)
        book.save(path)
    report = notices.import_notices(sited, ADMIN, path)
    outcome = {n: o for n, o, _ in report.rows}
    assert outcome == {2: "added", 3: "invalid", 4: "invalid", 5: "invalid", 6: "added"}
    text = report.summary()
    assert "row 3: INVALID" in text and "SYN-2" in text and "pigeon" in text and "2 added" in text
    assert set(sited.read_workflow_rows("contractor_notices")["contract_number"]) == {"C-1", "R-1"}
    path2 = tmp_path / "again.csv"
    path2.write_text(f"department,contractor,contract_number,sent_on,method\n{RAP},Evo,R-1,2026-03-01,portal\n")
    again = notices.import_notices(sited, ADMIN, path2)
    assert again.rows[0][1] == "updated"
    clock = notices.clock(sited, ADMIN, as_of=dt.date(2026, 3, 2)).set_index("contract_number")
    assert clock.loc["R-1", "state"] == LATE and clock.loc["C-1", "state"] == ON_TIME


def test_board_measures_reach_the_board_pdf_with_what_is_overdue(sited):
    with pytest.raises(SchemaError, match="board"):
        measures.save_measure(sited, ADMIN, LADOT, {"measure_type": "patrol", "description": "x"})
    with pytest.raises(SchemaError, match="type"):
        measures.save_measure(sited, ADMIN, RAP, {"measure_type": "drones", "description": "x"})
    before = board_pdf_bytes(board_from_store(sited, ADMIN, department=RAP, as_of=dt.date(2026, 3, 1)))
    assert "No measure is recorded" in pdf_text(before) and "4 days overdue" in " ".join(pdf_text(before).split())
    made = measures.save_measure(sited, liaison(RAP), RAP, {"measure_type": "patrol", "description":
                                                            "Ranger patrols of parking lots at dawn <script>",
                                                            "start_date": "2026-02-20", "site_ids": "SYN-2"})
    measures.save_measure(sited, liaison(RAP), RAP, {"measure_type": "coordination_with_lapd", "description":
                                                     "Joint protocol with LAPD Harbor Division",
                                                     "start_date": "2026-03-03", "status": "planned"})
    with pytest.raises(AccessDenied):
        measures.save_measure(sited, liaison(LADOT), RAP, {"status": "ended"}, measure_id=str(made["measure_id"]),
                              expect_version=1)
    report = board_from_store(sited, ADMIN, department=RAP, as_of=dt.date(2026, 3, 5))
    text = " ".join(pdf_text(board_pdf_bytes(report)).split())
    assert "Measures by the Park Rangers (day 15)" in text and "Ranger patrols of parking lots at dawn <script>" in text
    assert "Coordination with LAPD" in text and "1 measure(s) started after the day-15 due date" in text
    assert "1 measure(s) still planned past their start date" in text
    assert "Signed (directive sign posted)" in text  # with the sign and barrier figures
    assert sited.verify_state().ok, sited.verify_state().problems()


def test_the_cli_registers_sends_and_shows_the_clock(sited, tmp_path, capsys):
    url = sited.url
    assert main(["notices", "add", "--department", LADOT, "--contractor", "Acme", "--contract", "C-5",
                 "--sites", "SYN-1", "--store", url]) == 0
    doc = tmp_path / "notice.pdf"
    doc.write_bytes(b"the letter")
    assert main(["notices", "sent", "--department", LADOT, "--contract", "C-5", "--on", "2026-02-27", "--method",
                 "mail", "--document", str(doc), "--version", "1", "--store", url]) == 0
    assert main(["notices", "sent", "--department", LADOT, "--contract", "C-5", "--on", "2026-02-27", "--method",
                 "mail", "--version", "1", "--store", url]) == 3  # stale
    capsys.readouterr()
    assert main(["notices", "clock", "--as-of", "2026-03-01", "--store", url]) == 0
    out = capsys.readouterr().out
    assert "sent late" in out and NONE_REGISTERED in out  # Recreation and Parks has no contractor yet
    key = notices.notice_id(LADOT, "C-5")
    assert main(["notices", "letter", key, "--out", str(tmp_path / "out"), "--store", url]) == 0
    assert (tmp_path / "out" / f"a3_notice_{key}.pdf").read_bytes().startswith(b"%PDF")
    assert main(["measures", "add", "--department", RAP, "--type", "training", "--description", "Ranger briefing",
                 "--start", "2026-02-24", "--store", url]) == 0
    assert main(["measures", "add", "--department", LADOT, "--type", "patrol", "--description", "x",
                 "--store", url]) == 2


def test_notices_and_measures_on_both_backends(any_store):
    add_sites(any_store)
    notices.save_notice(any_store, ADMIN, LADOT, {"contractor": "Acme", "contract_number": "C-1", "site_ids": "SYN-1"})
    measures.save_measure(any_store, ADMIN, RAP, {"measure_type": "signage", "description": "Signs at lots"})
    assert len(notices.notices(any_store, ADMIN)) == 1 and len(measures.measures(any_store, ADMIN, RAP)) == 1
    assert any_store.verify_state().ok, any_store.verify_state().problems()
