"""Incident relevance: which incidents each count is about. General crime is context, never evidence.

* Risk factors, hot spots, incidents near unprotected sites, the nexus ledger and the maps'
  incident counts are about **immigration enforcement activity**: the ``enforcement`` class and
  ``suspected_unlawful_conduct`` (conduct observed during enforcement) -
  :func:`enforcement_incidents`.
* The B.8 monthly report is about suspected unlawful conduct by immigration enforcement agents
  only - :func:`b8_incidents`.
* ``general_crime`` (an LAPD "Crime Data from 2020 to Present" file, for example) is shown only
  on request, in its own map layer - :func:`context_incidents` - and counted nowhere.

A frame without a ``relevance`` column (written before relevance existed) is read by its
source: ``lapd_import`` rows are general crime, everything else enforcement.
"""
from __future__ import annotations

from typing import TypeVar, cast

import pandas as pd

from geo import schema

#: Classes that are immigration enforcement activity (what risk, hot spots, nexus and maps count).
ENFORCEMENT_CLASSES = (schema.ENFORCEMENT, schema.SUSPECTED_UNLAWFUL_CONDUCT)
#: The class the B.8 monthly report counts.
B8_CLASSES = (schema.SUSPECTED_UNLAWFUL_CONDUCT,)
Frame = TypeVar("Frame", bound=pd.DataFrame)


def relevance_of(incidents: pd.DataFrame) -> pd.Series:
    """Return each incident's relevance class, aligned to ``incidents.index`` and named ``relevance``.

    A missing or blank class falls back on the source: ``lapd_import`` is general crime, any
    other source enforcement.
    """
    if schema.SOURCE_TYPE in incidents:
        fallback = incidents[schema.SOURCE_TYPE].astype(object).eq("lapd_import").map(
            {True: schema.GENERAL_CRIME, False: schema.ENFORCEMENT})
    else:
        fallback = pd.Series(schema.ENFORCEMENT, index=incidents.index, dtype=object)
    if schema.RELEVANCE not in incidents:
        return fallback.astype(object).rename(schema.RELEVANCE)
    given = incidents[schema.RELEVANCE].astype(object)
    known = given.isin(schema.RELEVANCE_CLASSES)
    return given.where(known, fallback).astype(object).rename(schema.RELEVANCE)


def enforcement_incidents(incidents: Frame) -> Frame:
    """Return the incidents that are immigration enforcement activity (same columns, original index).

    These are what prior-incident risk points, hot spots, incidents near unprotected sites, the
    nexus ledger and the incident maps count: ``enforcement`` and ``suspected_unlawful_conduct``.
    General crime (context) is left out.
    """
    return cast(Frame, incidents[relevance_of(incidents).isin(ENFORCEMENT_CLASSES).to_numpy()])


def b8_incidents(incidents: Frame) -> Frame:
    """Return the incidents the B.8 monthly report counts: suspected unlawful conduct by an agent only."""
    return cast(Frame, incidents[relevance_of(incidents).isin(B8_CLASSES).to_numpy()])


def context_incidents(incidents: Frame) -> Frame:
    """Return the general-crime incidents: context shown only on request, never counted as evidence."""
    return cast(Frame, incidents[relevance_of(incidents).eq(schema.GENERAL_CRIME).to_numpy()])


def conduct_lists(incidents: pd.DataFrame) -> pd.Series:
    """Return each incident's observed conduct as a tuple of :data:`geo.schema.CONDUCT_TYPES` (sorted, known only).

    A suspected-unlawful-conduct incident with nothing recorded counts as ``('other',)``.
    """
    raw = incidents[schema.CONDUCT] if schema.CONDUCT in incidents else pd.Series(None, index=incidents.index)
    order = {c: i for i, c in enumerate(schema.CONDUCT_TYPES)}

    def parse(value: object) -> tuple[str, ...]:
        if not isinstance(value, str):
            return ("other",)
        found = {v.strip() for v in value.split(";")} & set(order)
        return tuple(sorted(found, key=order.__getitem__)) or ("other",)

    return pd.Series([parse(v) for v in raw.to_numpy(dtype=object)], index=incidents.index, dtype=object,
                     name=schema.CONDUCT)


def counts_by_relevance(incidents: pd.DataFrame) -> pd.Series:
    """Return incident counts per relevance class (every class listed, zeros included)."""
    return relevance_of(incidents).value_counts().reindex(list(schema.RELEVANCE_CLASSES), fill_value=0).astype(int)
