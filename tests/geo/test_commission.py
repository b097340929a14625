"""The Commission's Section B view: rates equal a hand count, the cadence flips on a burst, PDFs and the public gate."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely

from geo import duties, schema
from geo.errors import AccessDenied, SchemaError
from geo.reports.commission import KIND_COMMISSION
from geo.services import commission, scenes
from tests.actors import ADMIN, PLANNER, RECORDS
from tests.conftest import canonical_frame

Y, N = "yes", "no"
#: id, occurred (LA), LAPD area, relevance, scene (camera, video+ref, supervisor, deesc, bystanders, injuries, aid,
#: public report, report number)
SET = [
    ("I1", "2026-03-02T10:00", 1, schema.ENFORCEMENT, (Y, Y, Y, Y, Y, Y, Y, Y, "R1")),
    ("I2", "2026-03-05T10:00", 1, schema.ENFORCEMENT, (Y, N, N, Y, N, N, None, Y, None)),
    ("I3", "2026-03-09T10:00", 4, schema.SUSPECTED_UNLAWFUL_CONDUCT, (N, N, Y, N, Y, Y, N, N, None)),
    ("I4", "2026-04-01T10:00", 4, schema.ENFORCEMENT, (Y, Y, Y, Y, Y, N, None, Y, "R4")),
    ("I5", "2026-03-12T10:00", 1, schema.GENERAL_CRIME, (Y, Y, Y, Y, Y, N, None, N, None)),  # context: never counted
]
FIELDS = (duties.CAMERA_ACTIVATED, duties.VIDEO_PRESERVED, duties.SUPERVISOR_IDENTIFIED, duties.DEESCALATION,
          duties.BYSTANDERS_INFORMED, duties.INJURIES, duties.AID_SUMMONED, duties.PUBLIC_REPORT, duties.REPORT_NUMBER)
#: Written out by hand from SET: (scenes where the duty applies, met), March 2026 only (I1, I2, I3).
MARCH = {"camera": (3, 2), "video": (3, 1), "supervisor": (3, 2), "deescalation": (3, 2), "bystanders": (3, 2),
         "aid": (2, 1), "report": (2, 1)}
#: By division over March and April: Central (I1, I2), Hollenbeck (I3, I4).
HOLLENBECK = {"camera": (2, 1), "video": (2, 1), "supervisor": (2, 2), "deescalation": (2, 1), "bystanders": (2, 2),
              "aid": (1, 0), "report": (1, 1)}


def _incidents(rows: list[tuple[str, str, int, str]]) -> object:
    return canonical_frame(schema.INCIDENTS, [shapely.Point(-118.25, 34.05)] * len(rows),
                           incident_id=[r[0] for r in rows],
                           occurred_at=[pd.Timestamp(r[1], tz="America/Los_Angeles") for r in rows],
                           lapd_area=[r[2] for r in rows], relevance=[r[3] for r in rows], incident_type="arrest",
                           verification_status="unverified", source_type="officer", warrant_shown="unknown")


def fill_world(store):
    """Write the Section B scenes and referrals of :data:`SET` into ``store``; return it."""
    store.write_layers({schema.INCIDENTS: _incidents([r[:4] for r in SET])})
    for inc, _, _, _, answers in SET:
        changes = {f: v for f, v in zip(FIELDS, answers, strict=True) if v is not None}
        if changes[duties.VIDEO_PRESERVED] == Y:
            changes[duties.VIDEO_REF] = f"DEMS-{inc}"
        if changes[duties.SUPERVISOR_IDENTIFIED] == Y:
            changes |= {duties.SUPERVISOR_NAME: "J. Doe", duties.SUPERVISOR_BADGE: "B-1"}
        else:
            changes[duties.SUPERVISOR_REASON] = "refused"
        if changes.get(duties.AID_SUMMONED) == Y:
            changes[duties.AID_TO] = "LAFD"
        scenes.save_scene(store, RECORDS, inc, changes, expect_version=0)
    scenes.send_referral(store, RECORDS, "I1", recipient="district_attorney", sent_on="2026-03-03")
    ref = scenes.send_referral(store, RECORDS, "I3", recipient="attorney_general", sent_on="2026-03-10")
    scenes.move_referral(store, RECORDS, str(ref[duties.REFERRAL_ID]), "acknowledged", on="2026-03-12")
    return store


@pytest.fixture
def world(any_store):
    return fill_world(any_store)


def _counts(table: pd.DataFrame, **where: str) -> dict[str, tuple[int, int]]:
    rows = table
    for k, v in where.items():
        rows = rows[rows[k] == v]
    return {r["duty"]: (int(r["scenes"]), int(r["met"])) for r in rows.to_dict("records")}


def test_rates_equal_a_hand_count(world):
    view = commission.dashboard(world, RECORDS, as_of=dt.date(2026, 4, 30))
    assert _counts(view.by_month, month="2026-03") == MARCH
    assert _counts(view.by_division, division="Hollenbeck") == HOLLENBECK
    shares = view.by_month[view.by_month["month"] == "2026-03"].set_index("duty")["share"]
    assert shares["video"] == pytest.approx(1 / 3) and shares["aid"] == pytest.approx(0.5)
    assert view.scenes == 4  # the general-crime scene is context, never counted
    assert view.public_reports == {"received": 3, "taken": 2, "not_taken": 1}
    assert view.reports_not_taken == ["I2"]
    assert _counts(view.by_month_division, month="2026-03", division="Hollenbeck") == {
        "camera": (1, 0), "video": (1, 0), "supervisor": (1, 1), "deescalation": (1, 0), "bystanders": (1, 1),
        "aid": (1, 0), "report": (0, 0)}
    assert view.referrals.loc["District Attorney", "sent"] == 1
    assert view.referrals.loc["Attorney General", "acknowledged"] == 1
    assert list(view.overdue[duties.REFERRAL_ID]) == ["REF-I1-01"]


def test_the_as_of_date_bounds_the_view(world):
    view = commission.dashboard(world, RECORDS, as_of=dt.date(2026, 3, 31))
    assert set(view.by_month["month"]) == {"2026-03"} and view.scenes == 3
    assert view.overdue.empty  # 28 days after sending, within the 30 configured


def test_the_cadence_flips_on_a_burst_of_enforcement_events(any_store):
    burst = [(f"B{i}", f"2026-05-{10 + i % 5:02d}T12:00", 1, schema.ENFORCEMENT) for i in range(4)]
    crime = [(f"C{i}", "2026-05-12T12:00", 1, schema.GENERAL_CRIME) for i in range(9)]
    any_store.write_layers({schema.INCIDENTS: _incidents(burst + crime)})
    quiet = commission.cadence_now(any_store, as_of=dt.date(2026, 5, 20), threshold=3)
    assert (quiet.events, quiet.weekly) == (0, False)
    busy = commission.cadence_now(any_store, as_of=dt.date(2026, 5, 14), threshold=3)
    assert (busy.events, busy.weekly) == (4, True)  # general crime never counts
    assert "WEEKLY reporting required" in busy.sentence()
    assert not commission.cadence_now(any_store, as_of=dt.date(2026, 5, 14), threshold=4).weekly


def test_monthly_pdfs_and_the_public_version_only_through_the_gate(world, tmp_path):
    path = commission.write_commission(world, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 30), out=tmp_path)
    assert path.read_bytes().startswith(b"%PDF")
    assert [e["action"] for e in world.read_audit()][-1] == "export.report.commission"
    with pytest.raises(SchemaError, match="still open"):
        commission.publish_commission(world, RECORDS, month="2026-04", as_of=dt.date(2026, 4, 30))
    table = commission.publish_commission(world, RECORDS, month="2026-03", as_of=dt.date(2026, 4, 2))
    cells = table.drop(index="Total", columns="Total")
    assert set(cells.to_numpy().ravel()) <= {"0", "<11"} and "<11" in set(cells.to_numpy().ravel())  # all small
    assert len(world.read_publications(KIND_COMMISSION)) == 1
    again = commission.publish_commission(world, ADMIN, month="2026-03", as_of=dt.date(2026, 6, 1))
    assert again.equals(table) and len(world.read_publications(KIND_COMMISSION)) == 1
    public = commission.write_commission_public(world, RECORDS, month="2026-03", as_of=dt.date(2026, 6, 1),
                                                out=tmp_path)
    assert public.read_bytes().startswith(b"%PDF")
    for actor in (PLANNER,):
        with pytest.raises(AccessDenied):
            commission.dashboard(world, actor, as_of=dt.date(2026, 4, 30))
    assert world.verify_state().ok


def _text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    finally:
        doc.close()


def test_the_cadence_is_printed_in_the_b8_monthly_and_the_commission_pdf(any_store, tmp_path, monkeypatch):
    from geo.services.reports import write_monthly

    burst = [(f"B{i}", "2026-04-01T12:00", 1, schema.ENFORCEMENT) for i in range(12)]
    any_store.write_layers({schema.INCIDENTS: _incidents(burst)})
    pdf_path = next(p for p in write_monthly(any_store, RECORDS, month="2026-03", out=tmp_path,
                                             as_of=dt.date(2026, 4, 3)) if p.suffix == ".pdf")
    assert "12 event(s) from 28 Mar 2026 to 03 Apr 2026; WEEKLY reporting required" in _text(pdf_path.read_bytes())
    later = commission.write_commission(any_store, RECORDS, month="2026-04", as_of=dt.date(2026, 4, 30), out=tmp_path)
    assert "0 event(s) from 24 Apr 2026 to 30 Apr 2026; monthly reporting suffices" in _text(later.read_bytes())
