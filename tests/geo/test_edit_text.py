"""A saved edit as a person reads it: the label table's names and values, Los Angeles time with its offset."""
from __future__ import annotations

from geo.analysis.labels import describe_edit, describe_edits
from geo.records import Edit

EDIT = Edit("S-1", 3, "bo", "2026-03-01T10:00:00+00:00",
            {"sign_status": ("none", "posted"), "gate_status": ("open", "closed_locked")})


def test_the_stored_form_keeps_names_values_and_utc():
    assert EDIT.describe() == ("version 3 by bo at 2026-03-01T10:00:00+00:00: sign_status none -> posted; "
                               "gate_status open -> closed_locked")


def test_the_readable_form_uses_the_label_table_and_los_angeles_time():
    text = describe_edit(EDIT)
    assert text == ("version 3 by bo at 2026-03-01 02:00 PST (-08:00): Sign No sign -> Posted; "
                    "Gate Open -> Closed and locked")
    summer = Edit("S-1", 4, None, "2026-07-01T19:30:00Z", {"status_note": (None, "new lock")})
    assert describe_edit(summer) == "version 4 by unknown at 2026-07-01 12:30 PDT (-07:00): Note — -> new lock"


def test_a_missing_time_and_no_edits_read_plainly():
    assert "at unknown time: no field changes" in describe_edit(Edit("S-1", 2, "bo", None))
    assert describe_edits([]) == ""
