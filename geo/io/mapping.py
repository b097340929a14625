"""Steer an import: ``--map canonical=column`` says which of the file's columns fills a canonical column.

A mapping wins over the alias table (:mod:`geo.io.aliases`); every canonical column it does not
name is still matched by alias. Canonical names are the keys of the kind's alias table, plus the
names people write for them (``occurred_at`` for the date an incident occurred, ``latitude``,
``longitude``, ``x``, ``y``). A mapping that names an unknown canonical column, or a column the
file does not have, is refused with the names that would work.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from geo import schema
from geo.errors import SchemaError
from geo.io import aliases
from geo.io.batches import duplicate_note
from geo.messages import M, Message

#: Names people write -> the alias table's canonical key (only where the kind has that key).
SYNONYMS = {schema.OCCURRED_AT: "date_occ", schema.REPORTED_AT: "date_rptd", "occurred_time": "time_occ",
            "latitude": "lat", "y": "lat", "longitude": "lon", "lng": "lon", "x": "lon"}
#: The alias table's key -> the name shown to people (the canonical column it becomes).
SHOWN = {"date_occ": schema.OCCURRED_AT, "date_rptd": schema.REPORTED_AT}
#: The canonical columns worth a selectbox on the Data page, per kind (any other can still be mapped).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    schema.PARCELS: (schema.AIN, schema.USE_CODE, schema.SITUS_ADDRESS, schema.OWNER_NAME),
    schema.SITES: (schema.AINS, schema.NAME, schema.OWNING_DEPT, schema.ADDRESS, "lat", "lon"),
    schema.INCIDENTS: (schema.INCIDENT_ID, "date_occ", "lat", "lon", schema.INCIDENT_TYPE, "activity",
                       schema.DESCRIPTION),
    schema.DISTRICTS: (schema.DISTRICT, schema.DISTRICT_NAME, schema.VINTAGE),
    schema.PARKS: (schema.PARK_ID, schema.PARK_NAME, schema.PARK_CLASS),
    schema.PLACES: (schema.PLACE_ID, schema.PLACE_TYPE, schema.PLACE_NAME, "lat", "lon"),
    schema.RAMPS: (schema.RAMP_ID, schema.RAMP_TYPE, schema.ROUTE, "lat", "lon"),
    schema.LAPD_DIVISIONS: (schema.LAPD_AREA, schema.AREA_NAME),
    schema.NEIGHBORHOOD_COUNCILS: (schema.NC_ID, schema.NC_NAME),
    schema.STREETS: (schema.STREET_ID, schema.STREET_NAME, "name_base", "name_suffix", schema.STREET_CLASS),
}


def shown_name(key: str) -> str:
    """Return the name people see for an alias-table key (``date_occ`` -> ``occurred_at``)."""
    return SHOWN.get(key, key)


def canonical_names(kind: str) -> list[str]:
    """Return the canonical names a mapping for ``kind`` may use (as shown to people), in table order."""
    return [shown_name(k) for k in aliases.ALIASES.get(kind, {})]


def parse_pairs(items: Iterable[str], label: str | None = None) -> dict[str, str]:
    """Return ``{canonical: column}`` from ``canonical=column`` strings (the CLI's repeated ``--map``).

    ``label`` (the file's name) starts every refusal.

    Raises
    ------
    SchemaError
        For an item without ``=``, or with an empty side, or a canonical name given twice.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, column = str(item).partition("=")
        name, column = name.strip(), column.strip().strip("'\"")
        if not sep or not name or not column:
            problem = M("--map {item}: write canonical=column, e.g. --map occurred_at=timestamp "
                        "(quote a column with spaces: --map \"occurred_at=DATE OCC\").", item=repr(item))
            raise SchemaError(_where(label, problem))
        if name in out and out[name] != column:
            problem = M("--map {name} is given twice ({first} and {second}); keep one.", name=name,
                        first=repr(out[name]), second=repr(column))
            raise SchemaError(_where(label, problem))
        out[name] = column
    return out


def _where(label: str | None, problem: Message) -> Message:
    """Start a refusal with the file's name when known."""
    return M("{label}: {problem}", label=label, problem=problem) if label else problem


def canonical_key(kind: str, name: str) -> str | None:
    """Return the alias-table key ``name`` stands for in ``kind`` (``None`` when it stands for none)."""
    table = aliases.ALIASES.get(kind, {})
    if name in table:
        return name
    key = SYNONYMS.get(name.strip().lower())
    if key in table:
        return key
    by_norm = {aliases.normalize_name(k): k for k in table}
    return by_norm.get(aliases.normalize_name(name))


def check_names(kind: str, mapping: Mapping[str, str], label: str) -> dict[str, str]:
    """Return ``mapping`` keyed by alias-table keys; refuse canonical names ``kind`` does not have.

    Raises
    ------
    SchemaError
        Naming the file, the mapping, and the canonical names this kind fills.
    """
    out: dict[str, str] = {}
    for name, column in mapping.items():
        key = canonical_key(kind, name)
        if key is None:
            raise SchemaError(M("{label}: --map {name}={column}: {quoted} is not a column an import of {kind} fills. "
                                "Use one of: {names}.", label=label, name=name, column=column, quoted=repr(name),
                                kind=kind, names=", ".join(canonical_names(kind))))
        out[key] = column
    return out


def resolve(kind: str, mapping: Mapping[str, str], columns: Sequence[str], label: str) -> dict[str, str]:
    """Return ``{alias-table key: real column}`` for a mapping, each column checked against the file's.

    A column name may differ from the file's in case, spaces and underscores when it matches one
    column only.

    Raises
    ------
    SchemaError
        For an unknown canonical name, or a column the file does not have (listing the file's columns).
    """
    out: dict[str, str] = {}
    real = [str(c) for c in columns]
    for key, column in check_names(kind, mapping, label).items():
        if column in real:
            out[key] = column
            continue
        near = [c for c in real if aliases.normalize_name(c) == aliases.normalize_name(column)]
        if len(near) == 1:
            out[key] = near[0]
            continue
        first = ", ".join(repr(c) for c in real[:60])
        listed = M("{names} and {more} more", names=first, more=len(real) - 60) if len(real) > 60 else first
        raise SchemaError(M("{label}: --map {name}={column}: the file has no column {quoted}. "
                            "Its columns are: {listed}. Map one of these (names are case-sensitive; quote "
                            "names with spaces).", label=label, name=shown_name(key), column=column,
                            quoted=repr(column), listed=listed))
    return out


def wanted(mapping: Mapping[str, str]) -> tuple[str, ...]:
    """Return the file columns a mapping names (the reader must read them even when no alias does)."""
    return tuple(dict.fromkeys(mapping.values()))


_DUPLICATE_FIELDS = {"name", "count", "first", "others", "other"}
_DUPLICATE = re.compile(r"^duplicate column name '(?P<name>.*?)' appears")


def name_duplicates(notes: Iterable[str], columns: Iterable[str], kind: str, chosen: Mapping[str, str]) -> list[str]:
    """Return the reader's notes with each duplicate-name note saying which canonical column the used one fills."""
    fills = {col: shown_name(key) for key, col in aliases.match_columns(columns, kind, chosen).items()}
    out = []
    for note in notes:
        hit = _DUPLICATE.match(note)
        canonical = fills.get(hit.group("name")) if hit else None
        if canonical is not None and isinstance(note, Message) and set(note.values) >= _DUPLICATE_FIELDS:
            note = duplicate_note(note.values, canonical)
        elif canonical is not None:
            note = note.replace(" (column ", f" as {canonical} (column ", 1).replace('--map "CANONICAL=',
                                                                                       f'--map "{canonical}=')
        out.append(note)
    return out
