"""Merging a stale status save field by field, so no acknowledged value is lost without the user choosing.

A liaison's form is based on the version they saw. When someone saved in between, the fields
the liaison did not change keep the newer values; a field only the liaison changed is applied
on top of the newer version; a field both changed (to different values) is a conflict the
liaison resolves, seeing both values side by side. The inspection date is the one exception:
both saying "inspected" merge to the later date.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from geo import schema

#: Fields merged by taking the later value instead of raising a conflict.
LATER_WINS = (schema.LAST_INSPECTED,)


@dataclass(frozen=True)
class FieldConflict:
    """A field both sides changed: its value in the version the user saw, theirs, and the newer one."""

    field: str
    base: object
    mine: object
    theirs: object


@dataclass(frozen=True)
class Merge:
    """What to save on top of the newer version, and the conflicts left for the user."""

    apply: dict[str, object]
    conflicts: tuple[FieldConflict, ...]


def comparable(value: object) -> str | None:
    """Return a value in the form it is stored, for comparison (dates as ISO text, blanks as None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return None if text in ("", "NaT", "nan", "None") else text


def changed_fields(base: Mapping[str, object], form: Mapping[str, object]) -> dict[str, object]:
    """Return the fields of ``form`` whose value differs from the version ``base`` the user saw."""
    return {k: v for k, v in form.items() if k in schema.EDITABLE_STATUS and comparable(v) != comparable(base.get(k))}


def merge_stale(base: Mapping[str, object], mine: Mapping[str, object], current: Mapping[str, object]) -> Merge:
    """Merge the user's changes (made on ``base``) into the newer ``current`` version, field by field."""
    apply: dict[str, object] = {}
    conflicts: list[FieldConflict] = []
    for field, value in mine.items():
        was, now, want = comparable(base.get(field)), comparable(current.get(field)), comparable(value)
        if now == want:
            continue  # already so
        if now == was:
            apply[field] = value  # nobody else touched it
        elif field in LATER_WINS:
            if want is not None and (now is None or want > now):
                apply[field] = value
        else:
            conflicts.append(FieldConflict(field, base.get(field), value, current.get(field)))
    return Merge(apply, tuple(conflicts))
