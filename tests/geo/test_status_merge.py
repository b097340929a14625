"""No lost updates: stale saves are merged field by field; no acknowledged value is lost unless chosen.

Property test: several sessions load a site, edit fields and save in any interleaving through
``geo.services.status.save_with_merge``. After every save, each field the save changed must have
held, just before it, the value that session saw (its base, or the newer value it was shown when
it resolved a conflict). A value saved by another session in between is never overwritten
silently. The inspection date merges to the later date by design and is left out of the check.
"""
from __future__ import annotations

import datetime as dt

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema
from geo.intake.status_merge import LATER_WINS, changed_fields, comparable, merge_stale
from geo.services.status import save_with_merge
from geo.store import open_store
from tests.actors import liaison
from tests.conftest import canonical_frame

SITE, DEPT = "SYN-M-1", "Transportation (LADOT)"
VALUES = {schema.SIGN_STATUS: list(schema.SIGN_STATUSES), schema.GATE_STATUS: list(schema.GATE_STATUSES),
          schema.STATUS_NOTE: ["", "chain on north gate", "sign faded"], schema.SIGN_LANGUAGE: ["en", "es", "en+es"]}
SESSIONS = ("ana", "bo", "cy")


def test_merge_keeps_untouched_fields_applies_mine_and_flags_both_changed():
    base = {schema.SIGN_STATUS: "none", schema.GATE_STATUS: "open", schema.STATUS_NOTE: None, schema.VERSION: 1}
    current = {schema.SIGN_STATUS: "none", schema.GATE_STATUS: "closed_locked", schema.STATUS_NOTE: "x", schema.VERSION: 2}
    m = merge_stale(base, {schema.SIGN_STATUS: "posted", schema.STATUS_NOTE: "y"}, current)
    assert m.apply == {schema.SIGN_STATUS: "posted"}
    assert [(c.field, c.mine, c.theirs) for c in m.conflicts] == [(schema.STATUS_NOTE, "y", "x")]
    assert merge_stale(base, {schema.GATE_STATUS: "closed_locked"}, current).apply == {}  # already so
    later = merge_stale({schema.LAST_INSPECTED: "2026-03-01"}, {schema.LAST_INSPECTED: dt.date(2026, 3, 9)},
                        {schema.LAST_INSPECTED: "2026-03-05"})
    assert later.apply == {schema.LAST_INSPECTED: dt.date(2026, 3, 9)} and not later.conflicts
    assert changed_fields({schema.SIGN_POSTED_ON: "2026-03-01"}, {schema.SIGN_POSTED_ON: dt.date(2026, 3, 1)}) == {}


op = st.one_of(
    st.tuples(st.just("load"), st.sampled_from(SESSIONS)),
    st.tuples(st.just("edit"), st.sampled_from(SESSIONS), st.sampled_from(sorted(VALUES)), st.integers(0, 4)),
    st.tuples(st.just("save"), st.sampled_from(SESSIONS), st.booleans()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=4, max_size=24))
def test_interleaved_edits_never_lose_an_acknowledged_value(tmp_path_factory, ops):
    store = open_store(str(tmp_path_factory.mktemp("merge") / "s.gpkg"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id=[SITE],
                            owning_dept=DEPT, area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    row = store.read_status().set_index(schema.SITE_ID).loc[SITE].to_dict()
    base = {s: {**row, schema.SITE_ID: SITE} for s in SESSIONS}
    mine: dict[str, dict[str, object]] = {s: {} for s in SESSIONS}
    stats = {"saves": 0, "merged": 0, "conflicts": 0}
    for step in ops:
        who = step[1]
        if step[0] == "load":
            base[who], mine[who] = _current(store), {}
        elif step[0] == "edit":
            field, pick = step[2], step[3]
            mine[who][field] = VALUES[field][pick % len(VALUES[field])]
        else:
            if not mine[who]:
                continue
            seen = dict(base[who])
            out = save_with_merge(store, liaison(DEPT, who), SITE, base=seen, mine=mine[who])
            if out.conflicts:  # the user now sees both values and chooses
                stats["conflicts"] += 1
                assert out.saved is None and out.current is not None
                keep_mine = step[2]
                chosen = {k: v for k, v in mine[who].items()
                          if keep_mine or k not in {c.field for c in out.conflicts}}
                seen = dict(out.current)
                out = save_with_merge(store, liaison(DEPT, who), SITE, base=seen, mine=chosen)
                assert not out.conflicts or out.saved is None
            if out.saved is not None:
                stats["saves"] += 1
                stats["merged"] += bool(out.merged_over)
                _assert_only_seen_values_replaced(store, seen_by=who, seen=seen)
                base[who], mine[who] = _current(store), {}
    assert store.verify_audit()[1] is None


def _current(store) -> dict[str, object]:
    return {**store.read_status().set_index(schema.SITE_ID).loc[SITE].to_dict(), schema.SITE_ID: SITE}


def _assert_only_seen_values_replaced(store, *, seen_by: str, seen: dict[str, object]) -> None:
    """The last saved version replaced, in each field it changed, only a value its author had seen."""
    history = store.status_history(SITE)
    last = history[-1]
    if last.updated_by != seen_by:
        return
    for field, (before, _after) in last.changes.items():
        if field in LATER_WINS or field == schema.SIGN_POSTED_ON:
            continue
        assert comparable(before) == comparable(seen.get(field)), (
            f"version {last.version} by {seen_by} overwrote {field}={before!r}, a value it never saw "
            f"(it saw {seen.get(field)!r})")


def test_the_old_reapply_would_have_lost_the_gate(tmp_path):
    """The red-team interleaving, replayed: a stale full-form re-apply would overwrite the gate."""
    store = open_store(str(tmp_path / "s.gpkg"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id=[SITE],
                            owning_dept=DEPT, area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    seen = _current(store)
    store.save_status(SITE, {schema.SIGN_STATUS: "posted"}, expect_version=1, user="first")
    out = save_with_merge(store, liaison(DEPT, "second"), SITE, base=seen, mine={schema.GATE_STATUS: "closed_locked"})
    now = _current(store)
    assert out.saved is not None and now[schema.SIGN_STATUS] == "posted" and now[schema.GATE_STATUS] == "closed_locked"


def test_merge_on_postgresql(pg_store):
    any_store = pg_store
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id=[SITE],
                            owning_dept=DEPT, area_sqft=100.0, site_origin="asset_list")
    any_store.write_layers({schema.SITES: sites})
    seen = _current(any_store)
    any_store.save_status(SITE, {schema.SIGN_STATUS: "posted"}, expect_version=1, user="first")
    out = save_with_merge(any_store, liaison(DEPT, "second"), SITE, base=seen, mine={schema.SIGN_STATUS: "damaged"})
    assert out.saved is None and [c.field for c in out.conflicts] == [schema.SIGN_STATUS]
    assert _current(any_store)[schema.SIGN_STATUS] == "posted"
