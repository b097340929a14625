"""Incident relevance of imported rows: what each row is evidence of, from the file's own columns.

* A ``relevance`` column says it outright (``enforcement``, ``suspected_unlawful_conduct``,
  ``general_crime`` and a few spellings of each).
* Otherwise an LAPD "Crime Data from 2020 to Present" file (or a ``source_type`` of
  ``lapd_import``) is **general crime**: context, never evidence of immigration enforcement.
* Otherwise a community tracker's activity types are mapped: observed conduct (force, masks, no
  visible identification, entry without a warrant, obstruction) makes a row suspected unlawful
  conduct (B.8); staging, processing, bases, arrests, detentions, checkpoints and surveillance
  (sightings) are enforcement of that type; anything else is enforcement of type ``other``.
"""
from __future__ import annotations

import re

import pandas as pd

from geo import schema
from geo.io import aliases
from geo.messages import M

#: Spellings of each relevance class in a file's relevance column.
CLASS_WORDS = {
    schema.ENFORCEMENT: ("enforcement", "enforcement_activity", "immigration_enforcement"),
    schema.SUSPECTED_UNLAWFUL_CONDUCT: ("suspected_unlawful_conduct", "unlawful_conduct", "b8", "b.8",
                                        "suspected_unlawful_conduct_by_an_immigration_agent"),
    schema.GENERAL_CRIME: ("general_crime", "crime", "context", "general_crime_(context)"),
}
#: Patterns in an activity or conduct text -> observed conduct (several may apply; whole words).
CONDUCT_WORDS = (
    ("force", r"\bforce\b|\bforceful|violen|assault|\bbeat|\btase|taser|pepper|tackl"),
    ("no_visible_id", r"no (visible )?(id|badge|identification)|no_visible_id|unidentified|without (id|badge)"),
    ("masking", r"\bmask"),
    ("entry_without_warrant", r"without (a )?warrant|warrantless|forced entry|broke in|entered (a |the )?home"),
    ("obstruction", r"obstruct"),
)
#: Patterns in an activity text -> the directive's incident type (first match wins).
TYPE_WORDS = (
    ("staging_area", r"stag(ing|ed)|assembl"),
    ("processing_location", r"processing"),
    ("operations_base", r"operations base|base of operations|command post"),
    ("detention", r"detain|detention|\bheld\b"),
    ("arrest", r"arrest|apprehen|taken into custody"),
    ("checkpoint", r"check ?point|roadblock"),
    ("surveillance", r"surveil|sighting|spotted|\bseen\b|observ|patrol|watch"),
)


def incident_relevance(frame: pd.DataFrame, cols: dict[str, str], *, lapd: bool, types: pd.Series,
                       sources: pd.Series) -> tuple[dict[str, pd.Series], list[str]]:
    """Return the ``relevance``, ``conduct_observed`` and ``incident_type`` columns of imported rows, and notes.

    ``types`` are the incident types already read (``other`` where the file's value is not one of
    the directive's); ``sources`` the rows' ``source_type``. Positions align with ``frame``.
    """
    n = len(frame)
    notes: list[str] = []
    activity = _text(frame, cols, "activity")
    if activity.isna().all() and schema.INCIDENT_TYPE in cols:
        activity = _text(frame, cols, schema.INCIDENT_TYPE)
    given_conduct = _text(frame, cols, schema.CONDUCT)
    conduct = [_conducts(a, c) for a, c in zip(activity, given_conduct)]
    types = pd.Series(types.to_numpy(dtype=object), dtype=object)
    mapped = pd.Series([_type_of(a) for a in activity], dtype=object)
    types = types.where(types != "other", mapped.fillna("other"))
    if schema.RELEVANCE in cols:
        relevance, unknown = _classes(_text(frame, cols, schema.RELEVANCE))
        fallback = _fallback(n, lapd=lapd, sources=sources, conduct=conduct)
        relevance = relevance.where(relevance.notna(), fallback)
        notes.append(M("relevance from the {column} column", column=cols[schema.RELEVANCE]))
        if unknown:
            notes.append(M("relevance values not understood, read from the rest of the row instead: {values}",
                           values=", ".join(unknown[:5])))
    else:
        relevance = _fallback(n, lapd=lapd, sources=sources, conduct=conduct)
        if lapd:
            notes.append(M("relevance: general crime (context only): an LAPD crime-data file is not evidence of "
                           "immigration enforcement; add a relevance column to say otherwise"))
        elif "activity" in cols or schema.INCIDENT_TYPE in cols:
            notes.append(M("relevance from the activity types: observed conduct (force, masks, no visible ID, entry "
                           "without a warrant, obstruction) -> suspected unlawful conduct; anything else -> "
                           "enforcement"))
    suspected = relevance == schema.SUSPECTED_UNLAWFUL_CONDUCT
    text = pd.Series([";".join(c or ("other",)) for c in conduct], dtype=object).where(suspected, None)
    blank = int((suspected & pd.Series([not c for c in conduct])).sum())
    if blank:
        notes.append(M("{count:,} suspected-unlawful-conduct rows name no observed conduct: recorded as 'other'",
                       count=blank))
    return {schema.RELEVANCE: relevance.astype(object), schema.CONDUCT: text, schema.INCIDENT_TYPE: types}, notes


def _text(frame: pd.DataFrame, cols: dict[str, str], name: str) -> pd.Series:
    if name not in cols:
        return pd.Series([None] * len(frame), dtype=object)
    return pd.Series(aliases.clean_text(frame[cols[name]]).to_numpy(dtype=object), dtype=object)


def _norm(value: object) -> str:
    return re.sub(r"[\s-]+", "_", str(value).strip().lower())


def _classes(values: pd.Series) -> tuple[pd.Series, list[str]]:
    lookup = {w: c for c, words in CLASS_WORDS.items() for w in words}
    out = pd.Series([None if v is None or pd.isna(v) else lookup.get(_norm(v)) for v in values], dtype=object)
    unknown = sorted({str(v) for v, o in zip(values, out) if o is None and v is not None and not pd.isna(v)})
    return out, unknown


def _fallback(n: int, *, lapd: bool, sources: pd.Series, conduct: list[tuple[str, ...]]) -> pd.Series:
    general = pd.Series(sources.to_numpy(dtype=object), dtype=object).eq("lapd_import") | lapd
    out = pd.Series([schema.SUSPECTED_UNLAWFUL_CONDUCT if c else schema.ENFORCEMENT for c in conduct], dtype=object)
    return out.where(~general, schema.GENERAL_CRIME) if n else out


def _conducts(activity: object, given: object) -> tuple[str, ...]:
    """Return the observed conduct named by a conduct column, else by the activity text (schema order)."""
    found: list[str] = []
    if isinstance(given, str) and given.strip():
        for part in re.split(r"[;,|]", given):
            word = _norm(part)
            hit = word if word in schema.CONDUCT_TYPES else _match(part.lower(), CONDUCT_WORDS)
            found.append(hit or "other")
    elif isinstance(activity, str):
        found = [kind for kind, pattern in CONDUCT_WORDS if re.search(pattern, activity, re.IGNORECASE)]
    return tuple(c for c in schema.CONDUCT_TYPES if c in set(found))


def _type_of(activity: object) -> str | None:
    if not isinstance(activity, str):
        return None
    norm = _norm(activity)
    return norm if norm in schema.INCIDENT_TYPES else _match(activity.lower(), TYPE_WORDS)


def _match(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((kind for kind, pattern in table if re.search(pattern, text, re.IGNORECASE)), None)
