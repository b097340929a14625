"""Messages that can be shown in another language: an English text that remembers its template and values.

Code that raises a user-facing error (or returns a note a person reads) builds its text with :func:`M`:
``raise SchemaError(M("Row {row}: column {column} is empty; fill it or drop the row.", row=7, column="AIN"))``.
The result *is* the English string (``str(exc)`` and every test that reads it are unchanged), and it carries
``template`` and ``values`` so a page can show it in the reader's language (``geo.i18n.localise``).
Translate the template, never the values: values are data (file names, columns, ids) or nested messages.

Templates are ``str.format`` templates (named fields; literal braces doubled) and are extracted into the
catalogue like ``_()`` strings (keyword ``M`` in ``tools/i18n_catalog.py``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self


class Message(str):
    """An English text plus the template and values it was made from."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, values: Mapping[str, Any] | None = None) -> Self:
        """Fill ``template`` with ``values`` (nested messages are filled in English)."""
        vals = dict(values or {})
        obj = super().__new__(cls, template.format(**vals))
        obj.template = template
        obj.values = vals
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as template and values (jobs hand messages across processes)."""
        return (Message, (self.template, dict(self.values)))


class Term(Message):
    """A code that reads as itself in English (``planner``) and by its name ``key`` in another language."""

    key: str

    def __new__(cls, code: str, key: str) -> Term:  # noqa: D102 - the class says it
        obj = super().__new__(cls, code.replace("{", "{{").replace("}", "}}"))
        obj.key = key
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as code and key."""
        return (Term, (str(self), self.key))


def M(template: str, **values: Any) -> Message:
    """Return the English message ``template.format(**values)`` that can be shown in another language."""
    return Message(template, values)


def join(parts: Iterable[str], sep: str = "; ") -> Message:
    """Join messages (and plain strings) with ``sep`` into one message; each part stays translatable."""
    items = list(parts)
    fields = {f"p{i}": part for i, part in enumerate(items)}
    return Message(sep.replace("{", "{{").replace("}", "}}").join("{" + key + "}" for key in fields), fields)


def message_of(exc: BaseException) -> str:
    """Return the message an exception was raised with (a :class:`Message` when it has one, else ``str(exc)``)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)


def to_data(text: str) -> object:
    """Return ``text`` as JSON-ready data that keeps a message's template and values (see :func:`from_data`)."""
    if not isinstance(text, Message):
        return str(text)
    values = {k: to_data(v) if isinstance(v, str) else v if isinstance(v, int | float | bool) or v is None else str(v)
              for k, v in text.values.items()}
    return {"template": text.template, "values": values}


def from_data(data: object) -> str:
    """Return the text :func:`to_data` wrote: a :class:`Message` again when it was one."""
    if isinstance(data, dict) and isinstance(data.get("template"), str) and isinstance(data.get("values"), dict):
        try:
            return Message(data["template"], {k: from_data(v) if isinstance(v, dict) else v
                                              for k, v in data["values"].items()})
        except (KeyError, IndexError, ValueError):
            return str(data["template"])
    return str(data)
